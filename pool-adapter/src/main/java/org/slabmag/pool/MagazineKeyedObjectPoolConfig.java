package org.slabmag.pool;

import java.time.Duration;
import java.util.Objects;

import org.apache.commons.pool2.impl.GenericKeyedObjectPoolConfig;

/**
 * The configuration of a {@link MagazineKeyedObjectPool}. Where a setting shares its name with
 * {@link GenericKeyedObjectPoolConfig} it has the same default and meaning, except as noted on
 * {@link #setMaxIdlePerKey}:
 * <table>
 * <caption>Settings</caption>
 * <tr><th>setting</th><th>default</th></tr>
 * <tr><td>maxTotalPerKey</td><td>8 (negative: no limit)</td></tr>
 * <tr><td>maxIdlePerKey</td><td>8 (negative: no limit)</td></tr>
 * <tr><td>minIdlePerKey</td><td>0 (kept by {@link MagazineKeyedObjectPool#preparePool(Object)} and the evictor,
 * capped by maxIdlePerKey)</td></tr>
 * <tr><td>maxTotal</td><td>-1: no limit across keys</td></tr>
 * <tr><td>blockWhenExhausted</td><td>true</td></tr>
 * <tr><td>maxWait</td><td>-1 ms: wait forever</td></tr>
 * <tr><td>testOnCreate, testOnBorrow, testOnReturn</td><td>false</td></tr>
 * <tr><td>testWhileIdle</td><td>false</td></tr>
 * <tr><td>timeBetweenEvictionRuns</td><td>-1 ms: no evictor</td></tr>
 * <tr><td>minEvictableIdleDuration</td><td>30 min</td></tr>
 * <tr><td>softMinEvictableIdleDuration</td><td>-1 ms: none</td></tr>
 * <tr><td>numTestsPerEvictionRun</td><td>3, across all keys (negative: {@code ceil(idle / -n)} of all keys' idle
 * objects)</td></tr>
 * <tr><td>evictionPolicy / evictionPolicyClassName</td><td>null / {@code DefaultEvictionPolicy} (one instance for
 * all keys)</td></tr>
 * <tr><td>lifo</td><td>true (false is refused, see {@link #setLifo})</td></tr>
 * <tr><td>fairness</td><td>false (see {@link #setFairness})</td></tr>
 * <tr><td>swallowedExceptionListener</td><td>none</td></tr>
 * <tr><td>jmxEnabled</td><td>true</td></tr>
 * <tr><td>jmxNameBase</td><td>null: {@value #DEFAULT_JMX_NAME_BASE}</td></tr>
 * <tr><td>jmxNamePrefix</td><td>{@code pool}</td></tr>
 * <tr><td>magazineSize</td><td>16 (no counterpart)</td></tr>
 * </table>
 * Abandoned-object tracking is set on the pool, as on {@code GenericKeyedObjectPool}
 * ({@link MagazineKeyedObjectPool#setAbandonedConfig}). The evictor runs as {@code GenericKeyedObjectPool}'s, and
 * the JMX settings register the pool as {@code GenericKeyedObjectPool} does (see {@link MagazineKeyedObjectPool}).
 * The settings shared with {@link MagazineObjectPoolConfig} are those of {@link BaseMagazinePoolConfig}.
 * {@link #from(GenericKeyedObjectPoolConfig)} copies every setting of {@link GenericKeyedObjectPoolConfig} that
 * has a counterpart here, which is all but {@code evictorShutdownTimeout} (the evictor shares core's maintenance
 * thread, which has no shutdown).
 *
 * <p>Not thread-safe; a pool copies the configuration when it is constructed, so later changes do not affect it.
 */
public final class MagazineKeyedObjectPoolConfig extends BaseMagazinePoolConfig {
    /**
     * The ObjectName base used when {@link #getJmxNameBase()} is null: {@code GenericKeyedObjectPool}'s, so that
     * tools that find Commons Pool pools (Micrometer's {@code CommonsObjectPool2Metrics}, dashboards) find this one.
     */
    public static final String DEFAULT_JMX_NAME_BASE = "org.apache.commons.pool2:type=GenericKeyedObjectPool,name=";

    private int maxTotalPerKey = GenericKeyedObjectPoolConfig.DEFAULT_MAX_TOTAL_PER_KEY;
    private int maxIdlePerKey = GenericKeyedObjectPoolConfig.DEFAULT_MAX_IDLE_PER_KEY;
    private int minIdlePerKey = GenericKeyedObjectPoolConfig.DEFAULT_MIN_IDLE_PER_KEY;
    private int maxTotal = GenericKeyedObjectPoolConfig.DEFAULT_MAX_TOTAL;

    /** Creates a configuration with the defaults listed in the class comment. */
    public MagazineKeyedObjectPoolConfig() {
    }

