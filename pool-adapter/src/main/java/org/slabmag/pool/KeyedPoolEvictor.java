package org.slabmag.pool;

import java.util.ArrayList;
import java.util.List;

import org.apache.commons.pool2.impl.EvictionConfig;
import org.slabmag.internal.Reclaimer;
import org.slabmag.pool.internal.Magazine;
import org.slabmag.pool.internal.PoolEntry;

/**
 * The evictor of a {@link MagazineKeyedObjectPool}, as {@code GenericKeyedObjectPool}'s: one task on core's shared
 * maintenance thread ({@link Reclaimer}) drives the evictors of all keys' pools, which have no timer of their own.
 * Every {@code timeBetweenEvictionRuns} a run
 * <ol>
 * <li>advances the pool clock of every key's pool ({@link PoolEvictor#beginRun()});</li>
 * <li>tests {@code numTestsPerEvictionRun} idle objects across keys (negative {@code n}: {@code ceil(idle / -n)} of
 * the idle objects of all keys), cycling through the keys and, within a key, through its idle objects oldest
 * first, going on in the next run where this one stopped; each object is shown to the {@code EvictionPolicy} with
 * its key's idle count and an {@link EvictionConfig} of {@code minEvictableIdleDuration},
 * {@code softMinEvictableIdleDuration} and {@code minIdlePerKey}, and, if kept and {@code testWhileIdle}, is
 * activated, validated and passivated ({@link PoolEvictor#evictOrKeep}); an object a borrower takes first is
 * skipped and not counted, as in {@code GenericKeyedObjectPool};</li>
 * <li>removes abandoned objects of every key, if the abandoned configuration asks for it on maintenance;</li>
 * <li>adds idle objects to every key up to {@code minIdlePerKey} (capped by {@code maxIdlePerKey}), within
 * {@code maxTotalPerKey} and {@code maxTotal} (it never destroys other keys' objects to make room); the first
 * factory exception ends this step for the run, as in {@code GenericKeyedObjectPool}.</li>
 * </ol>
 * A key whose last object is destroyed leaves the pool as after any other destruction. The evictor keeps a key
 * from being dropped while it works on it, by counting itself as a call in progress on the key.
 *
 * <p>Thread-safety: {@link #start()} and {@link #stop()} are called by the pool's constructor and {@code close()};
 * a run happens on the maintenance thread only, never twice at once, and the state that carries over from one run
 * to the next is that thread's alone. Memory effects: as for any claim of an entry (see {@link PoolEntry}).
 *
 * @param <K> the type of keys
 * @param <V> the type of pooled objects
 */
final class KeyedPoolEvictor<K, V> {
    private final MagazineKeyedObjectPool<K, V> owner;
    private final long periodNanos;
    private final int numTests;
    private final EvictionConfig evictionConfig;
    /** {@code minIdlePerKey}, capped by a non-negative {@code maxIdlePerKey}. */
    private final int minIdlePerKey;
    /**
     * The registered task, held strongly here because the maintenance thread holds it weakly; null when off.
     * Volatile, so that a stopped task sees it.
     */
    private volatile Run current;
    /** Runs completed; for tests. */
    private volatile long runs;

    /** The keys being cycled through, a snapshot; maintenance thread only. */
    private List<MagazineKeyedObjectPool<K, V>.KeyPool> keys = new ArrayList<>();
    /** The next key of {@link #keys} to visit; maintenance thread only. */
    private int keyIndex;
    /** The key whose idle objects are being tested, if any; maintenance thread only. */
    private Visit visit;

    /**
     * Creates the evictor of a keyed pool, stopped.
     *
     * @param owner  the pool
     * @param config the pool's configuration, which nobody changes
     */
    KeyedPoolEvictor(final MagazineKeyedObjectPool<K, V> owner, final MagazineKeyedObjectPoolConfig config) {
        this.owner = owner;
        final long p = MagazineObjectPool.nanos(config.getTimeBetweenEvictionRuns());
        this.periodNanos = p < 0 ? 0 : p;
        this.numTests = config.getNumTestsPerEvictionRun();
        this.minIdlePerKey = config.getMaxIdlePerKey() < 0 ? config.getMinIdlePerKey()
                : Math.min(config.getMinIdlePerKey(), config.getMaxIdlePerKey());
        this.evictionConfig = new EvictionConfig(config.getMinEvictableIdleDuration(),
                config.getSoftMinEvictableIdleDuration(), minIdlePerKey);
    }

