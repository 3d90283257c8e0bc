package org.slabmag.pool;

import java.time.Duration;
import java.util.Objects;

import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

import org.apache.commons.pool2.impl.BaseObjectPoolConfig;
import org.apache.commons.pool2.impl.EvictionPolicy;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;

/**
 * The configuration of a {@link MagazineObjectPool}. Where a setting shares its name with
 * {@link GenericObjectPoolConfig} it has the same default and meaning, except as noted on {@link #setMaxIdle}:
 * <table>
 * <caption>Settings</caption>
 * <tr><th>setting</th><th>default</th></tr>
 * <tr><td>maxTotal</td><td>8 (negative: no limit)</td></tr>
 * <tr><td>maxIdle</td><td>8 (negative: no limit)</td></tr>
 * <tr><td>minIdle</td><td>0 (kept by {@link MagazineObjectPool#preparePool()} and the evictor, capped by maxIdle)</td></tr>
 * <tr><td>blockWhenExhausted</td><td>true</td></tr>
 * <tr><td>maxWait</td><td>-1 ms: wait forever</td></tr>
 * <tr><td>testOnCreate, testOnBorrow, testOnReturn</td><td>false</td></tr>
 * <tr><td>testWhileIdle</td><td>false</td></tr>
 * <tr><td>timeBetweenEvictionRuns</td><td>-1 ms: no evictor</td></tr>
 * <tr><td>minEvictableIdleDuration</td><td>30 min</td></tr>
 * <tr><td>softMinEvictableIdleDuration</td><td>-1 ms: none</td></tr>
 * <tr><td>numTestsPerEvictionRun</td><td>3 (negative: {@code ceil(idle / -n)})</td></tr>
 * <tr><td>evictionPolicy / evictionPolicyClassName</td><td>null / {@code DefaultEvictionPolicy}</td></tr>
 * <tr><td>lifo</td><td>true (false is refused, see {@link #setLifo})</td></tr>
 * <tr><td>fairness</td><td>false (see {@link #setFairness})</td></tr>
 * <tr><td>swallowedExceptionListener</td><td>none</td></tr>
 * <tr><td>jmxEnabled</td><td>true</td></tr>
 * <tr><td>jmxNameBase</td><td>null: {@value #DEFAULT_JMX_NAME_BASE}</td></tr>
 * <tr><td>jmxNamePrefix</td><td>{@code pool}</td></tr>
 * <tr><td>magazineSize</td><td>16 (no counterpart)</td></tr>
 * </table>
 * Abandoned-object tracking is set on the pool, as on {@code GenericObjectPool}
 * ({@link MagazineObjectPool#setAbandonedConfig}). The JMX settings register the pool as {@code GenericObjectPool}
 * does (see {@link MagazineObjectPoolMXBean}). {@link #from(GenericObjectPoolConfig)} copies every setting of
 * {@link GenericObjectPoolConfig} that has a counterpart here, which is all but {@code evictorShutdownTimeout}
 * (the evictor shares core's maintenance thread, which has no shutdown) and {@code evictionPolicy}'s generic type.
 *
 * <p>Not thread-safe; a pool copies the configuration when it is constructed or given one with
 * {@link MagazineObjectPool#setConfig}, so later changes to this object do not affect it.
 */
public final class MagazineObjectPoolConfig extends BaseMagazinePoolConfig {
    /**
     * The ObjectName base used when {@link #getJmxNameBase()} is null: {@code GenericObjectPool}'s, so that tools
     * that find Commons Pool pools (Micrometer's {@code CommonsObjectPool2Metrics}, dashboards) find this one.
     */
    public static final String DEFAULT_JMX_NAME_BASE = "org.apache.commons.pool2:type=GenericObjectPool,name=";

    private int maxTotal = GenericObjectPoolConfig.DEFAULT_MAX_TOTAL;
    private int maxIdle = GenericObjectPoolConfig.DEFAULT_MAX_IDLE;
    private int minIdle = GenericObjectPoolConfig.DEFAULT_MIN_IDLE;
    private boolean testWhileIdle = GenericObjectPoolConfig.DEFAULT_TEST_WHILE_IDLE;
    private Duration timeBetweenEvictionRuns = GenericObjectPoolConfig.DEFAULT_DURATION_BETWEEN_EVICTION_RUNS;
    private Duration minEvictableIdleDuration = GenericObjectPoolConfig.DEFAULT_MIN_EVICTABLE_IDLE_DURATION;
    private Duration softMinEvictableIdleDuration = GenericObjectPoolConfig.DEFAULT_SOFT_MIN_EVICTABLE_IDLE_DURATION;
    private int numTestsPerEvictionRun = GenericObjectPoolConfig.DEFAULT_NUM_TESTS_PER_EVICTION_RUN;
    private EvictionPolicy<?> evictionPolicy;
    private String evictionPolicyClassName = GenericObjectPoolConfig.DEFAULT_EVICTION_POLICY_CLASS_NAME;
    private boolean lifo = GenericObjectPoolConfig.DEFAULT_LIFO;
    private boolean fairness = GenericObjectPoolConfig.DEFAULT_FAIRNESS;
    private boolean jmxEnabled = BaseObjectPoolConfig.DEFAULT_JMX_ENABLE;
    private String jmxNameBase;
    private String jmxNamePrefix = BaseObjectPoolConfig.DEFAULT_JMX_NAME_PREFIX;

