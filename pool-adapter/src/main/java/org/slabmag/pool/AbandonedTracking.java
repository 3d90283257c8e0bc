package org.slabmag.pool;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;

import org.apache.commons.pool2.impl.AbandonedConfig;

/**
 * A pool's abandoned-object settings ({@link AbandonedConfig}, copied) and the logging of a removal, as
 * {@code GenericObjectPool} prints it. Immutable apart from the log writer, which is used under its own lock.
 */
final class AbandonedTracking {
    private final AbandonedConfig config;
    private final long timeoutNanos;

    AbandonedTracking(final AbandonedConfig config) {
        this.config = AbandonedConfig.copy(config);
        this.timeoutNanos = MagazineObjectPool.nanos(config.getRemoveAbandonedTimeoutDuration());
    }

    /** @return a copy of the settings */
    AbandonedConfig config() {
        return AbandonedConfig.copy(config);
    }

    boolean removeOnBorrow() {
        return config.getRemoveAbandonedOnBorrow();
    }

    boolean removeOnMaintenance() {
        return config.getRemoveAbandonedOnMaintenance();
    }

    boolean logAbandoned() {
        return config.getLogAbandoned();
    }

    Duration timeout() {
        return config.getRemoveAbandonedTimeoutDuration();
    }

    /** @return the timeout in nanoseconds; -1 (negative) makes every object on loan abandoned, as in GOP */
    long timeoutNanos() {
        return timeoutNanos;
    }

    /**
     * Prints the borrow's stack trace, if logging is on and one was recorded.
     *
     * @param object the abandoned object
     * @param trace  the trace recorded when it was borrowed, or null
     */
    void log(final Object object, final Throwable trace) {
        if (!config.getLogAbandoned() || trace == null) {
            return;
        }
        final PrintWriter w = config.getLogWriter();
        synchronized (w) {
            w.println("Pooled object " + object + " abandoned (found at " + Instant.now()
                    + "); it was borrowed by the following code and not returned to the pool:");
            trace.printStackTrace(w);
            w.flush();
        }
    }
}
