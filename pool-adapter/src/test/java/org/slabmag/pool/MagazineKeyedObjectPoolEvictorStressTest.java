package org.slabmag.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.slabmag.pool.EvictorTesting.await;
import static org.slabmag.pool.EvictorTesting.awaitRuns;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.pool2.BaseKeyedPooledObjectFactory;
import org.apache.commons.pool2.DestroyMode;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.AbandonedConfig;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.junit.jupiter.api.Test;
import org.slabmag.internal.Reclaimer;

/**
 * Several threads borrowing and returning over several keys while the keyed evictor runs every few milliseconds
 * (testWhileIdle, a short minEvictableIdle, minIdlePerKey, abandoned-object removal), with {@code maxTotal} below the
 * keys' combined {@code maxTotalPerKey} so that borrowers destroy other keys' oldest idle objects and wait, objects
 * returned by other threads, invalidated, keys cleared and dropped. Ends with the invariants: no object lent to two
 * borrowers at once, lent after its destruction or under another key; never more than {@code maxTotal} live; per key
 * {@code created - destroyed == active + idle} once quiescent; every loan returned or removed; the summed statistics
 * agree with the borrowers' own counts; {@code close()} destroys everything.
 */
class MagazineKeyedObjectPoolEvictorStressTest {
    private static final int THREADS = 4;
    private static final int KEYS = 5;
    private static final int MAX_TOTAL = 10;
    private static final int MAX_PER_KEY = 4;
    private static final long RUN_NANOS = Duration.ofSeconds(3).toNanos();

    /** A pooled object with an on-loan flag each borrower sets and each returner clears, by compare-and-set. */
    static final class Obj {
        final String key;
        final AtomicBoolean onLoan = new AtomicBoolean();
        final AtomicBoolean destroyed = new AtomicBoolean();
        volatile DestroyMode mode;

        Obj(final String key) {
            this.key = key;
        }
    }

    /** Makes {@link Obj}s; about one validation in 50 fails; counts makes, destroys and live objects per key. */
    static final class Factory extends BaseKeyedPooledObjectFactory<String, Obj> {
        final AtomicInteger live = new AtomicInteger();
        final AtomicInteger maxLive = new AtomicInteger();
        final Map<String, AtomicInteger> created = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> destroyed = new ConcurrentHashMap<>();
        final AtomicInteger errors = new AtomicInteger();
        final Queue<Obj> all = new ConcurrentLinkedQueue<>();

        @Override
        public Obj create(final String key) {
            maxLive.accumulateAndGet(live.incrementAndGet(), Math::max);
            created.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            final Obj o = new Obj(key);
            all.add(o);
            return o;
        }

        @Override
        public PooledObject<Obj> wrap(final Obj obj) {
            return new DefaultPooledObject<>(obj);
        }

        @Override
        public void activateObject(final String key, final PooledObject<Obj> p) {
            if (p.getObject().destroyed.get() || !p.getObject().key.equals(key)) {
                errors.incrementAndGet();
            }
        }

        @Override
        public boolean validateObject(final String key, final PooledObject<Obj> p) {
            return ThreadLocalRandom.current().nextInt(50) != 0;
        }

        @Override
        public void destroyObject(final String key, final PooledObject<Obj> p, final DestroyMode mode) {
            final Obj o = p.getObject();
            if (!o.destroyed.compareAndSet(false, true) || !o.key.equals(key)) {
                errors.incrementAndGet();
            }
            o.mode = mode;
            destroyed.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            live.decrementAndGet();
        }

        int created(final String key) {
            final AtomicInteger n = created.get(key);
            return n == null ? 0 : n.get();
        }

        int destroyed(final String key) {
            final AtomicInteger n = destroyed.get(key);
            return n == null ? 0 : n.get();
        }
    }

