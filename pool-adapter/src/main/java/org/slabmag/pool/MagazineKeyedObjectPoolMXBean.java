package org.slabmag.pool;

import java.util.Map;

/**
 * The management interface of a {@link MagazineKeyedObjectPool}, registered like a {@code GenericKeyedObjectPool}:
 * by default as {@code org.apache.commons.pool2:type=GenericKeyedObjectPool,name=pool} (then {@code pool2},
 * {@code pool3}, ...), see {@link BaseMagazinePoolConfig#setJmxNameBase} and
 * {@link BaseMagazinePoolConfig#setJmxNamePrefix}; unregistered by {@link MagazineKeyedObjectPool#close()}. Tools
 * that find Commons Pool pools there (Micrometer's {@code CommonsObjectPool2Metrics}, JMX dashboards) show it
 * unchanged.
 *
 * <p>Every attribute has the name and meaning it has in {@code GenericKeyedObjectPoolMXBean}, counts and times
 * summed over all keys (including keys since dropped), with the differences stated on the pool's getters (means
 * over the pool's life rather than the last 100 samples; active and idle times only while abandoned-object tracking
 * is on). Left out rather than faked: {@code CreationStackTrace} and {@code listAllObjects()} (the pool does not
 * drive {@code PooledObject}'s state, timestamps and borrow counts, which {@code DefaultPooledObjectInfo} reports).
 *
 * <p>Thread-safe; counts are as exact as {@link MagazineKeyedObjectPool#getNumActive()}'s.
 */
public interface MagazineKeyedObjectPoolMXBean {
    /** {@return objects on loan under all keys} */
    int getNumActive();

    /** {@return objects on loan per key ({@code toString()} of the key)} */
    Map<String, Integer> getNumActivePerKey();

    /** {@return idle objects of all keys} */
    int getNumIdle();

    /** {@return borrowers waiting for an object, over all keys} */
    int getNumWaiters();

    /** {@return borrowers waiting per key ({@code toString()} of the key)} */
    Map<String, Integer> getNumWaitersByKey();

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

    /** {@return idle objects tested per evictor run, over all keys} */
    int getNumTestsPerEvictionRun();

    /** {@return the abandoned-object timeout in seconds, {@code Integer.MAX_VALUE} when tracking is off} */
    int getRemoveAbandonedTimeout();

    /** {@return the most objects at once over all keys, negative for no limit} */
    int getMaxTotal();

    /** {@return the most objects of one key at once, negative for no limit} */
    int getMaxTotalPerKey();

    /** {@return the cap on idle objects of one key, negative for no limit} */
    int getMaxIdlePerKey();

    /**
     * {@return the idle objects kept per key: {@code minIdlePerKey}, capped by {@code maxIdlePerKey} unless that is
     * negative (see {@link MagazineKeyedObjectPoolConfig#setMinIdlePerKey})}
     */
    int getMinIdlePerKey();

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
}
