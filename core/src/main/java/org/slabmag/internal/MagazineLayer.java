package org.slabmag.internal;

import org.slabmag.SlabOutOfMemoryError;

/**
 * Per-thread magazines and per-class depots in front of the {@link LockedHeap}, for the slab size
 * classes (requests up to {@link SizeClasses#MAX_SLAB_BLOCK} bytes).
 *
 * <p>Allocation and free in the common case touch only the calling thread's {@link ThreadCache}.
 * Frees are validated before the block enters a magazine (lock-free, through
 * {@link Heap#slabFor}), so a foreign, interior or wrong-class address never reaches a magazine.
 * In hardened mode each block also carries a live bit set on allocation and cleared on free with
 * an atomic operation, so a double free is caught when it happens, from whatever thread.
 *
 * <p><b>Memory effects.</b> A block moves between threads only inside a magazine passed through a
 * {@link Depot} queue (release/acquire) or through the heap lock, so everything written to a block
 * before {@code free} happens-before the {@code allocate} that hands it to another thread.
 *
 * <p><b>Maintenance.</b> On slow paths, at most once per {@code reclaimNanos}: caches of dead threads
 * are taken back and every depot gives back the magazines it did not need (working-set reclaim).
 *
 * <p>Thread-safe.
 */
public final class MagazineLayer {
    private final LockedHeap heap;
    private final Depot[] depots = new Depot[SizeClasses.COUNT];
    private final ThreadCacheRegistry registry = new ThreadCacheRegistry();
    private final ThreadLocal<ThreadCache> local = new ThreadLocal<>();
    private final boolean hardened;
    private final long reclaimNanos;
    private volatile long nextMaintenance;

    /**
     * @param magazineBytes target bytes per magazine (sets its initial rounds per class)
     * @param depotBytes    target bytes of full magazines per class in the depot
     * @param reclaimNanos  interval of working-set reclaim and dead-thread scans
     */
    public MagazineLayer(LockedHeap heap, int magazineBytes, int depotBytes, long reclaimNanos) {
        this.heap = heap;
        this.hardened = heap.heap().hardened();
        this.reclaimNanos = reclaimNanos;
        this.nextMaintenance = System.nanoTime() + reclaimNanos;
        for (int c = 0; c < depots.length; c++) {
            depots[c] = new Depot(c, magazineBytes, depotBytes);
        }
    }

    /** Allocates a block of class {@code c} for {@code requested} bytes. */
    public long allocate(int c, int requested) {
        long address = cache().allocate(c, requested);
        if (hardened) {
            markLive(address, c);
        }
        return address;
    }

    /** Validates and frees a block of class {@code c} that was allocated for {@code requested} bytes. */
    public void free(long address, int c, int requested) {
        Slab slab = heap.heap().slabFor(address, c);
        if (hardened && !slab.markFreed(slab.indexOf(address))) {
            throw Heap.doubleFree(address, slab.blockSize);
        }
        cache().free(address, c, requested);
    }

    private ThreadCache cache() {
        ThreadCache cache = local.get();
        return cache != null ? cache : register();
    }

    private ThreadCache register() {
        ThreadCache cache = new ThreadCache(Thread.currentThread(), this);
        registry.register(cache);
        local.set(cache);
        return cache;
    }

    private void markLive(long address, int c) {
        Slab slab = heap.heap().slabFor(address, c);
        if (!slab.markLive(slab.indexOf(address))) {
            throw new IllegalStateException("allocator invariant broken: block 0x" + Long.toHexString(address)
                + " handed out while in use");
        }
    }

    Depot depot(int c) {
        return depots[c];
    }

    /** Fills {@code dst} from the heap; on exhaustion releases every depot's cache and tries again. */
    int takeBlocks(int c, long[] dst, int n) {
        int got;
        try {
            got = heap.takeBlocks(c, dst, 0, n);
        } catch (SlabOutOfMemoryError e) {
            releaseDepots();
            got = heap.takeBlocks(c, dst, 0, n);
        }
        depots[c].adapt(heap);
        return got;
    }

    void giveBackBlocks(int c, long[] src, int n) {
        heap.giveBackBlocks(c, src, 0, n);
        depots[c].adapt(heap);
    }

    /** Periodic work on slow paths: dead-thread scan and working-set reclaim. */
    void maintain() {
        long now = System.nanoTime();
        if (now - nextMaintenance < 0) {
            return;
        }
        nextMaintenance = now + reclaimNanos;
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

    /** Forgets all caches; the heap is about to be closed. */
    public void close() {
        registry.clear();
        local.remove();
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
