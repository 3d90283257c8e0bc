package org.slabmag.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.slabmag.pool.EvictorTesting.await;
import static org.slabmag.pool.EvictorTesting.awaitRuns;
import static org.slabmag.pool.EvictorTesting.evicting;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.commons.pool2.DestroyMode;
import org.apache.commons.pool2.impl.AbandonedConfig;
import org.junit.jupiter.api.Test;
import org.slabmag.pool.RecordingFactory.Item;

/** Abandoned-object tracking of {@link MagazineObjectPool}, against {@code GenericObjectPool}'s semantics. */
class MagazineObjectPoolAbandonedTest {
    private static final Duration PERIOD = Duration.ofMillis(20);

    private static AbandonedConfig onMaintenance(final Duration timeout) {
        final AbandonedConfig a = new AbandonedConfig();
        a.setRemoveAbandonedOnMaintenance(true);
        a.setRemoveAbandonedTimeout(timeout);
        return a;
    }

    private static void sleepPast(final long since, final Duration d) throws InterruptedException {
        while (System.nanoTime() - since <= d.toNanos()) {
            Thread.sleep(5);
        }
    }

    @Test
    void removeAbandonedOnMaintenanceDestroysObjectsOnLoanAndUnused() throws Exception {
        final RecordingFactory f = new RecordingFactory();
        try (MagazineObjectPool<Item> pool = new MagazineObjectPool<>(f, evicting(PERIOD))) {
            pool.setAbandonedConfig(onMaintenance(Duration.ofMillis(200)));
            final long borrowed = System.nanoTime();
            final Item lost = pool.borrowObject();
            final Item kept = pool.borrowObject();
            pool.returnObject(kept);
            await(lost::isDestroyed, "the evictor removed the abandoned object");
            assertTrue(lost.destroyedAt.get() - borrowed >= Duration.ofMillis(200).toNanos(), "removed too early");
            assertEquals(DestroyMode.ABANDONED, lost.destroyMode);
            assertFalse(kept.isDestroyed(), "an idle object is not abandoned");
            assertEquals(0, pool.getNumActive());
            assertEquals(1, pool.getNumIdle());
            assertEquals(pool.getCreatedCount() - pool.getDestroyedCount(), pool.getNumActive() + pool.getNumIdle());
        }
    }

    @Test
    void removeAbandonedOnBorrowWhenThePoolIsNearlyExhausted() throws Exception {
        final RecordingFactory f = new RecordingFactory();
        final MagazineObjectPoolConfig c = evicting(Duration.ofMillis(-1));
        c.setMaxTotal(4);
        try (MagazineObjectPool<Item> pool = new MagazineObjectPool<>(f, c)) {
            final AbandonedConfig a = new AbandonedConfig();
            a.setRemoveAbandonedOnBorrow(true);
            a.setRemoveAbandonedTimeout(Duration.ofMillis(100));
            pool.setAbandonedConfig(a);
            final long start = System.nanoTime();
            final Item first = pool.borrowObject();
            sleepPast(start, Duration.ofMillis(150));
            // active 1 <= maxTotal - 3: not nearly exhausted, nothing removed
            final Item second = pool.borrowObject();
            assertFalse(first.isDestroyed(), "removed while the pool was not nearly exhausted");
            sleepPast(start, Duration.ofMillis(300));
            // active 2 > maxTotal - 3 and idle 0 < 2: GOP's condition; both loans are older than the timeout
            final Item third = pool.borrowObject();
            assertTrue(first.isDestroyed() && second.isDestroyed(), "the borrow removed the abandoned objects");
            assertEquals(DestroyMode.ABANDONED, first.destroyMode);
            assertFalse(third.isDestroyed());
            assertEquals(1, pool.getNumActive());
            pool.returnObject(third);
        }
    }

    @Test
    void noRemovalOnBorrowWhileTwoObjectsAreIdle() throws Exception {
        final RecordingFactory f = new RecordingFactory();
        final MagazineObjectPoolConfig c = evicting(Duration.ofMillis(-1));
        c.setMaxTotal(5);
        try (MagazineObjectPool<Item> pool = new MagazineObjectPool<>(f, c)) {
            final AbandonedConfig a = new AbandonedConfig();
            a.setRemoveAbandonedOnBorrow(true);
            a.setRemoveAbandonedTimeout(Duration.ofMillis(100));
            pool.setAbandonedConfig(a);
            final long start = System.nanoTime();
            final Item lost = pool.borrowObject();
            final Item x = pool.borrowObject();
            final Item y = pool.borrowObject();
            final Item z = pool.borrowObject();
            pool.returnObject(x);
            pool.returnObject(y);
            pool.returnObject(z);
            sleepPast(start, Duration.ofMillis(150));
            final Item again = pool.borrowObject(); // 3 idle: not nearly exhausted
            assertFalse(lost.isDestroyed());
            pool.returnObject(again);
            pool.borrowObject();
            pool.borrowObject(); // now 1 idle, 3 active > 5 - 3
            pool.borrowObject();
            assertTrue(lost.isDestroyed(), "removed once fewer than 2 were idle");
        }
    }

