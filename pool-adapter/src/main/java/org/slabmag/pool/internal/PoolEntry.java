package org.slabmag.pool.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.apache.commons.pool2.PooledObject;

/** Cache-line padding placed before {@link PoolEntryFields} so that entries of different threads never share a line. */
abstract class PoolEntryLeftPad {
    long p01, p02, p03, p04, p05, p06, p07;
}

/** The fields of {@link PoolEntry}, between two blocks of padding. */
abstract class PoolEntryFields<T> extends PoolEntryLeftPad {
    /** Plain, written once here and cleared by {@link PoolEntry#forget()}; null only after retirement. */
    T object;
    PooledObject<T> pooled;
    volatile int state;
    boolean fresh;
    /** Plain; see {@link PoolEntry#returnedAt()}. */
    long returnedAt;
    /** Plain; see {@link PoolEntry#borrowedAt()}. */
    long borrowedAt;
    /**
     * Written by the borrower (a borrow, {@code UsageTracking.use}) and reset to {@link PoolEntry#UNUSED} whenever
     * the entry becomes idle; read by the evictor.
     */
    volatile long usedAt;
    /** The stack of the last borrow when abandoned objects are logged; written by the borrower. */
    volatile Throwable borrowTrace;

    PoolEntryFields(final PooledObject<T> pooled, final int state) {
        this.pooled = pooled;
        this.object = pooled.getObject();
        this.state = state;
    }
}

/**
 * One object of a {@code MagazineObjectPool}: the factory's {@link PooledObject} and the pool's record of who
 * may use it.
 *
 * <p>The state is the single source of truth about an object; magazines, the depot and the identity table only
 * hold references that are hints, and a hint is acted on only after a successful compare-and-set of the state.
 * Transitions:
 * <pre>
 *   IDLE --tryLoan--&gt; LOANED --tryBeginRelease--&gt; RELEASING --release--&gt; IDLE
 *   IDLE --tryClaimIdle--&gt; RELEASING (moved between magazines by a thread other than a borrower)
 *   IDLE --tryClaimForEviction--&gt; EVICTING --release--&gt; IDLE
 *   IDLE --tryRetireIdle--&gt; RETIRED            LOANED --tryRetireLoaned--&gt; RETIRED
 *   LOANED / RELEASING / EVICTING --retire (by the thread that owns the entry)--&gt; RETIRED
 *   RELEASING --condemn (by addObject, when passivation failed)--&gt; CONDEMNED --tryRetireCondemned--&gt; RETIRED
 *   LOANED --tryClaimAbandoned--&gt; ABANDONING --retire--&gt; RETIRED, or --restoreLoan--&gt; LOANED
 * </pre>
 * A new entry starts {@code LOANED} (created for a borrower) or {@code RELEASING} (created by {@code addObject}).
 * {@code RETIRED} is final; once a retired entry's object is destroyed, {@link #forget()} drops the references to
 * it, so that stale magazine references (hints that may outlive the entry for as long as their thread lives) keep
 * no destroyed object reachable.
 *
 * <p>Thread-safety and memory effects: the state is read and written atomically. {@link #release()} is a release
 * store and every successful {@code try*} is a volatile compare-and-set, so everything the releasing thread did
 * before {@code release()} (passivation, the caller's writes to the object) happens-before everything the thread
 * whose {@code tryLoan()} or {@code tryRetireIdle()} succeeds does afterwards. {@link #fresh} is plain: only the
 * thread that created the entry reads or writes it, before the entry's first release.
 *
 * @param <T> the type of pooled object
 */
public final class PoolEntry<T> extends PoolEntryFields<T> {
    /** In a magazine or the depot; may be claimed by any thread. */
    public static final int IDLE = 0;
    /** Lent to a caller, or being created, activated or validated for one. */
    public static final int LOANED = 1;
    /** On its way back to {@link #IDLE}: being validated and passivated, or being placed in a magazine. */
    public static final int RELEASING = 2;
    /** Destroyed, or being destroyed; final. */
    public static final int RETIRED = 3;
    /** Claimed from {@link #IDLE} by the evictor, which tests it and then releases or retires it. */
    public static final int EVICTING = 4;
    /** Removed from circulation; its destruction is deferred to the pool's next slow path. */
    public static final int CONDEMNED = 5;
    /**
     * Claimed from {@link #LOANED} by abandoned-object removal, which checks that the loan it judged abandoned is
     * still the current one and then retires the entry, or puts it back to {@code LOANED}.
     */
    public static final int ABANDONING = 6;

    /**
     * {@link #usedAt()} of an entry not stamped since it was created or last became idle: its current loan, if any,
     * has not been recorded yet (the borrower is between its claim and its stamp), so it cannot be abandoned.
     */
    public static final long UNUSED = 0;

