package org.slabmag.pool;

import java.util.concurrent.atomic.AtomicLong;

import org.slabmag.pool.internal.ThreadCounters;

/**
 * The statistics of one {@link MagazineObjectPool}, as {@code GenericObjectPool} reports them. Events of the slow
 * paths (creation, destruction, a borrow that had to wait) are counted here in atomics; borrows, returns and time
 * samples of the fast paths are counted in each thread's {@link ThreadCounters} and summed on read, the counters
 * of terminated threads being {@linkplain #absorb absorbed} here.
 *
 * <p>Thread-safe. A read is a sum of values read one by one: exact when no call is in progress, otherwise each
 * count is at least what it was when the read began (a terminated thread's counts may be missed or counted twice
 * for the moment its cache is absorbed).
 */
final class PoolStatistics {
    private final AtomicLong created = new AtomicLong();
    private final AtomicLong destroyed = new AtomicLong();
    private final AtomicLong destroyedByEvictor = new AtomicLong();
    private final AtomicLong destroyedByBorrowValidation = new AtomicLong();
    private final AtomicLong waitNanos = new AtomicLong();
    private final AtomicLong maxWaitNanos = new AtomicLong();
    private final AtomicLong borrowed = new AtomicLong();
    private final AtomicLong returned = new AtomicLong();
    private final AtomicLong activeNanos = new AtomicLong();
    private final AtomicLong activeSamples = new AtomicLong();
    private final AtomicLong idleNanos = new AtomicLong();
    private final AtomicLong idleSamples = new AtomicLong();

    void created() {
        created.incrementAndGet();
    }

    void destroyed() {
        destroyed.incrementAndGet();
    }

    void destroyedByEvictor() {
        destroyedByEvictor.incrementAndGet();
    }

    void destroyedByBorrowValidation() {
        destroyedByBorrowValidation.incrementAndGet();
    }

    /** @param nanos how long a borrow waited for an object */
    void waited(final long nanos) {
        waitNanos.addAndGet(nanos);
        maxWaitNanos.accumulateAndGet(nanos, Math::max);
    }

    /** Counts a borrow by a thread without a private cache (a virtual thread). */
    void sharedBorrow() {
        borrowed.incrementAndGet();
    }

    /** Counts a return by a thread without a private cache. */
    void sharedReturn() {
        returned.incrementAndGet();
    }

    /** @param nanos the length of a loan ended by a thread without a private cache */
    void sharedActive(final long nanos) {
        activeNanos.addAndGet(nanos);
        activeSamples.incrementAndGet();
    }

    /** @param nanos how long an object borrowed by a thread without a private cache had been idle */
    void sharedIdle(final long nanos) {
        idleNanos.addAndGet(nanos);
        idleSamples.incrementAndGet();
    }

    /** @param dead the counters of a terminated thread, folded in once */
    void absorb(final ThreadCounters<?> dead) {
        borrowed.addAndGet(dead.borrowed());
        returned.addAndGet(dead.returned());
        activeNanos.addAndGet(dead.activeNanos());
        activeSamples.addAndGet(dead.activeSamples());
        idleNanos.addAndGet(dead.idleNanos());
        idleSamples.addAndGet(dead.idleSamples());
    }

    long createdCount() {
        return created.get();
    }

    long destroyedCount() {
        return destroyed.get();
    }

    long destroyedByEvictorCount() {
        return destroyedByEvictor.get();
    }

    long destroyedByBorrowValidationCount() {
        return destroyedByBorrowValidation.get();
    }

    long maxWaitNanos() {
        return maxWaitNanos.get();
    }

    long borrowedCount(final ThreadCounters<?>[] live) {
        long n = borrowed.get();
        for (final ThreadCounters<?> c : live) {
            n += c.borrowed();
        }
        return n;
    }

    long returnedCount(final ThreadCounters<?>[] live) {
        long n = returned.get();
        for (final ThreadCounters<?> c : live) {
            n += c.returned();
        }
        return n;
    }

    long meanWaitNanos(final ThreadCounters<?>[] live) {
        final long n = borrowedCount(live);
        return n == 0 ? 0 : waitNanos.get() / n;
    }

    long meanActiveNanos(final ThreadCounters<?>[] live) {
        long sum = activeNanos.get();
        long n = activeSamples.get();
        for (final ThreadCounters<?> c : live) {
            sum += c.activeNanos();
            n += c.activeSamples();
        }
        return n == 0 ? 0 : sum / n;
    }

    /**
     * @param live the counters of the threads using the pool now
     * @return the sums behind every statistic, for adding up several pools (a keyed pool's keys)
     */
    Totals totals(final ThreadCounters<?>[] live) {
        final Totals t = new Totals();
        t.borrowed = borrowed.get();
        t.returned = returned.get();
        t.activeNanos = activeNanos.get();
        t.activeSamples = activeSamples.get();
        t.idleNanos = idleNanos.get();
        t.idleSamples = idleSamples.get();
        for (final ThreadCounters<?> c : live) {
            t.borrowed += c.borrowed();
            t.returned += c.returned();
            t.activeNanos += c.activeNanos();
            t.activeSamples += c.activeSamples();
            t.idleNanos += c.idleNanos();
            t.idleSamples += c.idleSamples();
        }
        t.waitNanos = waitNanos.get();
        t.maxWaitNanos = maxWaitNanos.get();
        t.destroyedByEvictor = destroyedByEvictor.get();
        t.destroyedByBorrowValidation = destroyedByBorrowValidation.get();
        return t;
    }

    /**
     * The sums behind a pool's statistics, which add up over several pools: {@link MagazineKeyedObjectPool} reports
     * the sums over its keys' pools (and those of keys since dropped). Not thread-safe; a snapshot or an accumulator
     * its owner guards.
     */
    static final class Totals {
        long borrowed;
        long returned;
        long waitNanos;
        long maxWaitNanos;
        long activeNanos;
        long activeSamples;
        long idleNanos;
        long idleSamples;
        long destroyedByEvictor;
        long destroyedByBorrowValidation;

        /** @param o totals to add to these (the longest wait is the longer of the two) */
        void add(final Totals o) {
            borrowed += o.borrowed;
            returned += o.returned;
            waitNanos += o.waitNanos;
            maxWaitNanos = Math.max(maxWaitNanos, o.maxWaitNanos);
            activeNanos += o.activeNanos;
            activeSamples += o.activeSamples;
            idleNanos += o.idleNanos;
            idleSamples += o.idleSamples;
            destroyedByEvictor += o.destroyedByEvictor;
            destroyedByBorrowValidation += o.destroyedByBorrowValidation;
        }

        /** @return the mean wait over all borrows, as {@link #meanWaitNanos(ThreadCounters[])} */
        long meanWaitNanos() {
            return borrowed == 0 ? 0 : waitNanos / borrowed;
        }

        long meanActiveNanos() {
            return activeSamples == 0 ? 0 : activeNanos / activeSamples;
        }

        long meanIdleNanos() {
            return idleSamples == 0 ? 0 : idleNanos / idleSamples;
        }
    }

    long meanIdleNanos(final ThreadCounters<?>[] live) {
        long sum = idleNanos.get();
        long n = idleSamples.get();
        for (final ThreadCounters<?> c : live) {
            sum += c.idleNanos();
            n += c.idleSamples();
        }
        return n == 0 ? 0 : sum / n;
    }
}
