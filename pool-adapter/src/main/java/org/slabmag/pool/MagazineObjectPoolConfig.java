package org.slabmag.pool;

import java.util.Objects;

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
 * The settings shared with {@link MagazineKeyedObjectPoolConfig} are those of {@link BaseMagazinePoolConfig}.
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
        c.setMaxTotal(config.getMaxTotal());
        c.setMaxIdle(config.getMaxIdle());
        c.setMinIdle(config.getMinIdle());
        c.copyShared(config);
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

    @Override
    public MagazineObjectPoolConfig clone() {
        return (MagazineObjectPoolConfig) super.clone();
    }

    @Override
    public String toString() {
        return "MagazineObjectPoolConfig[maxTotal=" + maxTotal + ", maxIdle=" + maxIdle + ", minIdle=" + minIdle
                + ", " + sharedSettings() + ']';
    }

    @Override
    String defaultJmxNameBase() {
        return DEFAULT_JMX_NAME_BASE;
    }
}
