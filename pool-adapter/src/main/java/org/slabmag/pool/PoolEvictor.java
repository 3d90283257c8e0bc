package org.slabmag.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.pool2.impl.EvictionConfig;
import org.apache.commons.pool2.impl.EvictionPolicy;
import org.slabmag.internal.Reclaimer;
import org.slabmag.pool.internal.IdleObjectView;
import org.slabmag.pool.internal.Magazine;
import org.slabmag.pool.internal.PoolEntry;

/**
 * The evictor of one {@link MagazineObjectPool}, as {@code GenericObjectPool}'s: every
 * {@code timeBetweenEvictionRuns} it advances the pool clock, removes abandoned objects (if configured), tests up
 * to {@code numTestsPerEvictionRun} idle objects (negative: {@code ceil(idle / -n)}), destroying those the
 * {@link EvictionPolicy} selects or that fail {@code testWhileIdle} (activate, validate, passivate), then adds idle
 * objects up to {@code min(minIdle, maxIdle)}. It runs on core's shared daemon maintenance thread
 * ({@link Reclaimer}), never on a borrow or return path.
 *
 * <p>It reaches idle objects in every thread's magazines by claiming their entries from {@code IDLE} into
 * {@code EVICTING} with a compare-and-set (a borrower that meets such an entry skips it, a waiting borrower retries
 * shortly); survivors are released back to {@code IDLE} and parked in the depot, since the magazine that held them
 * may have dropped its reference meanwhile. Successive runs continue where the last one stopped, over a snapshot of
 * the pool's objects.
 *
 * <p>Thread-safety: {@link #configure} and {@link #stop} are called under the pool's lock; a run happens on the
 * maintenance thread only, never twice at once, and reads the settings through one volatile reference.
 * Memory effects: as for any claim of an entry (see {@link PoolEntry}).
 *
 * @param <T> the type of pooled object
 */
final class PoolEvictor<T> {
    /** The policy used when the configuration names none. */
    static final String DEFAULT_POLICY = "org.apache.commons.pool2.impl.DefaultEvictionPolicy";

    private final MagazineObjectPool<T> pool;
    /** The settings in force; replaced whole. */
    private volatile Settings<T> settings;
    /** The registered task, held strongly here because the maintenance thread holds it weakly; null when off. */
    private Run current;
    /** Where the next run starts in the snapshot of objects; maintenance thread only. */
    private int cursor;

    PoolEvictor(final MagazineObjectPool<T> pool) {
        this.pool = pool;
    }

    /**
     * Resolves the eviction policy of a configuration: its policy object, else an instance of its class name.
     *
     * @return the policy
     * @throws IllegalArgumentException if the class cannot be loaded, instantiated, or is no {@code EvictionPolicy}
     */
    @SuppressWarnings("unchecked")
    static <T> EvictionPolicy<T> policyOf(final MagazineObjectPoolConfig c) {
        if (c.getEvictionPolicy() != null) {
            return (EvictionPolicy<T>) c.getEvictionPolicy();
        }
        final String name = c.getEvictionPolicyClassName();
        try {
            Class<?> type;
            try {
                type = Class.forName(name, true, Thread.currentThread().getContextClassLoader());
            } catch (final ClassNotFoundException | NullPointerException notThere) {
                type = Class.forName(name, true, PoolEvictor.class.getClassLoader());
            }
            final Object policy = type.getConstructor().newInstance();
            if (!(policy instanceof EvictionPolicy)) {
                throw new IllegalArgumentException("evictionPolicyClassName " + name + " is not an EvictionPolicy");
            }
            return (EvictionPolicy<T>) policy;
        } catch (final ReflectiveOperationException | LinkageError e) {
            throw new IllegalArgumentException("cannot instantiate evictionPolicyClassName " + name, e);
        }
    }

    /** Takes a new configuration (under the pool's lock); starts, restarts or stops the runs as needed. */
    void configure(final MagazineObjectPoolConfig c) {
        final Settings<T> previous = settings;
        final Settings<T> next = new Settings<>(c, policyOf(c));
        settings = next;
        if (previous != null && previous.periodNanos == next.periodNanos && (current != null) == (next.periodNanos > 0)) {
            return;
        }
        current = null;
        if (next.periodNanos > 0 && !pool.isClosed()) {
            current = new Run();
            Reclaimer.register(current, next.periodNanos);
        }
    }

