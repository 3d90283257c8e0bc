package org.slabmag.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.slabmag.pool.EvictorTesting.await;
import static org.slabmag.pool.EvictorTesting.keyedEvicting;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.pool2.DestroyMode;
import org.apache.commons.pool2.KeyedObjectPool;
import org.apache.commons.pool2.impl.AbandonedConfig;
import org.apache.commons.pool2.impl.GenericKeyedObjectPool;
import org.apache.commons.pool2.impl.GenericKeyedObjectPoolConfig;
import org.junit.jupiter.api.Test;
import org.slabmag.pool.KeyedRecordingFactory.Item;

/**
 * Abandoned-object tracking of {@link MagazineKeyedObjectPool}, against {@code GenericKeyedObjectPool}'s semantics
 * (checked against a real one where the two could differ).
 */
class MagazineKeyedObjectPoolAbandonedTest {
    private static final Duration PERIOD = Duration.ofMillis(20);

    private static AbandonedConfig onMaintenance(final Duration timeout) {
        final AbandonedConfig a = new AbandonedConfig();
        a.setRemoveAbandonedOnMaintenance(true);
        a.setRemoveAbandonedTimeout(timeout);
        return a;
    }

    private static AbandonedConfig onBorrow(final Duration timeout) {
        final AbandonedConfig a = new AbandonedConfig();
        a.setRemoveAbandonedOnBorrow(true);
        a.setRemoveAbandonedTimeout(timeout);
        return a;
    }

    private static void sleepPast(final long since, final Duration d) throws InterruptedException {
        while (System.nanoTime() - since <= d.toNanos()) {
            Thread.sleep(5);
        }
    }

    private static MagazineKeyedObjectPoolConfig noEvictor() {
        return keyedEvicting(Duration.ofMillis(-1));
    }

    @Test
    void removeAbandonedOnMaintenanceDestroysObjectsOnLoanAndUnusedUnderEveryKey() throws Exception {
        final KeyedRecordingFactory f = new KeyedRecordingFactory();
        try (MagazineKeyedObjectPool<String, Item> pool = new MagazineKeyedObjectPool<>(f, keyedEvicting(PERIOD),
                onMaintenance(Duration.ofMillis(200)))) {
            assertTrue(pool.isAbandonedConfig());
            final long borrowed = System.nanoTime();
            final Item lostA = pool.borrowObject("a");
            final Item lostB = pool.borrowObject("b");
            final Item kept = pool.borrowObject("a");
            pool.returnObject("a", kept);
            await(() -> lostA.isDestroyed() && lostB.isDestroyed(), "the evictor removed the abandoned objects");
            for (final Item lost : List.of(lostA, lostB)) {
                assertTrue(lost.destroyedAt.get() - borrowed >= Duration.ofMillis(200).toNanos(), "removed too early");
                assertEquals(DestroyMode.ABANDONED, lost.destroyMode);
            }
            assertFalse(kept.isDestroyed(), "an idle object is not abandoned");
            assertEquals(0, pool.getNumActive());
            assertEquals(1, pool.getNumIdle());
            await(() -> pool.getKeys().equals(List.of("a")), "b, left without objects, was dropped"); // after destroy
            assertEquals(0, f.wrongKey.get());
        }
    }

