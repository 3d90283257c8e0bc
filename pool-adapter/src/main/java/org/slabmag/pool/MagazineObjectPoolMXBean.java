package org.slabmag.pool;

/**
 * The management interface of a {@link MagazineObjectPool}, registered like a {@code GenericObjectPool}: by default
 * as {@code org.apache.commons.pool2:type=GenericObjectPool,name=pool} (then {@code pool2}, {@code pool3}, ...),
 * see {@link MagazineObjectPoolConfig#setJmxNameBase} and {@link MagazineObjectPoolConfig#setJmxNamePrefix};
 * unregistered by {@link MagazineObjectPool#close()}. Tools that find Commons Pool pools there (Micrometer's
 * {@code CommonsObjectPool2Metrics}, JMX dashboards) show it unchanged.
 *
 * <p>Every attribute has the name and meaning it has in {@code GenericObjectPoolMXBean}, with the differences
 * stated on the pool's getters (means over the pool's life rather than the last 100 samples; active and idle times
 * only while abandoned-object tracking is on). Left out rather than faked: {@code CreationStackTrace} and
 * {@code listAllObjects()} (the pool does not drive {@code PooledObject} state).
 *
 * <p>Thread-safe; counts are as exact as {@link MagazineObjectPool#getNumActive()}'s.
 */
public interface MagazineObjectPoolMXBean {
    /** {@return objects on loan; see {@link MagazineObjectPool#getNumActive()}} */
    int getNumActive();

    /** {@return idle objects; see {@link MagazineObjectPool#getNumIdle()}} */
    int getNumIdle();

    /** {@return borrowers waiting for an object} */
    int getNumWaiters();

    /** {@return objects made by the factory for this pool} */
    long getCreatedCount();

    /** {@return objects destroyed by this pool} */
    long getDestroyedCount();

    /** {@return objects destroyed because validation failed on borrow ({@code testOnBorrow})} */
    long getDestroyedByBorrowValidationCount();

    /** {@return objects destroyed by the evictor} */
    long getDestroyedByEvictorCount();

    /** {@return successful borrows} */
    long getBorrowedCount();

    /** {@return the returns accepted} */
    long getReturnedCount();

    /** {@return mean time borrows waited, in milliseconds} */
    long getMeanBorrowWaitTimeMillis();

    /** {@return longest time a borrow waited, in milliseconds} */
    long getMaxBorrowWaitTimeMillis();

    /** {@return mean loan length in milliseconds, while time is tracked} */
    long getMeanActiveTimeMillis();

    /** {@return mean idle time of borrowed objects in milliseconds, while time is tracked} */
    long getMeanIdleTimeMillis();

    /** {@return always true: idle objects are reused most recently returned first} */
    boolean getLifo();

    /** {@return whether the lock borrowers wait on is fair} */
    boolean getFairness();

    /** {@return the evictor's minimum idle time, in milliseconds} */
    long getMinEvictableIdleTimeMillis();

    /** {@return idle objects tested per evictor run} */
    int getNumTestsPerEvictionRun();

    /** {@return the abandoned-object timeout in seconds, {@code Integer.MAX_VALUE} when tracking is off} */
    int getRemoveAbandonedTimeout();

    /** {@return the factory class and the type it makes, as {@code GenericObjectPool} writes it: {@code F<T>}} */
    String getFactoryType();

    /** {@return the most objects at once, negative for no limit} */
    int getMaxTotal();

    /** {@return the cap on idle objects, negative for no limit} */
    int getMaxIdle();

    /** {@return idle objects {@link MagazineObjectPool#preparePool()} creates} */
    int getMinIdle();

    /** {@return whether a borrower waits when the pool is exhausted} */
    boolean getBlockWhenExhausted();

    /** {@return how long a borrower waits, in milliseconds; negative: forever} */
    long getMaxWaitMillis();

    /** {@return whether new objects are validated} */
    boolean getTestOnCreate();

    /** {@return whether objects are validated on borrow} */
    boolean getTestOnBorrow();

    /** {@return whether objects are validated on return} */
    boolean getTestOnReturn();

    /** {@return whether evictor runs test idle objects} */
    boolean getTestWhileIdle();

    /** {@return the evictor's period in milliseconds; non-positive: no evictor} */
    long getTimeBetweenEvictionRunsMillis();

    /** {@return whether abandoned-object tracking is on} */
    boolean isAbandonedConfig();

    /** {@return whether abandoned objects are removed on borrow} */
    boolean getRemoveAbandonedOnBorrow();

    /** {@return whether abandoned objects are removed by the evictor} */
    boolean getRemoveAbandonedOnMaintenance();

    /** {@return whether abandoned objects' borrow stack traces are logged} */
    boolean getLogAbandoned();

    /** {@return whether the pool is closed} */
    boolean isClosed();

    /** {@return the capacity of each magazine (no {@code GenericObjectPool} counterpart)} */
    int getMagazineCapacity();
}
