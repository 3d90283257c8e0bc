package org.slabmag.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import javax.management.ObjectName;

import org.apache.commons.pool2.DestroyMode;
import org.apache.commons.pool2.ObjectPool;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.PooledObjectFactory;
import org.apache.commons.pool2.SwallowedExceptionListener;
import org.apache.commons.pool2.UsageTracking;
import org.apache.commons.pool2.impl.AbandonedConfig;
import org.slabmag.internal.magazine.Depot;
import org.slabmag.internal.magazine.MagazineRack;
import org.slabmag.internal.magazine.Stripes;
import org.slabmag.pool.internal.IdentityTable;
import org.slabmag.pool.internal.IdleBudget;
import org.slabmag.pool.internal.Magazine;
import org.slabmag.pool.internal.PoolEntry;
import org.slabmag.pool.internal.ThreadCache;
import org.slabmag.pool.internal.ThreadCaches;

/**
 * An {@link ObjectPool} whose idle objects live in per-thread magazines with a lock-free depot between threads
 * (Bonwick &amp; Adams, "Magazines and Vmem", 2001), so that a borrow and a return, on the same thread or on
 * different threads, take no lock and touch no shared counter.
 *
 * <h2>How it works</h2>
 * Each thread that uses the pool has a loaded and a previous magazine of idle objects. A borrow pops from them;
 * when both are empty it swaps them for a loaded magazine from the depot. A return pushes onto the returning
 * thread's magazines, whichever thread borrowed the object; when both are full the older one goes to the depot.
 * Only when the thread's magazines and the depot are empty does a borrow take the slow path: it takes idle objects
 * from other threads' magazines (including those of threads that have terminated, whose magazines are then moved
 * to the depot), creates an object if fewer than {@code maxTotal} exist, and otherwise waits for one or fails.
 * {@code maxTotal} is enforced by a counter that only creation and destruction touch.
 *
 * <p>Virtual threads get no magazines of their own (there may be millions, each short-lived): they use a small set
 * of shared caches, striped by thread id behind try-locks (core's {@code Stripes}, as the allocator does), and
 * exchange idle credits directly with the pool's budget. Their borrows and returns take an uncontended lock instead
 * of none; the number of caches a borrower may have to search stays bounded by the platform threads and stripes.
 *
 * <p>Each object has an entry holding its loan state, found from the object through an identity hash table
 * written when objects are created or destroyed and read without locks. A return claims the entry with one
 * compare-and-set from "on loan" to "releasing", which is also the check that the object is on loan from this
 * pool. Magazines hold references to entries; an entry is used only after a compare-and-set of its state, so
 * another thread may claim an idle entry out of a magazine it does not own (to satisfy an exhausted borrower, or
 * for {@link #clear()} and {@link #close()}) without the owner's cooperation.
 *
 * <h2>Factory lifecycle</h2>
 * As {@link org.apache.commons.pool2.impl.GenericObjectPool}: {@code makeObject}, then {@code validateObject} if
 * testOnCreate; on borrow {@code activateObject}, then {@code validateObject} if testOnBorrow; on return
 * {@code validateObject} if testOnReturn, then {@code passivateObject}; {@code destroyObject(p, mode)} when an
 * object leaves the pool. If activation or validation fails on borrow the object is destroyed and the borrow goes
 * on with another object, unless the object was created for this borrow: then it throws
 * {@link NoSuchElementException} with the factory's exception as its cause. On return, a failed validation or
 * passivation destroys the object; the exception goes to the {@code SwallowedExceptionListener}. The pool does not
 * drive {@link PooledObject}'s own state machine, timestamps or counters (each costs a lock), so factories must
 * not rely on them; an {@code EvictionPolicy} sees the pool's own idle time instead (see {@link PoolEvictor}).
 * For the same reason the mean active and idle times ({@link #getMeanActiveDuration()},
 * {@link #getMeanIdleDuration()}) are measured only while abandoned-object tracking is on, which reads the clock
 * on every borrow and return; otherwise they read zero ({@code GenericObjectPool} always measures them).
 *
 * <h2>Counts and limits</h2>
 * {@link #getNumActive()} and {@link #getNumIdle()} scan the pool's objects; they are exact when no call is in
 * progress and then satisfy {@code active + idle == created - destroyed}. {@code maxIdle} is kept by idle credits:
 * idle objects may exceed it by the few spare credits threads hold (see
 * {@link MagazineObjectPoolConfig#setMaxIdle}).
 *
 * <h2>Thread-safety and memory effects</h2>
 * All methods are thread-safe. Returning an object from any thread is as cheap as from the borrowing thread.
 * Everything a thread does before {@code returnObject(x)} (including the factory's {@code passivateObject})
 * happens-before everything that follows the {@code borrowObject()} that next returns {@code x}, on any thread
 * (the return ends with a release store of the entry's state, the borrow begins with a compare-and-set of it).
 * {@code makeObject} happens-before the first loan of its object.
 *
 * <h2>JMX</h2>
 * Unless {@link MagazineObjectPoolConfig#setJmxEnabled} turned it off, the constructor registers a
 * {@link MagazineObjectPoolMXBean} where a {@code GenericObjectPool} would register (so Micrometer's
 * {@code CommonsObjectPool2Metrics} finds it), and {@link #close()} unregisters it. A failed registration leaves the
 * pool without an MBean ({@link #getJmxName()} null), as in {@code GenericObjectPool}.
 *
 * @param <T> the type of pooled object
 */
public final class MagazineObjectPool<T> implements ObjectPool<T>, UsageTracking<T> {
    private static final int CLOSED = 1;
    /** Set while abandoned-object tracking is on: borrows and returns take the paths that read the clock. */
    private static final int TRACK = 2;
    /**
     * Set for the pools of {@link MagazineKeyedObjectPool}'s keys when it has a {@code maxTotal}: returns take the
     * slow path and stamp entries with the exact time, so that idle objects can be destroyed oldest first.
     */
    private static final int STAMP = 4;
    private static final int WAITER = 8;
    private static final long MIN_BACKOFF_NANOS = TimeUnit.MICROSECONDS.toNanos(20);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final int DEPOT_MAGAZINES = 1024;
    /** Compactions of a full depot before a magazine's idle entries are destroyed for want of room. */
    private static final int COMPACTIONS = 4;
    /** What {@link #validate} returns when validation returned false (rather than threw). */
    static final RuntimeException INVALID = new ValidationFailed();

    private final PooledObjectFactory<T> factory;
    private final int magazineCapacity;
    /** The idle credits a thread keeps for itself before giving the surplus back; see {@link IdleBudget}. */
    private final int spareCredits;
    private final boolean fairness;
    /** The configuration in force: the pool's own copy, replaced (never changed) by {@link #setConfig}. */
    private volatile MagazineObjectPoolConfig config;
    private volatile long maxWaitNanos;
    private volatile boolean testOnBorrow;
    private volatile boolean testOnReturn;
    /** The evictor's settings and policy; see {@link PoolEvictor}. */
    private final PoolEvictor<T> evictor;
    /** Abandoned-object tracking, or null when off. */
    private volatile AbandonedTracking abandoned;
    /**
     * The pool clock: the {@link System#nanoTime()} of the evictor's latest run (or of construction), stamped on
     * entries as they become idle; a volatile read of a line written once per eviction run.
     */
    private volatile long clock = System.nanoTime();

