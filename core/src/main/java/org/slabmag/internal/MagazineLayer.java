package org.slabmag.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.slabmag.SlabOutOfMemoryError;

/**
 * Per-thread magazines and per-class depots in front of the {@link LockedHeap}, for the slab size
 * classes (requests up to {@link SizeClasses#MAX_SLAB_BLOCK} bytes).
 *
 * <p>Allocation and free in the common case touch only the calling thread's {@link ThreadCache}.
 * Frees are validated before the block enters a magazine (lock-free, through the thread's last
 * chunk or the chunk map, see {@link ThreadCache#free}), so a foreign, interior or wrong-class
 * address never reaches a magazine.
 * Each block carries a state byte ({@link Slab}) set on allocation and checked on free, so a free of
 * a block that is not in a user's hands is refused before it can reach a magazine; in hardened mode
 * the byte changes by compare-and-set, so racing double frees are caught too.
 *
 * <p><b>Memory effects.</b> A block moves between threads only inside a magazine passed through a
 * {@link Depot} queue (release/acquire) or through the heap lock, so everything written to a block
 * before {@code free} happens-before the {@code allocate} that hands it to another thread.
 *
 * <p><b>Closing.</b> {@link #close()} (after the heap was closed) gives the caller's magazines, the
 * caches of threads that ended and every depot back to the heap. Magazines of other live threads are
 * never touched by another thread: their blocks stay out of the heap (so their chunks stay mapped)
 * until the owner calls in again, when it gets {@link IllegalStateException} and its cache goes back
 * ({@link #closedCall()}), or ends and a later call after close reclaims it. Threads racing
 * {@code close()} may still use their magazines and the depot; any of them that reaches the heap to
 * take memory gets {@link IllegalStateException}.
 *
 * <p><b>Maintenance.</b> On slow paths, at most once per {@code reclaimNanos}: caches of dead threads
 * are taken back and every depot gives back the magazines it did not need (working-set reclaim).
 *
 * <p>Thread-safe.
 */
public final class MagazineLayer {
    private final LockedHeap heap;
    /** The unlocked heap, for lock-free validation of frees only (see {@link ThreadCache#free}). */
    private final Heap rawHeap;
    private final Depot[] depots = new Depot[SizeClasses.COUNT];
    private static final int SLOTS = 256;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(ThreadCache[].class);
    private static final VarHandle NEXT_MAINTENANCE;

    static {
        try {
            NEXT_MAINTENANCE = MethodHandles.lookup().findVarHandle(MagazineLayer.class, "nextMaintenance", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    private final ThreadCache[] slots = new ThreadCache[SLOTS];
    private final ThreadCacheRegistry registry = new ThreadCacheRegistry(this::forget);
    private final ThreadLocal<ThreadCache> local = new ThreadLocal<>();
    private final long reclaimNanos;
    private volatile long nextMaintenance;
    /** Set by {@link #close()}; a plain field for the same reason as {@code SlabAllocator}'s check. */
    private boolean closed;

    /**
     * @param magazineBytes target bytes per magazine (sets its initial rounds per class)
     * @param depotBytes    target bytes of full magazines per class in the depot
     * @param reclaimNanos  interval of working-set reclaim and dead-thread scans
     */
    public MagazineLayer(LockedHeap heap, int magazineBytes, int depotBytes, long reclaimNanos) {
        this.heap = heap;
        this.rawHeap = heap.heap();
        this.reclaimNanos = reclaimNanos;
        this.nextMaintenance = System.nanoTime() + reclaimNanos;
        for (int c = 0; c < depots.length; c++) {
            depots[c] = new Depot(c, magazineBytes, depotBytes);
        }
    }

    /** Allocates a block of class {@code c} for {@code requested} bytes. */
    public long allocate(int c, int requested) {
        return cache().allocate(c, requested);
    }

    /** Validates and frees a block of class {@code c} that was allocated for {@code requested} bytes. */
    public void free(long address, int c, int requested) {
        cache().free(address, c, requested);
    }

    /** Allocates a block of class {@code c} without marking it live; see {@link UncheckedBlocks}. */
    long allocateUnchecked(int c, int requested) {
        checkOpen();
        return cache().allocateUnchecked(c, requested);
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
        cache().freeUnchecked(address, c, requested);
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
        cache().free(address, c, requested);
    }

    private void freeUncheckedAfterClose(long address, int c) {
        closedCall();
        heap.giveBackBlocks(c, new long[] {address}, 0, 1);
    }

    private void checkOpen() {
        if (closed) {
            throw closedCall();
        }
    }

    /**
     * Called by a thread that found the allocator closed: gives its own magazines, the caches of
     * threads that ended and the depots (which threads racing close may have refilled) back to the
     * closed heap, which returns every chunk that became free.
     *
     * @return the exception to throw at the caller
     */
    public IllegalStateException closedCall() {
        trim();
        return new IllegalStateException("this SlabAllocator is closed");
    }

    /**
     * The calling thread's cache. A slot table indexed by thread id answers in a few loads (an
     * entry is trusted only if its final {@code owner} is the calling thread, so a racy read of the
     * table is harmless); threads whose slot is taken by another live thread use the ThreadLocal.
     */
    private ThreadCache cache() {
        Thread t = Thread.currentThread();
        ThreadCache cache = slots[slot(t)];
        return cache != null && cache.owner == t ? cache : slowCache(t);
    }

    private ThreadCache slowCache(Thread t) {
        ThreadCache cache = local.get();
        if (cache == null) {
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

    /**
     * Fills empty magazine {@code m} of class {@code c} from the heap; on exhaustion gives the calling
     * thread's magazines, the caches of dead threads and every depot's magazines back to the heap, and
     * tries again.
     */
    int fill(int c, Magazine m) {
        int got;
        try {
            got = heap.fill(c, m, m.capacity());
        } catch (SlabOutOfMemoryError e) {
            ThreadCache own = local.get();
            if (own != null) {
                own.drain(); // called from own.reload(c), whose magazines of class c are both empty
            }
            registry.reclaimDead();
            releaseDepots();
            got = heap.fill(c, m, m.capacity());
        }
        depots[c].adapt(heap);
        return got;
    }

    void drain(int c, Magazine m) {
        heap.drain(c, m);
        depots[c].adapt(heap);
    }

    /** Periodic work on slow paths: dead-thread scan and working-set reclaim. */
    void maintain() {
        long now = System.nanoTime();
        long due = nextMaintenance;
        if (now - due < 0 || !NEXT_MAINTENANCE.compareAndSet(this, due, now + reclaimNanos)) {
            return; // not due, or another thread does this round
        }
        registry.reclaimDead();
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

    /** trim(): the calling thread's magazines, dead threads' caches and the depots go back to the heap. */
    public void trim() {
        ThreadCache cache = local.get();
        if (cache != null) {
            local.remove();
            registry.retire(cache, true);
        }
        registry.reclaimDead();
        releaseDepots();
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
     * rounds cached per class, in threads and depots, into {@code roundsPerClass}.
     */
    public void collect(long[] totals, long[] roundsPerClass) {
        registry.collect(totals, roundsPerClass);
        for (int c = 0; c < depots.length; c++) {
            roundsPerClass[c] += depots[c].cachedRounds();
        }
    }

    /** Rounds of the magazines made now for class {@code c}. */
    public int magazineRounds(int c) {
        return depots[c].rounds();
    }

    /** Live thread caches (for tests and diagnostics). */
    public int threadCaches() {
        return registry.size();
    }
}
