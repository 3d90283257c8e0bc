package org.slabmag.pool;

import java.time.Duration;
import java.util.Objects;

import org.apache.commons.pool2.SwallowedExceptionListener;
import org.apache.commons.pool2.impl.BaseObjectPoolConfig;

/**
 * The settings {@link MagazineObjectPoolConfig} and {@link MagazineKeyedObjectPoolConfig} share, as Commons Pool's
 * {@link BaseObjectPoolConfig} holds those of its two configurations: by the same names, with the same defaults
 * and meanings, plus the magazine size, which has no counterpart.
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
    private SwallowedExceptionListener swallowedExceptionListener;
    private int magazineSize = DEFAULT_MAGAZINE_SIZE;

    /** Creates the defaults; for the two configurations only. */
    BaseMagazinePoolConfig() {
    }

    /**
     * Copies the shared settings of a Commons Pool configuration.
     *
     * @param config the configuration to copy from
     */
    final void copyShared(final BaseObjectPoolConfig<?> config) {
        setBlockWhenExhausted(config.getBlockWhenExhausted());
        setMaxWait(config.getMaxWaitDuration());
        setTestOnCreate(config.getTestOnCreate());
        setTestOnBorrow(config.getTestOnBorrow());
        setTestOnReturn(config.getTestOnReturn());
    }

    /**
     * Copies the shared settings to another configuration (of the pool of one key, say).
     *
     * @param target the configuration to copy to
     */
    final void copySharedTo(final BaseMagazinePoolConfig target) {
        target.blockWhenExhausted = blockWhenExhausted;
        target.maxWait = maxWait;
        target.testOnCreate = testOnCreate;
        target.testOnBorrow = testOnBorrow;
        target.testOnReturn = testOnReturn;
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
                + ", testOnBorrow=" + testOnBorrow + ", testOnReturn=" + testOnReturn + ", magazineSize=" + magazineSize;
    }
}
