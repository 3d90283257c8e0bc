package org.slabmag.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.slabmag.pool.EvictorTesting.await;
import static org.slabmag.pool.EvictorTesting.awaitRuns;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.DestroyMode;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.AbandonedConfig;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.junit.jupiter.api.Test;
import org.slabmag.internal.Reclaimer;

/**
 * Borrowers returning each other's objects while the evictor runs every few milliseconds with testWhileIdle and
 * abandoned-object tracking: the evictor's claims and releases, the idle credits and abandoned removal race every
 * borrow and return.
 */
class MagazineObjectPoolEvictorStressTest {
    private static final int THREADS = 4;
    private static final int MAX_TOTAL = 12;
    private static final int MAX_IDLE = 6;
    private static final long RUN_NANOS = Duration.ofSeconds(3).toNanos();

    /** A pooled object with a flag each borrower sets and each returner clears, by compare-and-set. */
    static final class Obj {
        final AtomicBoolean onLoan = new AtomicBoolean();
        final AtomicBoolean destroyed = new AtomicBoolean();
        volatile DestroyMode mode;
    }

    /** Makes {@link Obj}s; about one validation in 50 fails; counts makes and destroys. */
    static final class Factory extends BasePooledObjectFactory<Obj> {
        final AtomicInteger made = new AtomicInteger();
        final AtomicInteger destroyed = new AtomicInteger();
        final AtomicInteger errors = new AtomicInteger();

        @Override
        public Obj create() {
            made.incrementAndGet();
            return new Obj();
        }

        @Override
        public PooledObject<Obj> wrap(final Obj obj) {
            return new DefaultPooledObject<>(obj);
        }

        @Override
        public void activateObject(final PooledObject<Obj> p) {
            if (p.getObject().destroyed.get()) {
                errors.incrementAndGet();
            }
        }

        @Override
        public boolean validateObject(final PooledObject<Obj> p) {
            return ThreadLocalRandom.current().nextInt(50) != 0;
        }

        @Override
        public void destroyObject(final PooledObject<Obj> p, final DestroyMode mode) {
            final Obj o = p.getObject();
            if (!o.destroyed.compareAndSet(false, true)) {
                errors.incrementAndGet();
            }
            o.mode = mode;
            destroyed.incrementAndGet();
        }
    }

    @Test
    void borrowsAndReturnsRacingTheEvictorKeepThePoolsInvariants() throws Exception {
        final Factory f = new Factory();
        final AtomicInteger swallowed = new AtomicInteger();
        final AtomicInteger uncaught = new AtomicInteger();
        final MagazineObjectPoolConfig c = new MagazineObjectPoolConfig();
        c.setJmxEnabled(false);
        c.setMaxTotal(MAX_TOTAL);
        c.setMaxIdle(MAX_IDLE);
        c.setMinIdle(2);
        c.setMaxWait(Duration.ofSeconds(10));
        c.setTestWhileIdle(true);
        c.setTimeBetweenEvictionRuns(Duration.ofMillis(3));
        c.setNumTestsPerEvictionRun(-1);
        c.setMinEvictableIdleDuration(Duration.ofMillis(5));
        c.setSwallowedExceptionListener(e -> swallowed.incrementAndGet());
        final Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            if (Reclaimer.THREAD_NAME.equals(t.getName())) {
                uncaught.incrementAndGet();
            }
            if (previous != null) {
                previous.uncaughtException(t, e);
            }
        });
        try (MagazineObjectPool<Obj> pool = new MagazineObjectPool<>(f, c)) {
            final AbandonedConfig a = new AbandonedConfig();
            a.setRemoveAbandonedOnMaintenance(true);
            a.setRemoveAbandonedTimeout(Duration.ofMillis(300));
            pool.setAbandonedConfig(a);
            final Queue<Obj> handOff = new ConcurrentLinkedQueue<>();
            final Queue<Obj> leaked = new ConcurrentLinkedQueue<>();
            final AtomicInteger doubleLends = new AtomicInteger();
            final AtomicInteger failures = new AtomicInteger();
            final AtomicLong loans = new AtomicLong();
            final Queue<Throwable> firstFailures = new ConcurrentLinkedQueue<>();
            final long end = System.nanoTime() + RUN_NANOS;
            final List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                final boolean leaks = t == 0;
                threads.add(new Thread(() -> {
                    final ThreadLocalRandom r = ThreadLocalRandom.current();
                    try {
                        while (System.nanoTime() - end < 0) {
                            final Obj o = pool.borrowObject();
                            loans.incrementAndGet();
                            if (!o.onLoan.compareAndSet(false, true)) {
                                doubleLends.incrementAndGet();
                            }
                            if (leaks && r.nextInt(2000) == 0) {
                                leaked.add(o); // never returned: abandoned after the timeout
                                continue;
                            }
                            if (r.nextInt(20) == 0) {
                                Thread.yield();
                            }
                            if (r.nextBoolean()) {
                                handOff.add(o); // returned by another thread
                            } else {
                                o.onLoan.set(false);
                                pool.returnObject(o);
                            }
                            final Obj other = handOff.poll();
                            if (other != null) {
                                other.onLoan.set(false);
                                pool.returnObject(other);
                            }
                        }
                    } catch (final Throwable e) {
                        failures.incrementAndGet();
                        if (firstFailures.size() < 5) {
                            firstFailures.add(e);
                        }
                    }
                }, "stress-" + t));
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
                o.onLoan.set(false);
                pool.returnObject(o);
            }
            assertEquals(0, failures.get(), "borrowers failed: " + firstFailures);
            assertTrue(loans.get() > 1000, "enough loans: " + loans);
            assertEquals(0, doubleLends.get(), "an object was lent to two borrowers at once");
            awaitRuns(pool, 2);
            await(() -> leaked.stream().allMatch(x -> x.mode == DestroyMode.ABANDONED),
                    "every leaked object was removed as abandoned");

            final MagazineObjectPoolConfig off = pool.getConfig();
            off.setTimeBetweenEvictionRuns(Duration.ofMillis(-1));
            pool.setConfig(off);
            await(() -> pool.getCreatedCount() - pool.getDestroyedCount() == pool.getNumActive() + pool.getNumIdle(),
                    "created - destroyed == active + idle once the evictor stopped");
            assertEquals(f.made.get() - f.destroyed.get(), pool.getNumActive() + pool.getNumIdle());
            assertEquals(0, pool.getNumActive(), "every object was returned or removed");
            final int spare = Math.max(1, pool.getMagazineCapacity() / 4);
            assertTrue(pool.getNumIdle() <= MAX_IDLE + (THREADS + 1) * spare, "idle " + pool.getNumIdle());
            assertEquals(0, f.errors.get(), "an object destroyed twice, or activated after its destruction");
            assertEquals(0, swallowed.get(), "exceptions swallowed by the pool");
            assertEquals(0, uncaught.get(), "exceptions escaped the evictor");
            assertTrue(pool.getDestroyedByEvictorCount() > 0, "the evictor destroyed objects");

            final Set<Obj> all = new HashSet<>();
            for (int i = 0; i < MAX_TOTAL; i++) {
                assertTrue(all.add(pool.borrowObject()), "the pool still lends distinct objects");
            }
            for (final Obj x : all) {
                pool.returnObject(x);
            }
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
    }
}
