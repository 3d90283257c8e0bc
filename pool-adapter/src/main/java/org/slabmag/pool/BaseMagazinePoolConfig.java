package org.slabmag.pool;

import java.time.Duration;
import java.util.Objects;

import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

import org.apache.commons.pool2.SwallowedExceptionListener;
import org.apache.commons.pool2.impl.BaseObjectPoolConfig;
import org.apache.commons.pool2.impl.EvictionPolicy;

/**
 * The settings {@link MagazineObjectPoolConfig} and {@link MagazineKeyedObjectPoolConfig} share, as Commons Pool's
 * {@link BaseObjectPoolConfig} holds those of its two configurations: by the same names, with the same defaults
 * and meanings (waiting, the tests, the evictor, {@code lifo}, {@code fairness}, JMX), plus the magazine size,
 * which has no counterpart. Only {@code evictorShutdownTimeout} has no counterpart here: the evictor shares core's
 * maintenance thread, which has no shutdown.
 *
 * <p>Not thread-safe; a pool copies its configuration, so later changes to this object do not affect it.
 */
public abstract class BaseMagazinePoolConfig implements Cloneable {
    /** Default {@link #getMagazineSize()}. */
    public static final int DEFAULT_MAGAZINE_SIZE = 16;

    private boolean blockWhenExhausted = BaseObjectPoolConfig.DEFAULT_BLOCK_WHEN_EXHAUSTED;
    private Duration maxWait = BaseObjectPoolConfig.DEFAULT_MAX_WAIT;
    private boolean testOnCreate = BaseObjectPoolConfig.DEFAULT_TEST_ON_CREATE;
    private boolean testOnBorrow = BaseObjectPoolConfig.DEFAULT_TEST_ON_BORROW;
    private boolean testOnReturn = BaseObjectPoolConfig.DEFAULT_TEST_ON_RETURN;
    private boolean testWhileIdle = BaseObjectPoolConfig.DEFAULT_TEST_WHILE_IDLE;
    private Duration timeBetweenEvictionRuns = BaseObjectPoolConfig.DEFAULT_DURATION_BETWEEN_EVICTION_RUNS;
    private Duration minEvictableIdleDuration = BaseObjectPoolConfig.DEFAULT_MIN_EVICTABLE_IDLE_DURATION;
    private Duration softMinEvictableIdleDuration = BaseObjectPoolConfig.DEFAULT_SOFT_MIN_EVICTABLE_IDLE_DURATION;
    private int numTestsPerEvictionRun = BaseObjectPoolConfig.DEFAULT_NUM_TESTS_PER_EVICTION_RUN;
    private EvictionPolicy<?> evictionPolicy;
    private String evictionPolicyClassName = BaseObjectPoolConfig.DEFAULT_EVICTION_POLICY_CLASS_NAME;
    private boolean lifo = BaseObjectPoolConfig.DEFAULT_LIFO;
    private boolean fairness = BaseObjectPoolConfig.DEFAULT_FAIRNESS;
    private boolean jmxEnabled = BaseObjectPoolConfig.DEFAULT_JMX_ENABLE;
    private String jmxNameBase;
    private String jmxNamePrefix = BaseObjectPoolConfig.DEFAULT_JMX_NAME_PREFIX;
    private SwallowedExceptionListener swallowedExceptionListener;
    private int magazineSize = DEFAULT_MAGAZINE_SIZE;

    /** Creates the defaults; for the two configurations only. */
    BaseMagazinePoolConfig() {
    }

    /** {@return the ObjectName base used when {@link #getJmxNameBase()} is null: the Commons Pool pool's own} */
    abstract String defaultJmxNameBase();