    private final IdentityTable<T> entries = new IdentityTable<>();
    private final Depot<Magazine<T>> depot;
    private final ThreadCaches<T> caches;
    /** {@code caches.slotTable()}, held here to spare the hot path a load. */
    private final MagazineRack<?>[] cacheSlots;
    private final IdleBudget idleBudget;
    private final PoolStatistics statistics = new PoolStatistics();
    /** Entries whose addObject passivation failed, destroyed on the next slow path (see {@link #addObject()}). */
    private final ConcurrentLinkedQueue<PoolEntry<T>> condemned = new ConcurrentLinkedQueue<>();
    private final AtomicInteger live = new AtomicInteger();
    /** The registered name, or null. */
    private final ObjectName jmxName;
    /** Test hook: runs after {@link #steal} claimed an extra entry and before it releases it; null in production. */
    Runnable stealHook;

    /** Guards identity-table changes, waiting, configuration changes and closing. */
    private final ReentrantLock lock;
    private final Condition changed;
    /**
     * {@code CLOSED}, {@code TRACK} and {@code STAMP} bits plus {@code WAITER} times the waiting borrowers; written
     * under the lock.
     */
    private volatile int attention;
    /** Decides on capacity instead of {@code maxTotal} when not null; see {@link CapacityGate}. */
    private final CapacityGate gate;

    /**
     * Creates a pool with the default configuration.
     *
     * @param factory the factory of pooled objects
     * @throws NullPointerException if {@code factory} is null
     */
    public MagazineObjectPool(final PooledObjectFactory<T> factory) {
        this(factory, new MagazineObjectPoolConfig());
    }

    /**
     * Creates a pool; starts its evictor if {@code timeBetweenEvictionRuns} is positive.
     *
     * @param factory the factory of pooled objects
     * @param config  the configuration; copied, later changes have no effect (see {@link #setConfig})
     * @throws NullPointerException     if {@code factory} or {@code config} is null
     * @throws IllegalArgumentException if the configuration cannot be honoured (see {@link #setConfig})
     */
    public MagazineObjectPool(final PooledObjectFactory<T> factory, final MagazineObjectPoolConfig config) {
        this(factory, config, null);
    }

    /**
     * Creates a pool whose capacity a {@link CapacityGate} decides (for {@link MagazineKeyedObjectPool}).
     *
     * @param gate if not null, consulted instead of {@code maxTotal} before each creation and told of each
     *             destruction; {@code maxTotal} then only sizes the depot
     */
    MagazineObjectPool(final PooledObjectFactory<T> factory, final MagazineObjectPoolConfig config,
                       final CapacityGate gate) {
        this.gate = gate;
        this.factory = Objects.requireNonNull(factory, "factory");
        final MagazineObjectPoolConfig c = Objects.requireNonNull(config, "config").clone();
        checkHonoured(c);
        this.fairness = c.getFairness();
        this.lock = new ReentrantLock(fairness);
        this.changed = lock.newCondition();
        final int maxIdle = c.getMaxIdle();
        this.magazineCapacity = maxIdle < 0 ? c.getMagazineSize()
                : Math.max(1, Math.min(c.getMagazineSize(), maxIdle / 2));
        this.spareCredits = Math.max(1, magazineCapacity / 4);
        this.idleBudget = new IdleBudget(maxIdle);
        this.depot = new Depot<>(DEPOT_MAGAZINES);
        this.caches = new ThreadCaches<>(magazineCapacity, this::reclaim);
        this.cacheSlots = caches.slotTable();
        this.evictor = new PoolEvictor<>(this);
        apply(c);
        this.jmxName = c.getJmxEnabled() ? PoolMBean.register(this, c) : null; // last: the MBean may be read at once
    }

    /** Refuses settings this pool cannot honour, rather than ignoring them. */
    private static void checkHonoured(final MagazineObjectPoolConfig c) {
        if (!c.getLifo()) {
            throw new IllegalArgumentException("lifo=false is not supported: idle objects are reused most recently "
                    + "returned first within each thread's magazines; see MagazineObjectPoolConfig.setLifo");
        }
        PoolEvictor.policyOf(c);
    }

    private void apply(final MagazineObjectPoolConfig c) {
        config = c;
        maxWaitNanos = nanos(c.getMaxWait());
        testOnBorrow = c.getTestOnBorrow();
        testOnReturn = c.getTestOnReturn();
        evictor.configure(c);
    }