    /** Creates a configuration with the defaults listed in the class comment. */
    public MagazineObjectPoolConfig() {
    }

    /**
     * Copies every setting of a {@link GenericObjectPoolConfig} that has a counterpart here.
     *
     * @param config the configuration to copy from
     * @return a new configuration
     * @throws NullPointerException if {@code config} is null
     */
    public static MagazineObjectPoolConfig from(final GenericObjectPoolConfig<?> config) {
        Objects.requireNonNull(config, "config");
        final MagazineObjectPoolConfig c = new MagazineObjectPoolConfig();
        c.setTestWhileIdle(config.getTestWhileIdle());
        c.setTimeBetweenEvictionRuns(config.getDurationBetweenEvictionRuns());
        c.setMinEvictableIdleDuration(config.getMinEvictableIdleDuration());
        c.setSoftMinEvictableIdleDuration(config.getSoftMinEvictableIdleDuration());
        c.setNumTestsPerEvictionRun(config.getNumTestsPerEvictionRun());
        c.setEvictionPolicy(config.getEvictionPolicy());
        c.setEvictionPolicyClassName(config.getEvictionPolicyClassName());
        c.setLifo(config.getLifo());
        c.setFairness(config.getFairness());
        c.setMaxTotal(config.getMaxTotal());
        c.setMaxIdle(config.getMaxIdle());
        c.setMinIdle(config.getMinIdle());
        c.copyShared(config);
        c.setJmxEnabled(config.getJmxEnabled());
        c.setJmxNameBase(config.getJmxNameBase());
        c.setJmxNamePrefix(config.getJmxNamePrefix());
        return c;
    }

    /** {@return the most objects the pool holds at once (on loan and idle), negative for no limit} */
    public int getMaxTotal() {
        return maxTotal;
    }

    /**
     * Limits the objects the pool holds at once, on loan and idle.
     *
     * @param maxTotal see {@link #getMaxTotal()}
     */
    public void setMaxTotal(final int maxTotal) {
        this.maxTotal = maxTotal;
    }

    /** {@return the cap on idle objects, negative for no limit; see {@link #setMaxIdle}} */
    public int getMaxIdle() {
        return maxIdle;
    }

    /**
     * Caps idle objects, nearly as in {@code GenericObjectPool}: a return that finds {@code maxIdle} objects idle
     * destroys its object. Each idle object holds a credit from a shared budget of {@code maxIdle}; a platform
     * thread keeps up to {@code max(1, magazineCapacity / 4)} spare credits so that a thread that borrows and
     * returns in turn never touches the shared budget (virtual threads keep none). A return that finds the budget
     * empty counts the idle objects and keeps its object if fewer than {@code maxIdle} are idle, borrowing a credit
     * against the budget; the spare credits other threads hold stay usable meanwhile. The guarantee is therefore
     * {@code getNumIdle() <= maxIdle + S}, where {@code S} is the spare credits held by platform threads
     * (at most {@code max(1, magazineCapacity / 4)} each), at every moment no return is between its check and its
     * parking; not the strict {@code getNumIdle() <= maxIdle} of {@code GenericObjectPool}. Threads that
     * terminate give their credits back. Conversely a return may destroy its object while slightly fewer than
     * {@code maxIdle} objects are idle. Magazines are sized {@code min(magazineSize, max(1, maxIdle / 2))}.
     *
     * @param maxIdle the cap, negative for no limit
     */
    public void setMaxIdle(final int maxIdle) {
        this.maxIdle = maxIdle;
    }

    /** {@return the idle objects {@link MagazineObjectPool#preparePool()} creates} */
    public int getMinIdle() {
        return minIdle;
    }

    /**
     * Sets how many idle objects {@link MagazineObjectPool#preparePool()} creates.
     *
     * @param minIdle see {@link #getMinIdle()}
     */
    public void setMinIdle(final int minIdle) {
        this.minIdle = minIdle;
    }

