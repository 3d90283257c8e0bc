package org.slabmag.pool;

import java.time.Duration;
import java.util.Objects;

import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

import org.apache.commons.pool2.SwallowedExceptionListener;
import org.apache.commons.pool2.impl.BaseObjectPoolConfig;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;

/**
 * The configuration of a {@link MagazineObjectPool}. Where a setting shares its name with
 * {@link GenericObjectPoolConfig} it has the same default and meaning, except as noted on {@link #setMaxIdle}:
 * <table>
 * <caption>Settings</caption>
 * <tr><th>setting</th><th>default</th></tr>
 * <tr><td>maxTotal</td><td>8 (negative: no limit)</td></tr>
 * <tr><td>maxIdle</td><td>8 (negative: no limit)</td></tr>
 * <tr><td>minIdle</td><td>0 (used by {@link MagazineObjectPool#preparePool()})</td></tr>
 * <tr><td>blockWhenExhausted</td><td>true</td></tr>
 * <tr><td>maxWait</td><td>-1 ms: wait forever</td></tr>
 * <tr><td>testOnCreate, testOnBorrow, testOnReturn</td><td>false</td></tr>
 * <tr><td>swallowedExceptionListener</td><td>none</td></tr>
 * <tr><td>jmxEnabled</td><td>true</td></tr>
 * <tr><td>jmxNameBase</td><td>null: {@value #DEFAULT_JMX_NAME_BASE}</td></tr>
 * <tr><td>jmxNamePrefix</td><td>{@code pool}</td></tr>
 * <tr><td>magazineSize</td><td>16 (no counterpart)</td></tr>
 * </table>
 * Settings of {@link GenericObjectPoolConfig} that do not apply: {@code lifo} and {@code fairness} (idle objects
 * are reused most-recently-returned first per thread, and waiting borrowers are served in no particular order),
 * eviction ({@code testWhileIdle}, {@code timeBetweenEvictionRuns}, idle durations) and abandoned-object tracking.
 * The JMX settings register the pool as {@code GenericObjectPool} does (see {@link MagazineObjectPoolMXBean}). Use {@link #from(GenericObjectPoolConfig)} to carry over the settings that do apply.
 *
 * <p>Not thread-safe; a pool copies the configuration when it is constructed, so later changes do not affect it.
 */
public final class MagazineObjectPoolConfig implements Cloneable {
    /** Default {@link #getMagazineSize()}. */
    public static final int DEFAULT_MAGAZINE_SIZE = 16;
    /**
     * The ObjectName base used when {@link #getJmxNameBase()} is null: {@code GenericObjectPool}'s, so that tools
     * that find Commons Pool pools (Micrometer's {@code CommonsObjectPool2Metrics}, dashboards) find this one.
     */
    public static final String DEFAULT_JMX_NAME_BASE = "org.apache.commons.pool2:type=GenericObjectPool,name=";

    private int maxTotal = GenericObjectPoolConfig.DEFAULT_MAX_TOTAL;
    private int maxIdle = GenericObjectPoolConfig.DEFAULT_MAX_IDLE;
    private int minIdle = GenericObjectPoolConfig.DEFAULT_MIN_IDLE;
    private boolean blockWhenExhausted = GenericObjectPoolConfig.DEFAULT_BLOCK_WHEN_EXHAUSTED;
    private Duration maxWait = GenericObjectPoolConfig.DEFAULT_MAX_WAIT;
    private boolean testOnCreate = GenericObjectPoolConfig.DEFAULT_TEST_ON_CREATE;
    private boolean testOnBorrow = GenericObjectPoolConfig.DEFAULT_TEST_ON_BORROW;
    private boolean testOnReturn = GenericObjectPoolConfig.DEFAULT_TEST_ON_RETURN;
    private SwallowedExceptionListener swallowedExceptionListener;
    private int magazineSize = DEFAULT_MAGAZINE_SIZE;
    private boolean jmxEnabled = BaseObjectPoolConfig.DEFAULT_JMX_ENABLE;
    private String jmxNameBase;
    private String jmxNamePrefix = BaseObjectPoolConfig.DEFAULT_JMX_NAME_PREFIX;

    /**
     * Copies the settings that apply from a {@link GenericObjectPoolConfig}.
     *
     * @param config the configuration to copy from
     * @return a new configuration
     */
    public static MagazineObjectPoolConfig from(final GenericObjectPoolConfig<?> config) {
        final MagazineObjectPoolConfig c = new MagazineObjectPoolConfig();
        c.setMaxTotal(config.getMaxTotal());
        c.setMaxIdle(config.getMaxIdle());
        c.setMinIdle(config.getMinIdle());
        c.setBlockWhenExhausted(config.getBlockWhenExhausted());
        c.setMaxWait(config.getMaxWaitDuration());
        c.setTestOnCreate(config.getTestOnCreate());
        c.setTestOnBorrow(config.getTestOnBorrow());
        c.setTestOnReturn(config.getTestOnReturn());
        c.setJmxEnabled(config.getJmxEnabled());
        c.setJmxNameBase(config.getJmxNameBase());
        c.setJmxNamePrefix(config.getJmxNamePrefix());
        return c;
    }