    /**
     * Copies every setting of a {@link GenericKeyedObjectPoolConfig} that has a counterpart here (all but
     * {@code evictorShutdownTimeout}, see {@link BaseMagazinePoolConfig}).
     *
     * @param config the configuration to copy from
     * @return a new configuration
     * @throws NullPointerException if {@code config} is null
     */
    public static MagazineKeyedObjectPoolConfig from(final GenericKeyedObjectPoolConfig<?> config) {
        Objects.requireNonNull(config, "config");
        final MagazineKeyedObjectPoolConfig c = new MagazineKeyedObjectPoolConfig();
        c.setMaxTotalPerKey(config.getMaxTotalPerKey());
        c.setMaxIdlePerKey(config.getMaxIdlePerKey());
        c.setMinIdlePerKey(config.getMinIdlePerKey());
        c.setMaxTotal(config.getMaxTotal());
        c.copyShared(config);
        return c;
    }

    /**
     * Returns the most objects of one key that exist at once.
     *
     * @return the limit, negative for none
     */
    public int getMaxTotalPerKey() {
        return maxTotalPerKey;
    }

    /**
     * Sets the most objects of one key that exist at once (on loan and idle).
     *
     * @param maxTotalPerKey the limit, negative for none
     */
    public void setMaxTotalPerKey(final int maxTotalPerKey) {
        this.maxTotalPerKey = maxTotalPerKey;
    }

    /**
     * Returns the cap on idle objects of one key.
     *
     * @return the cap, negative for none; see {@link #setMaxIdlePerKey}
     */
    public int getMaxIdlePerKey() {
        return maxIdlePerKey;
    }

    /**
     * Caps the idle objects of one key, as {@link MagazineObjectPoolConfig#setMaxIdle} caps a pool's: exact for the
     * depot, and each thread may keep up to two magazines of idle objects per key besides.
     *
     * @param maxIdlePerKey the cap, negative for none
     */
    public void setMaxIdlePerKey(final int maxIdlePerKey) {
        this.maxIdlePerKey = maxIdlePerKey;
    }

    /**
     * Returns the idle objects {@link MagazineKeyedObjectPool#preparePool(Object)} creates for a key, and the evictor
     * keeps for each key (capped by a non-negative {@code maxIdlePerKey}).
     *
     * @return the number
     */
    public int getMinIdlePerKey() {
        return minIdlePerKey;
    }

    /**
     * Sets the idle objects {@link MagazineKeyedObjectPool#preparePool(Object)} creates for a key, and the evictor
     * keeps for each key (if it runs) and its eviction policy is told of ({@code EvictionConfig.getMinIdle()}).
     * Capped by {@code maxIdlePerKey} unless that is negative (no cap; {@code GenericKeyedObjectPool} takes
     * {@code min(minIdlePerKey, maxIdlePerKey)} even then, which turns {@code minIdlePerKey} off).
     *
     * @param minIdlePerKey the number
     */
    public void setMinIdlePerKey(final int minIdlePerKey) {
        this.minIdlePerKey = minIdlePerKey;
    }

    /**
     * Returns the most objects that exist at once across all keys.
     *
     * @return the limit, negative for none
     */
    public int getMaxTotal() {
        return maxTotal;
    }

    /**
     * Sets the most objects that exist at once across all keys. When it is reached and a key needs a new object,
     * idle objects of other keys are destroyed to make room before the borrower waits.
     *
     * @param maxTotal the limit, negative for none
     */
    public void setMaxTotal(final int maxTotal) {
        this.maxTotal = maxTotal;
    }

    /**
     * Makes the configuration of the pool of one key.
     *
     * @return a configuration with JMX and the evictor off, and the per-key limits as the pool's own
     */
    MagazineObjectPoolConfig perKey() {
        final MagazineObjectPoolConfig c = new MagazineObjectPoolConfig();
        c.setMaxTotal(maxTotalPerKey);
        c.setMaxIdle(maxIdlePerKey);
        c.setMinIdle(minIdlePerKey);
        copySharedTo(c);
        c.setBlockWhenExhausted(false); // the keyed pool does the waiting
        c.setTimeBetweenEvictionRuns(Duration.ofMillis(-1));
        c.setJmxEnabled(false);
        return c;
    }

    /**
     * Copies this configuration.
     *
     * @return the copy
     */
    @Override
    public MagazineKeyedObjectPoolConfig clone() {
        return (MagazineKeyedObjectPoolConfig) super.clone();
    }

    @Override
    String defaultJmxNameBase() {
        return DEFAULT_JMX_NAME_BASE;
    }

    /**
     * Describes the settings.
     *
     * @return the description
     */
    @Override
    public String toString() {
        return "MagazineKeyedObjectPoolConfig[maxTotalPerKey=" + maxTotalPerKey + ", maxIdlePerKey=" + maxIdlePerKey
                + ", minIdlePerKey=" + minIdlePerKey + ", maxTotal=" + maxTotal
                + ", " + sharedSettings() + ']';
    }
}
