package org.slabmag.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.slabmag.pool.EvictorTesting.await;
import static org.slabmag.pool.EvictorTesting.awaitRuns;
import static org.slabmag.pool.EvictorTesting.evicting;
import static org.slabmag.pool.EvictorTesting.millis;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.commons.pool2.DestroyMode;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.PooledObjectState;
import org.apache.commons.pool2.impl.EvictionConfig;
import org.apache.commons.pool2.impl.EvictionPolicy;
import org.junit.jupiter.api.Test;
import org.slabmag.internal.Reclaimer;
import org.slabmag.pool.RecordingFactory.Item;

/** The evictor of {@link MagazineObjectPool}, run by core's shared maintenance thread, against GOP's semantics. */
class MagazineObjectPoolEvictorTest {
    private static final Duration PERIOD = Duration.ofMillis(20);

    /** What an {@link EvictionPolicy} was shown in one call. */
    static final class Seen {
        final long run;
        final Object object;
        final Duration idle;
        final PooledObjectState state;
        final long at;

        Seen(final long run, final PooledObject<?> p) {
            this.run = run;
            this.object = p.getObject();
            this.idle = p.getIdleDuration();
            this.state = p.getState();
            this.at = System.nanoTime();
        }
    }

    /** A policy that records what it is shown, tagged with the evictor run (the pool clock), and evicts nothing. */
    static final class RecordingPolicy implements EvictionPolicy<Item> {
        final List<Seen> seen = new CopyOnWriteArrayList<>();
        volatile MagazineObjectPool<Item> pool;

        @Override
        public boolean evict(final EvictionConfig config, final PooledObject<Item> underTest, final int idleCount) {
            final MagazineObjectPool<Item> p = pool;
            seen.add(new Seen(p == null ? 0 : p.clock(), underTest));
            return false;
        }
    }