    /**
     * Copies the shared settings of a Commons Pool configuration: every one that has a counterpart here.
     *
     * @param config the configuration to copy from
     */
    final void copyShared(final BaseObjectPoolConfig<?> config) {
        setBlockWhenExhausted(config.getBlockWhenExhausted());
        setMaxWait(config.getMaxWaitDuration());
        setTestOnCreate(config.getTestOnCreate());
        setTestOnBorrow(config.getTestOnBorrow());
        setTestOnReturn(config.getTestOnReturn());
        setTestWhileIdle(config.getTestWhileIdle());
        setTimeBetweenEvictionRuns(config.getDurationBetweenEvictionRuns());
        setMinEvictableIdleDuration(config.getMinEvictableIdleDuration());
        setSoftMinEvictableIdleDuration(config.getSoftMinEvictableIdleDuration());
        setNumTestsPerEvictionRun(config.getNumTestsPerEvictionRun());
        setEvictionPolicy(config.getEvictionPolicy());
        setEvictionPolicyClassName(config.getEvictionPolicyClassName());
        setLifo(config.getLifo());
        setFairness(config.getFairness());
        setJmxEnabled(config.getJmxEnabled());
        setJmxNameBase(config.getJmxNameBase());
        setJmxNamePrefix(config.getJmxNamePrefix());
    }

    /**
     * Copies the shared settings to another configuration (of the pool of one key, say); the JMX name settings are
     * copied as they are, unchecked against the target's default base.
     *
     * @param target the configuration to copy to
     */
    final void copySharedTo(final BaseMagazinePoolConfig target) {
        target.blockWhenExhausted = blockWhenExhausted;
        target.maxWait = maxWait;
        target.testOnCreate = testOnCreate;
        target.testOnBorrow = testOnBorrow;
        target.testOnReturn = testOnReturn;
        target.testWhileIdle = testWhileIdle;
        target.timeBetweenEvictionRuns = timeBetweenEvictionRuns;
        target.minEvictableIdleDuration = minEvictableIdleDuration;
        target.softMinEvictableIdleDuration = softMinEvictableIdleDuration;
        target.numTestsPerEvictionRun = numTestsPerEvictionRun;
        target.evictionPolicy = evictionPolicy;
        target.evictionPolicyClassName = evictionPolicyClassName;
        target.lifo = lifo;
        target.fairness = fairness;
        target.jmxEnabled = jmxEnabled;
        target.jmxNameBase = jmxNameBase;
        target.jmxNamePrefix = jmxNamePrefix;
        target.swallowedExceptionListener = swallowedExceptionListener;
        target.magazineSize = magazineSize;
    }

    /** {@return whether a borrower waits (up to {@link #getMaxWait()}) when the pool is exhausted, else fails} */
    public final boolean getBlockWhenExhausted() {
        return blockWhenExhausted;
    }

    /**
     * Chooses whether a borrower waits or fails when the pool is exhausted.
     *
     * @param blockWhenExhausted see {@link #getBlockWhenExhausted()}
     */
    public final void setBlockWhenExhausted(final boolean blockWhenExhausted) {
        this.blockWhenExhausted = blockWhenExhausted;
    }

    /** {@return how long a borrower waits when the pool is exhausted; negative: forever} */
    public final Duration getMaxWait() {
        return maxWait;
    }

    /**
     * Sets how long a borrower waits when the pool is exhausted.
     *
     * @param maxWait see {@link #getMaxWait()}
     * @throws NullPointerException if {@code maxWait} is null
     */
    public final void setMaxWait(final Duration maxWait) {
        this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
    }

    /** {@return whether new objects are validated before their first use} */
    public final boolean getTestOnCreate() {
        return testOnCreate;
    }

    /**
     * Chooses whether new objects are validated before their first use.
     *
     * @param testOnCreate see {@link #getTestOnCreate()}
     */
    public final void setTestOnCreate(final boolean testOnCreate) {
        this.testOnCreate = testOnCreate;
    }

    /** {@return whether objects are validated after activation when borrowed} */
    public final boolean getTestOnBorrow() {
        return testOnBorrow;
    }

    /**
     * Chooses whether objects are validated after activation when borrowed.
     *
     * @param testOnBorrow see {@link #getTestOnBorrow()}
     */
    public final void setTestOnBorrow(final boolean testOnBorrow) {
        this.testOnBorrow = testOnBorrow;
    }

