package org.slabmag.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;
import org.slabmag.SlabAllocator;
import org.slabmag.pool.TrackedFactory.Tracked;
import org.slabmag.testing.Concurrency;

/**
 * Many threads on one small pool: borrow on one thread and return on another, invalidate, run the pool dry so that
 * borrowers wait, close it under waiters. Every loop is bounded in count and time. Each test ends by checking that
 * no object was lent twice at once (an on-loan flag per object, set and cleared by compare-and-set), that
 * {@code active + idle == created - destroyed}, and that nothing is stranded: every idle object can be borrowed
 * again and {@code close()} destroys everything.
 */
class MagazineObjectPoolStressTest {
    private static final int THREADS = 4;
    private static final long RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(1500);
    private static final long JOIN_MILLIS = 20_000;

    /** Collects the violations and unexpected exceptions the workers see. */
    private static final class Faults {
        final AtomicInteger doubleLoans = new AtomicInteger();
        final AtomicInteger lentAfterDestroy = new AtomicInteger();
        final ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();

        void lent(final Tracked t) {
            if (!t.onLoan.compareAndSet(false, true)) {
                doubleLoans.incrementAndGet();
            }
            if (t.destroyed) {
                lentAfterDestroy.incrementAndGet();
            }
        }

        void assertNone() {
            assertEquals(0, doubleLoans.get(), "objects lent twice at once");
            assertEquals(0, lentAfterDestroy.get(), "destroyed objects lent");
            assertTrue(unexpected.isEmpty(), () -> "unexpected: " + unexpected);
        }
    }

    private static void giveBack(final MagazineObjectPool<Tracked> pool, final Tracked t) {
        t.onLoan.set(false);
        pool.returnObject(t);
    }

