package org.slabmag.pool.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The pool's {@code maxIdle} as credits: every idle entry holds one credit, taken by the thread that makes it idle
 * and passed to whoever claims it. Threads keep a few spare credits locally ({@link ThreadCounters#credits()}), so
 * that a thread that borrows and returns in turn never touches this shared counter; only a thread that runs out
 * (returns more than it borrowed) or accumulates too many (borrows more than it returned) exchanges credits here,
 * in batches.
 *
 * <p>Invariant, when no exchange is in progress: {@code available + (credits held by threads) + (entries holding a
 * credit) == maxIdle}, so the idle entries never exceed {@code maxIdle}. {@link #resize} may make
 * {@code available} negative (a debt, after {@code maxIdle} was lowered): it is paid back by credits given back
 * before any is taken again. A negative {@code maxIdle} (no limit) is represented by {@link #UNLIMITED} credits.
 *
 * <p>Thread-safe and lock-free (one atomic counter); memory effects are those of {@link AtomicLong}.
 */
public final class IdleBudget {
    /** The credits standing for "no limit": more entries than a JVM can hold. */
    public static final long UNLIMITED = Long.MAX_VALUE / 4;

    private final AtomicLong available;
    private long max;

    /**
     * Creates a budget with all {@code maxIdle} credits available.
     *
     * @param maxIdle the cap, negative for no limit
     */
    public IdleBudget(final int maxIdle) {
        this.max = cap(maxIdle);
        this.available = new AtomicLong(max);
    }

    private static long cap(final int maxIdle) {
        return maxIdle < 0 ? UNLIMITED : maxIdle;
    }

    /**
     * Takes up to {@code wanted} credits.
     *
     * @param wanted at least 1
     * @return the credits granted, 0 to {@code wanted}
     */
    public int take(final int wanted) {
        for (;;) {
            final long a = available.get();
            if (a <= 0) {
                return 0;
            }
            final int granted = (int) Math.min(wanted, a);
            if (available.compareAndSet(a, a - granted)) {
                return granted;
            }
        }
    }

    /**
     * Returns credits to the shared budget; they pay off a debt first.
     *
     * @param credits credits given back, 0 or more
     */
    public void give(final int credits) {
        if (credits != 0) {
            available.addAndGet(credits);
        }
    }

    /**
     * Changes the cap; serialized by the caller.
     *
     * @param maxIdle the new cap, negative for no limit
     * @return the credits available afterwards, negative if idle entries (or credits held) exceed the new cap
     */
    public long resize(final int maxIdle) {
        final long next = cap(maxIdle);
        final long delta = next - max;
        max = next;
        return available.addAndGet(delta);
    }

    /** {@return the credits available now (negative: a debt)} */
    public long available() {
        return available.get();
    }
}
