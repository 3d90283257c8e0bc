package org.slabmag.pool.internal;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Deque;

import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.PooledObjectState;

/**
 * What an {@code EvictionPolicy} sees of an idle entry the evictor has claimed: a read-only {@link PooledObject}
 * whose idle time comes from the pool's record ({@link PoolEntry#returnedAt()}) rather than from the factory's
 * wrapper, whose timestamps the pool does not maintain (each costs a lock). Creation time and object come from the
 * factory's wrapper; the state is {@link PooledObjectState#EVICTION}.
 *
 * <p>The idle time is the evictor's lower bound of the real one (entries are stamped with the pool clock, which
 * advances once per evictor run), so a policy never evicts an object earlier than {@code GenericObjectPool} would,
 * and about one run later.
 *
 * <p>The pool owns the entry's state: the state-changing methods of {@code PooledObject} throw
 * {@link UnsupportedOperationException}. Used by the evictor's thread only, for the duration of one test.
 *
 * @param <T> the type of pooled object
 */
public final class IdleObjectView<T> implements PooledObject<T> {
    private final PooledObject<T> pooled;
    private final Duration idle;
    private final long returnMillis;

    /**
     * Creates the view of an idle entry the evictor has claimed.
     *
     * @param entry     an entry in {@link PoolEntry#EVICTING}, owned by the caller
     * @param idleNanos how long it has been idle at least, 0 or more
     */
    public IdleObjectView(final PoolEntry<T> entry, final long idleNanos) {
        this.pooled = entry.pooled();
        this.idle = Duration.ofNanos(idleNanos);
        this.returnMillis = System.currentTimeMillis() - idle.toMillis();
    }

    @Override
    public T getObject() {
        return pooled.getObject();
    }

    @Override
    public Duration getIdleDuration() {
        return idle;
    }

    @Deprecated // deprecated in PooledObject; implemented because the interface still declares it
    @Override
    public Duration getIdleTime() {
        return idle;
    }

    @Deprecated // deprecated in PooledObject; implemented because the interface still declares it
    @Override
    public long getIdleTimeMillis() {
        return idle.toMillis();
    }

    @Deprecated // deprecated in PooledObject; implemented because the interface still declares it
    @Override
    public long getActiveTimeMillis() {
        return 0;
    }

    @Deprecated // deprecated in PooledObject; implemented because the interface still declares it
    @Override
    public long getCreateTime() {
        return pooled.getCreateTime();
    }

    @Override
    public Instant getCreateInstant() {
        return pooled.getCreateInstant();
    }

    @Deprecated // deprecated in PooledObject; implemented because the interface still declares it
    @Override
    public long getLastBorrowTime() {
        return returnMillis;
    }

    @Deprecated // deprecated in PooledObject; implemented because the interface still declares it
    @Override
    public long getLastReturnTime() {
        return returnMillis;
    }

    @Deprecated // deprecated in PooledObject; implemented because the interface still declares it
    @Override
    public long getLastUsedTime() {
        return returnMillis;
    }

    @Override
    public PooledObjectState getState() {
        return PooledObjectState.EVICTION;
    }

    @Override
    @SuppressWarnings("deprecation") // getLastReturnTime() is what every PooledObject implements (abstract there)
    public int compareTo(final PooledObject<T> other) {
        return Long.compare(getLastReturnTime(), other.getLastReturnTime());
    }

    @Override
    public boolean equals(final Object obj) {
        return obj instanceof IdleObjectView && ((IdleObjectView<?>) obj).pooled.equals(pooled);
    }

    @Override
    public int hashCode() {
        return pooled.hashCode();
    }

    @Override
    public String toString() {
        return "IdleObjectView[" + pooled.getObject() + ", idle=" + idle + ']';
    }

    @Override
    public void printStackTrace(final PrintWriter writer) {
        writer.println(this);
    }

    /** @throws UnsupportedOperationException always: the pool owns the state */
    @Override
    public boolean allocate() {
        throw readOnly();
    }

    /** @throws UnsupportedOperationException always: the pool owns the state */
    @Override
    public boolean deallocate() {
        throw readOnly();
    }

    /** @throws UnsupportedOperationException always: the pool owns the state */
    @Override
    public boolean startEvictionTest() {
        throw readOnly();
    }

    /** @throws UnsupportedOperationException always: the pool owns the state */
    @Override
    public boolean endEvictionTest(final Deque<PooledObject<T>> idleQueue) {
        throw readOnly();
    }

    /** @throws UnsupportedOperationException always: the pool owns the state */
    @Override
    public void invalidate() {
        throw readOnly();
    }

    /** @throws UnsupportedOperationException always: the pool owns the state */
    @Override
    public void markAbandoned() {
        throw readOnly();
    }

    /** @throws UnsupportedOperationException always: the pool owns the state */
    @Override
    public void markReturning() {
        throw readOnly();
    }

    /** @throws UnsupportedOperationException always: the pool owns the state */
    @Override
    public void setLogAbandoned(final boolean logAbandoned) {
        throw readOnly();
    }

    /** @throws UnsupportedOperationException always: the pool owns the state */
    @Override
    public void use() {
        throw readOnly();
    }

    private static UnsupportedOperationException readOnly() {
        return new UnsupportedOperationException("the pool owns this object's state; the view is read-only");
    }
}