    /**
     * Changes the configuration at run time, as {@code GenericObjectPool.setConfig} does: {@code maxTotal},
     * {@code maxIdle}, {@code minIdle}, {@code maxWait}, {@code blockWhenExhausted}, the tests, the swallowed
     * exception listener and the evictor's settings take effect at once. Lowering {@code maxIdle} destroys idle
     * objects beyond it; lowering {@code maxTotal} destroys nothing, but no object is created until fewer than the
     * new limit exist; raising it wakes waiting borrowers. The settings fixed at construction keep their values and
     * are not read from {@code config}: {@code magazineSize} (magazines exist in every thread), {@code fairness}
     * (the lock is made with it) and the JMX settings (the MBean is registered).
     *
     * @param config the new configuration; copied
     * @throws NullPointerException     if {@code config} is null
     * @throws IllegalArgumentException if it cannot be honoured: {@code lifo} false, or an eviction policy class
     *                                  that cannot be loaded; the pool is then unchanged
     */
    public void setConfig(final MagazineObjectPoolConfig config) {
        final MagazineObjectPoolConfig c = Objects.requireNonNull(config, "config").clone();
        checkHonoured(c);
        long available;
        lock.lock();
        try {
            apply(c);
            available = idleBudget.resize(c.getMaxIdle());
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        while (available < 0 && destroyOneIdle()) {
            available = idleBudget.available();
        }
    }

    /**
     * {@return a copy of the configuration in force; {@code magazineSize}, {@code fairness} and the JMX settings as
     * given at construction}
     */
    public MagazineObjectPoolConfig getConfig() {
        final MagazineObjectPoolConfig c = config.clone();
        c.setFairness(fairness);
        return c;
    }

    /** @return the configuration in force, which nobody changes; for this package */
    MagazineObjectPoolConfig config() {
        return config;
    }

    /**
     * Sets up abandoned-object tracking, as {@code GenericObjectPool.setAbandonedConfig}: objects on loan and
     * unused (see {@link #use}) for longer than {@code removeAbandonedTimeout} are destroyed with
     * {@link DestroyMode#ABANDONED}, by a borrow that finds the pool nearly exhausted (fewer than 2 idle and more
     * than {@code maxTotal - 3} active; checked when the borrowing thread's magazines are empty) if
     * {@code removeAbandonedOnBorrow}, and by each evictor run if {@code removeAbandonedOnMaintenance}. With
     * {@code logAbandoned} each borrow records its stack trace, printed to the configured writer when its object is
     * removed. While tracking is on, every borrow and return reads {@link System#nanoTime()} (which also feeds
     * {@link #getMeanActiveDuration()} and {@link #getMeanIdleDuration()}); without it they read no clock.
     * Objects on loan when tracking starts count as used at that moment. {@code requireFullStackTrace} and
     * {@code useUsageTracking} need no setting here: traces are always full, and {@link #use} always counts.
     *
     * @param abandonedConfig the settings, copied; null turns tracking off
     */
    public void setAbandonedConfig(final AbandonedConfig abandonedConfig) {
        final AbandonedTracking a = abandonedConfig == null ? null : new AbandonedTracking(abandonedConfig);
        lock.lock();
        try {
            if (a != null && abandoned == null) {
                final long now = System.nanoTime();
                entries.forEach(e -> {
                    if (e.state() == PoolEntry.LOANED) {
                        e.setBorrowedAt(now);
                    }
                });
            }
            abandoned = a;
            attention = a != null ? attention | TRACK : attention & ~TRACK;
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
     * Records a use of an object on loan, for abandoned-object tracking ({@code UsageTracking}): an object used
     * within {@code removeAbandonedTimeout} is not abandoned. Does nothing while tracking is off, or for an object
     * not on loan from this pool.
     *
     * @param pooledObject an object on loan from this pool
     * @throws NullPointerException if {@code pooledObject} is null
     */
    @Override
    public void use(final T pooledObject) {
        Objects.requireNonNull(pooledObject, "pooledObject");
        if ((attention & TRACK) == 0) {
            return;
        }
        final PoolEntry<T> e = entries.find(pooledObject);
        if (e != null && e.state() == PoolEntry.LOANED) {
            e.setUsedAt(System.nanoTime());
        }
    }

    /**
     * Borrows an object, waiting up to the configured {@code maxWait} if the pool is exhausted and
     * {@code blockWhenExhausted} is set.
     *
     * @return an activated (and, if configured, validated) object
     * @throws NoSuchElementException if the pool is exhausted and may not or did not wait long enough, or if an
     *                                object created for this borrow failed activation or validation
     * @throws IllegalStateException  if the pool is closed, before or while waiting
     * @throws InterruptedException   if interrupted while waiting
     * @throws Exception              what the factory's {@code makeObject} throws
     */
    @Override
    public T borrowObject() throws Exception {
        if ((attention & (CLOSED | TRACK)) == 0) {
            final ThreadCache<T> cache = cache();
            final PoolEntry<T> e = cache != null ? cache.take() : null;
            if (e != null) {
                gainCredit(cache);
                if (prepareLoan(e)) {
                    cache.countBorrow();
                    cache.lent(e);
                    return e.object();
                }
            }
        }
        return borrowSlow(maxWaitNanos);
    }

    /**
     * Borrows an object as {@link #borrowObject()} does, with its own limit on waiting.
     *
     * @param maxWait how long to wait if the pool is exhausted and {@code blockWhenExhausted} is set; negative:
     *                forever
     * @return an activated (and, if configured, validated) object
     * @throws NullPointerException if {@code maxWait} is null
     * @throws Exception            as {@link #borrowObject()}
     */
    public T borrowObject(final Duration maxWait) throws Exception {
        return borrowSlow(nanos(Objects.requireNonNull(maxWait, "maxWait")));
    }

    /** @return the duration in nanoseconds, -1 if negative, saturated at {@code Long.MAX_VALUE} */
    static long nanos(final Duration d) {
        if (d.isNegative()) {
            return -1;
        }
        try {
            return d.toNanos();
        } catch (final ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    private T borrowSlow(final long waitNanos) throws Exception {
        final long start = System.nanoTime();
        final ThreadCache<T> cache = cache();
        final AbandonedTracking ab = abandoned;
        if (ab != null && ab.removeOnBorrow() && nearlyExhausted()) {
            removeAbandoned(ab);
        }
        for (;;) {
            if ((attention & CLOSED) != 0) {
                throw notOpen();
            }
            PoolEntry<T> e = cache != null ? cache.take() : takeShared();
            if (e == null) {
                e = acquire(cache, start, waitNanos);
            }
            final boolean fresh = e.isFresh();
            if (!fresh) {
                gainCredit(cache);
            }
            if (prepareLoan(e)) {
                if (cache != null) {
                    cache.countBorrow();
                    cache.lent(e);
                } else {
                    statistics.sharedBorrow();
                }
                if ((attention & TRACK) != 0) {
                    trackBorrow(cache, e, fresh);
                }
                return e.object();
            }
        }
    }

    /** GOP's test for removing abandoned objects on borrow: fewer than 2 idle, more than maxTotal - 3 active. */
    private boolean nearlyExhausted() {
        final int maxTotal = config.getMaxTotal();
        return maxTotal >= 0 && getNumIdle() < 2 && getNumActive() > maxTotal - 3;
    }

    private void trackBorrow(final ThreadCache<T> cache, final PoolEntry<T> e, final boolean fresh) {
        final long now = System.nanoTime();
        if (!fresh) {
            final long idle = Math.max(0, now - e.returnedAt());
            if (cache != null) {
                cache.addIdle(idle);
            } else {
                statistics.sharedIdle(idle);
            }
        }
        e.setBorrowedAt(now);
        final AbandonedTracking ab = abandoned;
        if (ab != null && ab.logAbandoned()) {
            e.setBorrowTrace(new Exception("Pooled object borrowed here and not returned"));
        }
    }

    /**
     * A borrower claimed an idle entry, and with it the entry's idle credit.
     *
     * @param cache the borrower's private cache; null for a thread without one, which hands the credit straight
     *              back to the budget
     */
    private void gainCredit(final ThreadCache<T> cache) {
        if (cache == null) {
            idleBudget.give(1);
            return;
        }
        final int c = cache.credits() + 1;
        if (c > spareCredits) {
            final int keep = spareCredits / 2;
            cache.setCredits(keep);
            idleBudget.give(c - keep);
        } else {
            cache.setCredits(c);
        }
    }

    /**
     * @param cache the caller's private cache; null for a thread without one, which takes the credit straight from
     *              the budget
     * @return whether the calling thread got an idle credit for an entry it is about to make idle
     */
    private boolean spendCredit(final ThreadCache<T> cache) {
        if (cache == null) {
            return idleBudget.take(1) == 1 || overdraw();
        }
        final int c = cache.credits();
        if (c > 0) {
            cache.setCredits(c - 1);
            return true;
        }
        final int got = idleBudget.take(spareCredits);
        if (got == 0) {
            return overdraw();
        }
        cache.setCredits(got - 1);
        return true;
    }

    /**
     * The budget is spent, but other threads may hold spare credits while fewer than {@code maxIdle} objects are
     * idle; counts the idle objects (under the lock, so overdrafts are serialized) and borrows a credit against
     * the budget if one more fits, as {@code GenericObjectPool} would keep the object. The debt is paid back by the
     * next credits given back.
     */
    private boolean overdraw() {
        final int maxIdle = config.getMaxIdle();
        lock.lock();
        try {
            if (maxIdle >= 0 && getNumIdle() >= maxIdle) {
                return false;
            }
            idleBudget.give(-1);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Activates and, if configured, validates an entry the caller holds on loan.
     *
     * @return true if it is ready to lend; false if it failed and was destroyed
     * @throws NoSuchElementException if it failed and was created for this loan
     */
    private boolean prepareLoan(final PoolEntry<T> e) {
        final PooledObject<T> p = e.pooled();
        final boolean fresh = e.isFresh();
        try {
            factory.activateObject(p);
        } catch (final Exception ex) {
            destroyOwnedQuietly(e);
            if (fresh) {
                throw noSuchElement("Unable to activate object", ex);
            }
            return false;
        } catch (final Error err) {
            destroyOwnedQuietly(e);
            throw err;
        }
        if (testOnBorrow) {
            final RuntimeException failure = validate(e);
            if (failure != null) {
                statistics.destroyedByBorrowValidation();
                destroyOwnedQuietly(e);
                if (fresh) {
                    throw noSuchElement("Unable to validate object", failure == INVALID ? null : failure);
                }
                return false;
            }
        }
        if (fresh) {
            e.setFresh(false);
        }
        return true;
    }

    /**
     * Runs the factory's validation on an entry the caller owns; an {@link Error} destroys the entry and propagates.
     *
     * @return null if valid, {@link #INVALID} if validation returned false, else what it threw
     */
    RuntimeException validate(final PoolEntry<T> e) {
        try {
            return factory.validateObject(e.pooled()) ? null : INVALID;
        } catch (final RuntimeException ex) {
            return ex;
        } catch (final Error err) {
            destroyOwnedQuietly(e);
            throw err;
        }
    }

    /**
     * The borrow slow path, entered with both of the thread's magazines empty.
     *
     * @return an entry on loan to the caller
     */
    private PoolEntry<T> acquire(final ThreadCache<T> cache, final long start, final long waitNanos)
            throws Exception {
        destroyCondemned();
        for (;;) {
            final PoolEntry<T> e = cache != null ? reload(cache) : takeShared();
            if (e != null) {
                return e;
            }
            final PoolEntry<T> stolen = steal(cache);
            if (stolen != null) {
                return stolen;
            }
            if (!caches.reclaimTerminated()) {
                break;
            }
        }
        if (reserve()) {
            return create(PoolEntry.LOANED);
        }
        return awaitExhausted(start, waitNanos);
    }

    /**
     * Reloads a cache, whose magazines are both empty, from the depot, until an entry can be claimed.
     *
     * @param cache a cache the caller owns (or holds the stripe of)
     * @return an entry on loan to the caller, or null if the depot had no loaded magazine
     */
    private PoolEntry<T> reload(final ThreadCache<T> cache) {
        Magazine<T> m;
        while ((m = depot.pollFull()) != null) {
            depot.offerEmpty(cache.reload(m));
            final PoolEntry<T> e = cache.take();
            if (e != null) {
                return e;
            }
        }
        return null;
    }

    /**
     * The borrow path of a thread without a private cache (a virtual thread): takes from a stripe's magazines,
     * reloading them from the depot if they are empty, under the stripe's lock.
     *
     * @return an entry on loan to the caller, or null
     */
    private PoolEntry<T> takeShared() {
        final Stripes.Stripe<ThreadCache<T>> s = caches.stripes().acquire(Thread.currentThread());
        try {
            final ThreadCache<T> c = s.cache();
            final PoolEntry<T> e = c.take();
            return e != null ? e : reload(c);
        } finally {
            s.unlock();
        }
    }

    /**
     * Claims idle entries from the magazines of other threads and of the stripes: at most half a magazine's worth
     * from one cache, the first for the caller, the others into the caller's (empty, so they fit) magazines; only
     * one for a caller without a private cache. The others are claimed
     * into {@code RELEASING}, which a waiting borrower that sees them takes as "an object is on its way back", and
     * waiting borrowers are woken once they are idle again.
     */
    private PoolEntry<T> steal(final ThreadCache<T> own) {
        final ThreadCache<T>[] r = caches.snapshot();
        final int n = r.length;
        if (n < (own != null ? 2 : 1)) {
            return null;
        }
        final int limit = own != null ? Math.max(1, magazineCapacity / 2) : 1;
        final int first = ThreadLocalRandom.current().nextInt(n);
        for (int k = 0; k < n; k++) {
            final ThreadCache<T> victim = r[(first + k) % n];
            if (victim == own) {
                continue;
            }
            final PoolEntry<T>[] taken = newEntryArray(limit);
            final int count = stealFrom(victim.previous(), taken, stealFrom(victim.loaded(), taken, 0));
            if (count > 0) {
                for (int i = 1; i < count; i++) {
                    own.put(taken[i]);
                    taken[i].release();
                }
                if (count > 1 && attention >= WAITER) {
                    signalWaiters();
                }
                return taken[0];
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static <T> PoolEntry<T>[] newEntryArray(final int length) {
        return (PoolEntry<T>[]) new PoolEntry<?>[length];
    }

    /** Claims idle entries of one magazine into {@code taken} from index {@code count}; returns the new count. */
    private int stealFrom(final Magazine<T> m, final PoolEntry<T>[] taken, final int count) {
        int n = count;
        for (int i = 0; i < m.capacity() && n < taken.length; i++) {
            final PoolEntry<T> e = m.peek(i);
            if (e != null && e.state() == PoolEntry.IDLE && (n == 0 ? e.tryLoan() : e.tryClaimIdle())) {
                taken[n++] = e;
                if (n > 1 && stealHook != null) {
                    stealHook.run();
                }
            }
        }
        return n;
    }

    /** Reserves capacity for one new object; false at {@code maxTotal}. */
    private boolean reserve() {
        if (gate != null) {
            return gateReserve();
        }
        final int maxTotal = config.getMaxTotal();
        for (;;) {
            final int n = live.get();
            if (maxTotal >= 0 && n >= maxTotal) {
                return false;
            }
            if (live.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Returns capacity {@link #reserve()}d for an object that was not made or was destroyed. */
    private void unreserve() {
        live.decrementAndGet();
        gateRelease();
        signalWaiters();
    }

    /**
     * Makes an object with reserved capacity and registers it.
     *
     * @param state {@link PoolEntry#LOANED} for a borrower (the entry is then fresh), {@link PoolEntry#RELEASING}
     *              for {@code addObject}
     * @return the entry, owned by the caller; null only for {@code addObject} when testOnCreate validation failed
     */
    private PoolEntry<T> create(final int state) throws Exception {
        final PooledObject<T> p;
        try {
            p = factory.makeObject();
        } catch (final Throwable t) {
            unreserve();
            throw t;
        }
        if (p == null || p.getObject() == null) {
            unreserve();
            throw new NullPointerException(factory.getClass().getSimpleName() + ".makeObject() = null");
        }
        final PoolEntry<T> e = new PoolEntry<>(p, state);
        boolean open;
        boolean inserted = false;
        lock.lock();
        try {
            open = (attention & CLOSED) == 0;
            if (open) {
                inserted = entries.insert(e);
            }
        } finally {
            lock.unlock();
        }
        if (open && !inserted) {
            unreserve();
            throw new IllegalStateException(factory.getClass().getSimpleName()
                    + ".makeObject() returned an object already in this pool: " + p.getObject());
        }
        statistics.created();
        if (!open) {
            e.retire();
            destroyRetiredQuietly(e, DestroyMode.NORMAL);
            throw notOpen();
        }
        if (config.getTestOnCreate()) {
            final RuntimeException failure = validate(e);
            if (failure != null) {
                destroyOwnedQuietly(e);
                if (state == PoolEntry.LOANED) {
                    throw noSuchElement("Unable to validate object", failure == INVALID ? null : failure);
                }
                return null;
            }
        }
        e.setFresh(state == PoolEntry.LOANED);
        return e;
    }

    /**
     * Waits for an idle object or free capacity once the pool is exhausted, claiming idle entries wherever they
     * are. Returns from this path wake waiters (see {@link #releaseSlow}); a return caught between its claim and
     * its release may not, so while one is seen the wait is short and repeated.
     */
    private PoolEntry<T> awaitExhausted(final long start, final long waitNanos) throws Exception {
        final long limit = config.getBlockWhenExhausted() ? waitNanos : 0;
        lock.lock();
        try {
            attention += WAITER;
            try {
                long backoff = MIN_BACKOFF_NANOS;
                for (;;) {
                    if ((attention & CLOSED) != 0) {
                        throw notOpen();
                    }
                    if (!condemned.isEmpty()) {
                        lock.unlock();
                        try {
                            destroyCondemned();
                        } finally {
                            lock.lock();
                        }
                    }
                    final boolean[] releasing = new boolean[1];
                    final PoolEntry<T> e = claimAnyIdle(releasing);
                    if (e != null) {
                        statistics.waited(System.nanoTime() - start);
                        return e;
                    }
                    if (reserve()) {
                        break;
                    }
                    final long remaining = limit < 0 ? Long.MAX_VALUE : limit - (System.nanoTime() - start);
                    if (remaining <= 0) {
                        throw new NoSuchElementException(limit != 0
                                ? "Timeout waiting for idle object, maxWait=" + Duration.ofNanos(limit)
                                : "Pool exhausted");
                    }
                    if (releasing[0]) {
                        changed.awaitNanos(Math.min(remaining, backoff));
                        backoff = Math.min(MAX_BACKOFF_NANOS, backoff * 2);
                    } else if (limit < 0) {
                        changed.await();
                    } else {
                        changed.awaitNanos(remaining);
                    }
                }
            } finally {
                attention -= WAITER;
                if (attention >= WAITER) {
                    changed.signal(); // pass the wake-up on: what woke this borrower may serve the next one too
                }
            }
        } finally {
            lock.unlock();
        }
        statistics.waited(System.nanoTime() - start);
        return create(PoolEntry.LOANED);
    }

    /** Claims any idle entry in the pool; records whether an entry was seen on its way to idle. */
    private PoolEntry<T> claimAnyIdle(final boolean[] releasing) {
        final List<PoolEntry<T>> found = new ArrayList<>(1);
        entries.forEach(e -> {
            final int s = e.state();
            if (s == PoolEntry.RELEASING || s == PoolEntry.EVICTING) {
                releasing[0] = true;
            } else if (found.isEmpty() && s == PoolEntry.IDLE && e.tryLoan()) {
                found.add(e);
            }
        });
        return found.isEmpty() ? null : found.get(0);
    }

    /**
     * Wakes one waiting borrower, if any: one object (or one unit of capacity) serves one borrower, and a borrower
     * that leaves the wait wakes the next ({@link #awaitExhausted}), so thousands of waiting virtual threads are not
     * all woken for each return (as {@code GenericObjectPool}'s deque wakes one taker).
     */
    void signalWaiters() {
        if (attention >= WAITER) {
            lock.lock();
            try {
                changed.signal();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Returns an object to the pool. The object goes to the calling thread's magazines, whichever thread borrowed
     * it, unless {@code maxIdle} objects are idle: then it is destroyed, as in {@code GenericObjectPool}. While
     * abandoned-object tracking is on (see {@link #setAbandonedConfig}), returning an object that is no longer part
     * of the pool (removed as abandoned, or destroyed) does nothing, as in {@code GenericObjectPool}.
     *
     * @param obj an object on loan from this pool
     * @throws NullPointerException  if {@code obj} is null
     * @throws IllegalStateException if {@code obj} is not on loan from this pool (never borrowed from it, already
     *                               returned, or, unless tracking is on, destroyed); the pool is unaffected
     */
    @Override
    public void returnObject(final T obj) {
        final ThreadCache<T> cache = cache();
        final PoolEntry<T> last = cache != null ? cache.lastLoan() : null;
        final PoolEntry<T> e;
        if (last != null && last.object() == obj && last.tryBeginRelease()) {
            e = last;
        } else {
            e = abandonedOrLoaned(obj, "Returned object not currently part of this pool");
            if (e == null) {
                return;
            }
            if (!beginRelease(e)) {
                if (e.state() == PoolEntry.RETIRED && (attention & TRACK) != 0) {
                    return;
                }
                throw new IllegalStateException("Object has already been returned to this pool or is invalid");
            }
        }
        if (cache != null) {
            cache.countReturn();
        } else {
            statistics.sharedReturn();
        }
        release(e, cache);
    }

    /** @return the calling thread's private cache; null for a virtual thread, which uses the stripes */
    private ThreadCache<T> cache() {
        final ThreadCache<T> c = ThreadCaches.find(cacheSlots, Thread.currentThread());
        return c != null ? c : caches.current();
    }

    /**
     * {@link #loaned}, except that while abandoned-object tracking is on an object not part of this pool is taken
     * for one removed as abandoned, as {@code GenericObjectPool} does.
     *
     * @return the object's entry, or null if tracking is on and the object is not part of this pool
     */
    private PoolEntry<T> abandonedOrLoaned(final T obj, final String notFound) {
        if ((attention & TRACK) != 0) {
            Objects.requireNonNull(obj, "obj");
            return entries.find(obj);
        }
        return loaned(obj, notFound);
    }

    /** {@link PoolEntry#tryBeginRelease()}, waiting while abandoned-object removal looks at the entry. */
    private static boolean beginRelease(final PoolEntry<?> e) {
        for (;;) {
            if (e.tryBeginRelease()) {
                return true;
            }
            if (e.state() != PoolEntry.ABANDONING) {
                return false;
            }
            Thread.yield();
        }
    }

    private PoolEntry<T> loaned(final T obj, final String notFound) {
        Objects.requireNonNull(obj, "obj");
        final PoolEntry<T> e = entries.find(obj);
        if (e == null) {
            throw new IllegalStateException(notFound);
        }
        return e;
    }

    /** Validates (if configured), passivates and parks an entry the caller made {@code RELEASING}. */
    private void release(final PoolEntry<T> e, final ThreadCache<T> cache) {
        if (testOnReturn) {
            final RuntimeException failure = validate(e);
            if (failure != null) {
                if (failure != INVALID) {
                    swallow(failure);
                }
                destroyOwnedQuietly(e);
                return;
            }
        }
        try {
            factory.passivateObject(e.pooled());
        } catch (final Exception ex) {
            swallow(ex);
            destroyOwnedQuietly(e);
            return;
        } catch (final Error err) {
            destroyOwnedQuietly(e);
            throw err;
        }
        if (attention != 0) {
            releaseSlow(e, cache);
            return;
        }
        if (!spendCredit(cache)) {
            destroyOwnedQuietly(e);
            return;
        }
        e.setReturnedAt(clock);
        park(cache, e);
    }

    /**
     * Puts an entry the caller owns, holding its idle credit, into the caller's magazines, and releases it.
     *
     * @param cache the caller's private cache; null for a thread without one, which uses a stripe's
     */
    private void park(final ThreadCache<T> cache, final PoolEntry<T> e) {
        if (cache == null) {
            final Stripes.Stripe<ThreadCache<T>> s = caches.stripes().acquire(Thread.currentThread());
            try {
                park(s.cache(), e);
            } finally {
                s.unlock();
            }
            return;
        }
        if (!cache.put(e)) {
            Magazine<T> empty = depot.pollEmpty();
            if (empty == null) {
                empty = new Magazine<>(magazineCapacity);
            }
            final Magazine<T> full = cache.unload(empty);
            cache.put(e);
            e.release();
            deposit(full);
            return;
        }
        e.release();
    }

    /** Release with the pool closed, borrowers waiting or tracking on; see {@link #awaitExhausted}. */
    private void releaseSlow(final PoolEntry<T> e, final ThreadCache<T> cache) {
        if ((attention & CLOSED) != 0 || !spendCredit(cache)) {
            destroyOwnedQuietly(e);
            return;
        }
        if ((attention & TRACK) != 0) {
            final long now = System.nanoTime();
            final long active = Math.max(0, now - e.borrowedAt());
            if (cache != null) {
                cache.addActive(active);
            } else {
                statistics.sharedActive(active);
            }
            e.setReturnedAt(now);
        } else {
            e.setReturnedAt((attention & STAMP) != 0 ? System.nanoTime() : clock);
        }
        park(cache, e);
        signalWaiters();
    }

    /**
     * Hands a magazine of entries (holding their idle credits) to the depot. If the depot is full, it is compacted
     * (see {@link #compactDepot}) and the offer tried again, up to {@value #COMPACTIONS} times; only if it is still
     * full then are the idle entries of {@code m} destroyed. The idle entries never need more than
     * {@code maxIdle / magazineSize} magazines, so a full depot holds stale references; but while one thread
     * compacts, others may refill it with more (many virtual threads on few carriers, a carrier descheduled), so
     * one compaction is not always enough.
     *
     * @param m a magazine the caller holds
     */
    void deposit(final Magazine<T> m) {
        if (m.isEmpty()) {
            depot.offerEmpty(m);
            return;
        }
        for (int compactions = 0; !offerLoaded(m); compactions++) {
            if (compactions == COMPACTIONS) {
                while (!m.isEmpty()) {
                    destroyIfIdle(m.poll());
                }
                depot.offerEmpty(m);
                return;
            }
            compactDepot();
        }
    }

    private boolean offerLoaded(final Magazine<T> m) {
        return depot.offerFull(m);
    }

    /**
     * Drains the depot's loaded magazines and parks their idle entries again, packed, each once, without the stale
     * references.
     * Borrowers that wait claim idle entries through the identity table, not the magazines, so under contention
     * magazines of stale references (entries claimed, lent or destroyed since they were parked) pile up in the
     * depot until it is full; a full depot would otherwise destroy idle objects. A reference dropped here is stale
     * or, if its entry becomes idle again meanwhile, a duplicate: whoever moves an entry out of {@code IDLE} parks a
     * new reference when it is idle again.
     */
    private void compactDepot() {
        final List<Magazine<T>> packed = new ArrayList<>();
        final Set<PoolEntry<T>> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        Magazine<T> into = null;
        Magazine<T> m;
        for (int i = 0; i < DEPOT_MAGAZINES && (m = depot.pollFull()) != null; i++) {
            PoolEntry<T> e;
            while ((e = m.poll()) != null) {
                if (e.state() != PoolEntry.IDLE || !kept.add(e)) {
                    continue;
                }
                if (into == null || !into.offer(e)) {
                    into = newMagazine();
                    packed.add(into);
                    into.offer(e);
                }
            }
            depot.offerEmpty(m);
        }
        for (final Magazine<T> p : packed) {
            if (!offerLoaded(p)) {
                while (!p.isEmpty()) {
                    destroyIfIdle(p.poll());
                }
            }
        }
    }

    /** @return a new empty magazine, for the evictor */
    Magazine<T> newMagazine() {
        final Magazine<T> m = depot.pollEmpty();
        return m != null ? m : new Magazine<>(magazineCapacity);
    }

    /**
     * Destroys an entry of this pool if it is idle (for {@link MagazineKeyedObjectPool#clearOldest()} too); the
     * magazine or depot slot that held it is skipped when next met, as after {@link #clear()}.
     *
     * @param e an entry of this pool
     * @return whether it was idle and is destroyed
     */
    boolean destroyIfIdle(final PoolEntry<T> e) {
        if (e.tryRetireIdle()) {
            idleBudget.give(1);
            destroyRetiredQuietly(e, DestroyMode.NORMAL);
            return true;
        }
        return false;
    }

    /**
     * Destroys one idle object, if there is one, to free its capacity; the magazine or depot slot that held it is
     * skipped when next met, as after {@link #clear()}.
     *
     * @return whether an idle entry was found and destroyed
     */
    boolean destroyOneIdle() {
        final List<PoolEntry<T>> victim = new ArrayList<>(1);
        entries.forEach(e -> {
            if (victim.isEmpty() && e.state() == PoolEntry.IDLE && e.tryRetireIdle()) {
                victim.add(e);
            }
        });
        if (victim.isEmpty()) {
            return false;
        }
        idleBudget.give(1);
        destroyRetiredQuietly(victim.get(0), DestroyMode.NORMAL);
        return true;
    }

    /**
     * Destroys an object of this pool, as {@code GenericObjectPool} does: on loan or idle.
     *
     * @param obj an object of this pool
     * @throws NullPointerException  if {@code obj} is null
     * @throws IllegalStateException as {@link #invalidateObject(Object, DestroyMode)}
     * @throws Exception             what the factory's {@code destroyObject} throws; the object has left the pool
     */
    @Override
    public void invalidateObject(final T obj) throws Exception {
        invalidateObject(obj, DestroyMode.NORMAL);
    }

    /**
     * Destroys an object of this pool, as {@code GenericObjectPool} does: on loan or idle. An object being returned
     * or tested by the evictor at that moment is destroyed once that finishes. While abandoned-object tracking is
     * on, invalidating an object that is no longer part of the pool (removed as abandoned) does nothing, as in
     * {@code GenericObjectPool}.
     *
     * @param obj  an object of this pool
     * @param mode passed to the factory's {@code destroyObject}
     * @throws NullPointerException  if {@code obj} or {@code mode} is null
     * @throws IllegalStateException if {@code obj} is not part of this pool (or already destroyed), unless
     *                               tracking is on
     * @throws Exception             what the factory's {@code destroyObject} throws; the object has left the pool
     */
    @Override
    public void invalidateObject(final T obj, final DestroyMode mode) throws Exception {
        Objects.requireNonNull(mode, "mode");
        final PoolEntry<T> e = abandonedOrLoaned(obj, "Invalidated object not currently part of this pool");
        if (e == null) {
            return;
        }
        for (;;) {
            if (e.tryRetireLoaned()) {
                break;
            }
            if (e.tryRetireIdle()) {
                idleBudget.give(1);
                break;
            }
            if (e.state() == PoolEntry.RETIRED) {
                if ((attention & TRACK) != 0) {
                    return;
                }
                throw new IllegalStateException("Invalidated object has already been destroyed");
            }
            Thread.yield(); // RELEASING, EVICTING or ABANDONING: its owner is about to finish with it
        }
        destroyRetired(e, mode);
    }

    /**
     * Creates an idle object: {@code makeObject}, {@code validateObject} if testOnCreate, {@code passivateObject}.
     * Does nothing if {@code maxTotal} objects exist, {@code maxIdle} objects are idle, or testOnCreate validation
     * fails. The object joins the calling thread's magazines; borrowers on other threads find it when their own
     * magazines and the depot are empty.
     *
     * <p>If passivation fails the exception propagates and the object, unfit to lend, is destroyed on the pool's
     * next slow path ({@link #clear()}, {@link #close()}, {@code addObject}, a borrow that finds its thread's
     * magazines empty, or a borrower waiting for capacity, which is woken for it); until then it counts as active.
     * (Commons Pool's contract suite expects no {@code destroyObject} within the failing {@code addObject}.)
     *
     * @throws IllegalStateException if the pool is closed
     * @throws Exception             what the factory's {@code makeObject} or {@code passivateObject} throws
     */
    @Override
    public void addObject() throws Exception {
        add(false);
    }

    /**
     * Adds one idle object.
     *
     * @param toDepot whether to park it in the depot (the evictor's thread keeps no magazines) rather than in the
     *                calling thread's magazines
     * @return false if nothing was added
     */
    boolean add(final boolean toDepot) throws Exception {
        if ((attention & CLOSED) != 0) {
            throw notOpen();
        }
        destroyCondemned();
        final ThreadCache<T> cache = toDepot ? null : cache();
        if (toDepot ? idleBudget.take(1) == 0 : !spendCredit(cache)) {
            return false;
        }
        if (!reserve()) {
            idleBudget.give(1);
            return false;
        }
        final PoolEntry<T> e;
        try {
            e = create(PoolEntry.RELEASING);
        } catch (final Exception | Error t) {
            idleBudget.give(1);
            throw t;
        }
        if (e == null) {
            idleBudget.give(1);
            return false;
        }
        try {
            factory.passivateObject(e.pooled());
        } catch (final Exception | Error t) {
            idleBudget.give(1);
            e.condemn();
            condemned.add(e);
            signalWaiters();
            throw t;
        }
        if ((attention & CLOSED) != 0) {
            idleBudget.give(1);
            destroyOwnedQuietly(e);
            return false;
        }
        e.setReturnedAt((attention & (TRACK | STAMP)) != 0 ? System.nanoTime() : clock);
        if (toDepot) {
            final Magazine<T> m = newMagazine();
            m.offer(e);
            e.release();
            deposit(m);
        } else {
            park(cache, e);
        }
        signalWaiters();
        return true;
    }

    /**
     * Adds idle objects until {@code min(minIdle, maxIdle)} are idle or {@code maxTotal} exist, as
     * {@code GenericObjectPool.preparePool} does.
     *
     * @throws Exception as {@link #addObject()}
     */
    public void preparePool() throws Exception {
        ensureIdle(false);
    }

    /**
     * Adds idle objects up to {@code min(minIdle, maxIdle)}.
     *
     * @param toDepot see {@link #add(boolean)}
     */
    void ensureIdle(final boolean toDepot) throws Exception {
        final MagazineObjectPoolConfig c = config;
        final int target = c.getMaxIdle() < 0 ? c.getMinIdle() : Math.min(c.getMinIdle(), c.getMaxIdle());
        for (int idle = getNumIdle(); idle < target; idle++) {
            if (!add(toDepot)) {
                return;
            }
        }
    }

    /**
     * Destroys every idle object, in all threads' magazines and the depot. Objects returned or tested by the
     * evictor while this runs may stay idle. Exceptions from {@code destroyObject} go to the
     * {@code SwallowedExceptionListener}. Destroyed objects are not kept reachable by the magazines of other
     * threads (which may hold stale references to their entries until they next use the pool).
     */
    @Override
    public void clear() {
        destroyIdle(null);
    }

    /**
     * Destroys the idle entries, and drops the references held by the depot, the caller's magazines and the
     * magazines of terminated threads.
     *
     * @param releasing if not null, set to whether an entry was seen on its way to idle
     */
    private void destroyIdle(final boolean[] releasing) {
        caches.reclaimTerminated();
        destroyCondemned();
        final List<PoolEntry<T>> victims = new ArrayList<>();
        entries.forEach(e -> {
            final int s = e.state();
            if (s == PoolEntry.IDLE && e.tryRetireIdle()) {
                victims.add(e);
            } else if ((s == PoolEntry.RELEASING || s == PoolEntry.EVICTING) && releasing != null) {
                releasing[0] = true;
            }
        });
        Magazine<T> m;
        while ((m = depot.pollFull()) != null) {
            m.clear();
            depot.offerEmpty(m);
        }
        final ThreadCache<T> own = cache();
        if (own != null) {
            own.clear();
        }
        caches.forEachFreeStripe(ThreadCache::clear);
        idleBudget.give(victims.size());
        for (final PoolEntry<T> e : victims) {
            destroyRetiredQuietly(e, DestroyMode.NORMAL);
        }
    }

    /**
     * Closes the pool: borrowing and adding then fail with {@link IllegalStateException} (borrowers already waiting
     * included), the evictor stops, idle objects are destroyed, returns in progress are waited for and their
     * objects destroyed, and objects on loan are destroyed when they are returned or invalidated. Idempotent.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if ((attention & CLOSED) != 0) {
                return;
            }
            attention |= CLOSED;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        evictor.stop();
        if (jmxName != null) {
            PoolMBean.unregister(jmxName);
        }
        long backoff = MIN_BACKOFF_NANOS;
        for (;;) {
            final boolean[] releasing = new boolean[1];
            destroyIdle(releasing);
            if (!releasing[0]) {
                return;
            }
            LockSupport.parkNanos(backoff);
            backoff = Math.min(MAX_BACKOFF_NANOS, backoff * 2);
        }
    }

    /** {@return whether {@link #close()} has been called} */
    public boolean isClosed() {
        return (attention & CLOSED) != 0;
    }

    /**
     * @return the objects on loan (including those being activated, validated or passivated, and those awaiting
     *         deferred destruction, see {@link #addObject()}); exact when no call is in progress
     */
    @Override
    public int getNumActive() {
        final int[] n = new int[1];
        entries.forEach(e -> {
            final int s = e.state();
            if (s == PoolEntry.LOANED || s == PoolEntry.RELEASING || s == PoolEntry.CONDEMNED
                    || s == PoolEntry.ABANDONING) {
                n[0]++;
            }
        });
        return n[0];
    }

    /**
     * @return the idle objects (including those the evictor is testing); exact when no call is in progress, and
     *         then at most {@code maxIdle} plus the spare idle credits threads hold (see
     *         {@link MagazineObjectPoolConfig#setMaxIdle})
     */
    @Override
    public int getNumIdle() {
        final int[] n = new int[1];
        entries.forEach(e -> {
            final int s = e.state();
            if (s == PoolEntry.IDLE || s == PoolEntry.EVICTING) {
                n[0]++;
            }
        });
        return n[0];
    }

    /**
     * @param obj an object
     * @return whether it is one of this pool's objects (on loan, idle, or being destroyed)
     */
    boolean contains(final T obj) {
        return entries.find(obj) != null;
    }

    /** @param visitor receives every entry of this pool (one snapshot of the identity table) */
    void forEachEntry(final Consumer<PoolEntry<T>> visitor) {
        entries.forEach(visitor);
    }

    /** {@return the borrowers waiting for an object} */
    public int getNumWaiters() {
        return attention >>> 3;
    }

    /** {@return the objects the factory has made for this pool} */
    public long getCreatedCount() {
        return statistics.createdCount();
    }

    /** {@return the objects this pool has destroyed (or handed to the factory's {@code destroyObject})} */
    public long getDestroyedCount() {
        return statistics.destroyedCount();
    }

    /** {@return the objects destroyed because validation failed on borrow ({@code testOnBorrow})} */
    public long getDestroyedByBorrowValidationCount() {
        return statistics.destroyedByBorrowValidationCount();
    }

    /** {@return the objects the evictor destroyed (by the eviction policy or failed testWhileIdle)} */
    public long getDestroyedByEvictorCount() {
        return statistics.destroyedByEvictorCount();
    }

    /**
     * {@return the successful borrows; a sum of per-thread counters, exact when no call is in progress}
     */
    public long getBorrowedCount() {
        return statistics.borrowedCount(caches.snapshot());
    }

    /** {@return the returns accepted (objects returned while on loan); exact when no call is in progress} */
    public long getReturnedCount() {
        return statistics.returnedCount(caches.snapshot());
    }

    /**
     * {@return the mean time borrows waited, over all borrows since the pool was created (a borrow served without
     * waiting counts as zero; {@code GenericObjectPool} averages its last 100 borrows)}
     */
    public Duration getMeanBorrowWaitDuration() {
        return Duration.ofNanos(statistics.meanWaitNanos(caches.snapshot()));
    }

    /** {@return {@link #getMeanBorrowWaitDuration()} in milliseconds} */
    public long getMeanBorrowWaitTimeMillis() {
        return getMeanBorrowWaitDuration().toMillis();
    }

    /** {@return the longest time a borrow waited} */
    public Duration getMaxBorrowWaitDuration() {
        return Duration.ofNanos(statistics.maxWaitNanos());
    }

    /** {@return {@link #getMaxBorrowWaitDuration()} in milliseconds} */
    public long getMaxBorrowWaitTimeMillis() {
        return getMaxBorrowWaitDuration().toMillis();
    }

    /**
     * {@return the mean length of the loans that ended while time was tracked (abandoned-object tracking on, see
     * {@link #setAbandonedConfig}); zero if none}
     */
    public Duration getMeanActiveDuration() {
        return Duration.ofNanos(statistics.meanActiveNanos(caches.snapshot()));
    }

    /** {@return {@link #getMeanActiveDuration()} in milliseconds} */
    public long getMeanActiveTimeMillis() {
        return getMeanActiveDuration().toMillis();
    }

    /**
     * {@return the mean time borrowed objects had been idle, over the borrows made while time was tracked
     * (abandoned-object tracking on); zero if none}
     */
    public Duration getMeanIdleDuration() {
        return Duration.ofNanos(statistics.meanIdleNanos(caches.snapshot()));
    }

    /** {@return {@link #getMeanIdleDuration()} in milliseconds} */
    public long getMeanIdleTimeMillis() {
        return getMeanIdleDuration().toMillis();
    }

    /**
     * {@return the configured abandoned-object timeout when tracking is on, else
     * {@code Duration.ofSeconds(Integer.MAX_VALUE)}, as {@code GenericObjectPool} does}
     */
    public Duration getRemoveAbandonedTimeoutDuration() {
        final AbandonedTracking a = abandoned;
        return a == null ? Duration.ofSeconds(Integer.MAX_VALUE) : a.timeout();
    }

    /**
     * {@return the name of this pool's {@link MagazineObjectPoolMXBean}, or null if JMX is off for it or registration
     * failed; the name stays known after {@link #close()} unregistered it, as in {@code GenericObjectPool}}
     */
    public ObjectName getJmxName() {
        return jmxName;
    }

    /** {@return the factory} */
    public PooledObjectFactory<T> getFactory() {
        return factory;
    }

    /** {@return the capacity of each magazine, after the {@code maxIdle} clamp} */
    public int getMagazineCapacity() {
        return magazineCapacity;
    }

    /** @return the private caches registered now (one per platform thread that used the pool); for tests */
    int registeredCaches() {
        return caches.registered();
    }

    /** @return this pool's evictor; for this package */
    PoolEvictor<T> evictor() {
        return evictor;
    }

    /** @return the sums behind this pool's statistics now; for {@link MagazineKeyedObjectPool} */
    PoolStatistics.Totals totals() {
        return statistics.totals(caches.snapshot());
    }

    /** @return the statistics kept on slow paths; for this package */
    PoolStatistics statistics() {
        return statistics;
    }

    /** @return the pool clock, see {@link #clock} */
    long clock() {
        return clock;
    }

    /** @param now a new pool clock reading, from the evictor */
    void tick(final long now) {
        clock = now;
    }

    /**
     * Makes returns and {@code addObject} stamp entries with {@link System#nanoTime()} rather than the pool clock,
     * which costs a return the clock read and the slow path; for the pools of {@link MagazineKeyedObjectPool}'s keys,
     * whose idle objects its {@code clearOldest} destroys oldest first. Called before the pool is shared.
     */
    void stampReturns() {
        lock.lock();
        try {
            attention |= STAMP;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Destroys abandoned objects: those on loan and unused for longer than the configured timeout. An entry whose
     * loan is not stamped yet ({@link PoolEntry#UNUSED}: its borrower is between claiming and stamping it, maybe
     * activating it) is left alone; its borrower stamps it before the borrow returns. The entry is claimed
     * ({@link PoolEntry#ABANDONING}) before its stamp is read again, so a loan that was used, or that ended and
     * was followed by another, between the first reading and the claim is not taken for abandoned.
     */
    void removeAbandoned(final AbandonedTracking ab) {
        final long now = System.nanoTime();
        final long timeout = ab.timeoutNanos();
        final List<PoolEntry<T>> victims = new ArrayList<>();
        entries.forEach(e -> {
            if (e.state() == PoolEntry.LOANED) {
                final long used = e.usedAt();
                if (used != PoolEntry.UNUSED && now - used > timeout && e.tryClaimAbandoned()) {
                    if (e.usedAt() == used) {
                        e.retire();
                        victims.add(e);
                    } else {
                        e.restoreLoan(); // used meanwhile, or returned and lent again: not abandoned
                    }
                }
            }
        });
        for (final PoolEntry<T> e : victims) {
            ab.log(e.object(), e.borrowTrace());
            destroyRetiredQuietly(e, DestroyMode.ABANDONED);
        }
    }

    private void destroyCondemned() {
        if (condemned.isEmpty()) {
            return;
        }
        PoolEntry<T> e;
        while ((e = condemned.poll()) != null) {
            if (e.tryRetireCondemned()) {
                destroyRetiredQuietly(e, DestroyMode.NORMAL);
            }
        }
    }

    /** Destroys an entry the evictor claimed, counting it as evicted and returning its idle credit. */
    void destroyEvicted(final PoolEntry<T> e) {
        statistics.destroyedByEvictor();
        e.retire();
        idleBudget.give(1);
        destroyRetiredQuietly(e, DestroyMode.NORMAL);
    }

    void destroyOwnedQuietly(final PoolEntry<T> e) {
        e.retire();
        destroyRetiredQuietly(e, DestroyMode.NORMAL);
    }

    private void destroyRetiredQuietly(final PoolEntry<T> e, final DestroyMode mode) {
        try {
            destroyRetired(e, mode);
        } catch (final Exception ex) {
            swallow(ex);
        }
    }

    /** Unregisters a retired entry, has the factory destroy its object, frees its capacity and forgets it. */
    private void destroyRetired(final PoolEntry<T> e, final DestroyMode mode) throws Exception {
        lock.lock();
        try {
            entries.remove(e);
        } finally {
            lock.unlock();
        }
        try {
            factory.destroyObject(e.pooled(), mode);
        } finally {
            e.forget();
            statistics.destroyed();
            live.decrementAndGet();
            gateRelease();
            signalWaiters();
        }
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

    /** Moves the magazines, idle credits and counts of a terminated thread's cache to the pool. */
    private void reclaim(final ThreadCache<T> dead) {
        depositIfLoaded(dead.loaded());
        depositIfLoaded(dead.previous());
        idleBudget.give(dead.credits());
        dead.setCredits(0);
        statistics.absorb(dead);
    }

    private void depositIfLoaded(final Magazine<T> m) {
        if (m.isEmpty()) {
            depot.offerEmpty(m);
        } else {
            deposit(m);
        }
    }

    private static IllegalStateException notOpen() {
        return new IllegalStateException("Pool not open");
    }

    private static NoSuchElementException noSuchElement(final String message, final Throwable cause) {
        final NoSuchElementException e = new NoSuchElementException(message);
        e.initCause(cause);
        return e;
    }

    /** The type of {@link #INVALID}: a marker without a stack trace, never thrown. */
    private static final class ValidationFailed extends RuntimeException {
        ValidationFailed() {
            super("validateObject returned false", null, false, false);
        }
    }

    // ---- Hooks for MagazineKeyedObjectPool: a capacity gate, and destroying one idle object on request ----

    /** {@link #reserve()} with a gate: the gate decides, {@code live} only follows. */
    private boolean gateReserve() {
        if (!gate.reserve()) {
            return false;
        }
        live.incrementAndGet();
        return true;
    }

    private void gateRelease() {
        if (gate != null) {
            gate.release();
        }
    }

    @Override
    public String toString() {
        return "MagazineObjectPool[factory=" + factory + ", " + config + ", magazineCapacity="
                + magazineCapacity + ", numActive=" + getNumActive() + ", numIdle=" + getNumIdle()
                + ", closed=" + isClosed() + ']';
    }
}
