package org.slabmag.pool;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Helpers for tests of the evictor: waiting on conditions with a deadline, and counting evictor runs. */
final class EvictorTesting {
    /** How long a test waits for something that should happen within a few evictor runs. */
    static final Duration DEADLINE = Duration.ofSeconds(20);

    private EvictorTesting() {
    }

    /**
     * Waits until {@code condition} holds, polling; fails after {@link #DEADLINE}.
     *
     * @param condition what to wait for
     * @param what      what the failure message says did not happen
     * @throws InterruptedException if interrupted
     */
    static void await(final BooleanSupplier condition, final String what) throws InterruptedException {
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, "timed out waiting: " + what);
            Thread.sleep(2);
        }
    }

    /**
     * Waits until {@code runs} evictor runs have completed since this call: the pool clock, which each run sets to
     * its start time, has advanced {@code runs + 1} times (runs are sequential, so a run has ended when the next
     * one has started).
     *
     * @param pool a pool whose evictor runs
     * @param runs the runs to wait for
     * @throws InterruptedException if interrupted
     */
    static void awaitRuns(final MagazineObjectPool<?> pool, final int runs) throws InterruptedException {
        long seen = System.nanoTime();
        for (int i = 0; i <= runs; i++) {
            final long before = seen;
            await(() -> pool.clock() - before > 0, "evictor run " + i);
            seen = pool.clock();
        }
    }

    /**
     * Waits until {@code runs} runs of a keyed pool's evictor have completed since this call (the one in progress,
     * if any, not counted).
     *
     * @param pool a keyed pool whose evictor runs
     * @param runs the runs to wait for
     * @throws InterruptedException if interrupted
     */
    static void awaitRuns(final MagazineKeyedObjectPool<?, ?> pool, final int runs) throws InterruptedException {
        final long target = pool.evictor().runs() + runs + 1;
        await(() -> pool.evictor().runs() >= target, runs + " keyed evictor runs");
    }

    /**
     * @param period the evictor's period
     * @return a keyed configuration with no JMX, no limit on idle objects, 16 objects per key at most, the evictor
     *         every {@code period} testing every idle object, and a default eviction policy that evicts nothing
     */
    static MagazineKeyedObjectPoolConfig keyedEvicting(final Duration period) {
        final MagazineKeyedObjectPoolConfig c = new MagazineKeyedObjectPoolConfig();
        c.setJmxEnabled(false);
        c.setMaxTotalPerKey(16);
        c.setMaxIdlePerKey(-1);
        c.setTimeBetweenEvictionRuns(period);
        c.setNumTestsPerEvictionRun(-1);
        c.setMinEvictableIdleDuration(Duration.ofHours(1));
        return c;
    }

    /**
     * @param period the evictor's period
     * @return a configuration with no JMX, no limit on idle objects, 16 objects at most, the evictor every
     *         {@code period} testing every idle object, and a default eviction policy that evicts nothing
     */
    static MagazineObjectPoolConfig evicting(final Duration period) {
        final MagazineObjectPoolConfig c = new MagazineObjectPoolConfig();
        c.setJmxEnabled(false);
        c.setMaxTotal(16);
        c.setMaxIdle(-1);
        c.setTimeBetweenEvictionRuns(period);
        c.setNumTestsPerEvictionRun(-1);
        c.setMinEvictableIdleDuration(Duration.ofHours(1));
        return c;
    }

    /** @return milliseconds in nanoseconds */
    static long millis(final long ms) {
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }
}