    /** Stops the runs (under the pool's lock, or after the pool is closed). */
    void stop() {
        current = null;
    }

    /** @return whether runs are scheduled */
    boolean isRunning() {
        return current != null;
    }

    /** One registration with the maintenance thread; dropped when it is no longer the current one. */
    private final class Run implements Reclaimer.Task {
        @Override
        public boolean run() {
            if (current != this || pool.isClosed()) {
                return false;
            }
            runOnce();
            return true;
        }
    }

    /** One evictor run; maintenance thread only. */
    void runOnce() {
        final long now = System.nanoTime();
        pool.tick(now);
        final AbandonedTracking ab = pool.abandonedTracking();
        if (ab != null && ab.removeOnMaintenance()) {
            pool.removeAbandoned(ab);
        }
        evict(settings, now);
        try {
            pool.ensureIdle(true);
        } catch (final Exception e) {
            if (!pool.isClosed()) {
                pool.swallow(e);
            }
        }
    }

    private void evict(final Settings<T> s, final long now) {
        int idle = pool.getNumIdle();
        if (idle == 0 || s.numTests == 0) {
            return;
        }
        final int tests = s.numTests >= 0 ? Math.min(s.numTests, idle)
                : (int) Math.ceil(idle / (double) -s.numTests);
        final List<PoolEntry<T>> all = new ArrayList<>();
        pool.forEachEntry(all::add);
        final int n = all.size();
        final MagazineObjectPoolConfig c = pool.config();
        final int minIdle = c.getMaxIdle() < 0 ? c.getMinIdle() : Math.min(c.getMinIdle(), c.getMaxIdle());
        final EvictionConfig ec = new EvictionConfig(s.minEvictableIdle, s.softMinEvictableIdle, minIdle);
        Magazine<T> spill = pool.newMagazine();
        final int start = n == 0 ? 0 : cursor % n;
        int done = 0;
        for (int k = 0; k < n && done < tests; k++) {
            final int i = (start + k) % n;
            final PoolEntry<T> e = all.get(i);
            if (!e.tryClaimForEviction()) {
                continue;
            }
            done++;
            cursor = i + 1;
            if (shouldEvict(s, ec, e, now, idle) || s.testWhileIdle && !passesIdleTest(e) || pool.isClosed()) {
                pool.destroyEvicted(e);
                idle--;
                continue;
            }
            if (!spill.offer(e)) {
                pool.deposit(spill);
                spill = pool.newMagazine();
                spill.offer(e);
            }
            e.release();
        }
        pool.deposit(spill);
        pool.signalWaiters();
    }

    private boolean shouldEvict(final Settings<T> s, final EvictionConfig ec, final PoolEntry<T> e, final long now,
                                final int idle) {
        try {
            return s.policy.evict(ec, new IdleObjectView<>(e, now, s.periodNanos), idle);
        } catch (final RuntimeException ex) {
            pool.swallow(ex);
            return false;
        }
    }

    /** testWhileIdle: activate, validate, passivate, as {@code GenericObjectPool}'s evictor does. */
    private boolean passesIdleTest(final PoolEntry<T> e) {
        try {
            pool.getFactory().activateObject(e.pooled());
        } catch (final Exception ex) {
            pool.swallow(ex);
            return false;
        }
        if (pool.validate(e) != null) {
            return false;
        }
        try {
            pool.getFactory().passivateObject(e.pooled());
        } catch (final Exception ex) {
            pool.swallow(ex);
            return false;
        }
        return true;
    }

    /** The evictor's settings from one configuration. Immutable. */
    private static final class Settings<T> {
        final long periodNanos;
        final int numTests;
        final boolean testWhileIdle;
        final Duration minEvictableIdle;
        final Duration softMinEvictableIdle;
        final EvictionPolicy<T> policy;

        Settings(final MagazineObjectPoolConfig c, final EvictionPolicy<T> policy) {
            final long p = MagazineObjectPool.nanos(c.getTimeBetweenEvictionRuns());
            this.periodNanos = p < 0 ? 0 : p;
            this.numTests = c.getNumTestsPerEvictionRun();
            this.testWhileIdle = c.getTestWhileIdle();
            this.minEvictableIdle = c.getMinEvictableIdleDuration();
            this.softMinEvictableIdle = c.getSoftMinEvictableIdleDuration();
            this.policy = policy;
        }
    }
}
