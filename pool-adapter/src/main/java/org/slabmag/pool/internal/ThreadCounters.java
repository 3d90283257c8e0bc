package org.slabmag.pool.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.slabmag.internal.magazine.MagazineRack;

/**
 * Per-thread counters of a pool, kept beside a thread's magazines (a {@link ThreadCache} extends this) so that the borrow
 * and return fast paths count without touching a shared cache line: the borrows and returns made by the thread,
 * the sum of active and idle times it measured (only while the pool tracks time), and the idle credits it holds
 * (see {@code IdleBudget}).
 *
 * <p>Thread-safety and memory effects: only the owning thread writes; the counts it writes with opaque stores, so
 * that another thread summing them ({@link #borrowed()} and the other getters, opaque loads) reads each value whole
 * and eventually the latest, with no ordering against anything else. {@link #credits()} is plain and owner-only,
 * except that a thread that observed the owner terminated may read it (JLS 17.4.4).
 *
 * @param <T> the type of pooled object
 */
public abstract class ThreadCounters<T> extends MagazineRack<Magazine<T>> {
    private static final VarHandle BORROWED;
    private static final VarHandle RETURNED;
    private static final VarHandle ACTIVE_NANOS;
    private static final VarHandle ACTIVE_SAMPLES;
    private static final VarHandle IDLE_NANOS;
    private static final VarHandle IDLE_SAMPLES;

    static {
        try {
            final MethodHandles.Lookup l = MethodHandles.lookup();
            BORROWED = l.findVarHandle(ThreadCounters.class, "borrowed", long.class);
            RETURNED = l.findVarHandle(ThreadCounters.class, "returned", long.class);
            ACTIVE_NANOS = l.findVarHandle(ThreadCounters.class, "activeNanos", long.class);
            ACTIVE_SAMPLES = l.findVarHandle(ThreadCounters.class, "activeSamples", long.class);
            IDLE_NANOS = l.findVarHandle(ThreadCounters.class, "idleNanos", long.class);
            IDLE_SAMPLES = l.findVarHandle(ThreadCounters.class, "idleSamples", long.class);
        } catch (final ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private int credits;
    private long borrowed;
    private long returned;
    private long activeNanos;
    private long activeSamples;
    private long idleNanos;
    private long idleSamples;

    /**
     * Creates counters at zero, beside a cache's magazines.
     *
     * @param owner       the owning thread, or null for a shared cache
     * @param placeholder the magazine the cache's one slot starts with
     */
    protected ThreadCounters(final Thread owner, final Magazine<T> placeholder) {
        super(owner, 1, placeholder);
    }

    /** Counts a borrow; owner only. */
    public final void countBorrow() {
        BORROWED.setOpaque(this, borrowed + 1);
    }

    /** Counts a return; owner only. */
    public final void countReturn() {
        RETURNED.setOpaque(this, returned + 1);
    }

    /**
     * Adds the length of a finished loan to this thread's active-time sum.
     *
     * @param nanos the length of a loan that ended; owner only
     */
    public final void addActive(final long nanos) {
        ACTIVE_NANOS.setOpaque(this, activeNanos + nanos);
        ACTIVE_SAMPLES.setOpaque(this, activeSamples + 1);
    }

    /**
     * Adds the idle time of an object this thread borrowed to its idle-time sum.
     *
     * @param nanos how long an object this thread borrowed had been idle; owner only
     */
    public final void addIdle(final long nanos) {
        IDLE_NANOS.setOpaque(this, idleNanos + nanos);
        IDLE_SAMPLES.setOpaque(this, idleSamples + 1);
    }

    /** {@return the borrows counted (an opaque read)} */
    public final long borrowed() {
        return (long) BORROWED.getOpaque(this);
    }

    /** {@return the returns counted (an opaque read)} */
    public final long returned() {
        return (long) RETURNED.getOpaque(this);
    }

    /** {@return the sum of the loan lengths added, in nanoseconds (an opaque read)} */
    public final long activeNanos() {
        return (long) ACTIVE_NANOS.getOpaque(this);
    }

    /** {@return the loan lengths added (an opaque read)} */
    public final long activeSamples() {
        return (long) ACTIVE_SAMPLES.getOpaque(this);
    }

    /** {@return the sum of the idle times added, in nanoseconds (an opaque read)} */
    public final long idleNanos() {
        return (long) IDLE_NANOS.getOpaque(this);
    }

    /** {@return the idle times added (an opaque read)} */
    public final long idleSamples() {
        return (long) IDLE_SAMPLES.getOpaque(this);
    }

    /** {@return the idle credits this thread holds; owner only, or after the owner terminated} */
    public final int credits() {
        return credits;
    }

    /**
     * Replaces the count of idle credits this thread holds.
     *
     * @param credits see {@link #credits()}; owner only
     */
    public final void setCredits(final int credits) {
        this.credits = credits;
    }
}
