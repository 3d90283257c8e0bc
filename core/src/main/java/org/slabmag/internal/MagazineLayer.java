package org.slabmag.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;

import org.slabmag.SlabOutOfMemoryError;

/**
 * Magazines and per-class depots in front of the {@link LockedHeap}, for the slab size classes
 * (requests up to {@link SizeClasses#MAX_SLAB_BLOCK} bytes).
 *
 * <p><b>Who gets private magazines.</b> A platform thread that keeps allocating gets a private
 * {@link ThreadCache}: its common allocate and free touch only that cache, with no lock and no
 * atomic instruction. Its first {@code warmUpCalls} calls go through the {@link SharedCaches}
 * (tcmalloc's slow start), so threads that allocate a few times and end never register a cache.
 * Virtual threads always use the shared caches: they are many and short-lived, and a private cache
 * each would strand memory nobody can reach (measured before this design: 100,000 virtual threads
 * held about 63 GiB of cached blocks).
 *
 * <p>Frees are validated before the block enters a magazine (lock-free, through the thread's last
 * chunk or the chunk map, see {@link ThreadCache#free}), so a foreign, interior or wrong-class
 * address never reaches a magazine. Each block carries a state byte ({@link Slab}) set on allocation
 * and checked on free; in hardened mode it changes by compare-and-set.
 *
 * <p><b>Memory effects.</b> A block moves between threads only inside a magazine passed through a
 * {@link Depot} queue (release/acquire), a stripe's lock, or the heap lock, so everything written to
 * a block before {@code free} happens-before the {@code allocate} that hands it to another thread.
 *
 * <p><b>Giving memory back.</b> On slow paths, at most once per {@code reclaimNanos}: caches of dead
 * threads are taken back and every depot gives back the magazines it did not need. Each
 * {@link #decay()} (from the {@link Reclaimer}, every half decay time) also drains stripes that
 * served no call since the previous one and starts a new epoch; a private cache that has not been to
 * the depot for two epochs gives all its magazines back at its next trip there. A live thread cannot
 * be robbed of its private magazines without a cost on every call, so what an idle live thread holds
 * is bounded instead: two magazines per class, at most {@link #privateCacheBound} bytes. Out of
 * memory, the layer takes back the caller's magazines, the shared stripes, dead threads' caches and
 * the depots, and asks every private cache to give back at its next trip to the depot.
 *
 * <p><b>Closing.</b> {@link #close()} (after the heap was closed) gives the caller's magazines, the
 * caches of threads that ended and every depot back to the heap. Magazines of other live threads are
 * never touched by another thread: their blocks stay out of the heap (so their chunks stay mapped)
 * until the owner calls in again, when it gets {@link IllegalStateException} and its cache goes back
 * ({@link #closedCall()}), or ends and a later call after close reclaims it. Threads racing
 * {@code close()} may still use their magazines and the depot; any of them that reaches the heap to
 * take memory gets {@link IllegalStateException}.
 *
 * <p>Thread-safe.
 */
