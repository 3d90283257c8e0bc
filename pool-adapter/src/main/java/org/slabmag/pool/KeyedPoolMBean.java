package org.slabmag.pool;

import java.util.Map;

import javax.management.ObjectName;

import org.apache.commons.pool2.impl.AbandonedConfig;

/**
 * The {@link MagazineKeyedObjectPoolMXBean} of one keyed pool; registered by {@link PoolMBean#register}. Holds the
 * pool strongly until unregistered, as the MBean server holds {@code GenericKeyedObjectPool}s. Immutable and
 * thread-safe.
 */
final class KeyedPoolMBean implements MagazineKeyedObjectPoolMXBean {
    private final MagazineKeyedObjectPool<?, ?> pool;
    /** The pool's configuration, which nobody changes. */
    private final MagazineKeyedObjectPoolConfig config;

    private KeyedPoolMBean(final MagazineKeyedObjectPool<?, ?> pool) {
        this.pool = pool;
        this.config = pool.config();
    }

    /**
     * Registers the MXBean of a keyed pool.
     *
     * @param pool the pool, fully constructed but for its MBean
     * @return the name registered, or null if registration failed
     */
    static ObjectName register(final MagazineKeyedObjectPool<?, ?> pool) {
        return PoolMBean.register(new KeyedPoolMBean(pool), MagazineKeyedObjectPoolMXBean.class, pool.config(),
            "MagazineKeyedObjectPool");
    }

    @Override
    public int getNumActive() {
        return pool.getNumActive();
    }

    @Override
    public Map<String, Integer> getNumActivePerKey() {
        return pool.getNumActivePerKey();
    }

    @Override
    public int getNumIdle() {
        return pool.getNumIdle();
    }

    @Override
    public int getNumWaiters() {
        return pool.getNumWaiters();
    }

    @Override
    public Map<String, Integer> getNumWaitersByKey() {
        return pool.getNumWaitersByKey();
    }

    @Override
    public long getCreatedCount() {
        return pool.getCreatedCount();
    }

    @Override
    public long getDestroyedCount() {
        return pool.getDestroyedCount();
    }

    @Override
    public long getDestroyedByBorrowValidationCount() {
        return pool.getDestroyedByBorrowValidationCount();
    }

    @Override
    public long getDestroyedByEvictorCount() {
        return pool.getDestroyedByEvictorCount();
    }

    @Override
    public long getBorrowedCount() {
        return pool.getBorrowedCount();
    }

    @Override
    public long getReturnedCount() {
        return pool.getReturnedCount();
    }

    @Override
    public long getMeanBorrowWaitTimeMillis() {
        return pool.getMeanBorrowWaitTimeMillis();
    }

    @Override
    public long getMaxBorrowWaitTimeMillis() {
        return pool.getMaxBorrowWaitTimeMillis();
    }

    @Override
    public long getMeanActiveTimeMillis() {
        return pool.getMeanActiveTimeMillis();
    }

    @Override
    public long getMeanIdleTimeMillis() {
        return pool.getMeanIdleTimeMillis();
    }

    @Override
    public boolean getLifo() {
        return true;
    }

    @Override
    public boolean getFairness() {
        return config.getFairness();
    }

    @Override
    public long getMinEvictableIdleTimeMillis() {
        return PoolMBean.saturatedMillis(config.getMinEvictableIdleDuration());
    }

    @Override
    public int getNumTestsPerEvictionRun() {
        return config.getNumTestsPerEvictionRun();
    }

    @Override
    public int getRemoveAbandonedTimeout() {
        return (int) Math.min(Integer.MAX_VALUE, pool.getRemoveAbandonedTimeoutDuration().getSeconds());
    }

    @Override
    public int getMaxTotal() {
        return config.getMaxTotal();
    }

    @Override
    public int getMaxTotalPerKey() {
        return config.getMaxTotalPerKey();
    }

    @Override
    public int getMaxIdlePerKey() {
        return config.getMaxIdlePerKey();
    }

    @Override
    public int getMinIdlePerKey() {
        return config.getMaxIdlePerKey() < 0 ? config.getMinIdlePerKey()
            : Math.min(config.getMinIdlePerKey(), config.getMaxIdlePerKey());
    }

    @Override
    public boolean getBlockWhenExhausted() {
        return config.getBlockWhenExhausted();
    }

    @Override
    public long getMaxWaitMillis() {
        return config.getMaxWait().isNegative() ? -1 : PoolMBean.saturatedMillis(config.getMaxWait());
    }

    @Override
    public boolean getTestOnCreate() {
        return config.getTestOnCreate();
    }

    @Override
    public boolean getTestOnBorrow() {
        return config.getTestOnBorrow();
    }

    @Override
    public boolean getTestOnReturn() {
        return config.getTestOnReturn();
    }

    @Override
    public boolean getTestWhileIdle() {
        return config.getTestWhileIdle();
    }

    @Override
    public long getTimeBetweenEvictionRunsMillis() {
        return PoolMBean.saturatedMillis(config.getTimeBetweenEvictionRuns());
    }

    @Override
    public boolean isAbandonedConfig() {
        return pool.isAbandonedConfig();
    }

    @Override
    public boolean getRemoveAbandonedOnBorrow() {
        final AbandonedConfig a = pool.getAbandonedConfig();
        return a != null && a.getRemoveAbandonedOnBorrow();
    }

    @Override
    public boolean getRemoveAbandonedOnMaintenance() {
        final AbandonedConfig a = pool.getAbandonedConfig();
        return a != null && a.getRemoveAbandonedOnMaintenance();
    }

    @Override
    public boolean getLogAbandoned() {
        final AbandonedConfig a = pool.getAbandonedConfig();
        return a != null && a.getLogAbandoned();
    }

    @Override
    public boolean isClosed() {
        return pool.isClosed();
    }
}
