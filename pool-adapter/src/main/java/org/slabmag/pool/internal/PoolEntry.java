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
    final T object;
    final PooledObject<T> pooled;
    volatile int state;
    boolean fresh;

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
 *   IDLE --tryRetireIdle--&gt; RETIRED            LOANED --tryRetireLoaned--&gt; RETIRED
 *   LOANED / RELEASING --retire (by the thread that owns the entry)--&gt; RETIRED or CONDEMNED --&gt; RETIRED
 * </pre>
 * A new entry starts {@code LOANED} (created for a borrower) or {@code RELEASING} (created by {@code addObject}).
 * {@code RETIRED} is final.
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
    /** Removed from circulation; its destruction is deferred to the pool's next slow path. */
    public static final int CONDEMNED = 4;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(PoolEntryFields.class, "state", int.class);
        } catch (final ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    long p11, p12, p13, p14, p15, p16, p17;

    /**
     * @param pooled the factory's wrapper of the object
     * @param state  {@link #LOANED} or {@link #RELEASING}
     */
    public PoolEntry(final PooledObject<T> pooled, final int state) {
        super(pooled, state);
    }

    /** @return the pooled object */
    public T object() {
        return object;
    }

    /** @return the factory's wrapper of the object */
    public PooledObject<T> pooled() {
        return pooled;
    }

    /** @return the current state (a volatile read) */
    public int state() {
        return state;
    }

    /** @return whether the entry was created for the loan that holds it and has not been released since */
    public boolean isFresh() {
        return fresh;
    }

    /** @param fresh see {@link #isFresh()}; only the creating thread calls this */
    public void setFresh(final boolean fresh) {
        this.fresh = fresh;
    }

    /** @return whether this call moved the entry from {@code IDLE} to {@code LOANED} */
    public boolean tryLoan() {
        return STATE.compareAndSet(this, IDLE, LOANED);
    }

    /** @return whether this call moved the entry from {@code LOANED} to {@code RELEASING}: the "is it on loan" check */
    public boolean tryBeginRelease() {
        return STATE.compareAndSet(this, LOANED, RELEASING);
    }

    /** Publishes a {@code RELEASING} entry as {@code IDLE}; only the thread that made it {@code RELEASING} calls this. */
    public void release() {
        STATE.setRelease(this, IDLE);
    }

    /** @return whether this call moved the entry from {@code IDLE} to {@code RETIRED} */
    public boolean tryRetireIdle() {
        return STATE.compareAndSet(this, IDLE, RETIRED);
    }

    /** @return whether this call moved the entry from {@code LOANED} to {@code RETIRED} (invalidation) */
    public boolean tryRetireLoaned() {
        return STATE.compareAndSet(this, LOANED, RETIRED);
    }

    /** @return whether this call moved the entry from {@code CONDEMNED} to {@code RETIRED} */
    public boolean tryRetireCondemned() {
        return STATE.compareAndSet(this, CONDEMNED, RETIRED);
    }

    /** Retires an entry that the calling thread owns ({@code LOANED} or {@code RELEASING} through its own doing). */
    public void retire() {
        STATE.setVolatile(this, RETIRED);
    }

    /** Condemns an entry that the calling thread owns; see {@link #CONDEMNED}. */
    public void condemn() {
        STATE.setVolatile(this, CONDEMNED);
    }

    @Override
    public String toString() {
        return "PoolEntry[" + object + ", state=" + state + ']';
    }
}