    /** {@return whether the configuration asks for runs: a positive {@code timeBetweenEvictionRuns}} */
    boolean isEnabled() {
        return periodNanos > 0;
    }

    /** Starts the runs, if enabled; the keys' pools must have been started with {@link PoolEvictor#startDriven()}. */
    void start() {
        if (periodNanos > 0) {
            current = new Run();
            Reclaimer.register(current, periodNanos);
        }
    }

    /** Stops the runs; a run in progress finishes. */
    void stop() {
        current = null;
    }

    /** @return whether runs are scheduled */
    boolean isRunning() {
        return current != null;
    }

    /** @return the runs completed so far; for tests */
    long runs() {
        return runs;
    }

    /** One registration with the maintenance thread; dropped when it is no longer the current one. */
    private final class Run implements Reclaimer.Task {
        @Override
        public boolean run() {
            if (current != this || owner.isClosed()) {
                return false;
            }
            runOnce();
            return true;
        }
    }

    /** One evictor run; maintenance thread only. */
    void runOnce() {
        for (final MagazineKeyedObjectPool<K, V>.KeyPool kp : owner.keyPools()) {
            kp.pool.evictor().beginRun();
        }
        evict();
        final AbandonedTracking ab = owner.abandonedTracking();
        if (ab != null && ab.removeOnMaintenance()) {
            owner.removeAbandoned(ab);
        }
        ensureMinIdle();
        runs++;
    }

    /** Tests up to the run's number of idle objects across keys, going on where the last run stopped. */
    private void evict() {
        if (numTests == 0) {
            return;
        }
        int idle = 0;
        for (final MagazineKeyedObjectPool<K, V>.KeyPool kp : owner.keyPools()) {
            idle += kp.pool.getNumIdle();
        }
        if (idle == 0) {
            return;
        }
        final int tests = numTests >= 0 ? Math.min(numTests, idle) : (int) Math.ceil(idle / (double) -numTests);
        // Bounds the keys visited in one run, so that a run whose every claim loses to a borrower still ends.
        final int maxVisits = 2 * (owner.keyPools().size() + 1);
        int visits = 0;
        int done = 0;
        if (visit != null && !visit.resume()) {
            visit = null;
        }
        try {
            while (done < tests) {
                if (visit == null) {
                    if (visits++ >= maxVisits) {
                        return;
                    }
                    visit = nextVisit();
                    if (visit == null) {
                        return;
                    }
                }
                final PoolEntry<V> e = visit.next();
                if (e == null) {
                    visit.pause();
                    visit = null;
                    continue;
                }
                if (e.tryClaimForEviction()) {
                    done++;
                    visit.test(e);
                }
            }
        } finally {
            if (visit != null) {
                visit.pause();
            }
        }
    }

    /**
     * Starts the visit of the next key that has idle objects, taking a new snapshot of the keys at the end of the
     * last one (once).
     *
     * @return a visit in progress (its key entered), or null if no key has idle objects
     */
    private Visit nextVisit() {
        boolean refreshed = false;
        for (;;) {
            if (keyIndex >= keys.size()) {
                if (refreshed) {
                    return null;
                }
                keys = new ArrayList<>(owner.keyPools());
                keyIndex = 0;
                refreshed = true;
                continue;
            }
            final MagazineKeyedObjectPool<K, V>.KeyPool kp = keys.get(keyIndex++);
            if (!kp.enter()) {
                continue; // dropped since the snapshot
            }
            final List<PoolEntry<V>> idle = oldestIdleFirst(kp.pool);
            if (idle.isEmpty()) {
                kp.leave();
                continue;
            }
            final Visit v = new Visit(kp, idle);
            v.begin();
            return v;
        }
    }