public final class MagazineLayer {
    private static final int SLOTS = 256;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(ThreadCache[].class);
    private static final VarHandle NEXT_MAINTENANCE;
    private static final VarHandle EPOCH;
    /** {@code Thread.isVirtual()} on JDK 21+; null before, where no thread is virtual. */
    private static final MethodHandle IS_VIRTUAL;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            NEXT_MAINTENANCE = lookup.findVarHandle(MagazineLayer.class, "nextMaintenance", long.class);
            EPOCH = lookup.findVarHandle(MagazineLayer.class, "epoch", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        MethodHandle isVirtual;
        try {
            isVirtual = MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual",
                MethodType.methodType(boolean.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            isVirtual = null;
        }
        IS_VIRTUAL = isVirtual;
    }

    private final LockedHeap heap;
    /** The unlocked heap, for lock-free validation of frees only (see {@link ThreadCache#free}). */
    private final Heap rawHeap;
    private final Depot[] depots = new Depot[SizeClasses.COUNT];
    private final ThreadCache[] slots = new ThreadCache[SLOTS];
    private final ThreadCacheRegistry registry = new ThreadCacheRegistry(this::forget);
    private final SharedCaches shared;
    private final ThreadLocal<ThreadCache> local = new ThreadLocal<>();
    /** Calls a platform thread has made through the shared caches, while warming up. */
    private final ThreadLocal<int[]> warmUp = ThreadLocal.withInitial(() -> new int[1]);
    private final int warmUpCalls;
    private final long reclaimNanos;
    private volatile long nextMaintenance;
    /** Advanced by every {@link #decay()}, and by two on the memory-limit path. */
    private volatile int epoch;
    /** Set by {@link #close()}; a plain field for the same reason as {@code SlabAllocator}'s check. */
    private boolean closed;

    /**
     * @param magazineBytes target bytes per magazine (sets its initial rounds per class)
     * @param depotBytes    target bytes of full magazines per class in the depot
     * @param reclaimNanos  interval of working-set reclaim and dead-thread scans on slow paths
     * @param warmUpCalls   calls a platform thread makes through the shared caches before it gets
     *                      private magazines
     */
    public MagazineLayer(LockedHeap heap, int magazineBytes, int depotBytes, long reclaimNanos, int warmUpCalls) {
        this.heap = heap;
        this.rawHeap = heap.heap();
        this.reclaimNanos = reclaimNanos;
        this.warmUpCalls = warmUpCalls;
        this.nextMaintenance = System.nanoTime() + reclaimNanos;
        for (int c = 0; c < depots.length; c++) {
            depots[c] = new Depot(c, magazineBytes, depotBytes);
        }
        this.shared = new SharedCaches(this, rawHeap);
    }

    /** Allocates a block of class {@code c} for {@code requested} bytes. */
    public long allocate(int c, int requested) {
        Thread t = Thread.currentThread();
        ThreadCache cache = cacheOf(t);
        if (cache != null) {
            return cache.allocate(c, requested);
        }
        SharedCaches.Stripe s = shared.acquire(t);
        try {
            return s.cache.allocate(c, requested);
        } finally {
            s.unlock();
        }
    }

    /** Validates and frees a block of class {@code c} that was allocated for {@code requested} bytes. */
    public void free(long address, int c, int requested) {
        Thread t = Thread.currentThread();
        ThreadCache cache = cacheOf(t);
        if (cache != null) {
            cache.free(address, c, requested);
            return;
        }
        SharedCaches.Stripe s = shared.acquire(t);
        try {
            s.cache.free(address, c, requested);
        } finally {
            s.unlock();
        }
    }

    /** Allocates a block of class {@code c} without marking it live; see {@link UncheckedBlocks}. */
    long allocateUnchecked(int c, int requested) {
        checkOpen();
        Thread t = Thread.currentThread();
        ThreadCache cache = cacheOf(t);
        if (cache != null) {
            return cache.allocateUnchecked(c, requested);
        }
        SharedCaches.Stripe s = shared.acquire(t);
        try {
            return s.cache.allocateUnchecked(c, requested);
        } finally {
            s.unlock();
        }
    }

    /**
     * Frees a block from {@link #allocateUnchecked} without validation; see {@link UncheckedBlocks}.
     * After close the block goes straight back to the closed heap (see {@link #close()}).
     */
    void freeUnchecked(long address, int c, int requested) {
        if (closed) {
            freeUncheckedAfterClose(address, c);
            return;
        }
        Thread t = Thread.currentThread();
        ThreadCache cache = cacheOf(t);
        if (cache != null) {
            cache.freeUnchecked(address, c, requested);
            return;
        }
        SharedCaches.Stripe s = shared.acquire(t);
        try {
            s.cache.freeUnchecked(address, c, requested);
        } finally {
            s.unlock();
        }
    }

    /**
     * Validates and frees a block of class {@code c} from {@link #allocate}, for the adapters: after
     * close it goes straight back to the closed heap (with the same checks) instead of throwing.
     */
    void freeChecked(long address, int c, int requested) {
        if (closed) {
            closedCall();
            heap.freeSmall(address, c, requested);
            return;
        }
        free(address, c, requested);
    }

    private void freeUncheckedAfterClose(long address, int c) {
        closedCall();
        heap.giveBackBlocks(c, new long[] {address}, 0, 1);
    }

    /**
     * The private cache of thread {@code t}, or null if it uses the shared stripes. A slot table
     * indexed by thread id answers in a few loads (an entry is trusted only if its final
     * {@code owner} is the calling thread, so a racy read of the table is harmless); on a miss,
     * {@link #privateCache}.
     */
    private ThreadCache cacheOf(Thread t) {
        ThreadCache cache = slots[slot(t)];
        return cache != null && cache.owner == t ? cache : privateCache(t);
    }

    private void checkOpen() {
        if (closed) {
            throw closedCall();
        }
    }

    /**
     * Called by a thread that found the allocator closed: gives its own magazines, the shared stripes,
     * the caches of threads that ended and the depots (which threads racing close may have refilled)
     * back to the closed heap, which returns every chunk that became free.
     *
     * @return the exception to throw at the caller
     */
    public IllegalStateException closedCall() {
        trim();
        return new IllegalStateException("this SlabAllocator is closed");
    }

    /**
     * The calling thread's private cache when the slot table missed it, or null if the thread uses
     * the shared caches: virtual threads always, platform threads for their first
     * {@code warmUpCalls} calls.
     */
    private ThreadCache privateCache(Thread t) {
        if (isVirtual(t)) {
            return null;
        }
        ThreadCache cache = local.get();
        if (cache == null) {
            int[] calls = warmUp.get();
            if (calls[0] < warmUpCalls) {
                calls[0]++;
                return null;
            }
            warmUp.remove();
            cache = new ThreadCache(t, this, rawHeap);
            registry.register(cache);
            local.set(cache);
        }
        int i = slot(t);
        ThreadCache holder = slots[i];
        if (holder == null || !holder.owner.isAlive()) {
            slots[i] = cache;
        }
        return cache;
    }

    private static boolean isVirtual(Thread t) {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (boolean) IS_VIRTUAL.invokeExact(t);
        } catch (Throwable e) {
            throw new AssertionError("Thread.isVirtual() failed", e);
        }
    }