    @Test
    void useOfAnObjectPostponesItsAbandonment() throws Exception {
        final RecordingFactory f = new RecordingFactory();
        try (MagazineObjectPool<Item> pool = new MagazineObjectPool<>(f, evicting(PERIOD))) {
            pool.setAbandonedConfig(onMaintenance(Duration.ofMillis(500)));
            final Item used = pool.borrowObject();
            final Item lost = pool.borrowObject();
            final long deadline = System.nanoTime() + EvictorTesting.DEADLINE.toNanos();
            while (!lost.isDestroyed()) {
                assertTrue(System.nanoTime() - deadline < 0, "the unused object was never removed");
                pool.use(used);
                Thread.sleep(20);
            }
            assertFalse(used.isDestroyed(), "an object used within the timeout was removed");
            assertEquals(1, pool.getNumActive());
            pool.returnObject(used);
            assertEquals(1, pool.getNumIdle());
        }
    }

    @Test
    void logAbandonedPrintsTheBorrowersStackTrace() throws Exception {
        final RecordingFactory f = new RecordingFactory();
        final StringWriter log = new StringWriter();
        try (MagazineObjectPool<Item> pool = new MagazineObjectPool<>(f, evicting(PERIOD))) {
            final AbandonedConfig a = onMaintenance(Duration.ofMillis(50));
            a.setLogAbandoned(true);
            a.setLogWriter(new PrintWriter(log));
            pool.setAbandonedConfig(a);
            final Item lost = borrowHere(pool);
            await(lost::isDestroyed, "the abandoned object was removed");
            final String printed = log.toString();
            assertTrue(printed.contains(lost.toString()), printed);
            assertTrue(printed.contains("borrowHere"), "the borrower's frame is printed: " + printed);
            assertTrue(printed.contains("logAbandonedPrintsTheBorrowersStackTrace"), printed);
        }
    }

    private static Item borrowHere(final MagazineObjectPool<Item> pool) throws Exception {
        return pool.borrowObject();
    }

    /** As {@code GenericObjectPool} 2.12.1: while tracking is on, handing back a removed object does nothing. */
    @Test
    void aLateReturnOrInvalidateOfARemovedObjectIsHarmless() throws Exception {
        final RecordingFactory f = new RecordingFactory();
        try (MagazineObjectPool<Item> pool = new MagazineObjectPool<>(f, evicting(PERIOD))) {
            pool.setAbandonedConfig(onMaintenance(Duration.ofMillis(50)));
            final Item a = pool.borrowObject();
            final Item b = pool.borrowObject();
            await(() -> a.isDestroyed() && b.isDestroyed(), "both loans were removed");
            pool.returnObject(a);
            pool.invalidateObject(b);
            pool.invalidateObject(b, DestroyMode.NORMAL);
            assertEquals(2, f.destroyed.get(), "each object destroyed once");
            assertEquals(0, pool.getNumActive());
            assertEquals(0, pool.getNumIdle());
            assertEquals(2, pool.getCreatedCount());
            assertEquals(2, pool.getDestroyedCount());
            assertEquals(0, pool.getReturnedCount(), "the late return was not counted as accepted");

            pool.setAbandonedConfig(null);
            assertThrows(IllegalStateException.class, () -> pool.returnObject(a), "without tracking: refused");
            assertThrows(IllegalStateException.class, () -> pool.invalidateObject(b));

            final Item c = pool.borrowObject();
            assertNotSame(a, c);
            assertNotSame(b, c);
            pool.returnObject(c);
            assertEquals(1, pool.getNumIdle());
        }
    }

    /**
     * A borrower between claiming an idle object and recording its loan (here: inside activateObject) holds an
     * object whose last use is long past; removal must not take it.
     */
    @Test
    void aBorrowInProgressIsNotTakenForAbandoned() throws Exception {
        final RecordingFactory f = new RecordingFactory();
        try (MagazineObjectPool<Item> pool = new MagazineObjectPool<>(f, evicting(PERIOD))) {
            pool.setAbandonedConfig(onMaintenance(Duration.ofMillis(100)));
            final Item x = pool.borrowObject();
            pool.returnObject(x); // x was last used now
            Thread.sleep(300);
            final CountDownLatch inActivate = new CountDownLatch(1);
            f.onActivate = () -> {
                f.onActivate = null;
                inActivate.countDown();
                try {
                    awaitRuns(pool, 3); // removal runs while the borrow is in progress
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            final CompletableFuture<Item> borrow = CompletableFuture.supplyAsync(() -> {
                try {
                    return pool.borrowObject();
                } catch (final Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(inActivate.await(10, TimeUnit.SECONDS));
            final Item got = borrow.get(30, TimeUnit.SECONDS);
            assertSame(x, got);
            assertFalse(x.isDestroyed(), "the object was removed as abandoned while being borrowed");
            assertNull(x.destroyMode);
            pool.returnObject(got);
            assertEquals(1, pool.getNumIdle());
        }
    }
}