    private static final VarHandle STATE;
    private static final VarHandle USED_AT;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(PoolEntryFields.class, "state", int.class);
            USED_AT = MethodHandles.lookup().findVarHandle(PoolEntryFields.class, "usedAt", long.class);
        } catch (final ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    long p11, p12, p13, p14, p15, p16, p17;

    /**
     * Creates the entry of an object the factory just made.
     *
     * @param pooled the factory's wrapper of the object
     * @param state  {@link #LOANED} or {@link #RELEASING}
     */
    public PoolEntry(final PooledObject<T> pooled, final int state) {
        super(pooled, state);
    }

    /** {@return the pooled object} */
    public T object() {
        return object;
    }

    /** {@return the factory's wrapper of the object} */
    public PooledObject<T> pooled() {
        return pooled;
    }

    /** {@return the current state (a volatile read)} */
    public int state() {
        return state;
    }

    /** {@return whether the entry was created for the loan that holds it and has not been released since} */
    public boolean isFresh() {
        return fresh;
    }

    /**
     * Marks whether the entry was created for the loan that holds it.
     *
     * @param fresh see {@link #isFresh()}; only the creating thread calls this
     */
    public void setFresh(final boolean fresh) {
        this.fresh = fresh;
    }

    /** {@return whether this call moved the entry from {@code IDLE} to {@code LOANED}} */
    public boolean tryLoan() {
        return STATE.compareAndSet(this, IDLE, LOANED);
    }

    /** {@return whether this call moved the entry from {@code LOANED} to {@code RELEASING}: the "is it on loan" check} */
    public boolean tryBeginRelease() {
        return STATE.compareAndSet(this, LOANED, RELEASING);
    }

    /**
     * Publishes a {@code RELEASING} or {@code EVICTING} entry as {@code IDLE}, with {@link #usedAt()} reset to
     * {@link #UNUSED} (ordered before the state by the release store, so that whoever claims the entry next sees it
     * unstamped); only the thread that made it {@code RELEASING} or {@code EVICTING} calls this.
     */
    public void release() {
        USED_AT.setOpaque(this, UNUSED);
        STATE.setRelease(this, IDLE);
    }

    /** {@return whether this call moved the entry from {@code IDLE} to {@code RETIRED}} */
    public boolean tryRetireIdle() {
        return STATE.compareAndSet(this, IDLE, RETIRED);
    }

    /** {@return whether this call moved the entry from {@code LOANED} to {@code RETIRED} (invalidation)} */
    public boolean tryRetireLoaned() {
        return STATE.compareAndSet(this, LOANED, RETIRED);
    }

    /**
     * {@return whether this call moved the entry from {@code IDLE} to {@code RELEASING}, to be parked elsewhere and
     * {@linkplain #release() released} by the caller}
     */
    public boolean tryClaimIdle() {
        return STATE.compareAndSet(this, IDLE, RELEASING);
    }

    /** {@return whether this call moved the entry from {@code LOANED} to {@code ABANDONING}} */
    public boolean tryClaimAbandoned() {
        return STATE.compareAndSet(this, LOANED, ABANDONING);
    }

    /** Puts an entry the caller moved to {@code ABANDONING} back to {@code LOANED}: its loan was not abandoned. */
    public void restoreLoan() {
        STATE.setVolatile(this, LOANED);
    }

    /** {@return whether this call moved the entry from {@code IDLE} to {@code EVICTING}} */
    public boolean tryClaimForEviction() {
        return STATE.compareAndSet(this, IDLE, EVICTING);
    }

    /**
     * Retires an entry that the calling thread owns ({@code LOANED}, {@code RELEASING}, {@code EVICTING} or
     * {@code ABANDONING}).
     */
    public void retire() {
        STATE.setVolatile(this, RETIRED);
    }

    /** Condemns an entry that the calling thread owns; see {@link #CONDEMNED}. */
    public void condemn() {
        STATE.setVolatile(this, CONDEMNED);
    }

    /** {@return whether this call moved the entry from {@code CONDEMNED} to {@code RETIRED}} */
    public boolean tryRetireCondemned() {
        return STATE.compareAndSet(this, CONDEMNED, RETIRED);
    }

    /**
     * Drops the references to the object and its wrapper; called on a retired entry once its object is destroyed
     * and the entry has left the identity table. A racing reader of {@link #object()} sees the object or null,
     * and acts on neither without a compare-and-set of the state, which fails on a retired entry.
     */
    public void forget() {
        object = null;
        pooled = null;
        borrowTrace = null;
    }

    /**
     * {@return the pool clock reading written when the entry last became idle (see the pool); written by the
     * thread that owns the entry before it releases it}
     */
    public long returnedAt() {
        return returnedAt;
    }

    /**
     * Stamps the entry with the pool clock as it becomes idle.
     *
     * @param time see {@link #returnedAt()}; only the thread that owns the entry calls this
     */
    public void setReturnedAt(final long time) {
        returnedAt = time;
    }

    /** {@return the {@link System#nanoTime()} of the current loan's borrow, 0 unless tracking is on} */
    public long borrowedAt() {
        return borrowedAt;
    }

    /**
     * Stamps the current loan's borrow, and its latest use with the same reading.
     *
     * @param time see {@link #borrowedAt()}; only the borrower calls this, after claiming the entry
     */
    public void setBorrowedAt(final long time) {
        borrowedAt = time;
        setUsedAt(time);
    }

    /**
     * {@return the {@link System#nanoTime()} of the current loan's borrow or latest {@code UsageTracking.use}, or
     * {@link #UNUSED} if not stamped since the entry was created or last became idle}
     */
    public long usedAt() {
        return usedAt;
    }

    /**
     * Stamps the latest use of the current loan.
     *
     * @param time see {@link #usedAt()}; a reading equal to {@link #UNUSED} is stored one nanosecond later
     */
    public void setUsedAt(final long time) {
        usedAt = time == UNUSED ? UNUSED + 1 : time;
    }

    /** {@return the stack trace recorded at the current loan's borrow, or null} */
    public Throwable borrowTrace() {
        return borrowTrace;
    }

    /**
     * Records the stack trace of the current loan's borrow.
     *
     * @param trace see {@link #borrowTrace()}; only the borrower calls this
     */
    public void setBorrowTrace(final Throwable trace) {
        borrowTrace = trace;
    }

    @Override
    public String toString() {
        return "PoolEntry[" + object + ", state=" + state + ']';
    }
}
