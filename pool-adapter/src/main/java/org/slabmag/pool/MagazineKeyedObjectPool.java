package org.slabmag.pool;

import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import javax.management.ObjectName;

import org.apache.commons.pool2.DestroyMode;
import org.apache.commons.pool2.KeyedObjectPool;
import org.apache.commons.pool2.KeyedPooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.PooledObjectFactory;
import org.apache.commons.pool2.SwallowedExceptionListener;
import org.apache.commons.pool2.UsageTracking;
import org.apache.commons.pool2.impl.AbandonedConfig;
import org.slabmag.pool.internal.PoolEntry;
import org.slabmag.pool.internal.ThreadCounters;

/**
 * A {@link KeyedObjectPool} made of one {@link MagazineObjectPool} per key, with a limit on the objects of all keys
 * together, as {@link org.apache.commons.pool2.impl.GenericKeyedObjectPool} has.
 *
 * <h2>How it works</h2>
 * Each key has its own pool of the key's objects (per-thread magazines and a depot, see {@link MagazineObjectPool}),
 * made when the key is first used and dropped when the key has no objects and no call in progress. Creation in every
 * key's pool asks one shared gate, which enforces {@code maxTotalPerKey} and {@code maxTotal}. When {@code maxTotal}
 * objects exist and a key needs a new one, idle objects of other keys are destroyed to make room, the oldest 15% plus
 * one at a time, as {@code GenericKeyedObjectPool} does (see {@link #clearOldest()}); only when none are idle does
 * the borrower wait, up to {@code maxWait}, for an object of its key to be returned or for room to be freed anywhere.
 * A borrow and a return touch the key's map entry and a per-key counter of calls in progress, besides what
 * {@link MagazineObjectPool} does; while {@code maxTotal} is set a return also reads {@link System#nanoTime()}, to
 * stamp its object's age for {@link #clearOldest()}. A key's pool is made under the pool's lock.
 *
 * <h2>Eviction</h2>
 * With a positive {@code timeBetweenEvictionRuns} one task on core's shared maintenance thread evicts for all keys
 * as {@code GenericKeyedObjectPool}'s evictor does: each run tests {@code numTestsPerEvictionRun} idle objects
 * counted across keys, cycling through the keys and through each key's idle objects oldest first, with the
 * {@code EvictionPolicy} (shown the key's idle count and {@code minIdlePerKey}) and {@code testWhileIdle}; then
 * adds idle objects to each key up to {@code minIdlePerKey}. Idle objects are reached in every thread's magazines,
 * off the borrow and return paths, as in {@link MagazineObjectPool} (see {@link PoolEvictor} for how idle time is
 * measured). A key whose objects are all evicted is dropped like any key left without objects. See
 * {@link KeyedPoolEvictor}.
 *
 * <h2>Abandoned objects</h2>
 * {@link #setAbandonedConfig} (or the constructor that takes an {@code AbandonedConfig}) tracks loans under every
 * key with {@link MagazineObjectPool}'s tracking in each key's pool, and removes abandoned objects over all keys as
 * {@code GenericKeyedObjectPool} does, on borrow and by the evictor.
 *
 * <h2>JMX</h2>
 * Unless {@link BaseMagazinePoolConfig#setJmxEnabled} turned it off, the constructor registers a
 * {@link MagazineKeyedObjectPoolMXBean} where a {@code GenericKeyedObjectPool} would register (so Micrometer's
 * {@code CommonsObjectPool2Metrics} finds it), with the statistics summed over all keys, and {@link #close()}
 * unregisters it. A failed registration leaves the pool without an MBean ({@link #getJmxName()} null).
 *
 * <h2>Factory lifecycle and errors</h2>
 * As {@link MagazineObjectPool}, with the key passed to each factory method. One difference, which Commons Pool's
 * keyed contract asks of pools other than {@code GenericKeyedObjectPool}: when a return fails validation or
 * passivation and the factory's {@code destroyObject} then throws, {@link #returnObject} throws that exception (the
 * passivation or validation exception goes to the {@code SwallowedExceptionListener}, as does the destroy exception).
 * Bad input is refused as {@code GenericKeyedObjectPool} refuses it: a null key with {@link NullPointerException};
 * a null object, an object not on loan under that key, or an unknown key with {@link IllegalStateException}.
 *
 * <h2>Counts and statistics</h2>
 * {@link #getNumActive()}, {@link #getNumIdle()} and their per-key forms scan the objects; they are exact when no
 * call is in progress, and then for each key and in total {@code active + idle == created - destroyed}. The
 * statistics ({@link #getBorrowedCount()} and the others, as {@code GenericKeyedObjectPool} names them) are sums over
 * the keys' pools, kept for keys since dropped; they are measured as {@link MagazineObjectPool}'s are.
 *
 * <h2>Thread-safety and memory effects</h2>
 * All methods are thread-safe. Within a key the memory effects are those of {@link MagazineObjectPool}: everything a
 * thread does before {@code returnObject(key, x)} (including the factory's {@code passivateObject}) happens-before
 * everything that follows the {@code borrowObject(key)} that next returns {@code x}, on any thread; the factory's
 * {@code makeObject} happens-before the first loan of its object. Calls on different keys are ordered only by what
 * their objects' loans order.
 *
 * @param <K> the type of keys
 * @param <V> the type of pooled objects
 */
