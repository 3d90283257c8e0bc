package org.slabmag.internal.magazine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.slabmag.internal.event.SlabEvents;
import org.slabmag.internal.heap.Heap;
import org.slabmag.internal.heap.LockedHeap;
import org.slabmag.internal.heap.SizeClasses;

/**
 * The allocator's magazine layer: thread caches and per-class depots in front of the
 * {@link LockedHeap}, for the slab size classes (requests up to {@link SizeClasses#MAX_SLAB_BLOCK}
 * bytes).
 *
 * <p><b>Who gets private magazines.</b> A platform thread that keeps allocating gets a private
 * {@link ThreadCache} after its first {@code warmUpCalls} calls; virtual threads and warming-up threads
 * use the {@link Stripes} (see {@link ThreadCaches}). A private cache's common allocate and free touch
 * only that cache, with no lock and no atomic instruction.
 *
 * <p>Frees are validated before the block enters a magazine (lock-free, through the thread's last
 * chunk or the chunk map, see {@link ThreadCache#free}), so a foreign, interior or wrong-class
 * address never reaches a magazine. Each block carries a state byte set on allocation and checked on
 * free; in hardened mode it changes by compare-and-set.
 *
 * <p><b>Memory effects.</b> A block moves between threads only inside a magazine passed through a
 * {@link Depot} queue (release/acquire), a stripe's lock, or the heap lock, so everything written to
 * a block before {@code free} happens-before the {@code allocate} that hands it to another thread.
 *
 * <p><b>Giving memory back.</b> On slow paths, at most once per {@code reclaimNanos}: caches of dead
 * threads are taken back and every depot gives back the magazines it did not need. Each
 * {@link #decay()} also drains stripes that served no call since the previous one and starts a new
 * epoch; a private cache that has not been to the depot for two epochs gives all its magazines back
 * at its next trip there. A live thread cannot be robbed of its private magazines without a cost on
 * every call, so what an idle live thread holds is bounded instead: two magazines per class, at most
 * {@link #privateCacheBound} bytes. Under memory pressure {@link #releaseReachable()} gives back
 * everything the calling thread can reach and asks every private cache to follow.
 *
 * <p><b>Closing.</b> The heap's closed flag is the allocator's one closed flag. Once it is set, the
 * magazines of other live threads are never touched by another thread: their blocks stay out of the
 * heap (so their chunks stay mapped) until the owner calls in again, when it gets
 * {@link IllegalStateException} and its cache goes back ({@link #closedCall()}), or ends and a later
 * call after close reclaims it. Threads racing {@code close()} may still use their magazines and the
 * depot; any of them that reaches the heap to take memory gets {@link IllegalStateException}.
 *
 * <p>Thread-safe.
 */