    @SuppressWarnings("deprecation") // Thread.threadId() is JDK 19+; getId() is the same final value
    private static int slot(Thread t) {
        return (int) t.getId() & (SLOTS - 1);
    }

    /** Drops a retired cache from the slot table, unless another thread took the slot meanwhile. */
    private void forget(ThreadCache cache) {
        SLOT.compareAndSet(slots, slot(cache.owner), cache, null);
    }

    Depot depot(int c) {
        return depots[c];
    }

    int epoch() {
        return epoch;
    }

    /**
     * Fills empty magazine {@code m} of class {@code c} of {@code cache} from the heap. Out of memory,
     * gives back the caller's magazines, the shared stripes, the caches of dead threads and every
     * depot's magazines, asks every private cache to give back its magazines at its next trip to the
     * depot, and tries again; if that fails too, the error tells bytes in users' hands from bytes
     * still cached.
     */
    int fill(ThreadCache cache, int c, Magazine m) {
        int got;
        try {
            got = heap.fill(c, m, m.capacity());
        } catch (SlabOutOfMemoryError e) {
            cache.drain(); // called from cache.reload(c), whose magazines of class c are both empty
            releaseCached(cache);
            try {
                got = heap.fill(c, m, m.capacity());
            } catch (SlabOutOfMemoryError again) {
                throw outOfMemory(again);
            }
        }
        depots[c].adapt(heap);
        return got;
    }

    /**
     * Gives back every cached block this thread can reach ({@code own} is the caller's cache, which
     * it drains itself, or null) and asks private caches to give theirs back at their next trip to
     * the depot.
     */
    public void releaseCached(ThreadCache own) {
        EPOCH.getAndAdd(this, 2);
        releaseShared(own);
    }

    /** The shared stripes (but {@code own}), dead threads' caches and the depots go back to the heap. */
    private void releaseShared(ThreadCache own) {
        shared.drainAll(own);
        registry.reclaimDead();
        releaseDepots();
    }