public final class MagazineKeyedObjectPool<K, V> implements KeyedObjectPool<K, V>, UsageTracking<V> {
    /** Frame denial: the last reservation on this thread was granted. */
    private static final int GRANTED = 0;
    /** Frame denial: the key was at {@code maxTotalPerKey}. */
    private static final int PER_KEY = 1;
    /** Frame denial: all keys together were at {@code maxTotal}. */
    private static final int TOTAL = 2;
    /** The call count of a key's pool once it has been dropped. */
    private static final int DEAD = Integer.MIN_VALUE;

    private final KeyedPooledObjectFactory<K, V> factory;
    private final MagazineKeyedObjectPoolConfig config;
    private final MagazineObjectPoolConfig perKeyConfig;
    private final int maxTotal;
    private final int maxTotalPerKey;
    private final boolean blockWhenExhausted;
    private final long maxWaitNanos;
    /** Whether a borrower may ever wait, so that returns must look for waiters. */
    private final boolean mayWait;

    private final ConcurrentHashMap<K, KeyPool> pools = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    private final AtomicLong createdCount = new AtomicLong();
    private final AtomicLong destroyedCount = new AtomicLong();
    private final AtomicInteger waiters = new AtomicInteger();
    /** The waits of borrowers in this layer ({@link #await}); the keys' pools count everything else. */
    private final PoolStatistics waits = new PoolStatistics();
    /**
     * The statistics of keys' pools since dropped; guarded by its own monitor, which a key's pool also holds while
     * it turns {@link #DEAD} and is added here, so that a reader sees it either in the map or here.
     */
    private final PoolStatistics.Totals dropped = new PoolStatistics.Totals();
    /** Per thread: why its last reservation failed, and the failure of destroying an object it is returning. */
    private final ThreadLocal<Frame> frames = ThreadLocal.withInitial(Frame::new);

    /** Guards waiting and closing; fair if the configuration asks for fairness. */
    private final ReentrantLock lock;
    private final Condition changed;
    /** Bumped under the lock whenever a waiter might now succeed. */
    private volatile long epoch;
    private volatile boolean closed;
    /** Drives the evictors of the keys' pools; see {@link KeyedPoolEvictor}. */
    private final KeyedPoolEvictor<K, V> evictor;
    /** The registered name, or null. */
    private final ObjectName jmxName;
    /** Abandoned-object tracking, or null when off; written under the lock. */
    private volatile AbandonedTracking abandoned;
    /** The tracking given to the keys' pools: {@link #abandoned}'s, removal left to this pool; under the lock. */
    private AbandonedConfig perKeyAbandoned;

    /**
     * Creates a pool with the default configuration.
     *
     * @param factory the factory of pooled objects
     * @throws NullPointerException if {@code factory} is null
     */
    public MagazineKeyedObjectPool(final KeyedPooledObjectFactory<K, V> factory) {
        this(factory, new MagazineKeyedObjectPoolConfig());
    }

    /**
     * Creates a pool.
     *
     * @param factory the factory of pooled objects
     * @param config  the configuration; copied, later changes have no effect
     * @throws NullPointerException     if {@code factory} or {@code config} is null
     * @throws IllegalArgumentException if the configuration cannot be honoured: {@code lifo} false (see
     *                                  {@link BaseMagazinePoolConfig#setLifo}), or an eviction policy class that
     *                                  cannot be loaded
     */
    public MagazineKeyedObjectPool(final KeyedPooledObjectFactory<K, V> factory,
                                   final MagazineKeyedObjectPoolConfig config) {
        this.factory = Objects.requireNonNull(factory, "factory");
        this.config = Objects.requireNonNull(config, "config").clone();
        if (!this.config.getLifo()) {
            throw new IllegalArgumentException("lifo=false is not supported: idle objects are reused most recently "
                    + "returned first within each thread's magazines; see MagazineKeyedObjectPoolConfig.setLifo");
        }
        this.lock = new ReentrantLock(this.config.getFairness());
        this.changed = lock.newCondition();
        this.perKeyConfig = this.config.perKey();
        this.perKeyConfig.setEvictionPolicy(PoolEvictor.policyOf(this.config)); // one policy for all keys, as GKOP
        this.maxTotal = this.config.getMaxTotal();
        this.maxTotalPerKey = this.config.getMaxTotalPerKey();
        this.blockWhenExhausted = this.config.getBlockWhenExhausted();
        this.maxWaitNanos = nanos(this.config.getMaxWait());
        this.mayWait = blockWhenExhausted && (maxTotal >= 0 || maxTotalPerKey >= 0);
        this.evictor = new KeyedPoolEvictor<>(this, this.config);
        evictor.start();
        this.jmxName = this.config.getJmxEnabled() ? KeyedPoolMBean.register(this) : null; // last: read at once
    }

    /**
     * Creates a pool with abandoned-object tracking, as the {@code GenericKeyedObjectPool} constructor of the same
     * form does.
     *
     * @param factory         the factory of pooled objects
     * @param config          the configuration; copied, later changes have no effect
     * @param abandonedConfig the abandoned-object settings, copied (see {@link #setAbandonedConfig}); null for none
     * @throws NullPointerException     if {@code factory} or {@code config} is null
     * @throws IllegalArgumentException as {@link #MagazineKeyedObjectPool(KeyedPooledObjectFactory,
     *                                  MagazineKeyedObjectPoolConfig)}
     */
    public MagazineKeyedObjectPool(final KeyedPooledObjectFactory<K, V> factory,
                                   final MagazineKeyedObjectPoolConfig config, final AbandonedConfig abandonedConfig) {
        this(factory, config);
        setAbandonedConfig(abandonedConfig);
    }