    private static List<Thread> start(final int n, final Runnable body) {
        final List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            final Thread t = new Thread(body, "stress-" + i);
            t.start();
            threads.add(t);
        }
        return threads;
    }

    private static void joinAll(final List<Thread> threads) throws InterruptedException {
        Concurrency.joinAll(threads, Duration.ofMillis(JOIN_MILLIS));
    }

    private static void assertQuiescentCounts(final MagazineObjectPool<Tracked> pool, final TrackedFactory f) {
        assertEquals(0, f.doubleDestroys.get(), "objects destroyed twice");
        assertEquals(pool.getCreatedCount() - pool.getDestroyedCount(), pool.getNumActive() + pool.getNumIdle());
        assertEquals(f.made.get() - f.destroyed.get(), pool.getNumActive() + pool.getNumIdle());
        assertEquals(f.live.size(), pool.getNumActive() + pool.getNumIdle());
    }

    @Test
    void borrowHereReturnThereInvalidateAndWait() throws Exception {
        final TrackedFactory f = new TrackedFactory();
        final MagazineObjectPoolConfig config = new MagazineObjectPoolConfig();
        config.setMaxTotal(6);
        config.setMaxIdle(4);
        config.setMaxWait(Duration.ofMillis(20));
        final MagazineObjectPool<Tracked> pool = new MagazineObjectPool<>(f, config);
        final BlockingQueue<Tracked> handoff = new ArrayBlockingQueue<>(16);
        final Faults faults = new Faults();
        final AtomicLong borrows = new AtomicLong();
        final AtomicLong timeouts = new AtomicLong();
        final long deadline = System.nanoTime() + RUN_NANOS;
        joinAll(start(THREADS, () -> {
            final ThreadLocalRandom rnd = ThreadLocalRandom.current();
            try {
                for (int i = 0; i < 200_000 && System.nanoTime() < deadline; i++) {
                    final Tracked passed = handoff.poll();
                    if (passed != null) {
                        giveBack(pool, passed);
                    }
                    final Tracked t;
                    try {
                        t = pool.borrowObject();
                    } catch (final NoSuchElementException e) {
                        timeouts.incrementAndGet();
                        continue;
                    }
                    borrows.incrementAndGet();
                    faults.lent(t);
                    final int action = rnd.nextInt(10);
                    if (action < 5) {
                        giveBack(pool, t);
                    } else if (action < 9) {
                        if (!handoff.offer(t)) {
                            giveBack(pool, t);
                        }
                    } else {
                        t.onLoan.set(false);
                        pool.invalidateObject(t);
                    }
                }
            } catch (final Throwable e) {
                faults.unexpected.add(e);
            }
        }));
        Tracked passed;
        while ((passed = handoff.poll()) != null) {
            giveBack(pool, passed);
        }
        faults.assertNone();
        assertTrue(borrows.get() > 0);
        assertEquals(0, pool.getNumActive());
        assertQuiescentCounts(pool, f);

        final int idle = pool.getNumIdle();
        final int madeBefore = f.made.get();
        final List<Tracked> all = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            all.add(pool.borrowObject(Duration.ZERO));
        }
        assertEquals(6 - idle, f.made.get() - madeBefore, "every idle object, wherever it was parked, reused");
        assertThrows(NoSuchElementException.class, () -> pool.borrowObject(Duration.ZERO));
        all.forEach(t -> pool.returnObject(t));
        pool.close();
        assertEquals(0, pool.getNumIdle() + pool.getNumActive());
        assertTrue(f.live.isEmpty(), "stranded: " + f.live);
        assertEquals(f.made.get(), f.destroyed.get());
    }

    @Test
    void closeWhileThreadsWait() throws Exception {
        final TrackedFactory f = new TrackedFactory();
        final MagazineObjectPoolConfig config = new MagazineObjectPoolConfig();
        config.setMaxTotal(2);
        final MagazineObjectPool<Tracked> pool = new MagazineObjectPool<>(f, config);
        final Faults faults = new Faults();
        final AtomicInteger closedSeen = new AtomicInteger();
        final CountDownLatch running = new CountDownLatch(THREADS + 2);
        final List<Thread> threads = start(THREADS + 2, () -> {
            running.countDown();
            try {
                for (int i = 0; i < 10_000_000; i++) {
                    final Tracked t;
                    try {
                        t = pool.borrowObject();
                    } catch (final IllegalStateException e) {
                        closedSeen.incrementAndGet();
                        return;
                    }
                    faults.lent(t);
                    Thread.yield();
                    giveBack(pool, t);
                }
            } catch (final Throwable e) {
                faults.unexpected.add(e);
            }
        });
        assertTrue(running.await(JOIN_MILLIS, TimeUnit.MILLISECONDS));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pool.getNumWaiters() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        Thread.sleep(50);
        pool.close();
        joinAll(threads);
        faults.assertNone();
        assertEquals(THREADS + 2, closedSeen.get(), "every thread saw the close");
        assertEquals(0, pool.getNumWaiters());
        assertQuiescentCounts(pool, f);
        assertEquals(0, pool.getNumIdle() + pool.getNumActive());
        assertTrue(f.live.isEmpty(), "stranded: " + f.live);
    }

    @Test
    void slabBuffersKeepTheirContentsAcrossThreads() throws Exception {
        final int capacity = 200;
        try (SlabAllocator allocator = SlabAllocator.create()) {
            final MagazineObjectPoolConfig config = new MagazineObjectPoolConfig();
            config.setMaxTotal(8);
            config.setMaxWait(Duration.ofMillis(20));
            config.setTestOnBorrow(true);
            final MagazineObjectPool<MutableDirectBuffer> pool =
                    new MagazineObjectPool<>(new SlabBufferFactory(allocator, capacity, true), config);
            final BlockingQueue<MutableDirectBuffer> handoff = new ArrayBlockingQueue<>(4);
            final AtomicInteger corrupted = new AtomicInteger();
            final AtomicInteger notZeroed = new AtomicInteger();
            final ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
            final long deadline = System.nanoTime() + RUN_NANOS;
            joinAll(start(THREADS, () -> {
                final ThreadLocalRandom rnd = ThreadLocalRandom.current();
                try {
                    for (int i = 0; i < 100_000 && System.nanoTime() < deadline; i++) {
                        final MutableDirectBuffer passed = handoff.poll();
                        if (passed != null) {
                            if (!holdsPattern(passed, passed.getInt(0))) {
                                corrupted.incrementAndGet();
                            }
                            pool.returnObject(passed);
                        }
                        final MutableDirectBuffer b;
                        try {
                            b = pool.borrowObject();
                        } catch (final NoSuchElementException e) {
                            continue;
                        }
                        if (b.getLong(0) != 0 || b.getLong(capacity - 8) != 0) {
                            notZeroed.incrementAndGet();
                        }
                        final int seed = rnd.nextInt(1, Integer.MAX_VALUE);
                        fill(b, seed);
                        Thread.yield();
                        if (!holdsPattern(b, seed)) {
                            corrupted.incrementAndGet();
                        }
                        final int action = rnd.nextInt(10);
                        if (action < 5) {
                            pool.returnObject(b);
                        } else if (action < 9) {
                            if (!handoff.offer(b)) {
                                pool.returnObject(b);
                            }
                        } else {
                            pool.invalidateObject(b);
                            assertEquals(0, b.capacity(), "a destroyed buffer is zero-length");
                        }
                    }
                } catch (final Throwable e) {
                    unexpected.add(e);
                }
            }));
            MutableDirectBuffer passed;
            while ((passed = handoff.poll()) != null) {
                pool.returnObject(passed);
            }
            assertTrue(unexpected.isEmpty(), () -> "unexpected: " + unexpected);
            assertEquals(0, corrupted.get(), "a buffer was written by two borrowers at once");
            assertEquals(0, notZeroed.get(), "a returned buffer was lent without being zeroed");
            assertEquals(pool.getCreatedCount() - pool.getDestroyedCount(), pool.getNumIdle());
            pool.close();
            assertEquals(pool.getCreatedCount(), pool.getDestroyedCount());
            assertEquals(0, allocator.stats().usedBytes());
        }
    }

    private static void fill(final MutableDirectBuffer b, final int seed) {
        b.putInt(0, seed);
        for (int i = 4; i + 4 <= b.capacity(); i += 4) {
            b.putInt(i, seed * 31 + i);
        }
    }

    private static boolean holdsPattern(final MutableDirectBuffer b, final int seed) {
        if (b.getInt(0) != seed) {
            return false;
        }
        for (int i = 4; i + 4 <= b.capacity(); i += 4) {
            if (b.getInt(i) != seed * 31 + i) {
                return false;
            }
        }
        return true;
    }
}
