package org.slabmag.internal;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Magazines shared by the threads that have no private {@link ThreadCache}: virtual threads, and
 * platform threads during their warm-up (see {@link MagazineLayer}). Like the magazines of Netty's
 * adaptive allocator, they are striped: twice as many stripes as processors (a power of two), each a
 * {@link ThreadCache} without an owner, guarded by its own lock. A thread tries the stripe its id
 * hashes to, then the others, each with {@code tryLock}, and blocks on its own stripe only when every
 * stripe is taken.
 *
 * <p>Nothing here is per thread, so a million virtual threads cost what a few do, and every cached
 * block is reachable by any thread that takes the stripe's lock: the memory-limit path and decay can
 * always take it back.
 *
 * <p><b>Memory effects.</b> A stripe's lock hands its magazines over: everything a thread did to a
 * stripe, and to the blocks it freed into it, happens-before everything the next holder of the lock
 * does.
 *
 * <p>Thread-safe.
 */
final class SharedCaches {
    private final Stripe[] stripes;
    private final int mask;

    SharedCaches(MagazineLayer layer, Heap heap) {
        int n = Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors()) * 4 - 1);
        stripes = new Stripe[n];
        for (int i = 0; i < n; i++) {
            stripes[i] = new Stripe(new ThreadCache(null, layer, heap));
        }
        mask = n - 1;
    }

    /** A stripe for the calling thread {@code t}, locked; the caller must {@link Stripe#unlock()} it. */
    @SuppressWarnings("deprecation") // Thread.threadId() is JDK 19+; getId() is the same value
    Stripe acquire(Thread t) {
        long id = t.getId();
        int home = (int) (id ^ (id >>> 16)) & mask;
        for (int i = 0; i <= mask; i++) {
            Stripe s = stripes[(home + i) & mask];
            if (s.tryLock()) {
                return s;
            }
        }
        Stripe s = stripes[home];
        s.lock();
        return s;
    }

    /**
     * Gives the blocks of every stripe that is free now back to the heap (the memory-limit path);
     * skips the stripe the caller holds, which it drains itself.
     */
    void drainAll(ThreadCache except) {
        for (Stripe s : stripes) {
            if (s.cache != except && s.tryLock()) {
                try {
                    s.cache.drain();
                } finally {
                    s.unlock();
                }
            }
        }
    }

    /**
     * Decay: gives back to the heap the blocks of every stripe that served no call since the last
     * decay; a stripe busy now is skipped, and looked at again next time.
     */
    void decay() {
        for (Stripe s : stripes) {
            if (s.tryLock()) {
                try {
                    long ops = s.cache.allocations + s.cache.deallocations;
                    if (ops == s.opsAtLastDecay) {
                        s.cache.drain();
                    }
                    s.opsAtLastDecay = ops;
                } finally {
                    s.unlock();
                }
            }
        }
    }

    /**
     * Sums counters and cached rounds, as {@link ThreadCacheRegistry#collect} does for private caches.
     *
     * @param wait whether to wait for busy stripes; a caller that may hold a stripe itself (the
     *             memory-limit path) must not, or two such callers would wait for each other: it skips
     *             the stripes other threads hold (and reads its own, the lock being reentrant)
     */
    void collect(long[] totals, long[] roundsPerClass, boolean wait) {
        for (Stripe s : stripes) {
            if (wait) {
                s.lock();
            } else if (!s.tryLock()) {
                continue;
            }
            try {
                s.cache.addTo(totals, roundsPerClass);
            } finally {
                s.unlock();
            }
        }
    }

    /** One stripe: a cache without an owner and the lock that guards it. */
    static final class Stripe extends ReentrantLock {
        private static final long serialVersionUID = 1L;
        final transient ThreadCache cache;
        /** Calls served at the last decay, to tell an idle stripe; guarded by the lock. */
        private long opsAtLastDecay;

        Stripe(ThreadCache cache) {
            this.cache = cache;
        }
    }
}