    /** {@return whether objects are validated before passivation when returned} */
    public final boolean getTestOnReturn() {
        return testOnReturn;
    }

    /**
     * Chooses whether objects are validated before passivation when returned.
     *
     * @param testOnReturn see {@link #getTestOnReturn()}
     */
    public final void setTestOnReturn(final boolean testOnReturn) {
        this.testOnReturn = testOnReturn;
    }

    /** {@return whether an evictor run tests idle objects (activate, validate, passivate)} */
    public final boolean getTestWhileIdle() {
        return testWhileIdle;
    }

    /**
     * Chooses whether an evictor run tests idle objects.
     *
     * @param testWhileIdle see {@link #getTestWhileIdle()}
     */
    public final void setTestWhileIdle(final boolean testWhileIdle) {
        this.testWhileIdle = testWhileIdle;
    }

    /** {@return the time between evictor runs; zero or negative: no evictor} */
    public final Duration getTimeBetweenEvictionRuns() {
        return timeBetweenEvictionRuns;
    }

    /**
     * Sets the evictor's period. The evictor runs on core's shared maintenance thread; idle times are measured in
     * steps of this period (see {@link org.slabmag.pool.internal.IdleObjectView}).
     *
     * @param timeBetweenEvictionRuns the period; zero or negative: no evictor
     * @throws NullPointerException if null
     */
    public final void setTimeBetweenEvictionRuns(final Duration timeBetweenEvictionRuns) {
        this.timeBetweenEvictionRuns = Objects.requireNonNull(timeBetweenEvictionRuns, "timeBetweenEvictionRuns");
    }

    /** {@return how long an object must be idle before the default policy evicts it; non-positive: never} */
    public final Duration getMinEvictableIdleDuration() {
        return minEvictableIdleDuration;
    }

    /**
     * Sets how long an object must be idle before the default policy evicts it.
     *
     * @param minEvictableIdleDuration see {@link #getMinEvictableIdleDuration()}
     * @throws NullPointerException if null
     */
    public final void setMinEvictableIdleDuration(final Duration minEvictableIdleDuration) {
        this.minEvictableIdleDuration = Objects.requireNonNull(minEvictableIdleDuration, "minEvictableIdleDuration");
    }

    /**
     * {@return how long an object must be idle before the default policy evicts it while more than the minimum
     * number of idle objects (minIdle, minIdlePerKey) are idle; non-positive: never}
     */
    public final Duration getSoftMinEvictableIdleDuration() {
        return softMinEvictableIdleDuration;
    }

    /**
     * Sets how long an object must be idle before the default policy evicts it while more than the minimum number
     * of idle objects are idle.
     *
     * @param softMinEvictableIdleDuration see {@link #getSoftMinEvictableIdleDuration()}
     * @throws NullPointerException if null
     */
    public final void setSoftMinEvictableIdleDuration(final Duration softMinEvictableIdleDuration) {
        this.softMinEvictableIdleDuration = Objects.requireNonNull(softMinEvictableIdleDuration,
                "softMinEvictableIdleDuration");
    }

    /** {@return idle objects tested per evictor run; negative n: {@code ceil(idle / -n)}} */
    public final int getNumTestsPerEvictionRun() {
        return numTestsPerEvictionRun;
    }

    /**
     * Sets how many idle objects an evictor run tests.
     *
     * @param numTestsPerEvictionRun see {@link #getNumTestsPerEvictionRun()}
     */
    public final void setNumTestsPerEvictionRun(final int numTestsPerEvictionRun) {
        this.numTestsPerEvictionRun = numTestsPerEvictionRun;
    }

    /** {@return the eviction policy, or null to use {@link #getEvictionPolicyClassName()}} */
    public final EvictionPolicy<?> getEvictionPolicy() {
        return evictionPolicy;
    }