    /**
     * The error for an allocation that failed with every reachable cache given back: {@code e}'s
     * figures, with the bytes still cached in magazines told apart from the bytes in users' hands.
     * Stripes other threads hold at that moment are not read (waiting for them could deadlock two
     * threads failing at once), so their blocks count as in users' hands.
     */
    public SlabOutOfMemoryError outOfMemory(SlabOutOfMemoryError e) {
        long[] totals = new long[3];
        long[] rounds = new long[SizeClasses.COUNT];
        collect(totals, rounds, false); // the caller may hold a stripe: waiting for others could deadlock
        long cached = 0;
        for (int c = 0; c < rounds.length; c++) {
            cached += rounds[c] * SizeClasses.blockSize(c);
        }
        return new SlabOutOfMemoryError(e.requested(), e.limit(), e.reserved(), e.used() - cached, cached);
    }

    void drain(int c, Magazine m) {
        heap.drain(c, m);
        depots[c].adapt(heap);
    }

    /**
     * Periodic work on the depot-level slow path of {@code cache}: dead-thread scan and working-set
     * reclaim, at most once per {@code reclaimNanos}; and, if {@code cache} is private and has not been
     * to the depot for two epochs, gives its magazines back.
     *
     * @return true if {@code cache}'s magazines were given back (all now {@link Magazine#NONE})
     */
    boolean maintain(ThreadCache cache) {
        long now = System.nanoTime();
        long due = nextMaintenance;
        if (now - due >= 0 && NEXT_MAINTENANCE.compareAndSet(this, due, now + reclaimNanos)) {
            registry.reclaimDead();
            for (Depot depot : depots) {
                depot.reclaimUnused(heap);
            }
        }
        int e = epoch;
        int seen = cache.seenEpoch;
        cache.seenEpoch = e;
        if (e - seen >= 2 && cache.owner != null) {
            cache.flush();
            return true;
        }
        return false;
    }

    /**
     * One decay step (see the class comment): dead threads' caches, idle stripes and the depots'
     * unneeded magazines go back to the heap, and a new epoch starts.
     */
    public void decay() {
        EPOCH.getAndAdd(this, 1);
        registry.reclaimDead();
        shared.decay();
        for (Depot depot : depots) {
            depot.reclaimUnused(heap);
        }
    }

    /** Gives every depot's full magazines back to the heap. */
    public void releaseDepots() {
        for (Depot depot : depots) {
            depot.flush(heap);
        }
    }

    /**
     * trim(): the calling thread's magazines, the shared stripes, dead threads' caches and the depots
     * go back to the heap.
     */
    public void trim() {
        ThreadCache cache = local.get();
        if (cache != null) {
            local.remove();
            registry.retire(cache, true);
        }
        releaseShared(null);
    }

    /**
     * Marks the layer closed (a plain write: calls racing it may still see it open) and gives the
     * caller's magazines, the caches of threads that ended and the depots back to the heap, which
     * must be closed first so that nothing given back is handed out again.
     */
    public void close() {
        closed = true;
        trim();
    }

    /**
     * Sums thread counters into {@code totals} (allocations, deallocations, requested bytes) and the
     * rounds cached per class, in private caches, stripes and depots, into {@code roundsPerClass}.
     */
    public void collect(long[] totals, long[] roundsPerClass) {
        collect(totals, roundsPerClass, true);
    }

    /**
     * {@link #collect(long[], long[])}, waiting for busy stripes only if {@code wait}; see
     * {@link SharedCaches#collect}.
     */
    private void collect(long[] totals, long[] roundsPerClass, boolean wait) {
        registry.collect(totals, roundsPerClass);
        shared.collect(totals, roundsPerClass, wait);
        for (int c = 0; c < depots.length; c++) {
            roundsPerClass[c] += depots[c].cachedRounds();
        }
    }

    /** Rounds of the magazines made now for class {@code c}. */
    public int magazineRounds(int c) {
        return depots[c].rounds();
    }

    /** Live private thread caches (for tests and diagnostics). */
    public int threadCaches() {
        return registry.size();
    }

    /**
     * The most bytes one private cache can hold: two magazines per class, of the largest size the
     * depot may grow them to.
     */
    public long privateCacheBound() {
        long bytes = 0;
        for (Depot depot : depots) {
            bytes += 2L * depot.maxRounds() * SizeClasses.blockSize(depot.sizeClass);
        }
        return bytes;
    }
}
