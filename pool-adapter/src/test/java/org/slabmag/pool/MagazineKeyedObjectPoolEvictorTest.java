package org.slabmag.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.slabmag.pool.EvictorTesting.await;
import static org.slabmag.pool.EvictorTesting.awaitRuns;
import static org.slabmag.pool.EvictorTesting.keyedEvicting;
import static org.slabmag.pool.EvictorTesting.millis;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.commons.pool2.DestroyMode;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.PooledObjectState;
import org.apache.commons.pool2.impl.EvictionConfig;
import org.apache.commons.pool2.impl.EvictionPolicy;
import org.junit.jupiter.api.Test;
import org.slabmag.internal.Reclaimer;
import org.slabmag.pool.KeyedRecordingFactory.Item;

/**
 * The evictor of {@link MagazineKeyedObjectPool}: one task on core's shared maintenance thread for all keys, against
 * {@code GenericKeyedObjectPool}'s semantics (tests counted across keys, keys cycled through, oldest first within a
 * key, the key's idle count shown to the policy, {@code minIdlePerKey} kept, keys without objects dropped).
 */
class MagazineKeyedObjectPoolEvictorTest {
    private static final Duration PERIOD = Duration.ofMillis(20);

    /** What an {@link EvictionPolicy} was shown in one call. */
    static final class Seen {
        final long run;
        final Item object;
        final Duration idle;
        final PooledObjectState state;
        final int idleCount;
        final int minIdle;
        final long at;

        Seen(final long run, final EvictionConfig config, final PooledObject<Item> p, final int idleCount) {
            this.run = run;
            this.object = p.getObject();
            this.idle = p.getIdleDuration();
            this.state = p.getState();
            this.idleCount = idleCount;
            this.minIdle = config.getMinIdle();
            this.at = System.nanoTime();
        }
    }

    /** A policy that records what it is shown, tagged with the evictor run, and evicts nothing. */
    static final class RecordingPolicy implements EvictionPolicy<Item> {
        final List<Seen> seen = new CopyOnWriteArrayList<>();
        volatile MagazineKeyedObjectPool<String, Item> pool;

        @Override
        public boolean evict(final EvictionConfig config, final PooledObject<Item> underTest, final int idleCount) {
            final MagazineKeyedObjectPool<String, Item> p = pool;
            seen.add(new Seen(p == null ? 0 : p.evictor().runs(), config, underTest, idleCount));
            return false;
        }
    }

    /** A policy named by class, counting its instances. */
    public static final class CountingPolicy implements EvictionPolicy<Object> {
        static final AtomicInteger INSTANCES = new AtomicInteger();
        static final AtomicInteger CALLS = new AtomicInteger();

        /** Counts the instance. */
        public CountingPolicy() {
            INSTANCES.incrementAndGet();
        }

        @Override
        public boolean evict(final EvictionConfig config, final PooledObject<Object> underTest, final int idleCount) {
            CALLS.incrementAndGet();
            return false;
        }
    }

