package org.slabmag.pool;

/**
 * The management interface of a {@link MagazineObjectPool}, registered like a {@code GenericObjectPool}: by default
 * as {@code org.apache.commons.pool2:type=GenericObjectPool,name=pool} (then {@code pool2}, {@code pool3}, ...),
 * see {@link MagazineObjectPoolConfig#setJmxNameBase} and {@link MagazineObjectPoolConfig#setJmxNamePrefix};
 * unregistered by {@link MagazineObjectPool#close()}. Tools that find Commons Pool pools there (Micrometer's
 * {@code CommonsObjectPool2Metrics}, JMX dashboards) show it unchanged.
 *
 * <p>Every attribute has the name and meaning it has in {@code GenericObjectPoolMXBean}. Attributes of that
 * interface that this pool cannot report honestly are left out rather than faked, so a tool reading them gets
 * "no such attribute" (Micrometer: NaN): {@code BorrowedCount}, {@code ReturnedCount} and the borrow-wait, active
 * and idle times (a borrow and a return touch no shared counter and read no clock), {@code Lifo},
 * {@code Fairness}, {@code MinEvictableIdleTimeMillis}, {@code NumTestsPerEvictionRun},
 * {@code RemoveAbandonedTimeout}, {@code CreationStackTrace} and {@code listAllObjects()} (the pool does not
 * drive {@code PooledObject} state). Eviction and abandoned-object attributes that are present report what is
 * true here: no evictor, no abandoned tracking.
 *
 * <p>Thread-safe; counts are as exact as {@link MagazineObjectPool#getNumActive()}'s.
 */
public interface MagazineObjectPoolMXBean {
    /** @return objects on loan; see {@link MagazineObjectPool#getNumActive()} */
    int getNumActive();

    /** @return idle objects; see {@link MagazineObjectPool#getNumIdle()} */
    int getNumIdle();

    /** @return borrowers waiting for an object */
    int getNumWaiters();

    /** @return objects made by the factory for this pool */
    long getCreatedCount();

    /** @return objects destroyed by this pool */
    long getDestroyedCount();

    /** @return objects destroyed because validation failed on borrow ({@code testOnBorrow}) */
    long getDestroyedByBorrowValidationCount();

    /** @return always 0: this pool has no evictor */
    long getDestroyedByEvictorCount();

    /** @return the factory class and the type it makes, as {@code GenericObjectPool} writes it: {@code F<T>} */
    String getFactoryType();

    /** @return the most objects at once, negative for no limit */
    int getMaxTotal();

    /** @return the cap on idle objects, negative for no limit */
    int getMaxIdle();

    /** @return idle objects {@link MagazineObjectPool#preparePool()} creates */
    int getMinIdle();

    /** @return whether a borrower waits when the pool is exhausted */
    boolean getBlockWhenExhausted();

    /** @return how long a borrower waits, in milliseconds; negative: forever */
    long getMaxWaitMillis();

    /** @return whether new objects are validated */
    boolean getTestOnCreate();

    /** @return whether objects are validated on borrow */
    boolean getTestOnBorrow();

    /** @return whether objects are validated on return */
    boolean getTestOnReturn();

    /** @return always false: no evictor tests idle objects */
    boolean getTestWhileIdle();

    /** @return always -1: the evictor never runs (there is none) */
    long getTimeBetweenEvictionRunsMillis();

    /** @return always false: no abandoned-object tracking */
    boolean isAbandonedConfig();

    /** @return always false: no abandoned-object tracking */
    boolean getRemoveAbandonedOnBorrow();

    /** @return always false: no abandoned-object tracking */
    boolean getRemoveAbandonedOnMaintenance();

    /** @return always false: no abandoned-object tracking */
    boolean getLogAbandoned();

    /** @return whether the pool is closed */
    boolean isClosed();

    /** @return the capacity of each magazine (no {@code GenericObjectPool} counterpart) */
    int getMagazineCapacity();
}