    /**
     * Sets the eviction policy, which takes precedence over the class name. The policy sees each idle object through
     * a read-only {@code PooledObject} whose idle time the pool maintains
     * ({@link org.slabmag.pool.internal.IdleObjectView}); it must be thread-safe if several pools share it.
     *
     * @param evictionPolicy the policy, or null
     */
    public final void setEvictionPolicy(final EvictionPolicy<?> evictionPolicy) {
        this.evictionPolicy = evictionPolicy;
    }

    /** {@return the class name of the eviction policy used when {@link #getEvictionPolicy()} is null} */
    public final String getEvictionPolicyClassName() {
        return evictionPolicyClassName;
    }

    /**
     * Names the eviction policy class, used when no policy object is set.
     *
     * @param evictionPolicyClassName a class with a public no-argument constructor implementing
     *                                {@code EvictionPolicy}; loaded by the pool (thread context class loader first)
     * @throws NullPointerException if null
     */
    public final void setEvictionPolicyClassName(final String evictionPolicyClassName) {
        this.evictionPolicyClassName = Objects.requireNonNull(evictionPolicyClassName, "evictionPolicyClassName");
    }

    /** {@return whether idle objects are reused most recently returned first (always, in these pools)} */
    public final boolean getLifo() {
        return lifo;
    }

    /**
     * Sets the order of reuse. Only {@code true} can be honoured: a thread reuses the objects it returned most
     * recently first (its magazines are stacks, and that keeps the fast path free of shared state), so a pool given
     * {@code false} refuses it with {@link IllegalArgumentException} rather than ignoring it.
     *
     * @param lifo see {@link #getLifo()}
     */
    public final void setLifo(final boolean lifo) {
        this.lifo = lifo;
    }

    /** {@return whether the pool's lock is fair; see {@link #setFairness}} */
    public final boolean getFairness() {
        return fairness;
    }

    /**
     * Makes the lock that borrowers wait on fair, as the Commons Pool pools' idle deques are. Here it orders only
     * the waiting borrowers' reacquisition of that lock once woken; it gives no first-come-first-served hand-off,
     * since a returned object goes to the returning thread's magazines and any borrower, waiting or not, may claim
     * it. Fixed when the pool is constructed.
     *
     * @param fairness see {@link #getFairness()}
     */
    public final void setFairness(final boolean fairness) {
        this.fairness = fairness;
    }

    /**
     * {@return whether the pool registers its MXBean ({@link MagazineObjectPoolMXBean},
     * {@link MagazineKeyedObjectPoolMXBean}) in the platform MBean server}
     */
    public final boolean getJmxEnabled() {
        return jmxEnabled;
    }

    /**
     * Chooses whether the pool registers its MXBean.
     *
     * @param jmxEnabled see {@link #getJmxEnabled()}
     */
    public final void setJmxEnabled(final boolean jmxEnabled) {
        this.jmxEnabled = jmxEnabled;
    }

    /**
     * {@return the ObjectName base, or null for the Commons Pool pool's ({@link
     * MagazineObjectPoolConfig#DEFAULT_JMX_NAME_BASE}, {@link MagazineKeyedObjectPoolConfig#DEFAULT_JMX_NAME_BASE})}
     */
    public final String getJmxNameBase() {
        return jmxNameBase;
    }

    /**
     * Sets the start of the ObjectName, up to the {@code name=} value: the pool registers as
     * {@code jmxNameBase + jmxNamePrefix}, or {@code jmxNameBase + jmxNamePrefix + i} with the least {@code i >= 2}
     * not yet registered, as the Commons Pool pools do.
     *
     * @param jmxNameBase null for the default (see {@link #getJmxNameBase()}), else a string that makes a valid
     *                    ObjectName with the prefix appended (such as
     *                    {@code "com.example:type=GenericObjectPool,name="})
     * @throws IllegalArgumentException if it does not
     */
    public final void setJmxNameBase(final String jmxNameBase) {
        if (jmxNameBase != null) {
            checkObjectName(jmxNameBase, jmxNamePrefix, "jmxNameBase", jmxNameBase);
        }
        this.jmxNameBase = jmxNameBase;
    }

    /** {@return the start of the {@code name=} value} */
    public final String getJmxNamePrefix() {
        return jmxNamePrefix;
    }

