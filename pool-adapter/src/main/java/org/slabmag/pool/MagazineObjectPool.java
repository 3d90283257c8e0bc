package org.slabmag.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import javax.management.ObjectName;

import org.apache.commons.pool2.DestroyMode;
import org.apache.commons.pool2.ObjectPool;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.PooledObjectFactory;
import org.apache.commons.pool2.SwallowedExceptionListener;
import org.slabmag.pool.internal.Depot;
import org.slabmag.pool.internal.IdentityTable;
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
 * not rely on them; use {@code GenericObjectPool} for eviction and abandoned-object tracking.
 *
 * <h2>Counts and limits</h2>
 * {@link #getNumActive()} and {@link #getNumIdle()} scan the pool's objects; they are exact when no call is in
 * progress and then satisfy {@code active + idle == created - destroyed}. {@code maxIdle} is exact for the depot;
 * each thread may keep up to two magazines of idle objects besides (see {@link MagazineObjectPoolConfig}).
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
public final class MagazineObjectPool<T> implements ObjectPool<T> {
    private static final int CLOSED = 1;
    private static final int WAITER = 2;
    private static final long MIN_BACKOFF_NANOS = TimeUnit.MICROSECONDS.toNanos(20);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final int MAX_DEPOT_MAGAZINES = 1024;
    /** What {@link #validate} returns when validation returned false (rather than threw). */
    private static final RuntimeException INVALID = new ValidationFailed();

    private final PooledObjectFactory<T> factory;
    private final int maxTotal;
    private final int minIdle;
    private final int magazineCapacity;
    private final boolean blockWhenExhausted;
    private final long maxWaitNanos;
    private final boolean testOnCreate;
    private final boolean testOnBorrow;
    private final boolean testOnReturn;
    private final SwallowedExceptionListener swallowedExceptionListener;
    private final String configDescription;

    private final IdentityTable<T> entries = new IdentityTable<>();
    private final Depot<T> depot;
    private final ThreadCaches<T> caches;
    /** {@code caches.slotTable()}, held here to spare the hot path a load. */
    private final ThreadCache<T>[] cacheSlots;
    private final ConcurrentLinkedQueue<PoolEntry<T>> condemned = new ConcurrentLinkedQueue<>();
    private final AtomicInteger live = new AtomicInteger();
    private final AtomicLong createdCount = new AtomicLong();
    private final AtomicLong destroyedCount = new AtomicLong();
    /** Counted only where validation failed on borrow: no instruction on a borrow that succeeds. */
    private final AtomicLong destroyedByBorrowValidationCount = new AtomicLong();
    /** The registered name, or null. */
    private final ObjectName jmxName;

    /** Guards identity-table changes, waiting and closing. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** {@code CLOSED} bit plus {@code WAITER} times the number of waiting borrowers; written under the lock. */
    private volatile int attention;
    /** Decides on capacity instead of {@code maxTotal} when not null; see {@link CapacityGate}. */
    private final CapacityGate gate;

    /**
     * Creates a pool with the default configuration.
     *
     * @param factory the factory of pooled objects
     */
    public MagazineObjectPool(final PooledObjectFactory<T> factory) {
        this(factory, new MagazineObjectPoolConfig());
    }

    /**
     * Creates a pool.
     *
     * @param factory the factory of pooled objects
     * @param config  the configuration; copied, later changes have no effect
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
        final MagazineObjectPoolConfig c = config.clone();
        this.maxTotal = c.getMaxTotal();
        this.minIdle = c.getMinIdle();
        this.blockWhenExhausted = c.getBlockWhenExhausted();
        this.maxWaitNanos = nanos(c.getMaxWait());
        this.testOnCreate = c.getTestOnCreate();
        this.testOnBorrow = c.getTestOnBorrow();
        this.testOnReturn = c.getTestOnReturn();
        this.swallowedExceptionListener = c.getSwallowedExceptionListener();
        final int maxIdle = c.getMaxIdle();
        this.magazineCapacity = maxIdle < 0 ? c.getMagazineSize()
                : Math.max(1, Math.min(c.getMagazineSize(), maxIdle / 2));
        final int bound = maxIdle >= 0 ? maxIdle : maxTotal;
        final int magazines = bound >= 0 ? Math.min(MAX_DEPOT_MAGAZINES, bound / magazineCapacity + 2)
                : MAX_DEPOT_MAGAZINES;
        this.depot = new Depot<>(magazines, maxIdle);
        this.caches = new ThreadCaches<>(magazineCapacity, this::reclaim);
        this.cacheSlots = caches.slotTable();
        this.configDescription = c.toString();
        this.jmxName = c.getJmxEnabled() ? PoolMBean.register(this, c) : null; // last: the MBean may be read at once
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
        if ((attention & CLOSED) == 0) {
            final ThreadCache<T> cache = cache();
            final PoolEntry<T> e = cache.take();
            if (e != null && prepareLoan(e)) {
                cache.lent(e);
                return e.object();
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
     * @throws Exception as {@link #borrowObject()}
     */
    public T borrowObject(final Duration maxWait) throws Exception {
        return borrowSlow(nanos(maxWait));
    }

    /** @return the duration in nanoseconds, -1 if negative, saturated at {@code Long.MAX_VALUE} */
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

    private T borrowSlow(final long waitNanos) throws Exception {
        final long start = System.nanoTime();
        final ThreadCache<T> cache = cache();
        for (;;) {
            if ((attention & CLOSED) != 0) {
                throw notOpen();
            }
            PoolEntry<T> e = cache.take();
            if (e == null) {
                e = acquire(cache, start, waitNanos);
            }
            if (prepareLoan(e)) {
                cache.lent(e);
                return e.object();
            }
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
                destroyInvalidOnBorrow(e);
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
    private RuntimeException validate(final PoolEntry<T> e) {
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
            Magazine<T> m;
            while ((m = depot.pollLoaded()) != null) {
                depot.offerEmpty(cache.reload(m));
                final PoolEntry<T> e = cache.take();
                if (e != null) {
                    return e;
                }
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
     * Claims idle entries from the magazines of other threads: at most half a magazine's worth from one thread, the
     * first for the caller, the others into the caller's (empty, so they fit) magazines.
     */
    private PoolEntry<T> steal(final ThreadCache<T> own) {
        final ThreadCache<T>[] r = caches.snapshot();
        final int n = r.length;
        if (n < 2) {
            return null;
        }
        final int limit = Math.max(1, magazineCapacity / 2);
        final int first = ThreadLocalRandom.current().nextInt(n);
        for (int k = 0; k < n; k++) {
            final ThreadCache<T> victim = r[(first + k) % n];
            if (victim == own) {
                continue;
            }
            PoolEntry<T> taken = stealFrom(victim.loaded(), own, null, limit);
            taken = stealFrom(victim.previous(), own, taken, limit);
            if (taken != null) {
                return taken;
            }
        }
        return null;
    }

    private static <T> PoolEntry<T> stealFrom(final Magazine<T> m, final ThreadCache<T> own, final PoolEntry<T> taken,
                                              final int limit) {
        PoolEntry<T> result = taken;
        int count = result == null ? 0 : 1;
        for (int i = 0; i < m.capacity() && count < limit; i++) {
            final PoolEntry<T> e = m.peek(i);
            if (e != null && e.state() == PoolEntry.IDLE && e.tryLoan()) {
                count++;
                if (result == null) {
                    result = e;
                } else {
                    own.put(e);
                    e.release();
                }
            }
        }
        return result;
    }

    /** Reserves capacity for one new object; false at {@code maxTotal}. */
    private boolean reserve() {
        if (gate != null) {
            return gateReserve();
        }
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
        createdCount.incrementAndGet();
        if (!open) {
            e.retire();
            destroyRetiredQuietly(e, DestroyMode.NORMAL);
            throw notOpen();
        }
        if (testOnCreate) {
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
        final long limit = blockWhenExhausted ? waitNanos : 0;
        lock.lock();
        try {
            attention += WAITER;
            try {
                long backoff = MIN_BACKOFF_NANOS;
                for (;;) {
                    if ((attention & CLOSED) != 0) {
                        throw notOpen();
                    }
                    final boolean[] releasing = new boolean[1];
                    final PoolEntry<T> e = claimAnyIdle(releasing);
                    if (e != null) {
                        return e;
                    }
                    if (reserve()) {
                        break;
                    }
                    final long remaining = limit < 0 ? Long.MAX_VALUE : limit - (System.nanoTime() - start);
                    if (remaining <= 0) {
                        throw new NoSuchElementException(blockWhenExhausted
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
            }
        } finally {
            lock.unlock();
        }
        return create(PoolEntry.LOANED);
    }

    /** Claims any idle entry in the pool; records whether an entry was seen on its way to idle. */
    private PoolEntry<T> claimAnyIdle(final boolean[] releasing) {
        final List<PoolEntry<T>> found = new ArrayList<>(1);
        entries.forEach(e -> {
            final int s = e.state();
            if (s == PoolEntry.RELEASING) {
                releasing[0] = true;
            } else if (found.isEmpty() && s == PoolEntry.IDLE && e.tryLoan()) {
                found.add(e);
            }
        });
        return found.isEmpty() ? null : found.get(0);
    }

    private void signalWaiters() {
        if (attention >= WAITER) {
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Returns an object to the pool. The object goes to the calling thread's magazines, whichever thread borrowed
     * it.
     *
     * @param obj an object on loan from this pool
     * @throws NullPointerException  if {@code obj} is null
     * @throws IllegalStateException if {@code obj} is not on loan from this pool (never borrowed from it, already
     *                               returned, or invalidated); the pool is unaffected
     */
    @Override
    public void returnObject(final T obj) {
        final ThreadCache<T> cache = cache();
        final PoolEntry<T> last = cache.lastLoan();
        if (last != null && last.object() == obj && last.tryBeginRelease()) {
            release(last, cache);
            return;
        }
        final PoolEntry<T> e = loaned(obj, "Returned object not currently part of this pool");
        if (!e.tryBeginRelease()) {
            throw new IllegalStateException("Object has already been returned to this pool or is invalid");
        }
        release(e, cache);
    }

    /** @return the calling thread's cache */
    private ThreadCache<T> cache() {
        final ThreadCache<T> c = ThreadCaches.find(cacheSlots, Thread.currentThread());
        return c != null ? c : caches.current();
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
        park(cache, e);
    }

    private void park(final ThreadCache<T> cache, final PoolEntry<T> e) {
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

    /** Release with the pool closed or borrowers waiting; see {@link #awaitExhausted}. */
    private void releaseSlow(final PoolEntry<T> e, final ThreadCache<T> cache) {
        if ((attention & CLOSED) != 0) {
            destroyOwnedQuietly(e);
            return;
        }
        park(cache, e);
        signalWaiters();
    }

    /** Hands a magazine the caller holds to the depot, destroying the idle entries beyond {@code maxIdle}. */
    private void deposit(final Magazine<T> m) {
        final int granted = depot.reserve(m.size());
        while (m.size() > granted) {
            destroyIfIdle(m.poll());
        }
        if (m.isEmpty()) {
            depot.offerEmpty(m);
        } else if (!depot.offerLoaded(m)) {
            while (!m.isEmpty()) {
                destroyIfIdle(m.poll());
            }
            depot.offerEmpty(m);
        }
    }

    private void destroyIfIdle(final PoolEntry<T> e) {
        if (e.tryRetireIdle()) {
            destroyRetiredQuietly(e, DestroyMode.NORMAL);
        }
    }

    /**
     * Destroys an object on loan from this pool.
     *
     * @param obj an object on loan from this pool
     * @throws NullPointerException  if {@code obj} is null
     * @throws IllegalStateException if {@code obj} is not on loan from this pool
     * @throws Exception             what the factory's {@code destroyObject} throws; the object has left the pool
     */
    @Override
    public void invalidateObject(final T obj) throws Exception {
        invalidateObject(obj, DestroyMode.NORMAL);
    }

    /**
     * Destroys an object on loan from this pool.
     *
     * @param obj  an object on loan from this pool
     * @param mode passed to the factory's {@code destroyObject}
     * @throws NullPointerException  if {@code obj} is null
     * @throws IllegalStateException if {@code obj} is not on loan from this pool
     * @throws Exception             what the factory's {@code destroyObject} throws; the object has left the pool
     */
    @Override
    public void invalidateObject(final T obj, final DestroyMode mode) throws Exception {
        final PoolEntry<T> e = loaned(obj, "Invalidated object not currently part of this pool");
        if (!e.tryRetireLoaned()) {
            throw new IllegalStateException("Invalidated object is not currently on loan from this pool");
        }
        destroyRetired(e, mode);
    }

    /**
     * Creates an idle object: {@code makeObject}, {@code validateObject} if testOnCreate, {@code passivateObject}.
     * Does nothing if {@code maxTotal} objects exist or testOnCreate validation fails. The object joins the calling
     * thread's magazines; borrowers on other threads find it when their own magazines and the depot are empty.
     *
     * <p>If passivation fails the exception propagates and the object, unfit to lend, is destroyed on the pool's
     * next slow path ({@link #clear()}, {@link #close()}, {@code addObject}, or a borrow that finds its thread's
     * magazines empty); until then it counts as active.
     *
     * @throws IllegalStateException if the pool is closed
     * @throws Exception             what the factory's {@code makeObject} or {@code passivateObject} throws
     */
    @Override
    public void addObject() throws Exception {
        add();
    }

    private boolean add() throws Exception {
        if ((attention & CLOSED) != 0) {
            throw notOpen();
        }
        destroyCondemned();
        if (!reserve()) {
            return false;
        }
        final PoolEntry<T> e = create(PoolEntry.RELEASING);
        if (e == null) {
            return false;
        }
        try {
            factory.passivateObject(e.pooled());
        } catch (final Exception | Error t) {
            e.condemn();
            condemned.add(e);
            throw t;
        }
        final ThreadCache<T> cache = cache();
        if (attention != 0) {
            releaseSlow(e, cache);
        } else {
            park(cache, e);
        }
        return true;
    }

    /**
     * Adds idle objects until {@code minIdle} are idle or {@code maxTotal} exist.
     *
     * @throws Exception as {@link #addObject()}
     */
    public void preparePool() throws Exception {
        for (int idle = getNumIdle(); idle < minIdle; idle++) {
            if (!add()) {
                return;
            }
        }
    }

    /**
     * Destroys every idle object, in all threads' magazines and the depot. Objects returned while this runs may
     * stay idle. Exceptions from {@code destroyObject} go to the {@code SwallowedExceptionListener}.
     */
    @Override
    public void clear() {
        destroyIdle(null);
    }

    /**
     * Destroys the idle and condemned entries, and drops the references held by the depot, the caller's magazines
     * and the magazines of terminated threads.
     *
     * @param releasing if not null, set to whether an entry was seen on its way to idle
     */
    private void destroyIdle(final boolean[] releasing) {
        caches.reclaimTerminated();
        final List<PoolEntry<T>> victims = new ArrayList<>();
        PoolEntry<T> c;
        while ((c = condemned.poll()) != null) {
            if (c.tryRetireCondemned()) {
                victims.add(c);
            }
        }
        entries.forEach(e -> {
            final int s = e.state();
            if (s == PoolEntry.IDLE && e.tryRetireIdle()) {
                victims.add(e);
            } else if (s == PoolEntry.RELEASING && releasing != null) {
                releasing[0] = true;
            }
        });
        Magazine<T> m;
        while ((m = depot.pollLoaded()) != null) {
            m.clear();
            depot.offerEmpty(m);
        }
        cache().clear();
        for (final PoolEntry<T> e : victims) {
            destroyRetiredQuietly(e, DestroyMode.NORMAL);
        }
    }

    /**
     * Closes the pool: borrowing and adding then fail with {@link IllegalStateException} (borrowers already waiting
     * included), idle objects are destroyed, returns in progress are waited for and their objects destroyed, and
     * objects on loan are destroyed when they are returned or invalidated. Idempotent.
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

    /** @return whether {@link #close()} has been called */
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
            if (s == PoolEntry.LOANED || s == PoolEntry.RELEASING || s == PoolEntry.CONDEMNED) {
                n[0]++;
            }
        });
        return n[0];
    }

    /** @return the idle objects; exact when no call is in progress */
    @Override
    public int getNumIdle() {
        final int[] n = new int[1];
        entries.forEach(e -> {
            if (e.state() == PoolEntry.IDLE) {
                n[0]++;
            }
        });
        return n[0];
    }

    /** @return the borrowers waiting for an object */
    public int getNumWaiters() {
        return attention >>> 1;
    }

    /** @return the objects the factory has made for this pool */
    public long getCreatedCount() {
        return createdCount.get();
    }

    /** @return the objects this pool has destroyed (or handed to the factory's {@code destroyObject}) */
    public long getDestroyedCount() {
        return destroyedCount.get();
    }

    /** @return the objects destroyed because validation failed on borrow ({@code testOnBorrow}) */
    public long getDestroyedByBorrowValidationCount() {
        return destroyedByBorrowValidationCount.get();
    }

    /**
     * @return the name of this pool's {@link MagazineObjectPoolMXBean}, or null if JMX is off for it or registration
     *         failed; the name stays known after {@link #close()} unregistered it, as in {@code GenericObjectPool}
     */
    public ObjectName getJmxName() {
        return jmxName;
    }

    /** @return the factory */
    public PooledObjectFactory<T> getFactory() {
        return factory;
    }

    /** @return the capacity of each magazine, after the {@code maxIdle} clamp */
    public int getMagazineCapacity() {
        return magazineCapacity;
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

    private void destroyInvalidOnBorrow(final PoolEntry<T> e) {
        destroyedByBorrowValidationCount.incrementAndGet();
        destroyOwnedQuietly(e);
    }

    private void destroyOwnedQuietly(final PoolEntry<T> e) {
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

    /** Unregisters a retired entry, has the factory destroy its object, and frees its capacity. */
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
            destroyedCount.incrementAndGet();
            live.decrementAndGet();
            gateRelease();
            signalWaiters();
        }
    }

    private void swallow(final Exception e) {
        final SwallowedExceptionListener listener = swallowedExceptionListener;
        if (listener != null) {
            try {
                listener.onSwallowException(e);
            } catch (final RuntimeException ignored) {
                // A listener that throws must not break the pool; there is nobody left to tell.
            }
        }
    }

    /** Moves the magazines of a terminated thread's cache to the depot. */
    private void reclaim(final ThreadCache<T> dead) {
        depositIfLoaded(dead.loaded());
        depositIfLoaded(dead.previous());
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

    /**
     * Destroys one idle object, if there is one, to free its capacity. The magazine or depot slot that held it is
     * skipped when next met, as after {@link #clear()}.
     *
     * @return whether an idle object was destroyed
     */
    boolean destroyOneIdle() {
        final List<PoolEntry<T>> found = new ArrayList<>(1);
        entries.forEach(e -> {
            if (found.isEmpty() && e.state() == PoolEntry.IDLE && e.tryRetireIdle()) {
                found.add(e);
            }
        });
        if (found.isEmpty()) {
            return false;
        }
        destroyRetiredQuietly(found.get(0), DestroyMode.NORMAL);
        return true;
    }

    @Override
    public String toString() {
        return "MagazineObjectPool[factory=" + factory + ", " + configDescription + ", magazineCapacity="
                + magazineCapacity + ", numActive=" + getNumActive() + ", numIdle=" + getNumIdle()
                + ", closed=" + isClosed() + ']';
    }
}