    /**
     * Sets up abandoned-object tracking, as {@code GenericKeyedObjectPool.setAbandonedConfig}: objects on loan under
     * any key and unused (see {@link #use}) for longer than {@code removeAbandonedTimeout} are destroyed with
     * {@link DestroyMode#ABANDONED}, by a borrow that finds the pool nearly exhausted (fewer than 2 idle and more than
     * {@code maxTotal - 3} active over all keys, as {@code GenericKeyedObjectPool} tests it, so that with no
     * {@code maxTotal} every borrow that finds fewer than 2 idle removes) if {@code removeAbandonedOnBorrow}, and by
     * each evictor run if {@code removeAbandonedOnMaintenance}. With {@code logAbandoned} each borrow records its
     * stack trace, printed to the configured writer when its object is removed. Each key's pool tracks its loans as
     * {@link MagazineObjectPool#setAbandonedConfig} describes: while tracking is on, every borrow and return reads
     * {@link System#nanoTime()}, and objects on loan when tracking starts count as used at that moment. As in
     * {@code GenericKeyedObjectPool} (and unlike {@code GenericObjectPool}), returning or invalidating an object
     * that was removed still throws {@link IllegalStateException}.
     *
     * @param abandonedConfig the settings, copied; null turns tracking off
     */
    public void setAbandonedConfig(final AbandonedConfig abandonedConfig) {
        final AbandonedTracking a = abandonedConfig == null ? null : new AbandonedTracking(abandonedConfig);
        AbandonedConfig perKey = null;
        if (a != null) {
            perKey = a.config();
            perKey.setRemoveAbandonedOnBorrow(false); // this pool removes, over all keys
            perKey.setRemoveAbandonedOnMaintenance(false);
        }
        lock.lock();
        try {
            abandoned = a;
            perKeyAbandoned = perKey;
            for (final KeyPool kp : pools.values()) {
                kp.pool.setAbandonedConfig(perKey);
            }
        } finally {
            lock.unlock();
        }
    }

    /** {@return whether abandoned-object tracking is on} */
    public boolean isAbandonedConfig() {
        return abandoned != null;
    }

    /** {@return a copy of the abandoned-object settings, or null when tracking is off} */
    public AbandonedConfig getAbandonedConfig() {
        final AbandonedTracking a = abandoned;
        return a == null ? null : a.config();
    }

    /** @return the abandoned-object tracking in force, or null; for this package */
    AbandonedTracking abandonedTracking() {
        return abandoned;
    }

    /**
     * {@return the configured abandoned-object timeout when tracking is on, else
     * {@code Duration.ofSeconds(Integer.MAX_VALUE)}, as {@code GenericKeyedObjectPool} does}
     */
    public Duration getRemoveAbandonedTimeoutDuration() {
        final AbandonedTracking a = abandoned;
        return a == null ? Duration.ofSeconds(Integer.MAX_VALUE) : a.timeout();
    }

    /**
     * Records a use of an object on loan, for abandoned-object tracking ({@code UsageTracking}), as
     * {@code GenericKeyedObjectPool} does: the object is looked up under every key. Does nothing while tracking is
     * off, or for an object not on loan from this pool.
     *
     * @param pooledObject an object on loan from this pool
     * @throws NullPointerException if {@code pooledObject} is null
     */
    @Override
    public void use(final V pooledObject) {
        Objects.requireNonNull(pooledObject, "pooledObject");
        if (abandoned == null) {
            return;
        }
        for (final KeyPool kp : pools.values()) {
            kp.pool.use(pooledObject);
        }
    }

    /**
     * Destroys the abandoned objects of every key; see {@link MagazineObjectPool#removeAbandoned}.
     *
     * @param ab the tracking in force
     */
    void removeAbandoned(final AbandonedTracking ab) {
        for (final KeyPool kp : pools.values()) {
            if (kp.enter()) {
                try {
                    kp.pool.removeAbandoned(ab);
                } finally {
                    kp.leave();
                }
            }
        }
    }

    /** {@code GenericKeyedObjectPool}'s test for removing abandoned objects on borrow; see {@link #setAbandonedConfig}. */
    private boolean nearlyExhausted() {
        int idle = 0;
        for (final KeyPool kp : pools.values()) {
            idle += kp.pool.getNumIdle();
            if (idle >= 2) {
                return false;
            }
        }
        return maxTotal < 0 || getNumActive() > (long) maxTotal - 3;
    }

    /**
     * Borrows an object of a key, waiting up to the configured {@code maxWait} if none can be had and
     * {@code blockWhenExhausted} is set.
     *
     * @param key the key
     * @return an activated (and, if configured, validated) object of that key
     * @throws NullPointerException   if {@code key} is null
     * @throws NoSuchElementException if no object could be had in time, or if an object created for this borrow
     *                                failed activation or validation
     * @throws IllegalStateException  if the pool is closed, before or while waiting
     * @throws InterruptedException   if interrupted while waiting
     * @throws Exception              what the factory's {@code makeObject} throws
     */
    @Override
    public V borrowObject(final K key) throws Exception {
        return borrow(key, maxWaitNanos);
    }