    /** @return the most objects the pool holds at once (on loan and idle), negative for no limit */
    public int getMaxTotal() {
        return maxTotal;
    }

    /** @param maxTotal see {@link #getMaxTotal()} */
    public void setMaxTotal(final int maxTotal) {
        this.maxTotal = maxTotal;
    }

    /** @return the cap on idle objects, negative for no limit; see {@link #setMaxIdle} */
    public int getMaxIdle() {
        return maxIdle;
    }

    /**
     * Caps idle objects. The cap is exact for the depot shared by all threads; in addition each thread keeps up to
     * two magazines of idle objects, and magazines are sized {@code min(magazineSize, max(1, maxIdle / 2))} so that
     * one thread alone stays within the cap (for {@code maxIdle >= 2}). Idle objects beyond the cap are destroyed
     * as they are returned.
     *
     * @param maxIdle the cap, negative for no limit
     */
    public void setMaxIdle(final int maxIdle) {
        this.maxIdle = maxIdle;
    }

    /** @return the idle objects {@link MagazineObjectPool#preparePool()} creates */
    public int getMinIdle() {
        return minIdle;
    }

    /** @param minIdle see {@link #getMinIdle()} */
    public void setMinIdle(final int minIdle) {
        this.minIdle = minIdle;
    }

    /** @return whether a borrower waits (up to {@link #getMaxWait()}) when the pool is exhausted, else fails */
    public boolean getBlockWhenExhausted() {
        return blockWhenExhausted;
    }

    /** @param blockWhenExhausted see {@link #getBlockWhenExhausted()} */
    public void setBlockWhenExhausted(final boolean blockWhenExhausted) {
        this.blockWhenExhausted = blockWhenExhausted;
    }

    /** @return how long a borrower waits when the pool is exhausted; negative: forever */
    public Duration getMaxWait() {
        return maxWait;
    }

    /** @param maxWait see {@link #getMaxWait()} */
    public void setMaxWait(final Duration maxWait) {
        this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
    }

    /** @return whether new objects are validated before their first use */
    public boolean getTestOnCreate() {
        return testOnCreate;
    }

    /** @param testOnCreate see {@link #getTestOnCreate()} */
    public void setTestOnCreate(final boolean testOnCreate) {
        this.testOnCreate = testOnCreate;
    }

    /** @return whether objects are validated after activation when borrowed */
    public boolean getTestOnBorrow() {
        return testOnBorrow;
    }

    /** @param testOnBorrow see {@link #getTestOnBorrow()} */
    public void setTestOnBorrow(final boolean testOnBorrow) {
        this.testOnBorrow = testOnBorrow;
    }

    /** @return whether objects are validated before passivation when returned */
    public boolean getTestOnReturn() {
        return testOnReturn;
    }

    /** @param testOnReturn see {@link #getTestOnReturn()} */
    public void setTestOnReturn(final boolean testOnReturn) {
        this.testOnReturn = testOnReturn;
    }

    /** @return the listener told of factory exceptions the pool cannot propagate, or null */
    public SwallowedExceptionListener getSwallowedExceptionListener() {
        return swallowedExceptionListener;
    }

    /** @param listener see {@link #getSwallowedExceptionListener()}; null for none */
    public void setSwallowedExceptionListener(final SwallowedExceptionListener listener) {
        this.swallowedExceptionListener = listener;
    }

    /** @return the capacity of a magazine before the {@code maxIdle} clamp (see {@link #setMaxIdle}) */
    public int getMagazineSize() {
        return magazineSize;
    }

    /**
     * @param magazineSize the number of idle objects a magazine holds; larger magazines visit the depot less often
     *                     and keep more idle objects per thread
     * @throws IllegalArgumentException if less than 1
     */
    public void setMagazineSize(final int magazineSize) {
        if (magazineSize < 1) {
            throw new IllegalArgumentException("magazineSize must be at least 1: " + magazineSize);
        }
        this.magazineSize = magazineSize;
    }

    /** @return whether the pool registers a {@link MagazineObjectPoolMXBean} in the platform MBean server */
    public boolean getJmxEnabled() {
        return jmxEnabled;
    }

    /** @param jmxEnabled see {@link #getJmxEnabled()} */
    public void setJmxEnabled(final boolean jmxEnabled) {
        this.jmxEnabled = jmxEnabled;
    }

    /** @return the ObjectName base, or null for {@link #DEFAULT_JMX_NAME_BASE} */
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

    /** @return the start of the {@code name=} value */
    public String getJmxNamePrefix() {
        return jmxNamePrefix;
    }

    /**
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
        try {
            return (MagazineObjectPoolConfig) super.clone();
        } catch (final CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public String toString() {
        return "MagazineObjectPoolConfig[maxTotal=" + maxTotal + ", maxIdle=" + maxIdle + ", minIdle=" + minIdle
                + ", blockWhenExhausted=" + blockWhenExhausted + ", maxWait=" + maxWait
                + ", testOnCreate=" + testOnCreate + ", testOnBorrow=" + testOnBorrow
                + ", testOnReturn=" + testOnReturn + ", magazineSize=" + magazineSize + ", jmxEnabled=" + jmxEnabled
                + ", jmxNameBase=" + jmxNameBase + ", jmxNamePrefix=" + jmxNamePrefix + ']';
    }
}