    /**
     * {@return the idle entries of a pool, the longest idle first (by the stamp each got as it became idle)}
     *
     * @param pool a pool
     */
    static <T> List<PoolEntry<T>> oldestIdleFirst(final MagazineObjectPool<T> pool) {
        final List<Stamped<T>> found = new ArrayList<>();
        pool.forEachEntry(e -> {
            if (e.state() == PoolEntry.IDLE) {
                found.add(new Stamped<>(e, e.returnedAt()));
            }
        });
        found.sort(Stamped::olderFirst);
        final List<PoolEntry<T>> sorted = new ArrayList<>(found.size());
        for (final Stamped<T> s : found) {
            sorted.add(s.entry);
        }
        return sorted;
    }

    /**
     * An idle entry and the stamp read when it was found idle, so that a sort compares values that do not change
     * under it.
     *
     * @param <T> the type of pooled object
     */
    static final class Stamped<T> {
        final PoolEntry<T> entry;
        final long stamp;

        Stamped(final PoolEntry<T> entry, final long stamp) {
            this.entry = entry;
            this.stamp = stamp;
        }

        /** Orders by stamp, oldest first; stamps are {@link System#nanoTime()} readings, compared by difference. */
        static int olderFirst(final Stamped<?> a, final Stamped<?> b) {
            return Long.signum(a.stamp - b.stamp);
        }
    }

    /** Adds idle objects to every key up to {@code minIdlePerKey}; the first exception ends the step. */
    private void ensureMinIdle() {
        if (minIdlePerKey < 1) {
            return;
        }
        for (final MagazineKeyedObjectPool<K, V>.KeyPool kp : owner.keyPools()) {
            if (owner.isClosed()) {
                return;
            }
            if (!kp.enter()) {
                continue;
            }
            try {
                kp.pool.ensureIdle(true);
            } catch (final Exception e) {
                if (!owner.isClosed()) {
                    owner.swallow(e);
                }
                return;
            } finally {
                kp.leave();
                owner.wakeWaiters();
            }
        }
    }

    /**
     * The evictor's pass over the idle objects of one key, as they were when it began, oldest first; it may span
     * runs. While a run works on it the key is entered (counted as a call in progress), and the survivors of the
     * run's tests collect in a magazine that goes to the key's depot when the run leaves the key.
     */
    private final class Visit {
        final MagazineKeyedObjectPool<K, V>.KeyPool kp;
        final PoolEvictor<V> evictor;
        final List<PoolEntry<V>> entries;
        int index;
        /** The key's idle objects, as the policy is to see them. */
        int idle;
        /** The start of the current run of the key's pool. */
        long now;
        Magazine<V> spill;

        Visit(final MagazineKeyedObjectPool<K, V>.KeyPool kp, final List<PoolEntry<V>> entries) {
            this.kp = kp;
            this.evictor = kp.pool.evictor();
            this.entries = entries;
        }

        /** Begins the work of a run on an entered key. */
        void begin() {
            idle = kp.pool.getNumIdle();
            now = evictor.runStart();
            spill = kp.pool.newMagazine();
        }

        /** @return whether a visit left by an earlier run could enter its key again, and began */
        boolean resume() {
            if (!kp.enter()) {
                return false;
            }
            begin();
            return true;
        }

        /** @return the next entry to try, or null when the pass is over */
        PoolEntry<V> next() {
            return index < entries.size() ? entries.get(index++) : null;
        }

        /** Tests an entry claimed for eviction: destroys it or parks it. */
        void test(final PoolEntry<V> e) {
            if (evictor.evictOrKeep(evictionConfig, e, now, idle)) {
                idle--;
            } else {
                spill = evictor.keep(spill, e);
            }
        }

        /** Ends the run's work on the key: the survivors go to its depot, its waiters are woken, it is left. */
        void pause() {
            kp.pool.deposit(spill);
            spill = null;
            kp.pool.signalWaiters();
            kp.leave();
            owner.wakeWaiters();
        }
    }
}