    /**
     * Borrows an object of a key as {@link #borrowObject(Object)} does, with its own limit on waiting.
     *
     * @param key     the key
     * @param maxWait how long to wait if no object can be had and {@code blockWhenExhausted} is set; negative:
     *                forever
     * @return an activated (and, if configured, validated) object of that key
     * @throws NullPointerException if {@code key} or {@code maxWait} is null
     * @throws Exception            as {@link #borrowObject(Object)}
     */
    public V borrowObject(final K key, final Duration maxWait) throws Exception {
        return borrow(key, nanos(Objects.requireNonNull(maxWait, "maxWait")));
    }

    private V borrow(final K key, final long waitNanos) throws Exception {
        Objects.requireNonNull(key, "key");
        final long start = System.nanoTime();
        if (closed) {
            throw notOpen();
        }
        final AbandonedTracking ab = abandoned;
        if (ab != null && ab.removeOnBorrow() && nearlyExhausted()) {
            removeAbandoned(ab);
        }
        final KeyPool kp = register(key);
        try {
            final V v = attempt(kp);
            if (v != null) {
                return v;
            }
            if (!blockWhenExhausted) {
                throw new NoSuchElementException("Pool exhausted");
            }
            return await(kp, start, waitNanos);
        } finally {
            unregister(kp);
        }
    }

    /**
     * Borrows from a key's pool, destroying idle objects of other keys while {@code maxTotal} is in the way.
     *
     * @return an object, or null if the key or all keys are at their limit and nothing idle could make room
     */
    private V attempt(final KeyPool kp) throws Exception {
        for (;;) {
            try {
                return kp.pool.borrowObject();
            } catch (final NoSuchElementException e) {
                final Frame f = frames.get();
                final int denial = f.denial;
                f.denial = GRANTED;
                if (denial == GRANTED) {
                    throw e;
                }
                if (denial == PER_KEY || clearOldest(kp) == 0) {
                    return null;
                }
            }
        }
    }

    /**
     * Waits for an object of the key to be returned or for room to be freed, and borrows. A waiter is counted before
     * it reads {@link #epoch} and tries again; whoever makes an object idle or frees room then either is seen by that
     * try or sees the waiter and bumps the epoch (see {@link #wakeWaiters()}), so no wake-up is lost.
     */
    private V await(final KeyPool kp, final long start, final long waitNanos) throws Exception {
        waiters.incrementAndGet();
        kp.waiting.incrementAndGet();
        try {
            for (;;) {
                if (closed) {
                    throw notOpen();
                }
                final long seen = epoch;
                final V v = attempt(kp);
                if (v != null) {
                    waits.waited(System.nanoTime() - start);
                    return v;
                }
                lock.lock();
                try {
                    long remaining = waitNanos < 0 ? Long.MAX_VALUE : waitNanos - (System.nanoTime() - start);
                    while (epoch == seen && !closed) {
                        if (remaining <= 0) {
                            throw new NoSuchElementException("Timeout waiting for idle object, maxWait="
                                    + Duration.ofNanos(waitNanos));
                        }
                        if (waitNanos < 0) {
                            changed.await();
                        } else {
                            remaining = changed.awaitNanos(remaining);
                        }
                    }
                } finally {
                    lock.unlock();
                }
            }
        } finally {
            kp.waiting.decrementAndGet();
            waiters.decrementAndGet();
        }
    }

    /**
     * Destroys the oldest 15% plus one of the idle objects of all keys, as {@code GenericKeyedObjectPool.clearOldest}
     * does (a borrow or {@code addObject} that needs room while {@code maxTotal} objects exist does the same, over the
     * other keys' idle objects). Oldest means idle the longest: while {@code maxTotal} is set, each return stamps its
     * object with {@link System#nanoTime()} for this (one clock read per return); without {@code maxTotal} the stamp
     * is the pool clock, which the evictor advances once per run, so the order is only as fine as the evictor's
     * period (and arbitrary with no evictor). Exceptions from {@code destroyObject} go to the
     * {@code SwallowedExceptionListener}.
     */
    public void clearOldest() {
        if (clearOldest(null) > 0 && mayWait) {
            wakeWaiters();
        }
    }

    /**
     * Destroys the oldest 15% plus one of the idle objects of the keys other than {@code except}.
     *
     * @param except a key whose objects are spared, or null
     * @return the objects destroyed
     */
    private int clearOldest(final KeyPool except) {
        final List<Oldest> idle = new ArrayList<>();
        for (final KeyPool kp : pools.values()) {
            if (kp != except) {
                kp.pool.forEachEntry(e -> {
                    if (e.state() == PoolEntry.IDLE) {
                        idle.add(new Oldest(kp, e, e.returnedAt()));
                    }
                });
            }
        }
        if (idle.isEmpty()) {
            return 0;
        }
        idle.sort((a, b) -> Long.signum(a.stamp - b.stamp)); // nanoTime readings, compared by difference
        final int wanted = (int) (idle.size() * 0.15) + 1;
        int destroyed = 0;
        for (int i = 0; i < idle.size() && destroyed < wanted; i++) {
            final Oldest o = idle.get(i);
            final KeyPool kp = o.keyPool;
            if (kp.enter()) {
                try {
                    if (kp.pool.destroyIfIdle(o.entry)) { // false if borrowed or destroyed since: the next one
                        destroyed++;
                    }
                } finally {
                    kp.leave();
                }
            }
        }
        return destroyed;
    }