    @Test
    void removeAbandonedOnBorrowWhenThePoolIsNearlyExhaustedOverAllKeys() throws Exception {
        final KeyedRecordingFactory f = new KeyedRecordingFactory();
        final MagazineKeyedObjectPoolConfig c = noEvictor();
        c.setMaxTotal(4);
        try (MagazineKeyedObjectPool<String, Item> pool = new MagazineKeyedObjectPool<>(f, c,
                onBorrow(Duration.ofMillis(100)))) {
            final long start = System.nanoTime();
            final Item first = pool.borrowObject("a");
            sleepPast(start, Duration.ofMillis(150));
            final Item second = pool.borrowObject("b"); // active 1 <= maxTotal - 3: nothing removed
            assertFalse(first.isDestroyed(), "removed while the pool was not nearly exhausted");
            sleepPast(start, Duration.ofMillis(300));
            final Item third = pool.borrowObject("c"); // active 2 > maxTotal - 3 and idle 0 < 2
            assertTrue(first.isDestroyed() && second.isDestroyed(), "the borrow removed the abandoned objects");
            assertEquals(DestroyMode.ABANDONED, second.destroyMode);
            assertFalse(third.isDestroyed());
            assertEquals(1, pool.getNumActive());
            assertEquals(List.of("c"), pool.getKeys());
            pool.returnObject("c", third);
        }
    }

    /**
     * Borrows {@code lost} under a and {@code z} under a, returns z once both loans are older than the timeout, then
     * borrows under b, which, with fewer than 2 idle and no {@code maxTotal}, removes abandoned objects; then hands
     * back the removed object.
     *
     * @return whether lost was destroyed by the borrow, and the exception classes of the late return and
     *         invalidation (null if none)
     */
    private static List<Object> lateReturnScenario(final KeyedObjectPool<String, Item> pool) throws Exception {
        final long start = System.nanoTime();
        final Item lost = pool.borrowObject("a");
        final Item z = pool.borrowObject("a");
        sleepPast(start, Duration.ofMillis(150));
        pool.returnObject("a", z); // 1 idle: still fewer than 2
        final Item b = pool.borrowObject("b");
        final List<Object> outcome = new ArrayList<>();
        outcome.add(lost.isDestroyed());
        outcome.add(thrown(() -> pool.returnObject("a", lost)));
        outcome.add(thrown(() -> pool.invalidateObject("a", lost)));
        outcome.add(pool.getNumIdle("a"));
        pool.returnObject("b", b);
        pool.close();
        return outcome;
    }

    private static Class<?> thrown(final ThrowingCall call) {
        try {
            call.run();
            return null;
        } catch (final Exception e) {
            return e.getClass();
        }
    }

    @FunctionalInterface
    private interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void withoutMaxTotalAnyBorrowFindingFewerThanTwoIdleRemovesAndALateReturnThrowsAsGenericKeyedObjectPool()
            throws Exception {
        final GenericKeyedObjectPoolConfig<Item> gc = new GenericKeyedObjectPoolConfig<>();
        gc.setJmxEnabled(false);
        final List<Object> generic = lateReturnScenario(new GenericKeyedObjectPool<>(new KeyedRecordingFactory(), gc,
                onBorrow(Duration.ofMillis(100))));
        final List<Object> magazine = lateReturnScenario(new MagazineKeyedObjectPool<>(new KeyedRecordingFactory(),
                MagazineKeyedObjectPoolConfig.from(gc), onBorrow(Duration.ofMillis(100))));
        assertEquals(List.of(true, IllegalStateException.class, IllegalStateException.class, 1), generic,
                "what GenericKeyedObjectPool 2.12 does");
        assertEquals(generic, magazine);
    }

    @Test
    void useOfAnObjectPostponesItsAbandonment() throws Exception {
        final KeyedRecordingFactory f = new KeyedRecordingFactory();
        try (MagazineKeyedObjectPool<String, Item> pool = new MagazineKeyedObjectPool<>(f, keyedEvicting(PERIOD),
                onMaintenance(Duration.ofMillis(500)))) {
            final Item used = pool.borrowObject("a");
            final Item lost = pool.borrowObject("b");
            final long deadline = System.nanoTime() + EvictorTesting.DEADLINE.toNanos();
            while (!lost.isDestroyed()) {
                assertTrue(System.nanoTime() - deadline < 0, "the unused object was never removed");
                pool.use(used);
                Thread.sleep(20);
            }
            assertFalse(used.isDestroyed(), "an object used within the timeout was removed");
            assertEquals(1, pool.getNumActive());
            pool.returnObject("a", used);
            assertEquals(1, pool.getNumIdle());
        }
    }