    /** {@return whether an evictor run tests idle objects (activate, validate, passivate)} */
    public boolean getTestWhileIdle() {
        return testWhileIdle;
    }

    /**
     * Chooses whether an evictor run tests idle objects.
     *
     * @param testWhileIdle see {@link #getTestWhileIdle()}
     */
    public void setTestWhileIdle(final boolean testWhileIdle) {
        this.testWhileIdle = testWhileIdle;
    }

    /** {@return the time between evictor runs; zero or negative: no evictor} */
    public Duration getTimeBetweenEvictionRuns() {
        return timeBetweenEvictionRuns;
    }

    /**
     * Sets the evictor's period. The evictor runs on core's shared maintenance thread; idle times are measured in
     * steps of this period (see {@link org.slabmag.pool.internal.IdleObjectView}).
     *
     * @param timeBetweenEvictionRuns the period; zero or negative: no evictor
     * @throws NullPointerException if null
     */
    public void setTimeBetweenEvictionRuns(final Duration timeBetweenEvictionRuns) {
        this.timeBetweenEvictionRuns = Objects.requireNonNull(timeBetweenEvictionRuns, "timeBetweenEvictionRuns");
    }

    /** {@return how long an object must be idle before the default policy evicts it; non-positive: never} */
    public Duration getMinEvictableIdleDuration() {
        return minEvictableIdleDuration;
    }

    /**
     * Sets how long an object must be idle before the default policy evicts it.
     *
     * @param minEvictableIdleDuration see {@link #getMinEvictableIdleDuration()}
     * @throws NullPointerException if null
     */
    public void setMinEvictableIdleDuration(final Duration minEvictableIdleDuration) {
        this.minEvictableIdleDuration = Objects.requireNonNull(minEvictableIdleDuration, "minEvictableIdleDuration");
    }

    /**
     * {@return how long an object must be idle before the default policy evicts it while more than minIdle are idle;
     * non-positive: never}
     */
    public Duration getSoftMinEvictableIdleDuration() {
        return softMinEvictableIdleDuration;
    }

    /**
     * Sets how long an object must be idle before the default policy evicts it while more than minIdle are idle.
     *
     * @param softMinEvictableIdleDuration see {@link #getSoftMinEvictableIdleDuration()}
     * @throws NullPointerException if null
     */
    public void setSoftMinEvictableIdleDuration(final Duration softMinEvictableIdleDuration) {
        this.softMinEvictableIdleDuration = Objects.requireNonNull(softMinEvictableIdleDuration,
                "softMinEvictableIdleDuration");
    }

    /** {@return idle objects tested per evictor run; negative n: {@code ceil(idle / -n)}} */
    public int getNumTestsPerEvictionRun() {
        return numTestsPerEvictionRun;
    }

    /**
     * Sets how many idle objects an evictor run tests.
     *
     * @param numTestsPerEvictionRun see {@link #getNumTestsPerEvictionRun()}
     */
    public void setNumTestsPerEvictionRun(final int numTestsPerEvictionRun) {
        this.numTestsPerEvictionRun = numTestsPerEvictionRun;
    }

    /** {@return the eviction policy, or null to use {@link #getEvictionPolicyClassName()}} */
    public EvictionPolicy<?> getEvictionPolicy() {
        return evictionPolicy;
    }

    /**
     * Sets the eviction policy, which takes precedence over the class name. The policy sees each idle object through
     * a read-only {@code PooledObject} whose idle time the pool maintains
     * ({@link org.slabmag.pool.internal.IdleObjectView}); it must be thread-safe if several pools share it.
     *
     * @param evictionPolicy the policy, or null
     */
    public void setEvictionPolicy(final EvictionPolicy<?> evictionPolicy) {
        this.evictionPolicy = evictionPolicy;
    }

    /** {@return the class name of the eviction policy used when {@link #getEvictionPolicy()} is null} */
    public String getEvictionPolicyClassName() {
        return evictionPolicyClassName;
    }

    /**
     * Names the eviction policy class, used when no policy object is set.
     *
     * @param evictionPolicyClassName a class with a public no-argument constructor implementing
     *                                {@code EvictionPolicy}; loaded by the pool (thread context class loader first)
     * @throws NullPointerException if null
     */
    public void setEvictionPolicyClassName(final String evictionPolicyClassName) {
        this.evictionPolicyClassName = Objects.requireNonNull(evictionPolicyClassName, "evictionPolicyClassName");
    }

    /** {@return whether idle objects are reused most recently returned first (always, in this pool)} */
    public boolean getLifo() {
        return lifo;
    }