    private static List<Item> borrow(final MagazineObjectPool<Item> pool, final int n) throws Exception {
        final List<Item> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            items.add(pool.borrowObject());
        }
        return items;
    }

    private static void giveBack(final MagazineObjectPool<Item> pool, final List<Item> items) {
        for (final Item i : items) {
            pool.returnObject(i);
        }
    }

    @Test
    void idleObjectsOlderThanMinEvictableIdleAreDestroyedWithNoCallIntoThePool() throws Exception {
        final RecordingFactory f = new RecordingFactory();
        final MagazineObjectPoolConfig c = evicting(PERIOD);
        c.setMinEvictableIdleDuration(Duration.ofMillis(200));
        try (MagazineObjectPool<Item> pool = new MagazineObjectPool<>(f, c)) {
            final List<Item> items = borrow(pool, 4);
            final long returned = System.nanoTime();
            giveBack(pool, items);
            await(() -> f.destroyed.get() == 4, "the evictor destroyed the 4 idle objects");
            for (final Item i : items) {
                assertEquals(DestroyMode.NORMAL, i.destroyMode);
                assertTrue(i.destroyedAt.get() - returned >= millis(200), i + " was evicted before it was idle 200 ms");
            }
            assertEquals(4, pool.getDestroyedByEvictorCount());
            assertEquals(4, pool.getDestroyedCount());
            assertEquals(0, pool.getNumIdle());
            assertEquals(0, pool.getNumActive());
            final Item fresh = pool.borrowObject();
            assertFalse(items.contains(fresh), "an evicted object was lent again");
            pool.returnObject(fresh);
        }
    }

    @Test
    void softMinEvictableIdleKeepsMinIdle() throws Exception {
        final RecordingFactory f = new RecordingFactory();
        final MagazineObjectPoolConfig c = evicting(PERIOD);
        c.setSoftMinEvictableIdleDuration(Duration.ofMillis(50));
        c.setMinIdle(2);
        try (MagazineObjectPool<Item> pool = new MagazineObjectPool<>(f, c)) {
            giveBack(pool, borrow(pool, 5));
            await(() -> pool.getDestroyedByEvictorCount() == 3, "the evictor destroyed 3 of 5 idle objects");
            awaitRuns(pool, 5);
            assertEquals(3, pool.getDestroyedByEvictorCount(), "softMinEvictableIdle evicted below minIdle");
            assertEquals(2, pool.getNumIdle());
            assertEquals(5, pool.getCreatedCount(), "the survivors were kept, not evicted and made again");
        }
    }

    @Test
    void numTestsPerEvictionRunAsGenericObjectPool() throws Exception {
        assertTestsPerRun(2, 2);
        assertTestsPerRun(-1, 6);
        assertTestsPerRun(-2, 3);
        assertTestsPerRun(-4, 2); // ceil(6 / 4)
        assertTestsPerRun(10, 6);
    }

    /** With 6 idle objects, each evictor run shows the policy {@code expected} of them, and runs cover all 6. */
    private static void assertTestsPerRun(final int numTests, final int expected) throws Exception {
        final RecordingFactory f = new RecordingFactory();
        final RecordingPolicy policy = new RecordingPolicy();
        final MagazineObjectPoolConfig c = evicting(PERIOD);
        c.setNumTestsPerEvictionRun(numTests);
        c.setEvictionPolicy(policy);
        try (MagazineObjectPool<Item> pool = new MagazineObjectPool<>(f, c)) {
            policy.pool = pool;
            giveBack(pool, borrow(pool, 6));
            awaitRuns(pool, 1);
            final int from = policy.seen.size();
            awaitRuns(pool, 6);
            final Map<Long, Integer> perRun = new HashMap<>();
            final Set<Object> objects = new HashSet<>();
            final List<Seen> seen = new ArrayList<>(policy.seen.subList(from, policy.seen.size()));
            final long firstRun = seen.get(0).run;
            final long lastRun = seen.get(seen.size() - 1).run;
            for (final Seen s : seen) {
                if (s.run != firstRun && s.run != lastRun) { // runs wholly inside the window
                    perRun.merge(s.run, 1, Integer::sum);
                }
                objects.add(s.object);
            }
            assertTrue(perRun.size() >= 3, "whole runs seen: " + perRun);
            for (final int n : perRun.values()) {
                assertEquals(expected, n, "numTestsPerEvictionRun=" + numTests + ": objects tested per run " + perRun);
            }
            assertEquals(6, objects.size(), "successive runs went on where the last one stopped");
            assertEquals(0, pool.getDestroyedByEvictorCount());
        }
    }

    @Test
    void zeroTestsPerEvictionRunTestsNothing() throws Exception {
        final RecordingFactory f = new RecordingFactory();
        final RecordingPolicy policy = new RecordingPolicy();
        final MagazineObjectPoolConfig c = evicting(PERIOD);
        c.setNumTestsPerEvictionRun(0);
        c.setEvictionPolicy(policy);
        try (MagazineObjectPool<Item> pool = new MagazineObjectPool<>(f, c)) {
            giveBack(pool, borrow(pool, 3));
            awaitRuns(pool, 3);
            assertTrue(policy.seen.isEmpty());
        }
    }

    @Test
    void testWhileIdleDestroysObjectsThatFailValidationAndKeepsTheOthers() throws Exception {
        final RecordingFactory f = new RecordingFactory();
        final MagazineObjectPoolConfig c = evicting(PERIOD);
        c.setTestWhileIdle(true);
        try (MagazineObjectPool<Item> pool = new MagazineObjectPool<>(f, c)) {
            final List<Item> items = borrow(pool, 4);
            giveBack(pool, items);
            final Item bad = items.get(1);
            f.invalid.add(bad.id);
            await(bad::isDestroyed, "the evictor destroyed the object that failed validation");
            awaitRuns(pool, 2);
            assertEquals(1, pool.getDestroyedByEvictorCount());
            assertEquals(3, pool.getNumIdle());
            final List<String> badCalls = bad.calls;
            assertEquals(List.of("activate", "validate", "destroy"),
                    badCalls.subList(badCalls.size() - 3, badCalls.size()), "GOP's order for a failed idle test");
            for (final Item i : items) {
                if (i != bad) {
                    assertFalse(i.isDestroyed(), i + " passed validation");
                    final List<String> calls = i.calls;
                    // borrow: activate; return: passivate; then at least one idle test
                    assertEquals(List.of("activate", "passivate", "activate", "validate", "passivate"),
                            calls.subList(0, 5), "GOP's order for an idle test: " + calls);
                }
            }
            final List<Item> again = borrow(pool, 3);
            assertFalse(again.contains(bad));
            giveBack(pool, again);
        }
    }

    @Test
    void aCustomEvictionPolicySeesIdleObjectsWithTheirIdleTime() throws Exception {
        final RecordingFactory f = new RecordingFactory();
        final RecordingPolicy policy = new RecordingPolicy();
        final MagazineObjectPoolConfig c = evicting(PERIOD);
        c.setEvictionPolicy(policy);
        try (MagazineObjectPool<Item> pool = new MagazineObjectPool<>(f, c)) {
            policy.pool = pool;
            final List<Item> items = borrow(pool, 2);
            final long returned = System.nanoTime();
            giveBack(pool, items);
            await(() -> policy.seen.stream().anyMatch(s -> s.idle.compareTo(Duration.ofMillis(150)) >= 0),
                    "the policy saw an idle time of 150 ms");
            for (final Seen s : policy.seen) {
                assertTrue(items.contains(s.object), "the policy saw one of the pool's idle objects");
                assertSame(PooledObjectState.EVICTION, s.state);
                assertFalse(s.idle.isNegative());
                assertTrue(s.idle.toNanos() <= s.at - returned, "idle time " + s.idle + " is at most the time since return");
            }
        }
    }

    @Test
    void minIdleIsKeptUpAfterEviction() throws Exception {
        final RecordingFactory f = new RecordingFactory();
        final MagazineObjectPoolConfig c = evicting(PERIOD);
        c.setMinEvictableIdleDuration(Duration.ofMillis(100));
        c.setMinIdle(3);
        try (MagazineObjectPool<Item> pool = new MagazineObjectPool<>(f, c)) {
            await(() -> pool.getNumIdle() == 3, "the evictor made minIdle objects");
            final Set<Item> first = new HashSet<>(f.all.values());
            await(() -> first.stream().allMatch(Item::isDestroyed), "the first objects were evicted");
            await(() -> pool.getNumIdle() == 3, "the evictor made minIdle objects again");
            assertTrue(pool.getDestroyedByEvictorCount() >= 3);
            final List<Item> now = borrow(pool, 3);
            for (final Item i : now) {
                assertFalse(i.isDestroyed());
            }
            giveBack(pool, now);
        }
    }

    @Test
    void minIdleIsCappedByMaxIdle() throws Exception {
        final RecordingFactory f = new RecordingFactory();
        final MagazineObjectPoolConfig c = evicting(PERIOD);
        c.setMinIdle(5);
        c.setMaxIdle(2);
        try (MagazineObjectPool<Item> pool = new MagazineObjectPool<>(f, c)) {
            await(() -> pool.getNumIdle() == 2, "the evictor made min(minIdle, maxIdle) objects");
            awaitRuns(pool, 4);
            assertEquals(2, pool.getCreatedCount());
            assertEquals(2, pool.getNumIdle());
        }
    }

    @Test
    void theEvictorReachesIdleObjectsInOtherThreadsMagazines() throws Exception {
        final RecordingFactory f = new RecordingFactory();
        final MagazineObjectPoolConfig c = evicting(PERIOD);
        c.setMinEvictableIdleDuration(Duration.ofMillis(100));
        try (MagazineObjectPool<Item> pool = new MagazineObjectPool<>(f, c)) {
            final CountDownLatch parked = new CountDownLatch(1);
            final CountDownLatch release = new CountDownLatch(1);
            final AtomicReference<List<Item>> theirs = new AtomicReference<>();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread owner = new Thread(() -> {
                try {
                    final List<Item> items = borrow(pool, 4);
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
                assertTrue(owner.isAlive());
                await(() -> theirs.get().stream().allMatch(Item::isDestroyed),
                        "the evictor destroyed the idle objects of a live, parked thread");
                assertTrue(owner.isAlive(), "the owner never had to run");
                assertEquals(0, pool.getNumIdle());
                assertEquals(4, pool.getDestroyedByEvictorCount());
            } finally {
                release.countDown();
                owner.join(10_000);
            }
        }
    }

    @Test
    void theEvictorStopsAfterClose() throws Exception {
        final int before = Reclaimer.tasks();
        final RecordingFactory f = new RecordingFactory();
        final MagazineObjectPool<Item> pool = new MagazineObjectPool<>(f, evicting(PERIOD));
        assertTrue(Reclaimer.tasks() >= 1);
        giveBack(pool, borrow(pool, 2));
        awaitRuns(pool, 2);
        pool.close();
        final long clock = pool.clock();
        await(() -> {
            System.gc();
            return Reclaimer.tasks() <= before;
        }, "the closed pool's task was dropped from the maintenance thread");
        final int calls = f.calls.get();
        Thread.sleep(PERIOD.toMillis() * 5);
        assertEquals(clock, pool.clock(), "no evictor run after close");
        assertEquals(calls, f.calls.get(), "no factory call after close");
    }

    @Test
    void theEvictorDoesNotKeepAnUnclosedPoolReachable() throws Exception {
        final int before = Reclaimer.tasks();
        final WeakReference<MagazineObjectPool<Item>> ref = dropPool();
        await(() -> {
            System.gc();
            return ref.get() == null;
        }, "the dropped pool was collected");
        await(() -> {
            System.gc();
            return Reclaimer.tasks() <= before;
        }, "its task was dropped");
    }

    private static WeakReference<MagazineObjectPool<Item>> dropPool() throws Exception {
        final MagazineObjectPool<Item> pool = new MagazineObjectPool<>(new RecordingFactory(), evicting(PERIOD));
        giveBack(pool, borrow(pool, 2));
        awaitRuns(pool, 1);
        return new WeakReference<>(pool);
    }

    @Test
    void setConfigTurnsTheEvictorOnAndOff() throws Exception {
        final RecordingFactory f = new RecordingFactory();
        final MagazineObjectPoolConfig off = evicting(Duration.ofMillis(-1));
        off.setMinEvictableIdleDuration(Duration.ofMillis(50));
        try (MagazineObjectPool<Item> pool = new MagazineObjectPool<>(f, off)) {
            final List<Item> items = borrow(pool, 3);
            giveBack(pool, items);
            final long start = pool.clock();
            Thread.sleep(200);
            assertEquals(start, pool.clock(), "no evictor without timeBetweenEvictionRuns");
            assertEquals(0, f.destroyed.get());

            final MagazineObjectPoolConfig on = pool.getConfig();
            on.setTimeBetweenEvictionRuns(PERIOD);
            pool.setConfig(on);
            await(() -> f.destroyed.get() == 3, "the evictor turned on destroyed the idle objects");
            assertEquals(3, pool.getDestroyedByEvictorCount());

            pool.setConfig(off);
            Thread.sleep(100); // lets a run in progress when it was turned off finish
            final List<Item> more = borrow(pool, 2);
            giveBack(pool, more);
            final long stopped = pool.clock();
            Thread.sleep(200);
            assertEquals(stopped, pool.clock(), "the evictor turned off does not run");
            assertFalse(more.get(0).isDestroyed());
            assertEquals(2, pool.getNumIdle());
        }
    }

    /** The pool clock stands still while no evictor runs: objects returned then must not look idle since then. */
    @Test
    void anEvictorStartedLateDoesNotEvictObjectsBeforeTheyWereIdleLongEnough() throws Exception {
        final RecordingFactory f = new RecordingFactory();
        final MagazineObjectPoolConfig off = evicting(Duration.ofMillis(-1));
        off.setMinEvictableIdleDuration(Duration.ofMillis(300));
        try (MagazineObjectPool<Item> pool = new MagazineObjectPool<>(f, off)) {
            final List<Item> items = borrow(pool, 3);
            Thread.sleep(400); // the pool clock, set at construction, is now older than minEvictableIdle
            final long returned = System.nanoTime();
            giveBack(pool, items);
            final MagazineObjectPoolConfig on = pool.getConfig();
            on.setTimeBetweenEvictionRuns(PERIOD);
            pool.setConfig(on);
            await(() -> f.destroyed.get() == 3, "the evictor destroyed the idle objects");
            for (final Item i : items) {
                assertTrue(i.destroyedAt.get() - returned >= millis(300), i + " was evicted before it was idle 300 ms");
            }
        }
    }

    @Test
    void anEvictionPolicyThatThrowsIsSwallowedAndTheEvictorGoesOn() throws Exception {
        final RecordingFactory f = new RecordingFactory();
        final List<Exception> swallowed = new CopyOnWriteArrayList<>();
        final MagazineObjectPoolConfig c = evicting(PERIOD);
        final Set<Object> shown = ConcurrentHashMap.newKeySet();
        c.setEvictionPolicy((EvictionPolicy<Item>) (config, underTest, idleCount) -> {
            shown.add(underTest.getObject());
            throw new IllegalStateException("policy fails");
        });
        c.setSwallowedExceptionListener(swallowed::add);
        try (MagazineObjectPool<Item> pool = new MagazineObjectPool<>(f, c)) {
            giveBack(pool, borrow(pool, 2));
            await(() -> swallowed.size() >= 4, "the policy's exceptions reached the listener, run after run");
            assertEquals(2, shown.size());
            assertEquals(2, pool.getNumIdle(), "an object whose test failed with an exception is kept, as in GOP");
            assertNotNull(pool.borrowObject());
        }
    }
}
