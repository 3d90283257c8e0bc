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
 * <p>Idle time: entries are stamped, as they become idle, with the pool clock, which each run sets to its start
 * time (reading the clock costs the return path nothing, reading {@link System#nanoTime()} would cost it a good
 * part of its time). The policy is shown a lower bound of the real idle time, counted from the tick that followed
 * the stamp (see {@link #idleNanos}), so an object is never evicted earlier than {@code GenericObjectPool} would
 * evict it, and about one run later; objects that became idle while no evictor ran count as idle from the start
 * of the runs.
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
    /** Ticks remembered exactly; older stamps are bounded with the longest gap seen. */
    private static final int HISTORY = 64;
    /** The policy used when the configuration names none. */
    static final String DEFAULT_POLICY = "org.apache.commons.pool2.impl.DefaultEvictionPolicy";

    private final MagazineObjectPool<T> pool;
    /** The settings in force; replaced whole. */
    private volatile Settings<T> settings;
    /**
     * The registered task, held strongly here because the maintenance thread holds it weakly; null when off.
     * Written under the pool's lock, read by the maintenance thread (volatile, so a stopped task sees it).
     */
    private volatile Run current;
    /** Where the next run starts in the snapshot of objects; maintenance thread only. */
    private int cursor;
    /** The pool clock written when the runs last started; see {@link #idleNanos}. */
    private volatile long startTick;
    /** {@link System#nanoTime()} read just after {@link #startTick} was written; at least the time it was. */
    private volatile long startWritten;
    /** The start of the latest run (the pool clock it wrote), or {@link #startTick} before the first. */
    private volatile long runStart;
    /** The recent clock ticks and the times just after the tick that followed each; maintenance thread only. */
    private final long[] ticks = new long[HISTORY];
    private final long[] nextWritten = new long[HISTORY];
    /** Ticks recorded in total; the latest {@code min(recorded, HISTORY)} are in the arrays. */
    private long recorded;
    /** The longest time from one tick to the time just after the next was written, since the runs started. */
    private long maxGap;

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
    static <T> EvictionPolicy<T> policyOf(final BaseMagazinePoolConfig c) {
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
            start();
            current = new Run();
            Reclaimer.register(current, next.periodNanos);
        }
    }

    /** Starts the runs' clock history: the pool clock from now on counts idle time. */
    private void start() {
        final long now = System.nanoTime();
        pool.tick(now);
        startTick = now;
        runStart = now;
        startWritten = System.nanoTime();
    }

    /**
     * Prepares for runs that another evictor drives (the keyed evictor, for the pools of
     * {@link MagazineKeyedObjectPool}'s keys) through {@link #beginRun()} and {@link #evictOrKeep}, with no timer of
     * this pool's own; called once, before the pool is shared.
     */
    void startDriven() {
        start();
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
        final long now = beginRun();
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

    /**
     * Begins a run: advances the pool clock to now and records the tick it replaces; maintenance thread only.
     *
     * @return the run's start, the new pool clock
     */
    long beginRun() {
        final long now = System.nanoTime();
        final long previous = pool.clock();
        pool.tick(now);
        final long written = System.nanoTime();
        if (previous - startTick >= 0) {
            record(previous, written);
        }
        runStart = now;
        return now;
    }

    /** {@return the start of the latest run, as {@link #beginRun()} returned it (or the runs' start before one)} */
    long runStart() {
        return runStart;
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
            if (evictOrKeep(s, ec, e, now, idle)) {
                idle--;
            } else {
                spill = keep(spill, e);
            }
        }
        pool.deposit(spill);
        pool.signalWaiters();
    }

    /**
     * Tests an idle entry the caller claimed for eviction, with this pool's policy and {@code testWhileIdle}, as
     * {@code GenericKeyedObjectPool}'s evictor tests one of a key's objects; maintenance thread only.
     *
     * @param ec   the policy's settings
     * @param e    an entry in {@link PoolEntry#EVICTING}, owned by the caller
     * @param now  the start of the caller's run of this pool ({@link #runStart()})
     * @param idle the idle objects of this pool, as the policy is to see them (the entry included)
     * @return true if the entry was evicted and destroyed; false if it is kept, still {@code EVICTING}: the caller
     *         then parks it with {@link #keep}
     */
    boolean evictOrKeep(final EvictionConfig ec, final PoolEntry<T> e, final long now, final int idle) {
        return evictOrKeep(settings, ec, e, now, idle);
    }

    private boolean evictOrKeep(final Settings<T> s, final EvictionConfig ec, final PoolEntry<T> e, final long now,
                                final int idle) {
        if (shouldEvict(s, ec, e, now, idle) || s.testWhileIdle && !passesIdleTest(e) || pool.isClosed()) {
            pool.destroyEvicted(e);
            return true;
        }
        return false;
    }

    /**
     * Parks an entry that survived its test: into {@code spill}, which goes to the depot when full, and releases it.
     * The caller hands the last {@code spill} to {@code pool.deposit} when done.
     *
     * @param spill a magazine of this pool that the caller holds
     * @param e     an entry in {@link PoolEntry#EVICTING}, owned by the caller
     * @return the magazine to go on with: {@code spill}, or a new one if it was full
     */
    Magazine<T> keep(final Magazine<T> spill, final PoolEntry<T> e) {
        Magazine<T> m = spill;
        if (!m.offer(e)) {
            pool.deposit(m);
            m = pool.newMagazine();
            m.offer(e);
        }
        e.release();
        return m;
    }

    /** Remembers that the tick after {@code tick} was written by {@code written}. */
    private void record(final long tick, final long written) {
        final int i = (int) (recorded++ % HISTORY);
        ticks[i] = tick;
        nextWritten[i] = written;
        maxGap = Math.max(maxGap, written - tick);
    }

    /**
     * A lower bound of how long an idle entry has been idle. An entry is stamped with the pool clock when it
     * becomes idle (or, while abandoned-object tracking is on, with the exact time), so it became idle before the
     * next tick was written: the bound counts from then. That time is known exactly for the last {@value #HISTORY}
     * ticks, bounded by the longest gap between ticks for older ones, and by the time the runs started for
     * entries stamped before (the clock stands still while no evictor runs).
     *
     * @param stamp the entry's {@link PoolEntry#returnedAt()}
     * @param now   the start of this run
     * @return the idle time in nanoseconds, at least 0 and at most the real idle time
     */
    long idleNanos(final long stamp, final long now) {
        final long since;
        if (stamp - startTick < 0) {
            since = startWritten;
        } else {
            since = becameIdleBy(stamp);
        }
        return Math.max(0, now - since);
    }

    /** @return a time at or after the moment an entry stamped {@code stamp} (not before the start) became idle */
    private long becameIdleBy(final long stamp) {
        final int n = (int) Math.min(recorded, HISTORY);
        long oldest = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            if (ticks[i] == stamp) {
                return nextWritten[i];
            }
            if (oldest == Long.MAX_VALUE || ticks[i] - oldest < 0) {
                oldest = ticks[i];
            }
        }
        if (n == 0 || stamp - oldest > 0) {
            return stamp; // the current tick, or an exact time stamped while tracking
        }
        return stamp + maxGap;
    }

    private boolean shouldEvict(final Settings<T> s, final EvictionConfig ec, final PoolEntry<T> e, final long now,
                                final int idle) {
        try {
            return s.policy.evict(ec, new IdleObjectView<>(e, idleNanos(e.returnedAt(), now)), idle);
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
        final RuntimeException failure = pool.validate(e);
        if (failure != null) {
            if (failure != MagazineObjectPool.INVALID) {
                pool.swallow(failure);
            }
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