    /**
     * Sets the order of reuse. Only {@code true} can be honoured: a thread reuses the objects it returned most
     * recently first (its magazines are stacks, and that keeps the fast path free of shared state), so a pool given
     * {@code false} refuses it with {@link IllegalArgumentException} rather than ignoring it.
     *
     * @param lifo see {@link #getLifo()}
     */
    public void setLifo(final boolean lifo) {
        this.lifo = lifo;
    }

    /** {@return whether the pool's lock is fair; see {@link #setFairness}} */
    public boolean getFairness() {
        return fairness;
    }

    /**
     * Makes the lock that borrowers wait on fair, as {@code GenericObjectPool}'s idle deque is. Here it orders
     * only the waiting borrowers' reacquisition of that lock once woken; it gives no first-come-first-served hand-off,
     * since a returned object goes to the returning thread's magazines and any borrower, waiting or not, may claim
     * it. Fixed when the pool is constructed.
     *
     * @param fairness see {@link #getFairness()}
     */
    public void setFairness(final boolean fairness) {
        this.fairness = fairness;
    }

    /** {@return whether the pool registers a {@link MagazineObjectPoolMXBean} in the platform MBean server} */
    public boolean getJmxEnabled() {
        return jmxEnabled;
    }

    /**
     * Chooses whether the pool registers a {@link MagazineObjectPoolMXBean}.
     *
     * @param jmxEnabled see {@link #getJmxEnabled()}
     */
    public void setJmxEnabled(final boolean jmxEnabled) {
        this.jmxEnabled = jmxEnabled;
    }

    /** {@return the ObjectName base, or null for {@link #DEFAULT_JMX_NAME_BASE}} */
    public String getJmxNameBase() {
        return jmxNameBase;
    }

    /**
     * Sets the start of the ObjectName, up to the {@code name=} value: the pool registers as
     * {@code jmxNameBase + jmxNamePrefix}, or {@code jmxNameBase + jmxNamePrefix + i} with the least {@code i >= 2}
     * not yet registered, as {@code GenericObjectPool} does.
     *
     * @param jmxNameBase null for {@link #DEFAULT_JMX_NAME_BASE}, else a string that makes a valid ObjectName with
     *                    the prefix appended (such as {@code "com.example:type=GenericObjectPool,name="})
     * @throws IllegalArgumentException if it does not
     */
    public void setJmxNameBase(final String jmxNameBase) {
        if (jmxNameBase != null) {
            checkObjectName(jmxNameBase, jmxNamePrefix, "jmxNameBase", jmxNameBase);
        }
        this.jmxNameBase = jmxNameBase;
    }

    /** {@return the start of the {@code name=} value} */
    public String getJmxNamePrefix() {
        return jmxNamePrefix;
    }

    /**
     * Sets the start of the ObjectName's {@code name=} value, which follows the base.
     *
     * @param jmxNamePrefix the start of the {@code name=} value (default {@code pool}); non-null, and it must make a
     *                      valid ObjectName after the base (no {@code , = : " * ?} or line break in the default base)
     * @throws IllegalArgumentException if null or not valid there
     */
    public void setJmxNamePrefix(final String jmxNamePrefix) {
        if (jmxNamePrefix == null) {
            throw new IllegalArgumentException("jmxNamePrefix must not be null");
        }
        checkObjectName(jmxNameBase != null ? jmxNameBase : DEFAULT_JMX_NAME_BASE, jmxNamePrefix, "jmxNamePrefix",
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

    @Override
    public MagazineObjectPoolConfig clone() {
        return (MagazineObjectPoolConfig) super.clone();
    }

    @Override
    public String toString() {
        return "MagazineObjectPoolConfig[maxTotal=" + maxTotal + ", maxIdle=" + maxIdle + ", minIdle=" + minIdle
                + ", " + sharedSettings() + ", testWhileIdle=" + testWhileIdle
                + ", timeBetweenEvictionRuns=" + timeBetweenEvictionRuns + ", minEvictableIdleDuration="
                + minEvictableIdleDuration + ", softMinEvictableIdleDuration=" + softMinEvictableIdleDuration
                + ", numTestsPerEvictionRun=" + numTestsPerEvictionRun + ", evictionPolicy=" + evictionPolicy
                + ", evictionPolicyClassName=" + evictionPolicyClassName + ", lifo=" + lifo + ", fairness=" + fairness
                + ", jmxEnabled=" + jmxEnabled
                + ", jmxNameBase=" + jmxNameBase + ", jmxNamePrefix=" + jmxNamePrefix + ']';
    }
}