    /**
     * Returns an object, unless it was removed as abandoned meanwhile (it waited in the hand-off queue while every
     * thread was blocked): then the return is refused, as by {@code GenericKeyedObjectPool}.
     *
     * @return whether the pool took the object back
     */
    private static boolean giveBack(final MagazineKeyedObjectPool<String, Obj> pool, final Obj o) throws Exception {
        o.onLoan.set(false);
        try {
            pool.returnObject(o.key, o);
            return true;
        } catch (final IllegalStateException refused) {
            await(o.destroyed::get, "a refused return is of a removed object");
            assertEquals(DestroyMode.ABANDONED, o.mode, "refused the return of an object not removed: " + refused);
            return false;
        }
    }

    @Test
    void borrowsAndReturnsOverKeysRacingTheEvictorKeepTheInvariants() throws Exception {
        final Factory f = new Factory();
        final AtomicInteger swallowed = new AtomicInteger();
        final AtomicInteger uncaught = new AtomicInteger();
        final MagazineKeyedObjectPoolConfig c = new MagazineKeyedObjectPoolConfig();
        c.setJmxEnabled(false);
        c.setMaxTotal(MAX_TOTAL);
        c.setMaxTotalPerKey(MAX_PER_KEY);
        c.setMaxIdlePerKey(3);
        c.setMinIdlePerKey(1);
        c.setMaxWait(Duration.ofSeconds(10));
        c.setMagazineSize(2);
        c.setTestWhileIdle(true);
        c.setTimeBetweenEvictionRuns(Duration.ofMillis(3));
        c.setNumTestsPerEvictionRun(-2);
        c.setMinEvictableIdleDuration(Duration.ofMillis(5));
        c.setSwallowedExceptionListener(e -> swallowed.incrementAndGet());
        final AbandonedConfig a = new AbandonedConfig();
        a.setRemoveAbandonedOnMaintenance(true);
        a.setRemoveAbandonedTimeout(Duration.ofMillis(200));
        final Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            if (Reclaimer.THREAD_NAME.equals(t.getName())) {
                uncaught.incrementAndGet();
            }
            if (previous != null) {
                previous.uncaughtException(t, e);
            }
        });
        final MagazineKeyedObjectPool<String, Obj> pool = new MagazineKeyedObjectPool<>(f, c, a);
        try {
            final Queue<Obj> handOff = new ConcurrentLinkedQueue<>();
            final Queue<Obj> leaked = new ConcurrentLinkedQueue<>();
            final AtomicInteger doubleLends = new AtomicInteger();
            final AtomicInteger wrongKey = new AtomicInteger();
            final AtomicInteger overTotal = new AtomicInteger();
            final AtomicInteger failures = new AtomicInteger();
            final AtomicLong loans = new AtomicLong();
            final AtomicLong returns = new AtomicLong();
            final Queue<Throwable> firstFailures = new ConcurrentLinkedQueue<>();
            final long end = System.nanoTime() + RUN_NANOS;
            final List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                final boolean leaks = t == 0;
                threads.add(new Thread(() -> {
                    final ThreadLocalRandom r = ThreadLocalRandom.current();
                    try {
                        while (System.nanoTime() - end < 0) {
                            final String key = "k" + r.nextInt(KEYS);
                            final Obj o;
                            try {
                                o = pool.borrowObject(key);
                            } catch (final NoSuchElementException created) {
                                continue; // an object made for this borrow failed validation (testOnBorrow off: none)
                            }
                            loans.incrementAndGet();
                            if (!o.onLoan.compareAndSet(false, true)) {
                                doubleLends.incrementAndGet();
                            }
                            if (!o.key.equals(key)) {
                                wrongKey.incrementAndGet();
                            }
                            if (f.live.get() > MAX_TOTAL) {
                                overTotal.incrementAndGet();
                            }
                            final int op = r.nextInt(40);
                            if (leaks && r.nextInt(20_000) == 0) {
                                leaked.add(o); // never returned: abandoned after the timeout
                            } else if (op == 0) {
                                o.onLoan.set(false);
                                pool.invalidateObject(key, o);
                            } else if (op < 20) {
                                handOff.add(o); // returned by another thread
                            } else {
                                if (giveBack(pool, o)) {
                                    returns.incrementAndGet();
                                }
                                if (op == 20) {
                                    pool.clear(key);
                                }
                            }
                            final Obj other = handOff.poll();
                            if (other != null && giveBack(pool, other)) {
                                returns.incrementAndGet();
                            }
                        }
                    } catch (final Throwable e) {
                        failures.incrementAndGet();
                        if (firstFailures.size() < 5) {
                            firstFailures.add(e);
                        }
                    }
                }, "keyed-evictor-stress-" + t));
            }
            for (final Thread t : threads) {
                t.start();
            }
            for (final Thread t : threads) {
                t.join(60_000);
                assertFalse(t.isAlive(), "a borrower is stuck");
            }
            Obj o;
            while ((o = handOff.poll()) != null) {
                if (giveBack(pool, o)) {
                    returns.incrementAndGet();
                }
            }
            assertEquals(0, failures.get(), "borrowers failed: " + firstFailures);
            assertTrue(loans.get() > 1000, "enough loans: " + loans);
            assertEquals(0, doubleLends.get(), "an object was lent to two borrowers at once");
            assertEquals(0, wrongKey.get(), "an object was lent under another key");
            assertEquals(0, overTotal.get(), "more than maxTotal objects live");
            assertTrue(f.maxLive.get() <= MAX_TOTAL, "most live " + f.maxLive.get());
            awaitRuns(pool, 2);
            await(() -> leaked.stream().allMatch(x -> x.mode == DestroyMode.ABANDONED),
                    "every leaked object was removed as abandoned");

            pool.evictor().stop(); // a run in progress finishes; then the pool is quiescent
            await(() -> {
                for (int k = 0; k < KEYS; k++) {
                    final String key = "k" + k;
                    if (f.created(key) - f.destroyed(key) != pool.getNumActive(key) + pool.getNumIdle(key)) {
                        return false;
                    }
                }
                return pool.getCreatedCount() - pool.getDestroyedCount() == pool.getNumIdle();
            }, "per key, created - destroyed == active + idle once the evictor stopped");
            assertEquals(0, pool.getNumActive(), "every object was returned or removed");
            assertEquals(f.live.get(), pool.getNumIdle());
            assertEquals(pool.getNumIdle(), pool.getNumTotal());
            for (int k = 0; k < KEYS; k++) {
                assertTrue(pool.getNumIdle("k" + k) <= MAX_PER_KEY, "k" + k);
            }
            assertEquals(0, f.errors.get(), "an object destroyed twice, under another key, or activated after it");
            assertEquals(0, swallowed.get(), "exceptions swallowed by the pool");
            assertEquals(0, uncaught.get(), "exceptions escaped the evictor");
            assertTrue(pool.getDestroyedByEvictorCount() > 0, "the evictor destroyed objects");
            assertEquals(loans.get(), pool.getBorrowedCount(), "borrows summed over keys, dropped ones included");
            // A return of an object being removed as abandoned (it waited in the hand-off queue while every thread was
            // blocked) may be neither refused nor accepted (the key's pool takes it for a late one): one per such object.
            final long removedWhileHandedOff = f.all.stream()
                    .filter(x -> x.mode == DestroyMode.ABANDONED && !leaked.contains(x)).count();
            final long accepted = pool.getReturnedCount();
            assertTrue(accepted <= returns.get() && accepted >= returns.get() - removedWhileHandedOff,
                    "returns summed over keys, dropped ones included: " + accepted + " of " + returns.get());

            for (int k = 0; k < KEYS; k++) { // every key still lends
                final String key = "k" + k;
                final Obj x = pool.borrowObject(key, Duration.ofSeconds(10));
                assertEquals(key, x.key);
                pool.returnObject(key, x);
            }
            pool.close();
            assertEquals(0, f.live.get(), "close() destroys every object");
            assertEquals(List.of(), pool.getKeys());
        } finally {
            pool.close();
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
    }
}