    @Test
    void logAbandonedPrintsTheBorrowersStackTrace() throws Exception {
        final KeyedRecordingFactory f = new KeyedRecordingFactory();
        final StringWriter log = new StringWriter();
        final AbandonedConfig a = onMaintenance(Duration.ofMillis(50));
        a.setLogAbandoned(true);
        a.setLogWriter(new PrintWriter(log));
        try (MagazineKeyedObjectPool<String, Item> pool = new MagazineKeyedObjectPool<>(f, keyedEvicting(PERIOD), a)) {
            final Item lost = borrowHere(pool);
            await(lost::isDestroyed, "the abandoned object was removed");
            final String printed = log.toString();
            assertTrue(printed.contains(lost.toString()), printed);
            assertTrue(printed.contains("borrowHere"), "the borrower's frame is printed: " + printed);
            assertTrue(printed.contains("logAbandonedPrintsTheBorrowersStackTrace"), printed);
        }
    }

    private static Item borrowHere(final MagazineKeyedObjectPool<String, Item> pool) throws Exception {
        return pool.borrowObject("k");
    }

    @Test
    void trackingReachesKeysMadeBeforeAndAfterItIsSetAndCanBeTurnedOff() throws Exception {
        final KeyedRecordingFactory f = new KeyedRecordingFactory();
        try (MagazineKeyedObjectPool<String, Item> pool = new MagazineKeyedObjectPool<>(f, keyedEvicting(PERIOD))) {
            assertFalse(pool.isAbandonedConfig());
            assertNull(pool.getAbandonedConfig());
            assertEquals(Duration.ofSeconds(Integer.MAX_VALUE), pool.getRemoveAbandonedTimeoutDuration());
            final Item before = pool.borrowObject("a");
            Thread.sleep(300);
            final long set = System.nanoTime();
            pool.setAbandonedConfig(onMaintenance(Duration.ofMillis(200)));
            assertEquals(Duration.ofMillis(200), pool.getRemoveAbandonedTimeoutDuration());
            assertTrue(pool.getAbandonedConfig().getRemoveAbandonedOnMaintenance());
            final Item after = pool.borrowObject("b");
            await(() -> before.isDestroyed() && after.isDestroyed(), "both loans were removed");
            assertTrue(before.destroyedAt.get() - set >= Duration.ofMillis(200).toNanos(),
                    "a loan older than the tracking counts as used when tracking started");

            pool.setAbandonedConfig(null);
            assertFalse(pool.isAbandonedConfig());
            final Item untracked = pool.borrowObject("c");
            Thread.sleep(400);
            assertFalse(untracked.isDestroyed(), "removed with tracking off");
            pool.returnObject("c", untracked);
            assertThrows(IllegalStateException.class, () -> pool.returnObject("c", untracked));
        }
    }

    @Test
    void countsStayConsistentAfterRemovals() throws Exception {
        final KeyedRecordingFactory f = new KeyedRecordingFactory();
        try (MagazineKeyedObjectPool<String, Item> pool = new MagazineKeyedObjectPool<>(f, keyedEvicting(PERIOD),
                onMaintenance(Duration.ofMillis(50)))) {
            final List<Item> lost = new ArrayList<>();
            for (final String key : List.of("a", "b", "c")) {
                lost.add(pool.borrowObject(key));
                pool.returnObject(key, pool.borrowObject(key));
            }
            await(() -> lost.stream().allMatch(Item::isDestroyed), "all loans were removed");
            assertEquals(0, pool.getNumActive());
            assertEquals(pool.getCreatedCount() - pool.getDestroyedCount(), pool.getNumIdle());
            assertEquals(f.made.get() - f.destroyed.get(), pool.getNumIdle());
            assertEquals(pool.getNumIdle(), pool.getNumTotal());
        }
    }
}
