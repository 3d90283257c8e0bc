package org.slabmag.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import org.slabmag.internal.event.SlabEvents;

/**
 * Every private {@link ThreadCache} of one allocator, so that statistics can sum them and the caches
 * of threads that ended are taken back without their help and without finalizers: a scan (on periodic
 * maintenance and decay, on {@code trim()} and {@code stats()}, and on registration once the list has
 * doubled since the last scan) finds caches whose owner is no longer alive and flushes them.
 * {@code Thread.isAlive() == false} happens-after everything the dead thread did (JLS 17.4.4), so its
 * plain fields are safe to read then.
 *
 * <p>Registration is O(1) amortised: a scan costs O(n) and runs only after n registrations.
 *
 * <p>Thread-safe: a lock guards the list; it is taken only on slow paths.
 */
final class ThreadCacheRegistry {
    private final ReentrantLock lock = new ReentrantLock();
    private final List<ThreadCache> caches = new ArrayList<>();
    private final Consumer<ThreadCache> onRetire;
    private long retiredAllocations;
    private long retiredDeallocations;
    private long retiredRequestedBytes;
    /** Caches left after the last scan for dead threads; registration scans again at twice as many. */
    private int sizeAfterScan;

    /** @param onRetire told of every cache retired, after its magazines were flushed */
    ThreadCacheRegistry(Consumer<ThreadCache> onRetire) {
        this.onRetire = onRetire;
    }

    void register(ThreadCache cache) {
        lock.lock();
        try {
            if (caches.size() >= Math.max(64, 2 * sizeAfterScan)) {
                reclaimDeadLocked();
            }
            caches.add(cache);
        } finally {
            lock.unlock();
        }
    }

    /** Flushes and forgets the caches of dead threads; skips the work if another thread is at it. */
    void reclaimDead() {
        if (lock.tryLock()) {
            try {
                reclaimDeadLocked();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Flushes the cache of the calling thread to the heap and forgets it. */
    void retire(ThreadCache cache, boolean toHeap) {
        lock.lock();
        try {
            if (caches.remove(cache)) {
                retireLocked(cache, toHeap);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sums the counters of live and retired caches into {@code totals} (allocations, deallocations,
     * requested bytes) and the rounds cached per class into {@code roundsPerClass}.
     */
    void collect(long[] totals, long[] roundsPerClass) {
        lock.lock();
        try {
            reclaimDeadLocked();
            totals[0] += retiredAllocations;
            totals[1] += retiredDeallocations;
            totals[2] += retiredRequestedBytes;
            for (ThreadCache cache : caches) {
                cache.addTo(totals, roundsPerClass);
            }
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return caches.size();
        } finally {
            lock.unlock();
        }
    }

    private void reclaimDeadLocked() {
        for (int i = caches.size() - 1; i >= 0; i--) {
            ThreadCache cache = caches.get(i);
            if (!cache.owner.isAlive()) {
                int last = caches.size() - 1;
                caches.set(i, caches.get(last));
                caches.remove(last);
                retireLocked(cache, false);
            }
        }
        sizeAfterScan = caches.size();
    }

    private void retireLocked(ThreadCache cache, boolean toHeap) {
        if (SlabEvents.threadCacheReclaimedEnabled()) {
            SlabEvents.threadCacheReclaimed(cache.owner, cache.cachedBytes());
        }
        if (toHeap) {
            cache.drain();
        } else {
            cache.flush();
        }
        retiredAllocations += cache.allocations;
        retiredDeallocations += cache.deallocations;
        retiredRequestedBytes += cache.requestedBytes;
        onRetire.accept(cache);
    }
}