    /**
     * Sets the start of the ObjectName's {@code name=} value, which follows the base.
     *
     * @param jmxNamePrefix the start of the {@code name=} value (default {@code pool}); non-null, and it must make a
     *                      valid ObjectName after the base (no {@code , = : " * ?} or line break in the default base)
     * @throws IllegalArgumentException if null or not valid there
     */
    public final void setJmxNamePrefix(final String jmxNamePrefix) {
        if (jmxNamePrefix == null) {
            throw new IllegalArgumentException("jmxNamePrefix must not be null");
        }
        checkObjectName(jmxNameBase != null ? jmxNameBase : defaultJmxNameBase(), jmxNamePrefix, "jmxNamePrefix",
            jmxNamePrefix);
        this.jmxNamePrefix = jmxNamePrefix;
    }

    private static void checkObjectName(final String base, final String prefix, final String setting,
                                        final String value) {
        final String name = base + prefix + 2;
        try {
            final ObjectName on = new ObjectName(name);
            if (on.isPattern()) {
                throw new IllegalArgumentException(setting + " makes an ObjectName pattern, not a name: \"" + value
                    + "\" (" + name + ")");
            }
        } catch (final MalformedObjectNameException e) {
            throw new IllegalArgumentException(setting + " makes no valid ObjectName: \"" + value + "\" (" + name
                + ": " + e.getMessage() + ")", e);
        }
    }

    /** {@return the listener told of factory exceptions the pool cannot propagate, or null} */
    public final SwallowedExceptionListener getSwallowedExceptionListener() {
        return swallowedExceptionListener;
    }

    /**
     * Sets the listener told of factory exceptions the pool cannot propagate.
     *
     * @param listener see {@link #getSwallowedExceptionListener()}; null for none
     */
    public final void setSwallowedExceptionListener(final SwallowedExceptionListener listener) {
        this.swallowedExceptionListener = listener;
    }

    /** {@return the capacity of a magazine before the idle-limit clamp (see the subclasses' {@code maxIdle})} */
    public final int getMagazineSize() {
        return magazineSize;
    }

    /**
     * Sets the capacity of a magazine, before the idle-limit clamp.
     *
     * @param magazineSize the number of idle objects a magazine holds; larger magazines visit the depot less often
     *                     and keep more idle objects per thread
     * @throws IllegalArgumentException if less than 1
     */
    public final void setMagazineSize(final int magazineSize) {
        if (magazineSize < 1) {
            throw new IllegalArgumentException("magazineSize must be at least 1: " + magazineSize);
        }
        this.magazineSize = magazineSize;
    }

    /**
     * Copies this configuration.
     *
     * @return the copy
     */
    @Override
    public BaseMagazinePoolConfig clone() {
        try {
            return (BaseMagazinePoolConfig) super.clone();
        } catch (final CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
    }

    /** @return the shared settings, as {@code name=value} pairs for the subclasses' {@code toString()} */
    final String sharedSettings() {
        return "blockWhenExhausted=" + blockWhenExhausted + ", maxWait=" + maxWait + ", testOnCreate=" + testOnCreate
                + ", testOnBorrow=" + testOnBorrow + ", testOnReturn=" + testOnReturn + ", testWhileIdle="
                + testWhileIdle + ", timeBetweenEvictionRuns=" + timeBetweenEvictionRuns + ", minEvictableIdleDuration="
                + minEvictableIdleDuration + ", softMinEvictableIdleDuration=" + softMinEvictableIdleDuration
                + ", numTestsPerEvictionRun=" + numTestsPerEvictionRun + ", evictionPolicy=" + evictionPolicy
                + ", evictionPolicyClassName=" + evictionPolicyClassName + ", lifo=" + lifo + ", fairness=" + fairness
                + ", jmxEnabled=" + jmxEnabled + ", jmxNameBase=" + jmxNameBase + ", jmxNamePrefix=" + jmxNamePrefix
                + ", magazineSize=" + magazineSize;
    }
}
