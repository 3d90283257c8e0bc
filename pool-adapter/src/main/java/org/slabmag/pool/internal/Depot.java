package org.slabmag.pool.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pool's depot: core's lock-free {@link org.slabmag.internal.magazine.Depot} of loaded (non-empty) and
 * empty magazines, with a cap on the idle entries parked in loaded magazines.
 *
 * <p>Thread-safe and lock-free. Memory effects: offering a magazine happens-before the poll that returns
 * it, so the magazine's contents and every entry state written before the offer are visible to the polling
 * thread.
 *
 * <p>The idle count is a reservation made before a loaded magazine is offered and returned when it is
 * polled; it counts references, some of which may be stale, so it can only over-estimate the idle entries
 * held here.
 *
 * @param <T> the type of pooled object
 */
public final class Depot<T> extends org.slabmag.internal.magazine.Depot<Magazine<T>> {
    private final AtomicInteger idle = new AtomicInteger();
    private final int maxIdle;

    /**
     * Creates an empty depot.
     *
     * @param magazines the number of magazines each queue holds (at least 2; rounded up to a power of two)
     * @param maxIdle   the most entries loaded magazines may hold, or negative for no limit besides the queue
     */
    public Depot(final int magazines, final int maxIdle) {
        super(Integer.highestOneBit(Math.max(2, Math.min(1 << 20, magazines)) * 2 - 1));
        this.maxIdle = maxIdle;
    }

    /**
     * Reserves room for up to {@code wanted} idle entries.
     *
     * @param wanted the number of references the caller wants to park
     * @return how many it may park (0 to {@code wanted}); the caller must {@link #offerLoaded} a magazine of
     *         that many references
     */
    public int reserve(final int wanted) {
        if (maxIdle < 0) {
            idle.addAndGet(wanted);
            return wanted;
        }
        for (;;) {
            final int current = idle.get();
            final int granted = Math.max(0, Math.min(wanted, maxIdle - current));
            if (granted == 0 || idle.compareAndSet(current, current + granted)) {
                return granted;
            }
        }
    }

    /**
     * Parks a non-empty magazine whose size was {@linkplain #reserve reserved}.
     *
     * @param magazine the magazine
     * @return false if the queue is full; the reservation is then returned and the caller keeps the magazine
     */
    public boolean offerLoaded(final Magazine<T> magazine) {
        if (offerFull(magazine)) {
            return true;
        }
        idle.addAndGet(-magazine.size());
        return false;
    }

    /** {@return a non-empty magazine, or null} */
    public Magazine<T> pollLoaded() {
        final Magazine<T> m = pollFull();
        if (m != null) {
            idle.addAndGet(-m.size());
        }
        return m;
    }

    /** {@return the number of idle references reserved here; approximate while other threads use the depot} */
    public int idleReferences() {
        return idle.get();
    }
}