    private static List<Item> borrow(final MagazineKeyedObjectPool<String, Item> pool, final String key, final int n)
            throws Exception {
        final List<Item> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            items.add(pool.borrowObject(key));
        }
        return items;
    }

    private static void giveBack(final MagazineKeyedObjectPool<String, Item> pool, final List<Item> items)
            throws Exception {
        for (final Item i : items) {
            pool.returnObject(i.key, i);
        }
    }

    @Test
    void idleObjectsOlderThanMinEvictableIdleAreDestroyedAndTheirKeysDropped() throws Exception {
        final KeyedRecordingFactory f = new KeyedRecordingFactory();
        final MagazineKeyedObjectPoolConfig c = keyedEvicting(PERIOD);
        c.setMinEvictableIdleDuration(Duration.ofMillis(200));
        try (MagazineKeyedObjectPool<String, Item> pool = new MagazineKeyedObjectPool<>(f, c)) {
            final List<Item> items = new ArrayList<>(borrow(pool, "a", 3));
            items.addAll(borrow(pool, "b", 2));
            final Item kept = pool.borrowObject("c");
            final long returned = System.nanoTime();
            giveBack(pool, items);
            await(() -> f.destroyed.get() == 5, "the evictor destroyed the 5 idle objects");
            for (final Item i : items) {
                assertEquals(DestroyMode.NORMAL, i.destroyMode);
                assertTrue(i.destroyedAt.get() - returned >= millis(200), i + " was evicted before it was idle 200 ms");
            }
            assertFalse(kept.isDestroyed(), "an object on loan is not evicted");
            await(() -> pool.getKeys().equals(List.of("c")), "keys left without objects are dropped"); // after destroy
            assertEquals(0, pool.getNumIdle());
            assertEquals(1, pool.getNumActive());
            assertEquals(0, f.wrongKey.get());
            final Item fresh = pool.borrowObject("a");
            assertFalse(items.contains(fresh), "an evicted object was lent again");
            pool.returnObject("a", fresh);
            pool.returnObject("c", kept);
        }
    }

    @Test
    void softMinEvictableIdleKeepsMinIdlePerKey() throws Exception {
        final KeyedRecordingFactory f = new KeyedRecordingFactory();
        final MagazineKeyedObjectPoolConfig c = keyedEvicting(PERIOD);
        c.setSoftMinEvictableIdleDuration(Duration.ofMillis(50));
        c.setMinIdlePerKey(2);
        try (MagazineKeyedObjectPool<String, Item> pool = new MagazineKeyedObjectPool<>(f, c)) {
            giveBack(pool, borrow(pool, "a", 5));
            giveBack(pool, borrow(pool, "b", 4));
            await(() -> pool.getNumIdle("a") == 2 && pool.getNumIdle("b") == 2,
                    "the evictor took a and b down to minIdlePerKey");
            final int made = f.made.get();
            final int destroyed = f.destroyed.get();
            assertTrue(destroyed >= 5, "evicted " + destroyed);
            awaitRuns(pool, 5);
            assertEquals(destroyed, f.destroyed.get(), "softMinEvictableIdle evicted below minIdlePerKey");
            assertEquals(made, f.made.get(), "the survivors were kept, not evicted and made again");
            assertEquals(2, pool.getNumIdle("a"));
            assertEquals(2, pool.getNumIdle("b"));
        }
    }

    @Test
    void numTestsPerEvictionRunCountsAcrossKeysAsGenericKeyedObjectPool() throws Exception {
        assertTestsPerRun(2, 2);
        assertTestsPerRun(-1, 6);
        assertTestsPerRun(-2, 3);
        assertTestsPerRun(-4, 2); // ceil(6 / 4)
        assertTestsPerRun(10, 6);
    }

    /**
     * With 2 idle objects under each of 3 keys, each run shows the policy {@code expected} objects, with the key's
     * idle count; successive runs cycle through all 6 in turn.
     */
    private static void assertTestsPerRun(final int numTests, final int expected) throws Exception {
        final KeyedRecordingFactory f = new KeyedRecordingFactory();
        final RecordingPolicy policy = new RecordingPolicy();
        final MagazineKeyedObjectPoolConfig c = keyedEvicting(PERIOD);
        c.setNumTestsPerEvictionRun(numTests);
        c.setEvictionPolicy(policy);
        try (MagazineKeyedObjectPool<String, Item> pool = new MagazineKeyedObjectPool<>(f, c)) {
            policy.pool = pool;
            for (final String key : List.of("a", "b", "c")) {
                giveBack(pool, borrow(pool, key, 2));
            }
            awaitRuns(pool, 1);
            final int from = policy.seen.size();
            awaitRuns(pool, 7);
            final List<Seen> seen = new ArrayList<>(policy.seen.subList(from, policy.seen.size()));
            final Map<Long, Integer> perRun = new HashMap<>();
            final Map<Item, Integer> perObject = new HashMap<>();
            final long firstRun = seen.get(0).run;
            final long lastRun = seen.get(seen.size() - 1).run;
            for (final Seen s : seen) {
                if (s.run != firstRun && s.run != lastRun) { // runs wholly inside the window
                    perRun.merge(s.run, 1, Integer::sum);
                }
                perObject.merge(s.object, 1, Integer::sum);
                assertEquals(2, s.idleCount, "the policy sees the idle objects of the object's key");
            }
            assertTrue(perRun.size() >= 3, "whole runs seen: " + perRun);
            for (final int n : perRun.values()) {
                assertEquals(expected, n, "numTestsPerEvictionRun=" + numTests + ": objects tested per run " + perRun);
            }
            assertEquals(6, perObject.size(), "successive runs went on where the last one stopped, over all keys");
            final int most = perObject.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
            final int least = perObject.values().stream().mapToInt(Integer::intValue).min().orElseThrow();
            assertTrue(most - least <= 1, "objects tested in turn: " + perObject);
            for (int i = 1; i + 1 < seen.size(); i++) { // one key at a time: a key's 2 objects are tested together
                if (!seen.get(i).object.key.equals(seen.get(i - 1).object.key)) {
                    assertEquals(seen.get(i).object.key, seen.get(i + 1).object.key, "cycling through keys: "
                            + keysOf(seen));
                }
            }
            assertEquals(0, f.destroyed.get());
        }
    }

    private static List<String> keysOf(final List<Seen> seen) {
        final List<String> keys = new ArrayList<>();
        for (final Seen s : seen) {
            keys.add(s.object.key);
        }
        return keys;
    }

    @Test
    void zeroTestsPerEvictionRunTestsNothing() throws Exception {
        final RecordingPolicy policy = new RecordingPolicy();
        final MagazineKeyedObjectPoolConfig c = keyedEvicting(PERIOD);
        c.setNumTestsPerEvictionRun(0);
        c.setEvictionPolicy(policy);
        try (MagazineKeyedObjectPool<String, Item> pool = new MagazineKeyedObjectPool<>(new KeyedRecordingFactory(), c)) {
            giveBack(pool, borrow(pool, "a", 3));
            awaitRuns(pool, 3);
            assertTrue(policy.seen.isEmpty());
        }
    }

    @Test
    void withinAKeyTheLongestIdleObjectIsTestedFirst() throws Exception {
        final RecordingPolicy policy = new RecordingPolicy();
        final MagazineKeyedObjectPoolConfig c = keyedEvicting(PERIOD);
        c.setEvictionPolicy(policy);
        try (MagazineKeyedObjectPool<String, Item> pool = new MagazineKeyedObjectPool<>(new KeyedRecordingFactory(), c)) {
            policy.pool = pool;
            final List<Item> items = borrow(pool, "a", 3);
            for (final Item i : List.of(items.get(2), items.get(0), items.get(1))) { // returned in this order
                pool.returnObject("a", i);
                awaitRuns(pool, 2);
            }
            final int from = policy.seen.size();
            awaitRuns(pool, 3);
            final List<Seen> seen = new ArrayList<>(policy.seen.subList(from, policy.seen.size()));
            assertTrue(seen.size() >= 6, "tests seen: " + seen.size());
            final List<Item> order = List.of(items.get(2), items.get(0), items.get(1));
            for (int i = 1; i < seen.size(); i++) { // passes over the key, each oldest first, one after another
                final int previous = order.indexOf(seen.get(i - 1).object);
                assertEquals(order.get((previous + 1) % 3), seen.get(i).object, "oldest first within the key");
            }
        }
    }

    @Test
    void testWhileIdleDestroysObjectsThatFailValidationAndKeepsTheOthers() throws Exception {
        final KeyedRecordingFactory f = new KeyedRecordingFactory();
        final MagazineKeyedObjectPoolConfig c = keyedEvicting(PERIOD);
        c.setTestWhileIdle(true);
        try (MagazineKeyedObjectPool<String, Item> pool = new MagazineKeyedObjectPool<>(f, c)) {
            final List<Item> items = new ArrayList<>(borrow(pool, "a", 2));
            items.addAll(borrow(pool, "b", 2));
            giveBack(pool, items);
            final Item bad = items.get(2);
            f.invalid.add(bad.id);
            await(bad::isDestroyed, "the evictor destroyed the object that failed validation");
            awaitRuns(pool, 2);
            assertEquals(1, f.destroyed.get());
            assertEquals(2, pool.getNumIdle("a"));
            assertEquals(1, pool.getNumIdle("b"));
            final List<String> badCalls = bad.calls;
            assertEquals(List.of("activate", "validate", "destroy"),
                    badCalls.subList(badCalls.size() - 3, badCalls.size()), "GKOP's order for a failed idle test");
            for (final Item i : items) {
                if (i != bad) {
                    assertFalse(i.isDestroyed(), i + " passed validation");
                    assertEquals(List.of("activate", "passivate", "activate", "validate", "passivate"),
                            i.calls.subList(0, 5), "GKOP's order for an idle test: " + i.calls);
                }
            }
            assertEquals(0, f.wrongKey.get(), "the factory was called with each object's own key");
            final Item again = pool.borrowObject("b");
            assertSame(items.get(3), again);
            pool.returnObject("b", again);
        }
    }

    @Test
    void aCustomEvictionPolicySeesIdleObjectsWithTheirIdleTimeAndMinIdlePerKey() throws Exception {
        final RecordingPolicy policy = new RecordingPolicy();
        final MagazineKeyedObjectPoolConfig c = keyedEvicting(PERIOD);
        c.setEvictionPolicy(policy);
        c.setMinIdlePerKey(1);
        c.setMaxIdlePerKey(5);
        try (MagazineKeyedObjectPool<String, Item> pool = new MagazineKeyedObjectPool<>(new KeyedRecordingFactory(), c)) {
            policy.pool = pool;
            final List<Item> items = new ArrayList<>(borrow(pool, "a", 2));
            items.addAll(borrow(pool, "b", 1));
            final long returned = System.nanoTime();
            giveBack(pool, items);
            await(() -> policy.seen.stream().anyMatch(s -> s.idle.compareTo(Duration.ofMillis(150)) >= 0),
                    "the policy saw an idle time of 150 ms");
            for (final Seen s : policy.seen) {
                assertSame(PooledObjectState.EVICTION, s.state);
                assertFalse(s.idle.isNegative());
                if (items.contains(s.object)) { // not one the evictor added for minIdlePerKey meanwhile
                    assertTrue(s.idle.toNanos() <= s.at - returned, "idle time " + s.idle
                            + " is at most the time since return");
                }
                assertEquals(1, s.minIdle, "EvictionConfig carries minIdlePerKey");
            }
        }
    }

    @Test
    void anEvictionPolicyClassIsInstantiatedOnceForAllKeys() throws Exception {
        final MagazineKeyedObjectPoolConfig c = keyedEvicting(PERIOD);
        c.setEvictionPolicyClassName(CountingPolicy.class.getName());
        final int before = CountingPolicy.INSTANCES.get();
        final int calls = CountingPolicy.CALLS.get();
        try (MagazineKeyedObjectPool<String, Item> pool = new MagazineKeyedObjectPool<>(new KeyedRecordingFactory(), c)) {
            for (final String key : List.of("a", "b", "c")) {
                giveBack(pool, borrow(pool, key, 1));
            }
            await(() -> CountingPolicy.CALLS.get() - calls >= 6, "the policy was called for the keys' objects");
            assertEquals(before + 1, CountingPolicy.INSTANCES.get());
        }
        final MagazineKeyedObjectPoolConfig bad = keyedEvicting(PERIOD);
        bad.setEvictionPolicyClassName("org.slabmag.NoSuchPolicy");
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MagazineKeyedObjectPool<>(new KeyedRecordingFactory(), bad));
        assertTrue(e.getMessage().contains("org.slabmag.NoSuchPolicy"), e.getMessage());
    }

    @Test
    void minIdlePerKeyIsKeptUpAfterEviction() throws Exception {
        final KeyedRecordingFactory f = new KeyedRecordingFactory();
        final MagazineKeyedObjectPoolConfig c = keyedEvicting(PERIOD);
        c.setMinEvictableIdleDuration(Duration.ofMillis(100));
        c.setMinIdlePerKey(3);
        try (MagazineKeyedObjectPool<String, Item> pool = new MagazineKeyedObjectPool<>(f, c)) {
            final Item a = pool.borrowObject("a");
            pool.preparePool("b");
            assertTrue(pool.getNumIdle("b") >= 3, "preparePool made minIdlePerKey objects");
            await(() -> pool.getNumIdle("a") == 3, "the evictor made minIdlePerKey objects for a");
            final Set<Item> first = new HashSet<>(f.all.values());
            first.remove(a);
            await(() -> first.stream().allMatch(Item::isDestroyed), "the first idle objects were evicted");
            await(() -> pool.getNumIdle("a") == 3, "the evictor made minIdlePerKey objects again");
            assertFalse(a.isDestroyed(), "the object on loan was left alone");
            // b lost all its objects in one run and was dropped before the run's minIdlePerKey step, as in GKOP
            assertEquals(List.of("a"), pool.getKeys());
            assertEquals(0, f.live("b"));
            pool.returnObject("a", a);
        }
    }

    @Test
    void minIdlePerKeyRespectsMaxTotalAndDestroysNothingToMakeRoom() throws Exception {
        final KeyedRecordingFactory f = new KeyedRecordingFactory();
        final MagazineKeyedObjectPoolConfig c = keyedEvicting(PERIOD);
        c.setMinIdlePerKey(3);
        c.setMaxTotal(4);
        try (MagazineKeyedObjectPool<String, Item> pool = new MagazineKeyedObjectPool<>(f, c)) {
            giveBack(pool, borrow(pool, "a", 1));
            giveBack(pool, borrow(pool, "b", 1));
            await(() -> pool.getNumTotal() == 4, "the evictor filled up to maxTotal");
            final int destroyed = f.destroyed.get(); // the borrow of b may have made room (if a was full by then)
            awaitRuns(pool, 4);
            assertEquals(4, pool.getNumTotal());
            assertEquals(destroyed, f.destroyed.get(), "ensureMinIdle destroyed another key's objects");
            assertTrue(pool.getNumIdle("a") >= 1 && pool.getNumIdle("b") >= 1);
        }
    }

    @Test
    void aFailingMakeEndsTheMinIdleStepAndIsSwallowed() throws Exception {
        final KeyedRecordingFactory f = new KeyedRecordingFactory();
        final List<Exception> swallowed = new CopyOnWriteArrayList<>();
        final MagazineKeyedObjectPoolConfig c = keyedEvicting(PERIOD);
        c.setMinIdlePerKey(2);
        c.setSwallowedExceptionListener(swallowed::add);
        try (MagazineKeyedObjectPool<String, Item> pool = new MagazineKeyedObjectPool<>(f, c)) {
            final IllegalStateException failure = new IllegalStateException("make fails");
            f.evictorMakeFailure = failure;
            giveBack(pool, borrow(pool, "a", 1));
            giveBack(pool, borrow(pool, "b", 1));
            await(() -> swallowed.size() >= 3, "the make failures reached the listener, run after run");
            final int before = swallowed.size();
            final long runs = pool.evictor().runs();
            awaitRuns(pool, 4);
            final long ran = pool.evictor().runs() - runs;
            assertTrue(swallowed.size() - before <= ran + 1, "one failure per run: " + (swallowed.size() - before)
                    + " in " + ran + " runs");
            assertSame(failure, swallowed.get(0));
            assertEquals(1, pool.getNumIdle("a") + pool.getNumIdle("b") - 1, "no object was added");
            f.evictorMakeFailure = null;
            await(() -> pool.getNumIdle("a") == 2 && pool.getNumIdle("b") == 2, "the evictor went on once makes worked");
        }
    }

    @Test
    void theEvictorReachesIdleObjectsInOtherThreadsMagazines() throws Exception {
        final KeyedRecordingFactory f = new KeyedRecordingFactory();
        final MagazineKeyedObjectPoolConfig c = keyedEvicting(PERIOD);
        c.setMinEvictableIdleDuration(Duration.ofMillis(100));
        try (MagazineKeyedObjectPool<String, Item> pool = new MagazineKeyedObjectPool<>(f, c)) {
            final CountDownLatch parked = new CountDownLatch(1);
            final CountDownLatch release = new CountDownLatch(1);
            final AtomicReference<List<Item>> theirs = new AtomicReference<>();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread owner = new Thread(() -> {
                try {
                    final List<Item> items = new ArrayList<>(borrow(pool, "a", 2));
                    items.addAll(borrow(pool, "b", 2));
                    giveBack(pool, items); // into this thread's magazines
                    theirs.set(items);
                    parked.countDown();
                    release.await();
                } catch (final Throwable e) {
                    failure.set(e);
                    parked.countDown();
                }
            });
            owner.start();
            parked.await();
            try {
                assertNull(failure.get());
                await(() -> theirs.get().stream().allMatch(Item::isDestroyed),
                        "the evictor destroyed the idle objects of a live, parked thread");
                assertTrue(owner.isAlive(), "the owner never had to run");
                assertEquals(0, pool.getNumIdle());
                await(() -> pool.getKeys().isEmpty(), "the key was dropped"); // after the destroys
            } finally {
                release.countDown();
                owner.join(10_000);
            }
        }
    }

    @Test
    void theEvictorStopsAfterClose() throws Exception {
        final int before = Reclaimer.tasks();
        final KeyedRecordingFactory f = new KeyedRecordingFactory();
        final MagazineKeyedObjectPool<String, Item> pool = new MagazineKeyedObjectPool<>(f, keyedEvicting(PERIOD));
        assertTrue(pool.evictor().isRunning());
        giveBack(pool, borrow(pool, "a", 2));
        giveBack(pool, borrow(pool, "b", 2));
        awaitRuns(pool, 2);
        pool.close();
        assertFalse(pool.evictor().isRunning());
        await(() -> {
            System.gc();
            return Reclaimer.tasks() <= before;
        }, "the closed pool's task was dropped from the maintenance thread");
        final long runs = pool.evictor().runs();
        final int calls = f.calls.get();
        Thread.sleep(PERIOD.toMillis() * 5);
        assertEquals(runs, pool.evictor().runs(), "no evictor run after close");
        assertEquals(calls, f.calls.get(), "no factory call after close");
    }

    @Test
    void oneTaskServesAllKeys() throws Exception {
        final int before = Reclaimer.tasks();
        try (MagazineKeyedObjectPool<String, Item> pool =
                     new MagazineKeyedObjectPool<>(new KeyedRecordingFactory(), keyedEvicting(PERIOD))) {
            for (int k = 0; k < 10; k++) {
                giveBack(pool, borrow(pool, "k" + k, 1));
            }
            awaitRuns(pool, 1);
            assertTrue(Reclaimer.tasks() <= before + 1, "one maintenance task for 10 keys: " + Reclaimer.tasks());
        }
    }

    @Test
    void theEvictorDoesNotKeepAnUnclosedPoolReachable() throws Exception {
        final int before = Reclaimer.tasks();
        final WeakReference<MagazineKeyedObjectPool<String, Item>> ref = dropPool();
        await(() -> {
            System.gc();
            return ref.get() == null;
        }, "the dropped pool was collected");
        await(() -> {
            System.gc();
            return Reclaimer.tasks() <= before;
        }, "its task was dropped");
    }

    private static WeakReference<MagazineKeyedObjectPool<String, Item>> dropPool() throws Exception {
        final MagazineKeyedObjectPool<String, Item> pool =
                new MagazineKeyedObjectPool<>(new KeyedRecordingFactory(), keyedEvicting(PERIOD));
        giveBack(pool, borrow(pool, "a", 2));
        awaitRuns(pool, 1);
        return new WeakReference<>(pool);
    }

    @Test
    void noEvictorWithoutTimeBetweenEvictionRuns() throws Exception {
        final KeyedRecordingFactory f = new KeyedRecordingFactory();
        final MagazineKeyedObjectPoolConfig c = keyedEvicting(Duration.ofMillis(-1));
        c.setMinEvictableIdleDuration(Duration.ofMillis(10));
        c.setMinIdlePerKey(2);
        try (MagazineKeyedObjectPool<String, Item> pool = new MagazineKeyedObjectPool<>(f, c)) {
            assertFalse(pool.evictor().isRunning());
            giveBack(pool, borrow(pool, "a", 1));
            Thread.sleep(200);
            assertEquals(0, pool.evictor().runs());
            assertEquals(0, f.destroyed.get());
            assertEquals(1, pool.getNumIdle("a"), "minIdlePerKey is kept by the evictor only");
        }
    }
}
