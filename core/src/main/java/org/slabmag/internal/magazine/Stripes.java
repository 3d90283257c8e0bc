package org.slabmag.internal.magazine;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.ToLongFunction;

/**
 * Caches shared by the threads that have no private one (see {@link ThreadCaches}): virtual threads,
 * and platform threads while they warm up. Like the magazines of Netty's adaptive allocator they are
 * striped: twice as many stripes as processors (a power of two), each a cache without an owner,
 * guarded by its own lock. A thread tries the stripe its id hashes to, then the others, each with
 * {@code tryLock}, and blocks on its own stripe only when every stripe is taken.
 *
 * <p>Nothing here is per thread, so a million virtual threads cost what a few do, and every round is
 * reachable by any thread that takes the stripe's lock: the memory-limit path, decay and a pool's
 * evictor can always take it back.
 *
 * <p><b>Memory effects.</b> A stripe's lock hands its magazines over: everything a thread did to a
 * stripe's cache, and to what its rounds refer to, happens-before everything the next holder of the
 * lock does.
 *
 * <p>Thread-safe.
 *
 * @param <C> the type of cache
 */
public final class Stripes<C extends MagazineRack<?>> {
    private final Stripe<C>[] stripes;
    private final int mask;

    /**
     * The shared caches, one per stripe.
     *
     * @param newCache makes the cache of stripe {@code i} (its owner must be null)
     */
    @SuppressWarnings("unchecked")
    public Stripes(IntFunction<C> newCache) {
        int n = Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors()) * 4 - 1);
        stripes = (Stripe<C>[]) new Stripe<?>[n];
        for (int i = 0; i < n; i++) {
            C cache = newCache.apply(i);
            if (cache.owner != null) {
                throw new IllegalArgumentException("a stripe's cache has no owner");
            }
            stripes[i] = new Stripe<>(cache);
        }
        mask = n - 1;
    }

    /**
     * Locks a stripe for the calling thread: the first free one from the stripe its id hashes to, else that
     * one, waiting for its lock.
     *
     * @param t the calling thread
     * @return a stripe, locked by the caller, who must {@link Stripe#unlock()} it
     */
    @SuppressWarnings("deprecation") // Thread.threadId() is JDK 19+; getId() is the same value
    public Stripe<C> acquire(Thread t) {
        long id = t.getId();
        int home = (int) (id ^ (id >>> 16)) & mask;
        for (int i = 0; i <= mask; i++) {
            Stripe<C> s = stripes[(home + i) & mask];
            if (s.tryLock()) {
                return s;
            }
        }
        Stripe<C> s = stripes[home];
        s.lock();
        return s;
    }

    /**
     * Runs {@code action} on the cache of every stripe free now, under its lock; skips the stripes
     * other threads hold (and {@code except}, which the caller handles itself).
     *
     * @param except a cache to skip, or null
     * @param action what to do with each cache
     */
    public void forEachFree(C except, Consumer<? super C> action) {
        for (Stripe<C> s : stripes) {
            if (s.cache != except && s.tryLock()) {
                try {
                    action.accept(s.cache);
                } finally {
                    s.unlock();
                }
            }
        }
    }

    /**
     * Runs {@code action} on the cache of every stripe, waiting for busy ones (statistics); a caller
     * that may hold a stripe itself must use {@link #forEachFree} instead, or two such callers could
     * wait for each other.
     *
     * @param action what to do with each cache
     */
    public void forEach(Consumer<? super C> action) {
        for (Stripe<C> s : stripes) {
            s.lock();
            try {
                action.accept(s.cache);
            } finally {
                s.unlock();
            }
        }
    }

    /**
     * Runs {@code action} on the cache of every stripe free now that served no call since the last
     * call of this method (decay, eviction); a busy stripe is skipped and looked at next time.
     *
     * @param calls  the calls a cache has served so far
     * @param action what to do with each idle cache
     */
    public void forEachIdle(ToLongFunction<? super C> calls, Consumer<? super C> action) {
        for (Stripe<C> s : stripes) {
            if (s.tryLock()) {
                try {
                    long served = calls.applyAsLong(s.cache);
                    if (served == s.callsAtLastLook) {
                        action.accept(s.cache);
                    }
                    s.callsAtLastLook = served;
                } finally {
                    s.unlock();
                }
            }
        }
    }

    /**
     * One stripe: a cache without an owner and the lock that guards it.
     *
     * @param <C> the type of cache
     */
    public static final class Stripe<C> extends ReentrantLock {
        private static final long serialVersionUID = 1L;
        private final transient C cache;
        /** Calls served at the last {@link Stripes#forEachIdle}; guarded by the lock. */
        private long callsAtLastLook;

        Stripe(C cache) {
            this.cache = cache;
        }

        /** {@return the cache; use it only while holding this lock} */
        public C cache() {
            return cache;
        }
    }
}