    /**
     * An idle entry of some key's pool with the stamp read when it was found idle, for {@link #clearOldest}: a sort
     * compares values that do not change under it.
     */
    private final class Oldest {
        final KeyPool keyPool;
        final PoolEntry<V> entry;
        final long stamp;

        Oldest(final KeyPool keyPool, final PoolEntry<V> entry, final long stamp) {
            this.keyPool = keyPool;
            this.entry = entry;
            this.stamp = stamp;
        }
    }

    /** Wakes the waiting borrowers, if any; called after an object became idle or room was freed. */
    void wakeWaiters() {
        if (waiters.get() > 0) {
            lock.lock();
            try {
                epoch++;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Returns an object to the pool of its key.
     *
     * @param key the key the object was borrowed under
     * @param obj an object on loan from this pool under {@code key}
     * @throws NullPointerException  if {@code key} is null
     * @throws IllegalStateException if {@code obj} is null or not on loan from this pool under {@code key} (never
     *                               borrowed, already returned, invalidated, or borrowed under another key); the
     *                               pool is unaffected
     * @throws Exception             what the factory's {@code destroyObject} threw when the object failed
     *                               validation or passivation and was destroyed; it has left the pool
     */
    @Override
    public void returnObject(final K key, final V obj) throws Exception {
        final KeyPool kp = existing(key, obj, "Returned object not currently part of this pool");
        final Frame f = frames.get();
        final Object outer = f.returning;
        f.returning = obj;
        Exception failure = null;
        try {
            kp.pool.returnObject(obj);
        } finally {
            f.returning = outer;
            if (f.destroyFailure != null) { // taken even if the return threw, so that no later return sees it
                failure = f.destroyFailure;
                f.destroyFailure = null;
            }
        }
        if (mayWait) {
            VarHandle.fullFence(); // orders the object's release before the read of the waiter count
            wakeWaiters();
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Destroys an object on loan under a key.
     *
     * @param key the key the object was borrowed under
     * @param obj an object on loan from this pool under {@code key}
     * @throws NullPointerException  if {@code key} is null
     * @throws IllegalStateException if {@code obj} is null or not on loan from this pool under {@code key}
     * @throws Exception             what the factory's {@code destroyObject} throws; the object has left the pool
     */
    @Override
    public void invalidateObject(final K key, final V obj) throws Exception {
        invalidateObject(key, obj, DestroyMode.NORMAL);
    }

    /**
     * Destroys an object on loan under a key.
     *
     * @param key  the key the object was borrowed under
     * @param obj  an object on loan from this pool under {@code key}
     * @param mode passed to the factory's {@code destroyObject}
     * @throws NullPointerException  if {@code key} or {@code mode} is null
     * @throws IllegalStateException if {@code obj} is null or not on loan from this pool under {@code key}
     * @throws Exception             what the factory's {@code destroyObject} throws; the object has left the pool
     */
    @Override
    public void invalidateObject(final K key, final V obj, final DestroyMode mode) throws Exception {
        Objects.requireNonNull(mode, "mode");
        existing(key, obj, "Object not currently part of this pool").pool.invalidateObject(obj, mode);
    }

    /**
     * @return the pool of a key that has objects, for an object said to be on loan under it; while tracking is on,
     *         also checked to be one of the pool's objects, which the key's pool would not check (it takes a removed
     *         object's return for a late one), as {@code GenericKeyedObjectPool} checks it
     */
    private KeyPool existing(final K key, final V obj, final String notFound) {
        Objects.requireNonNull(key, "key");
        final KeyPool kp = pools.get(key);
        if (kp == null) {
            throw new IllegalStateException("No keyed pool found under the given key.");
        }
        if (obj == null || abandoned != null && !kp.pool.contains(obj)) {
            throw new IllegalStateException(notFound);
        }
        return kp;
    }

    /**
     * Creates an idle object of a key, as {@link MagazineObjectPool#addObject()} does, destroying an idle object of
     * another key first if {@code maxTotal} objects exist. Does nothing if the key is at {@code maxTotalPerKey}, or
     * at {@code maxTotal} with nothing idle elsewhere, or if testOnCreate validation fails.
     *
     * @param key the key
     * @throws NullPointerException  if {@code key} is null
     * @throws IllegalStateException if the pool is closed
     * @throws Exception             what the factory's {@code makeObject} or {@code passivateObject} throws
     */
    @Override
    public void addObject(final K key) throws Exception {
        Objects.requireNonNull(key, "key");
        if (closed) {
            throw notOpen();
        }
        final KeyPool kp = register(key);
        try {
            final Frame f = frames.get();
            do {
                f.denial = GRANTED;
                kp.pool.addObject();
            } while (f.denial == TOTAL && clearOldest(kp) > 0);
            f.denial = GRANTED;
        } finally {
            unregister(kp);
        }
        if (mayWait) {
            wakeWaiters();
        }
    }

    /**
     * Adds idle objects of a key until {@code minIdlePerKey} (capped by a non-negative {@code maxIdlePerKey}) are
     * idle or no more may be created (this does not destroy idle objects of other keys), as
     * {@code GenericKeyedObjectPool.preparePool} does.
     *
     * @param key the key
     * @throws NullPointerException  if {@code key} is null
     * @throws IllegalStateException if the pool is closed
     * @throws Exception             as {@link #addObject(Object)}
     */
    public void preparePool(final K key) throws Exception {
        Objects.requireNonNull(key, "key");
        if (closed) {
            throw notOpen();
        }
        final KeyPool kp = register(key);
        try {
            kp.pool.preparePool();
        } finally {
            frames.get().denial = GRANTED;
            unregister(kp);
        }
        if (mayWait) {
            wakeWaiters();
        }
    }

    /**
     * Destroys every idle object of a key. Exceptions from {@code destroyObject} go to the
     * {@code SwallowedExceptionListener}.
     *
     * @param key the key
     * @throws NullPointerException if {@code key} is null
     */
    @Override
    public void clear(final K key) {
        Objects.requireNonNull(key, "key");
        final KeyPool kp = pools.get(key);
        if (kp != null) {
            kp.pool.clear();
        }
    }

    /**
     * Destroys every idle object of every key. Exceptions from {@code destroyObject} go to the
     * {@code SwallowedExceptionListener}.
     */
    @Override
    public void clear() {
        for (final KeyPool kp : pools.values()) {
            kp.pool.clear();
        }
    }

    /**
     * Closes the pool, as {@link MagazineObjectPool#close()} closes each key's pool: borrowing and adding then fail
     * with {@link IllegalStateException} (waiting borrowers included), idle objects are destroyed, and objects on
     * loan are destroyed when they are returned or invalidated. Idempotent.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            epoch++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        evictor.stop();
        if (jmxName != null) {
            PoolMBean.unregister(jmxName);
        }
        for (final KeyPool kp : pools.values()) {
            kp.pool.close();
        }
    }

    /**
     * Returns whether {@link #close()} has been called.
     *
     * @return whether the pool is closed
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Returns the objects on loan under a key; exact when no call is in progress.
     *
     * @param key the key
     * @return the number, 0 for a key without objects
     * @throws NullPointerException if {@code key} is null
     */
    @Override
    public int getNumActive(final K key) {
        final KeyPool kp = pools.get(Objects.requireNonNull(key, "key"));
        return kp == null ? 0 : kp.pool.getNumActive();
    }

    /**
     * Returns the idle objects of a key; exact when no call is in progress.
     *
     * @param key the key
     * @return the number, 0 for a key without objects
     * @throws NullPointerException if {@code key} is null
     */
    @Override
    public int getNumIdle(final K key) {
        final KeyPool kp = pools.get(Objects.requireNonNull(key, "key"));
        return kp == null ? 0 : kp.pool.getNumIdle();
    }

    /**
     * Returns the objects on loan under all keys; exact when no call is in progress.
     *
     * @return the number
     */
    @Override
    public int getNumActive() {
        int n = 0;
        for (final KeyPool kp : pools.values()) {
            n += kp.pool.getNumActive();
        }
        return n;
    }

    /**
     * Returns the idle objects of all keys; exact when no call is in progress.
     *
     * @return the number
     */
    @Override
    public int getNumIdle() {
        int n = 0;
        for (final KeyPool kp : pools.values()) {
            n += kp.pool.getNumIdle();
        }
        return n;
    }

    /**
     * Returns the objects on loan per key, as {@code GenericKeyedObjectPool.getNumActivePerKey()} does.
     *
     * @return a new map from each key's {@code toString()} to its objects on loan, for the keys that have objects
     */
    public Map<String, Integer> getNumActivePerKey() {
        final Map<String, Integer> m = new HashMap<>();
        for (final KeyPool kp : pools.values()) {
            m.put(kp.key.toString(), kp.pool.getNumActive());
        }
        return m;
    }

    /**
     * Returns the keys that have objects or calls in progress.
     *
     * @return a new list of the keys
     */
    @Override
    public List<K> getKeys() {
        return new ArrayList<>(pools.keySet());
    }

    /**
     * Returns the borrowers waiting for an object, over all keys.
     *
     * @return the number
     */
    public int getNumWaiters() {
        return waiters.get();
    }

    /**
     * Returns the borrowers waiting per key, as {@code GenericKeyedObjectPool.getNumWaitersByKey()} does.
     *
     * @return a new map from each key's {@code toString()} to its waiting borrowers, for the keys that have objects
     *         or calls in progress
     */
    public Map<String, Integer> getNumWaitersByKey() {
        final Map<String, Integer> m = new HashMap<>();
        for (final KeyPool kp : pools.values()) {
            m.put(kp.key.toString(), kp.waiting.get());
        }
        return m;
    }

    /** {@return the objects destroyed because validation failed on borrow ({@code testOnBorrow}), over all keys} */
    public long getDestroyedByBorrowValidationCount() {
        return totals().destroyedByBorrowValidation;
    }

    /** {@return the objects the evictor destroyed (by the eviction policy or failed testWhileIdle), over all keys} */
    public long getDestroyedByEvictorCount() {
        return totals().destroyedByEvictor;
    }

    /** {@return the successful borrows over all keys; a sum of per-thread counters, exact when no call is in progress} */
    public long getBorrowedCount() {
        return totals().borrowed;
    }

    /** {@return the returns accepted over all keys; exact when no call is in progress} */
    public long getReturnedCount() {
        return totals().returned;
    }

    /**
     * {@return the mean time borrows waited, over all borrows of all keys since the pool was created (a borrow
     * served without waiting counts as zero; {@code GenericKeyedObjectPool} averages its last 100 borrows)}
     */
    public Duration getMeanBorrowWaitDuration() {
        return Duration.ofNanos(totals().meanWaitNanos());
    }

    /** {@return {@link #getMeanBorrowWaitDuration()} in milliseconds} */
    public long getMeanBorrowWaitTimeMillis() {
        return getMeanBorrowWaitDuration().toMillis();
    }

    /** {@return the longest time a borrow waited} */
    public Duration getMaxBorrowWaitDuration() {
        return Duration.ofNanos(totals().maxWaitNanos);
    }

    /** {@return {@link #getMaxBorrowWaitDuration()} in milliseconds} */
    public long getMaxBorrowWaitTimeMillis() {
        return getMaxBorrowWaitDuration().toMillis();
    }

    /**
     * {@return the mean length of the loans that ended while time was tracked (abandoned-object tracking on, see
     * {@link #setAbandonedConfig}), over all keys; zero if none}
     */
    public Duration getMeanActiveDuration() {
        return Duration.ofNanos(totals().meanActiveNanos());
    }

    /** {@return {@link #getMeanActiveDuration()} in milliseconds} */
    public long getMeanActiveTimeMillis() {
        return getMeanActiveDuration().toMillis();
    }

    /**
     * {@return the mean time borrowed objects had been idle, over the borrows made while time was tracked
     * (abandoned-object tracking on), over all keys; zero if none}
     */
    public Duration getMeanIdleDuration() {
        return Duration.ofNanos(totals().meanIdleNanos());
    }

    /** {@return {@link #getMeanIdleDuration()} in milliseconds} */
    public long getMeanIdleTimeMillis() {
        return getMeanIdleDuration().toMillis();
    }

    /**
     * {@return the name of this pool's {@link MagazineKeyedObjectPoolMXBean}, or null if JMX is off for it or
     * registration failed; the name stays known after {@link #close()} unregistered it, as in
     * {@code GenericKeyedObjectPool}}
     */
    public ObjectName getJmxName() {
        return jmxName;
    }

    /** {@return a copy of the configuration} */
    public MagazineKeyedObjectPoolConfig getConfig() {
        return config.clone();
    }

    /** @return the configuration, which nobody changes; for this package */
    MagazineKeyedObjectPoolConfig config() {
        return config;
    }

    /**
     * Returns the objects in existence (on loan, idle, or being created) over all keys.
     *
     * @return the number, never more than {@code maxTotal} when that is not negative
     */
    public int getNumTotal() {
        return total.get();
    }

    /**
     * Returns the objects the factory has made for this pool.
     *
     * @return the number
     */
    public long getCreatedCount() {
        return createdCount.get();
    }

    /**
     * Returns the objects this pool has handed to the factory's {@code destroyObject}.
     *
     * @return the number
     */
    public long getDestroyedCount() {
        return destroyedCount.get();
    }

    /**
     * Returns the factory.
     *
     * @return the factory
     */
    public KeyedPooledObjectFactory<K, V> getFactory() {
        return factory;
    }

    /**
     * Describes the pool.
     *
     * @return the description
     */
    @Override
    public String toString() {
        return "MagazineKeyedObjectPool[factory=" + factory + ", " + config + ", keys=" + pools.size()
                + ", numActive=" + getNumActive() + ", numIdle=" + getNumIdle() + ", closed=" + closed + ']';
    }

    /** @return the pool of a key, counted as in use until {@link #unregister}; made if there is none */
    private KeyPool register(final K key) {
        for (;;) {
            KeyPool kp = pools.get(key);
            if (kp == null) {
                lock.lock(); // a key's pool is made under the lock, so that it sees the abandoned configuration
                try {
                    kp = pools.computeIfAbsent(key, KeyPool::new);
                } finally {
                    lock.unlock();
                }
            }
            final int n = kp.refs.get();
            if (n < 0) {
                pools.remove(key, kp);
            } else if (kp.refs.compareAndSet(n, n + 1)) {
                if (closed) {
                    kp.pool.close(); // close() may have run before this key's pool was in the map
                }
                return kp;
            }
        }
    }

    /**
     * Drops one count of a key's pool (a call in progress or an object); the last drops the pool from the map, its
     * statistics, final by then, added to {@link #dropped}.
     */
    private void unregister(final KeyPool kp) {
        if (kp.refs.decrementAndGet() == 0) {
            synchronized (dropped) {
                if (!kp.refs.compareAndSet(0, DEAD)) {
                    return;
                }
                dropped.add(kp.pool.totals());
            }
            pools.remove(kp.key, kp);
            kp.pool.close();
        }
    }

    /** @return the sums behind the statistics, over the keys' pools, those dropped, and this layer's waits */
    private PoolStatistics.Totals totals() {
        final PoolStatistics.Totals t = waits.totals(new ThreadCounters<?>[0]);
        synchronized (dropped) {
            t.add(dropped);
            for (final KeyPool kp : pools.values()) {
                if (kp.refs.get() >= 0) {
                    t.add(kp.pool.totals());
                }
            }
        }
        return t;
    }

    private static long nanos(final Duration d) {
        if (d.isNegative()) {
            return -1;
        }
        try {
            return d.toNanos();
        } catch (final ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    /** @return the pools of the keys now in the map (a live view); for the evictor */
    Collection<KeyPool> keyPools() {
        return pools.values();
    }

    /** @return this pool's evictor; for tests */
    KeyedPoolEvictor<K, V> evictor() {
        return evictor;
    }

    /** @param e an exception for the swallowed-exception listener, if one is configured */
    void swallow(final Exception e) {
        final SwallowedExceptionListener listener = config.getSwallowedExceptionListener();
        if (listener != null) {
            try {
                listener.onSwallowException(e);
            } catch (final RuntimeException ignored) {
                // A listener that throws must not break the pool; there is nobody left to tell.
            }
        }
    }

    private static IllegalStateException notOpen() {
        return new IllegalStateException("Pool not open");
    }

    /** What one thread's calls leave for the keyed layer to read; see {@link #frames}. */
    private static final class Frame {
        /** {@link #GRANTED}, {@link #PER_KEY} or {@link #TOTAL}: the outcome of the thread's last reservation. */
        int denial;
        /** The object this thread is returning, or null. */
        Object returning;
        /** What {@code destroyObject} threw for {@link #returning}, or null. */
        Exception destroyFailure;
    }

    /**
     * One key's pool, its factory adapter and its share of the capacity. {@code refs} counts the calls in progress
     * on the key and the key's objects (created or being created); it turns {@link #DEAD} when both are gone, and
     * only then does the key leave the map, so an object on loan always finds its key's pool.
     */
    final class KeyPool implements CapacityGate, PooledObjectFactory<V> {
        final K key;
        final AtomicInteger refs = new AtomicInteger();
        final AtomicInteger objects = new AtomicInteger();
        /** Borrowers of this key waiting in {@link #await}. */
        final AtomicInteger waiting = new AtomicInteger();
        final MagazineObjectPool<V> pool;

        KeyPool(final K key) {
            this.key = key;
            this.pool = new MagazineObjectPool<>(this, perKeyConfig, this);
            if (maxTotal >= 0) {
                pool.stampReturns(); // for clearOldest
            }
            if (perKeyAbandoned != null) { // read under the lock, which register() holds while making a key's pool
                pool.setAbandonedConfig(perKeyAbandoned);
            }
            if (evictor.isEnabled()) {
                pool.evictor().startDriven();
            }
        }

        /**
         * Counts a call in progress on this key (the evictor's), unless the key has been dropped.
         *
         * @return whether it was counted; if so, {@link #leave()} must follow
         */
        boolean enter() {
            return retain();
        }

        /** Ends a call {@link #enter()} counted; the last count drops the key. */
        void leave() {
            unregister(this);
        }

        @Override
        public boolean reserve() {
            for (;;) {
                final int n = objects.get();
                if (maxTotalPerKey >= 0 && n >= maxTotalPerKey) {
                    frames.get().denial = PER_KEY;
                    return false;
                }
                if (objects.compareAndSet(n, n + 1)) {
                    break;
                }
            }
            for (;;) {
                final int t = total.get();
                if (maxTotal >= 0 && t >= maxTotal) {
                    objects.decrementAndGet();
                    frames.get().denial = TOTAL;
                    return false;
                }
                if (total.compareAndSet(t, t + 1)) {
                    break;
                }
            }
            if (!retain()) { // dropped: only a creation outside a keyed call (none today) could get here
                objects.decrementAndGet();
                total.decrementAndGet();
                frames.get().denial = PER_KEY;
                return false;
            }
            frames.get().denial = GRANTED;
            return true;
        }

        /** Counts one more object against {@code refs}, unless this key's pool has been dropped. */
        private boolean retain() {
            for (;;) {
                final int n = refs.get();
                if (n < 0) {
                    return false;
                }
                if (refs.compareAndSet(n, n + 1)) {
                    return true;
                }
            }
        }

        @Override
        public void release() {
            objects.decrementAndGet();
            total.decrementAndGet();
            unregister(this);
            if (mayWait) {
                wakeWaiters();
            }
        }

        @Override
        public PooledObject<V> makeObject() throws Exception {
            final PooledObject<V> p = factory.makeObject(key);
            createdCount.incrementAndGet();
            return p;
        }

        @Override
        public void destroyObject(final PooledObject<V> p) throws Exception {
            destroyObject(p, DestroyMode.NORMAL);
        }

        @Override
        public void destroyObject(final PooledObject<V> p, final DestroyMode mode) throws Exception {
            try {
                factory.destroyObject(key, p, mode);
            } catch (final Exception e) {
                final Frame f = frames.get();
                if (f.returning != null && f.returning == p.getObject()) {
                    f.destroyFailure = e;
                }
                throw e;
            } finally {
                destroyedCount.incrementAndGet();
            }
        }

        @Override
        public boolean validateObject(final PooledObject<V> p) {
            return factory.validateObject(key, p);
        }

        @Override
        public void activateObject(final PooledObject<V> p) throws Exception {
            factory.activateObject(key, p);
        }

        @Override
        public void passivateObject(final PooledObject<V> p) throws Exception {
            factory.passivateObject(key, p);
        }

        @Override
        public String toString() {
            return "KeyPool[" + key + ", " + factory + ']';
        }
    }
}
