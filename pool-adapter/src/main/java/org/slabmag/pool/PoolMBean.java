package org.slabmag.pool;

import java.lang.management.ManagementFactory;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;

import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.StandardMBean;

import org.apache.commons.pool2.PooledObjectFactory;

/**
 * The {@link MagazineObjectPoolMXBean} of one pool, and the registration of the pools' MXBeans (this one and
 * {@link KeyedPoolMBean}), which follows {@code BaseGenericObjectPool.jmxRegister}: {@code base + prefix}, then
 * {@code base + prefix + i} for {@code i = 2, 3, ...} while taken; any other failure leaves the pool without an
 * MBean (logged, as the pool works without one). Holds the pool strongly until unregistered, as the MBean server
 * holds {@code GenericObjectPool}s. Immutable and thread-safe.
 */
final class PoolMBean implements MagazineObjectPoolMXBean {
    private final MagazineObjectPool<?> pool;
    private final String factoryType;

    private PoolMBean(final MagazineObjectPool<?> pool) {
        this.pool = pool;
        this.factoryType = factoryType(pool.getFactory());
    }

    /** @return the configuration in force (replaced, never changed, by {@code setConfig}) */
    private MagazineObjectPoolConfig config() {
        return pool.config();
    }

    /**
     * @param config the pool's own copy, which nobody changes
     * @return the name registered, or null if registration failed
     */
    static ObjectName register(final MagazineObjectPool<?> pool, final MagazineObjectPoolConfig config) {
        return register(new PoolMBean(pool), MagazineObjectPoolMXBean.class, config, "MagazineObjectPool");
    }

    /**
     * Registers an MXBean under the name a pool's configuration gives, as described for the class.
     *
     * @param <M>    the MXBean interface
     * @param mbean  the MXBean
     * @param type   its interface
     * @param config the pool's configuration, for the name
     * @param what   the pool's class name, for the log
     * @return the name registered, or null if registration failed
     */
    static <M> ObjectName register(final M mbean, final Class<M> type, final BaseMagazinePoolConfig config,
                                   final String what) {
        final String base = config.getJmxNameBase() != null ? config.getJmxNameBase() : config.defaultJmxNameBase();
        final String prefix = config.getJmxNamePrefix();
        try {
            final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            final StandardMBean wrapped = new StandardMBean(mbean, type, true);
            for (int i = 1;; i++) {
                final ObjectName name = new ObjectName(i == 1 ? base + prefix : base + prefix + i);
                try {
                    server.registerMBean(wrapped, name);
                    return name;
                } catch (final InstanceAlreadyExistsException taken) {
                    continue; // the next number, as GenericObjectPool does
                }
            }
        } catch (final MalformedObjectNameException e) {
            throw new IllegalStateException("the configuration checked the name: " + base + prefix, e);
        } catch (final JMException | RuntimeException | Error e) {
            System.getLogger("org.slabmag.pool").log(System.Logger.Level.WARNING,
                "cannot register " + base + prefix + "; this " + what + " has no MBean", e);
            return null;
        }
    }

    /** Unregisters {@code name}; never fails (a failure is logged). */
    static void unregister(final ObjectName name) {
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
        } catch (final InstanceNotFoundException gone) {
            return; // someone unregistered it already
        } catch (final JMException | RuntimeException e) {
            System.getLogger("org.slabmag.pool").log(System.Logger.Level.WARNING, "cannot unregister " + name, e);
        }
    }

    /** @return the duration in milliseconds, saturated at the {@code long} range */
    static long saturatedMillis(final java.time.Duration d) {
        try {
            return d.toMillis();
        } catch (final ArithmeticException tooLong) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** {@code GenericObjectPool}'s format: the factory class, then the object type it makes in angle brackets. */
    static String factoryType(final PooledObjectFactory<?> factory) {
        return factory.getClass().getName() + '<' + madeType(factory.getClass()).getName() + '>';
    }

    /** The class bound to {@code PooledObjectFactory<T>}'s T along the superclass chain, or Object if unbound. */
    private static Class<?> madeType(final Class<?> factoryClass) {
        for (Class<?> c = factoryClass; c != null && c != Object.class; c = c.getSuperclass()) {
            final Type superType = c.getGenericSuperclass();
            if (superType instanceof ParameterizedType) {
                final Type[] args = ((ParameterizedType) superType).getActualTypeArguments();
                if (args.length == 1 && args[0] instanceof Class) {
                    return (Class<?>) args[0];
                }
            }
            for (final Type t : c.getGenericInterfaces()) {
                if (t instanceof ParameterizedType && ((ParameterizedType) t).getRawType() == PooledObjectFactory.class) {
                    final Type arg = ((ParameterizedType) t).getActualTypeArguments()[0];
                    if (arg instanceof Class) {
                        return (Class<?>) arg;
                    }
                }
            }
        }
        return Object.class;
    }

    @Override
    public int getNumActive() {
        return pool.getNumActive();
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
        return pool.getConfig().getFairness();
    }

    @Override
    public long getMinEvictableIdleTimeMillis() {
        return saturatedMillis(config().getMinEvictableIdleDuration());
    }

    @Override
    public int getNumTestsPerEvictionRun() {
        return config().getNumTestsPerEvictionRun();
    }

    @Override
    public int getRemoveAbandonedTimeout() {
        return (int) Math.min(Integer.MAX_VALUE, pool.getRemoveAbandonedTimeoutDuration().getSeconds());
    }

    @Override
    public String getFactoryType() {
        return factoryType;
    }

    @Override
    public int getMaxTotal() {
        return config().getMaxTotal();
    }

    @Override
    public int getMaxIdle() {
        return config().getMaxIdle();
    }

    @Override
    public int getMinIdle() {
        return config().getMinIdle();
    }

    @Override
    public boolean getBlockWhenExhausted() {
        return config().getBlockWhenExhausted();
    }

    @Override
    public long getMaxWaitMillis() {
        return config().getMaxWait().isNegative() ? -1 : saturatedMillis(config().getMaxWait());
    }

    @Override
    public boolean getTestOnCreate() {
        return config().getTestOnCreate();
    }

    @Override
    public boolean getTestOnBorrow() {
        return config().getTestOnBorrow();
    }

    @Override
    public boolean getTestOnReturn() {
        return config().getTestOnReturn();
    }

    @Override
    public boolean getTestWhileIdle() {
        return config().getTestWhileIdle();
    }

    @Override
    public long getTimeBetweenEvictionRunsMillis() {
        return saturatedMillis(config().getTimeBetweenEvictionRuns());
    }

    @Override
    public boolean isAbandonedConfig() {
        return pool.isAbandonedConfig();
    }

    @Override
    public boolean getRemoveAbandonedOnBorrow() {
        final org.apache.commons.pool2.impl.AbandonedConfig a = pool.getAbandonedConfig();
        return a != null && a.getRemoveAbandonedOnBorrow();
    }

    @Override
    public boolean getRemoveAbandonedOnMaintenance() {
        final org.apache.commons.pool2.impl.AbandonedConfig a = pool.getAbandonedConfig();
        return a != null && a.getRemoveAbandonedOnMaintenance();
    }

    @Override
    public boolean getLogAbandoned() {
        final org.apache.commons.pool2.impl.AbandonedConfig a = pool.getAbandonedConfig();
        return a != null && a.getLogAbandoned();
    }

    @Override
    public boolean isClosed() {
        return pool.isClosed();
    }

    @Override
    public int getMagazineCapacity() {
        return pool.getMagazineCapacity();
    }
}