public final class MagazineLayer {
    private static final VarHandle NEXT_MAINTENANCE;
    private static final VarHandle EPOCH;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            NEXT_MAINTENANCE = lookup.findVarHandle(MagazineLayer.class, "nextMaintenance", long.class);
            EPOCH = lookup.findVarHandle(MagazineLayer.class, "epoch", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final LockedHeap heap;
    /** The unlocked heap, for lock-free validation of frees and its closed flag only. */
    private final Heap rawHeap;
    private final ClassDepot[] depots = new ClassDepot[SizeClasses.COUNT];
    private final ThreadCaches<ThreadCache> caches;
    /** {@code caches.slotTable()}, held here to spare the fast path a dependent load. */
    private final MagazineRack<?>[] slots;
    private final Stripes<ThreadCache> stripes;
    private final long reclaimNanos;
    private volatile long nextMaintenance;
    /** Advanced by every {@link #decay()}, and by two on the memory-limit path. */
    private volatile int epoch;
    /** Counters of retired caches; guarded by the registry's lock (written only in {@link #retire}). */
    private long retiredAllocations;
    private long retiredDeallocations;
    private long retiredRequestedBytes;

    /**
     * The magazine layer in front of {@code heap}: a depot per size class, the thread-cache registry and the stripes.
     *
     * @param heap          the heap behind the caches
     * @param magazineBytes target bytes per magazine (sets its initial rounds per class)
     * @param depotBytes    target bytes of full magazines per class in the depot
     * @param reclaimNanos  interval of working-set reclaim and dead-thread scans on slow paths
     * @param warmUpCalls   calls a platform thread makes through the stripes before it gets
     *                      private magazines
     */
    public MagazineLayer(LockedHeap heap, int magazineBytes, int depotBytes, long reclaimNanos, int warmUpCalls) {
        this.heap = heap;
        this.rawHeap = heap.heap();
        this.reclaimNanos = reclaimNanos;
        this.nextMaintenance = System.nanoTime() + reclaimNanos;
        for (int c = 0; c < depots.length; c++) {
            depots[c] = new ClassDepot(c, magazineBytes, depotBytes);
        }
        this.caches = new ThreadCaches<>(t -> new ThreadCache(t, this, rawHeap), warmUpCalls, this::retire);
        this.slots = caches.slotTable();
        this.stripes = new Stripes<>(i -> new ThreadCache(null, this, rawHeap));
    }

    /**
     * Allocates a block of class {@code c} for {@code requested} bytes.
     *
     * @param c         the size class
     * @param requested the bytes asked for
     * @return the block's address
     * @throws org.slabmag.internal.heap.MemoryLimitExceeded when the heap cannot serve the refill
     */
    public long allocate(int c, int requested) {
        Thread t = Thread.currentThread();
        ThreadCache cache = cacheOf(t);
        if (cache != null) {
            return cache.allocate(c, requested);
        }
        Stripes.Stripe<ThreadCache> s = stripes.acquire(t);
        try {
            return s.cache().allocate(c, requested);
        } finally {
            s.unlock();
        }
    }

    /**
     * Validates and frees a block of class {@code c} that was allocated for {@code requested} bytes.
     *
     * @param address   the block
     * @param c         its size class
     * @param requested the bytes asked for at allocation
     */
    public void free(long address, int c, int requested) {
        Thread t = Thread.currentThread();
        ThreadCache cache = cacheOf(t);
        if (cache != null) {
            cache.free(address, c, requested);
            return;
        }
        Stripes.Stripe<ThreadCache> s = stripes.acquire(t);
        try {
            s.cache().free(address, c, requested);
        } finally {
            s.unlock();
        }
    }

    /**
     * Allocates a block of class {@code c} without marking it live, for an owner that frees it exactly
     * once through {@link #freeUnchecked}: the block's state keeps saying "not in a user's hands".
     *
     * @param c         the size class
     * @param requested the bytes asked for
     * @return the block's address
     */
    public long allocateUnchecked(int c, int requested) {
        if (rawHeap.isClosedPlain()) {
            throw closedCall();
        }
        Thread t = Thread.currentThread();
        ThreadCache cache = cacheOf(t);
        if (cache != null) {
            return cache.allocateUnchecked(c, requested);
        }
        Stripes.Stripe<ThreadCache> s = stripes.acquire(t);
        try {
            return s.cache().allocateUnchecked(c, requested);
        } finally {
            s.unlock();
        }
    }

    /**
     * Frees a block from {@link #allocateUnchecked} without validation. After close the block goes
     * straight back to the closed heap.
     *
     * @param address   the block
     * @param c         its size class
     * @param requested the bytes asked for at allocation
     */
    public void freeUnchecked(long address, int c, int requested) {
        if (rawHeap.isClosedPlain()) {
            closedCall();
            heap.giveBackBlocks(c, new long[] {address}, null, 1);
            return;
        }
        Thread t = Thread.currentThread();
        ThreadCache cache = cacheOf(t);
        if (cache != null) {
            cache.freeUnchecked(address, c, requested);
            return;
        }
        Stripes.Stripe<ThreadCache> s = stripes.acquire(t);
        try {
            s.cache().freeUnchecked(address, c, requested);
        } finally {
            s.unlock();
        }
    }

    /**
     * Allocates a block of class {@code c} for one of slabmag's adapters through the checked path: its
     * state says "owned by an adapter" (see {@link ThreadCache#allocateOwned}).
     *
     * @param c         the size class
     * @param requested the bytes asked for
     * @return the block's address
     */
    public long allocateOwned(int c, int requested) {
        Thread t = Thread.currentThread();
        ThreadCache cache = cacheOf(t);
        if (cache != null) {
            return cache.allocateOwned(c, requested);
        }
        Stripes.Stripe<ThreadCache> s = stripes.acquire(t);
        try {
            return s.cache().allocateOwned(c, requested);
        } finally {
            s.unlock();
        }
    }

    /**
     * Validates and frees a block from {@link #allocateOwned}.
     *
     * @param address   the block
     * @param c         its size class
     * @param requested the bytes asked for at allocation
     */
    public void freeOwned(long address, int c, int requested) {
        Thread t = Thread.currentThread();
        ThreadCache cache = cacheOf(t);
        if (cache != null) {
            cache.freeOwned(address, c, requested);
            return;
        }
        Stripes.Stripe<ThreadCache> s = stripes.acquire(t);
        try {
            s.cache().freeOwned(address, c, requested);
        } finally {
            s.unlock();
        }
    }

    /** The private cache of thread {@code t}, or null if it uses the stripes. */
    private ThreadCache cacheOf(Thread t) {
        ThreadCache cache = ThreadCaches.find(slots, t);
        return cache != null ? cache : caches.privateCache(t);
    }

    /**
     * Called by a thread that found the allocator closed: gives its own magazines, the stripes, the
     * caches of threads that ended and the depots (which threads racing close may have refilled)
     * back to the closed heap, which returns every chunk that became free.
     *
     * @return the exception to throw at the caller
     */
    public IllegalStateException closedCall() {
        trim();
        return new IllegalStateException("this SlabAllocator is closed");
    }

    /** A private cache leaves the registry (its thread ended, or trim): its blocks go back. */
    private void retire(ThreadCache cache) {
        if (SlabEvents.threadCacheReclaimedEnabled()) {
            SlabEvents.threadCacheReclaimed(cache.owner(), cache.cachedBytes());
        }
        cache.flush();
        retiredAllocations += cache.allocations;
        retiredDeallocations += cache.deallocations;
        retiredRequestedBytes += cache.requestedBytes;
    }

    ClassDepot depot(int c) {
        return depots[c];
    }

    int epoch() {
        return epoch;
    }

    /** Fills empty magazine {@code m} of class {@code c} from the heap. */
    void fill(int c, AddressMagazine m) {
        m.size = heap.takeBlocks(c, m.rounds, m.slabs, m.capacity);
        depots[c].adapt(heap);
    }

    /** Gives every round of magazine {@code m} of class {@code c} back to the heap. */
    void drain(int c, AddressMagazine m) {
        heap.giveBackBlocks(c, m.rounds, m.slabs, m.size);
        m.size = 0;
        depots[c].adapt(heap);
    }

    /**
     * Periodic work on the depot-level slow path of {@code cache}: dead-thread scan and working-set
     * reclaim, at most once per {@code reclaimNanos}; and, if {@code cache} is private and has not been
     * to the depot for two epochs, gives its magazines back (all become the placeholder).
     */
    void maintain(ThreadCache cache) {
        long now = System.nanoTime();
        long due = nextMaintenance;
        if (now - due >= 0 && NEXT_MAINTENANCE.compareAndSet(this, due, now + reclaimNanos)) {
            caches.reclaimDead();
            reclaimUnusedDepots();
        }
        int e = epoch;
        int seen = cache.seenEpoch;
        cache.seenEpoch = e;
        if (e - seen >= 2 && cache.owner() != null) {
            cache.flush();
        }
    }

    private void reclaimUnusedDepots() {
        for (ClassDepot depot : depots) {
            depot.reclaimUnused(m -> giveBack(depot, m));
        }
    }

    private void giveBack(ClassDepot depot, AddressMagazine m) {
        drain(depot.sizeClass, m);
        depot.recycle(m);
    }

    /**
     * One decay step (see the class comment): dead threads' caches, idle stripes and the depots'
     * unneeded magazines go back to the heap, and a new epoch starts.
     */
    public void decay() {
        EPOCH.getAndAdd(this, 1);
        caches.reclaimDead();
        stripes.forEachIdle(cache -> cache.allocations + cache.deallocations, ThreadCache::drain);
        reclaimUnusedDepots();
    }

    /**
     * The memory-pressure step of this layer: the calling thread's own magazines, the stripes free now,
     * dead threads' caches and every depot go back to the heap, and every private cache is asked to
     * give its magazines back at its next trip to the depot.
     */
    public void releaseReachable() {
        EPOCH.getAndAdd(this, 2);
        trim();
    }

    /**
     * trim(): the calling thread's magazines, the stripes free now, dead threads' caches and the depots
     * go back to the heap.
     */
    public void trim() {
        // retire() reports the cache's bytes (JFR) before it flushes them; the depots go back below
        caches.retireOwn();
        stripes.forEachFree(null, ThreadCache::drain);
        caches.reclaimDead();
        for (ClassDepot depot : depots) {
            depot.flush(m -> giveBack(depot, m));
        }
    }

    /**
     * Bytes of free blocks cached now in private caches, stripes free now and depots: what an
     * allocation that failed after {@link #releaseReachable()} could not reach (racy).
     *
     * @return the bytes
     */
    public long cachedBytes() {
        long[] totals = new long[3];
        long[] rounds = new long[SizeClasses.COUNT];
        collect(totals, rounds, false);
        long bytes = 0;
        for (int c = 0; c < rounds.length; c++) {
            bytes += rounds[c] * SizeClasses.blockSize(c);
        }
        return bytes;
    }

    /**
     * Sums thread counters into {@code totals} (allocations, deallocations, requested bytes) and the
     * rounds cached per class, in private caches, stripes and depots, into {@code roundsPerClass}.
     *
     * @param totals         three counters to add to
     * @param roundsPerClass per class, rounds to add to
     */
    public void collect(long[] totals, long[] roundsPerClass) {
        collect(totals, roundsPerClass, true);
    }

    private void collect(long[] totals, long[] roundsPerClass, boolean waitForStripes) {
        caches.forEach(cache -> cache.addTo(totals, roundsPerClass));
        totals[0] += retiredAllocations; // read under no lock: exact when quiescent, as the rest
        totals[1] += retiredDeallocations;
        totals[2] += retiredRequestedBytes;
        if (waitForStripes) {
            stripes.forEach(cache -> cache.addTo(totals, roundsPerClass));
        } else {
            stripes.forEachFree(null, cache -> cache.addTo(totals, roundsPerClass));
        }
        for (int c = 0; c < depots.length; c++) {
            roundsPerClass[c] += depots[c].cachedRounds();
        }
    }

    /**
     * The size of the magazines made now for a class, which grows under heap-lock contention.
     *
     * @param c a size class
     * @return rounds of the magazines made now for class {@code c}
     */
    public int magazineRounds(int c) {
        return depots[c].rounds();
    }

    /** {@return live private thread caches (for tests and diagnostics)} */
    public int threadCaches() {
        return caches.size();
    }

    /**
     * The bound behind {@code SlabAllocator.maxThreadCacheBytes()}.
     *
     * @return the most bytes one private cache can hold: two magazines per class, of the largest size
     *         the depot may grow them to
     */
    public long privateCacheBound() {
        long bytes = 0;
        for (ClassDepot depot : depots) {
            bytes += 2L * depot.maxRounds() * SizeClasses.blockSize(depot.sizeClass);
        }
        return bytes;
    }
}
