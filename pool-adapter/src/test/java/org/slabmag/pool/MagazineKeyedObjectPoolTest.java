package org.slabmag.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.pool2.BaseKeyedPooledObjectFactory;
import org.apache.commons.pool2.KeyedObjectPool;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.EvictionPolicy;
import org.apache.commons.pool2.impl.GenericKeyedObjectPool;
import org.apache.commons.pool2.impl.GenericKeyedObjectPoolConfig;
import org.junit.jupiter.api.Test;

/**
 * {@link MagazineKeyedObjectPool}: bad input refused as {@link GenericKeyedObjectPool} refuses it (checked against a
 * real one), {@code maxTotal} across keys with idle objects of other keys destroyed to make room, waiting, keys
 * dropped when unused, and closing.
 */
class MagazineKeyedObjectPoolTest {
    /** Makes a new {@code StringBuilder} holding its key per object, counting live objects. */
    static final class Factory extends BaseKeyedPooledObjectFactory<String, StringBuilder> {
        final AtomicInteger live = new AtomicInteger();

        @Override
        public StringBuilder create(final String key) {
            live.incrementAndGet();
            return new StringBuilder(key);
        }

        @Override
        public PooledObject<StringBuilder> wrap(final StringBuilder value) {
            return new DefaultPooledObject<>(value);
        }

        @Override
        public void destroyObject(final String key, final PooledObject<StringBuilder> p) {
            live.decrementAndGet();
        }
    }

    private static MagazineKeyedObjectPool<String, StringBuilder> pool(final Factory f, final int maxTotal,
                                                                      final int maxPerKey) {
        final MagazineKeyedObjectPoolConfig c = new MagazineKeyedObjectPoolConfig();
        c.setMaxTotal(maxTotal);
        c.setMaxTotalPerKey(maxPerKey);
        c.setMaxWait(Duration.ofSeconds(10));
        return new MagazineKeyedObjectPool<>(f, c);
    }

    /** The exception class a call throws, or null. */
    private static Class<?> thrown(final Call call) {
        try {
            call.run();
            return null;
        } catch (final Exception e) {
            return e.getClass();
        }
    }

    @FunctionalInterface
    private interface Call {
        void run() throws Exception;
    }

    /** Runs the bad calls on a pool and returns the exception classes they threw, checking the pool still works. */
    private static List<Class<?>> badInput(final KeyedObjectPool<String, StringBuilder> p) throws Exception {
        final StringBuilder a = p.borrowObject("a");
        final StringBuilder b = p.borrowObject("b");
        final StringBuilder stranger = new StringBuilder("a");
        final List<Class<?>> result = Arrays.asList(
                thrown(() -> p.borrowObject(null)),
                thrown(() -> p.returnObject(null, a)),
                thrown(() -> p.returnObject("a", null)),
                thrown(() -> p.returnObject("nokey", a)),
                thrown(() -> p.returnObject("b", a)),
                thrown(() -> p.returnObject("a", stranger)),
                thrown(() -> p.invalidateObject(null, a)),
                thrown(() -> p.invalidateObject("a", null)),
                thrown(() -> p.invalidateObject("nokey", a)),
                thrown(() -> p.invalidateObject("b", a)),
                thrown(() -> p.addObject(null)),
                thrown(() -> p.clear(null)),
                thrown(() -> p.getNumActive(null)),
                thrown(() -> p.getNumIdle(null)));
        assertEquals(2, p.getNumActive());
        p.returnObject("a", a);
        assertEquals(IllegalStateException.class, thrown(() -> p.returnObject("a", a)), "returned twice");
        p.invalidateObject("b", b);
        assertEquals(IllegalStateException.class, thrown(() -> p.invalidateObject("b", b)), "invalidated twice");
        assertSame(a, p.borrowObject("a"), "the pool still lends");
        p.returnObject("a", a);
        assertEquals(0, p.getNumActive());
        assertEquals(1, p.getNumIdle());
        p.close();
        return result;
    }

    @Test
    void badInputIsRefusedAsGenericKeyedObjectPoolRefusesIt() throws Exception {
        final List<Class<?>> generic = badInput(new GenericKeyedObjectPool<>(new Factory()));
        final List<Class<?>> magazine = badInput(pool(new Factory(), -1, 8));
        assertEquals(generic, magazine);
        assertFalse(magazine.contains(null), () -> "every bad call throws: " + magazine);
    }

    @Test
    void maxTotalDestroysIdleObjectsOfOtherKeysToMakeRoom() throws Exception {
        final Factory f = new Factory();
        final MagazineKeyedObjectPool<String, StringBuilder> p = pool(f, 3, 3);
        p.addObject("a");
        p.addObject("a");
        p.addObject("a");
        p.addObject("b"); // at maxTotal: destroys an idle "a"
        assertEquals(2, p.getNumIdle("a"));
        assertEquals(1, p.getNumIdle("b"));
        final StringBuilder c1 = p.borrowObject("c");
        final StringBuilder c2 = p.borrowObject("c");
        assertEquals("c", c1.toString());
        assertNotSame(c1, c2);
        assertEquals(3, p.getNumTotal());
        assertEquals(3, f.live.get());
        assertEquals(2, p.getNumActive("c"));
        assertEquals(1, p.getNumIdle());
        p.returnObject("c", c1);
        p.returnObject("c", c2);
        p.close();
        assertEquals(0, f.live.get());
    }

    /** Names each object {@code key#n}, n counting per key, and records the names of destroyed objects in order. */
    static final class NamingFactory extends BaseKeyedPooledObjectFactory<String, StringBuilder> {
        final Map<String, AtomicInteger> counters = new ConcurrentHashMap<>();
        final List<String> destroyed = new CopyOnWriteArrayList<>();

        @Override
        public StringBuilder create(final String key) {
            return new StringBuilder(key + "#" + counters.computeIfAbsent(key, k -> new AtomicInteger()).getAndIncrement());
        }

        @Override
        public PooledObject<StringBuilder> wrap(final StringBuilder value) {
            return new DefaultPooledObject<>(value);
        }

        @Override
        public void destroyObject(final String key, final PooledObject<StringBuilder> p) {
            destroyed.add(p.getObject().toString());
        }
    }

    /**
     * Fills 4 keys with 5 objects each up to {@code maxTotal} 20, returns them in a shuffled order 2 ms apart, then
     * borrows under a fifth key (which must make room) and calls {@code clearOldest()}.
     *
     * @return the names in the order they were returned, then the names destroyed by the borrow, then by
     *         {@code clearOldest()}
     */
    private static List<List<String>> clearOldestScenario(final KeyedObjectPool<String, StringBuilder> pool,
                                                          final NamingFactory f, final Runnable clearOldest)
            throws Exception {
        final List<StringBuilder> all = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            for (int i = 0; i < 5; i++) {
                all.add(pool.borrowObject("k" + k));
            }
        }
        Collections.shuffle(all, new Random(42));
        final List<String> returned = new ArrayList<>();
        for (final StringBuilder o : all) {
            final String name = o.toString();
            pool.returnObject(name.substring(0, name.indexOf('#')), o);
            returned.add(name);
            Thread.sleep(2);
        }
        final StringBuilder x = pool.borrowObject("x");
        final List<String> byBorrow = new ArrayList<>(f.destroyed);
        clearOldest.run();
        final List<String> byClear = new ArrayList<>(f.destroyed.subList(byBorrow.size(), f.destroyed.size()));
        pool.returnObject("x", x);
        pool.close();
        return List.of(returned, byBorrow, byClear);
    }

    @Test
    void maxTotalDestroysTheOldestIdleObjectsFirstAsGenericKeyedObjectPool() throws Exception {
        final GenericKeyedObjectPoolConfig<StringBuilder> gc = new GenericKeyedObjectPoolConfig<>();
        gc.setMaxTotal(20);
        gc.setMaxTotalPerKey(20);
        gc.setMaxIdlePerKey(-1);
        gc.setJmxEnabled(false);
        final NamingFactory gf = new NamingFactory();
        final GenericKeyedObjectPool<String, StringBuilder> generic = new GenericKeyedObjectPool<>(gf, gc);
        final List<List<String>> expected = clearOldestScenario(generic, gf, generic::clearOldest);

        final MagazineKeyedObjectPoolConfig c = MagazineKeyedObjectPoolConfig.from(gc);
        final NamingFactory mf = new NamingFactory();
        final MagazineKeyedObjectPool<String, StringBuilder> magazine = new MagazineKeyedObjectPool<>(mf, c);
        final List<List<String>> actual = clearOldestScenario(magazine, mf, magazine::clearOldest);

        final List<String> returned = actual.get(0);
        assertEquals(returned.subList(0, 4), actual.get(1), "a borrow at maxTotal destroys the oldest 15% + 1 (4)");
        assertEquals(returned.subList(4, 7), actual.get(2), "clearOldest destroys the next oldest 15% + 1 (3)");
        assertEquals(expected.get(0), returned, "same objects returned in the same order");
        assertEquals(Set.copyOf(expected.get(1)), Set.copyOf(actual.get(1)), "as GenericKeyedObjectPool");
        assertEquals(Set.copyOf(expected.get(2)), Set.copyOf(actual.get(2)), "as GenericKeyedObjectPool");
    }

    @Test
    void eachBorrowAtMaxTotalTakesTheOldestIdleObjectOfAnotherKey() throws Exception {
        final NamingFactory f = new NamingFactory();
        final MagazineKeyedObjectPoolConfig c = new MagazineKeyedObjectPoolConfig();
        c.setMaxTotal(6);
        c.setJmxEnabled(false);
        final MagazineKeyedObjectPool<String, StringBuilder> p = new MagazineKeyedObjectPool<>(f, c);
        final Map<String, List<StringBuilder>> loans = new HashMap<>();
        for (final String key : List.of("a", "b", "c")) {
            loans.put(key, new ArrayList<>(List.of(p.borrowObject(key), p.borrowObject(key))));
        }
        final List<String> order = List.of("b", "a", "c", "a", "b", "c");
        final List<String> returned = new ArrayList<>();
        for (final String key : order) {
            final StringBuilder o = loans.get(key).remove(0);
            returned.add(o.toString());
            p.returnObject(key, o);
        }
        final List<StringBuilder> d = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            d.add(p.borrowObject("d")); // fewer than 7 idle: one destroyed per borrow, the oldest
            assertEquals(returned.subList(0, i + 1), f.destroyed, "destroyed oldest first");
        }
        assertEquals(List.of("d"), p.getKeys(), "keys whose idle objects were all destroyed are dropped");
        for (final StringBuilder o : d) {
            p.returnObject("d", o);
        }
        p.close();
    }

    @Test
    void aBorrowerWaitsForRoomFreedUnderAnotherKey() throws Exception {
        final Factory f = new Factory();
        final MagazineKeyedObjectPool<String, StringBuilder> p = pool(f, 1, 1);
        final StringBuilder a = p.borrowObject("a");
        final CompletableFuture<StringBuilder> b = CompletableFuture.supplyAsync(() -> {
            try {
                return p.borrowObject("b");
            } catch (final Exception e) {
                throw new IllegalStateException(e);
            }
        });
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (p.getNumWaiters() == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(1, p.getNumWaiters());
        p.returnObject("a", a); // idle under "a": the waiter destroys it and makes its own
        assertEquals("b", b.get(10, TimeUnit.SECONDS).toString());
        assertEquals(0, p.getNumIdle("a"));
        assertEquals(1, f.live.get());
        p.returnObject("b", b.get());
        p.close();
    }

    @Test
    void exhaustionTimesOutOrFailsAtOnceAndOtherKeysStillWork() throws Exception {
        final Factory f = new Factory();
        final MagazineKeyedObjectPool<String, StringBuilder> p = pool(f, -1, 1);
        final StringBuilder a = p.borrowObject("a");
        final long start = System.nanoTime();
        assertThrows(NoSuchElementException.class, () -> p.borrowObject("a", Duration.ofMillis(50)));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50), "waited maxWait");
        final StringBuilder b = p.borrowObject("b");
        p.returnObject("b", b);
        p.returnObject("a", a);
        p.close();

        final MagazineKeyedObjectPoolConfig c = new MagazineKeyedObjectPoolConfig();
        c.setMaxTotalPerKey(1);
        c.setBlockWhenExhausted(false);
        final MagazineKeyedObjectPool<String, StringBuilder> q = new MagazineKeyedObjectPool<>(f, c);
        final StringBuilder x = q.borrowObject("x");
        assertThrows(NoSuchElementException.class, () -> q.borrowObject("x"));
        q.returnObject("x", x);
        assertSame(x, q.borrowObject("x"));
        q.close();
    }

    @Test
    void keysWithoutObjectsAreDropped() throws Exception {
        final MagazineKeyedObjectPool<String, StringBuilder> p = pool(new Factory(), -1, 8);
        final StringBuilder a = p.borrowObject("a");
        p.addObject("b");
        assertEquals(List.of("a", "b"), p.getKeys().stream().sorted().toList());
        assertEquals(1, p.getNumActivePerKey().get("a"));
        p.clear("b");
        assertEquals(List.of("a"), p.getKeys());
        p.invalidateObject("a", a);
        assertEquals(List.of(), p.getKeys());
        assertEquals(0, p.getNumActive("a"));
        assertSame(StringBuilder.class, p.borrowObject("a").getClass(), "a dropped key comes back");
        p.close();
    }

    @Test
    void closeFailsWaitersAndDestroysWhatIsReturnedLater() throws Exception {
        final Factory f = new Factory();
        final MagazineKeyedObjectPool<String, StringBuilder> p = pool(f, 1, 1);
        final StringBuilder a = p.borrowObject("a");
        final CompletableFuture<StringBuilder> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return p.borrowObject("b");
            } catch (final Exception e) {
                throw new IllegalStateException(e);
            }
        });
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (p.getNumWaiters() == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        p.close();
        final ExecutionException e = assertThrows(ExecutionException.class, () -> waiter.get(10, TimeUnit.SECONDS));
        assertSame(IllegalStateException.class, e.getCause().getCause().getClass());
        assertThrows(IllegalStateException.class, () -> p.borrowObject("a"));
        assertThrows(IllegalStateException.class, () -> p.addObject("a"));
        p.returnObject("a", a);
        assertEquals(0, f.live.get());
        assertEquals(0, p.getNumIdle());
        assertEquals(List.of(), p.getKeys());
        assertEquals(p.getCreatedCount(), p.getDestroyedCount());
        p.close();
    }

    @Test
    void preparePoolFillsOneKeyToMinIdle() throws Exception {
        final MagazineKeyedObjectPoolConfig c = new MagazineKeyedObjectPoolConfig();
        c.setMinIdlePerKey(3);
        final MagazineKeyedObjectPool<String, StringBuilder> p = new MagazineKeyedObjectPool<>(new Factory(), c);
        p.preparePool("a");
        assertEquals(3, p.getNumIdle("a"));
        assertEquals(0, p.getNumIdle("b"));
        p.close();
    }

    @Test
    void fromCopiesEveryGenericKeyedObjectPoolConfigSettingWithACounterpart() {
        final GenericKeyedObjectPoolConfig<Object> g = new GenericKeyedObjectPoolConfig<>();
        g.setMaxTotalPerKey(3);
        g.setMaxIdlePerKey(2);
        g.setMinIdlePerKey(1);
        g.setMaxTotal(7);
        g.setBlockWhenExhausted(false);
        g.setMaxWait(Duration.ofMillis(123));
        g.setTestOnCreate(true);
        g.setTestOnBorrow(true);
        g.setTestOnReturn(true);
        g.setTestWhileIdle(true);
        g.setTimeBetweenEvictionRuns(Duration.ofMillis(250));
        g.setMinEvictableIdleDuration(Duration.ofMillis(4000));
        g.setSoftMinEvictableIdleDuration(Duration.ofMillis(3000));
        g.setNumTestsPerEvictionRun(-2);
        final EvictionPolicy<Object> policy = (config, underTest, idleCount) -> false;
        g.setEvictionPolicy(policy);
        g.setEvictionPolicyClassName("com.example.Policy");
        g.setLifo(false);
        g.setFairness(true);
        g.setJmxEnabled(false);
        g.setJmxNameBase("com.example:type=GenericKeyedObjectPool,name=");
        g.setJmxNamePrefix("statements");
        final MagazineKeyedObjectPoolConfig c = MagazineKeyedObjectPoolConfig.from(g);
        assertEquals(3, c.getMaxTotalPerKey());
        assertEquals(2, c.getMaxIdlePerKey());
        assertEquals(1, c.getMinIdlePerKey());
        assertEquals(7, c.getMaxTotal());
        assertFalse(c.getBlockWhenExhausted());
        assertEquals(Duration.ofMillis(123), c.getMaxWait());
        assertTrue(c.getTestOnCreate() && c.getTestOnBorrow() && c.getTestOnReturn() && c.getTestWhileIdle());
        assertEquals(Duration.ofMillis(250), c.getTimeBetweenEvictionRuns());
        assertEquals(Duration.ofMillis(4000), c.getMinEvictableIdleDuration());
        assertEquals(Duration.ofMillis(3000), c.getSoftMinEvictableIdleDuration());
        assertEquals(-2, c.getNumTestsPerEvictionRun());
        assertSame(policy, c.getEvictionPolicy());
        assertEquals("com.example.Policy", c.getEvictionPolicyClassName());
        assertFalse(c.getLifo());
        assertTrue(c.getFairness());
        assertFalse(c.getJmxEnabled());
        assertEquals("com.example:type=GenericKeyedObjectPool,name=", c.getJmxNameBase());
        assertEquals("statements", c.getJmxNamePrefix());
        assertThrows(NullPointerException.class, () -> MagazineKeyedObjectPoolConfig.from(null));
        assertThrows(IllegalArgumentException.class, () -> c.setMagazineSize(0));
        assertThrows(NullPointerException.class, () -> new MagazineKeyedObjectPool<>(null));
    }

    @Test
    void defaultsAreGenericKeyedObjectPoolConfigs() {
        final GenericKeyedObjectPoolConfig<Object> g = new GenericKeyedObjectPoolConfig<>();
        final MagazineKeyedObjectPoolConfig c = new MagazineKeyedObjectPoolConfig();
        assertEquals(g.getMaxTotalPerKey(), c.getMaxTotalPerKey());
        assertEquals(g.getMaxIdlePerKey(), c.getMaxIdlePerKey());
        assertEquals(g.getMinIdlePerKey(), c.getMinIdlePerKey());
        assertEquals(g.getMaxTotal(), c.getMaxTotal());
        assertEquals(g.getMaxWaitDuration(), c.getMaxWait());
        assertEquals(g.getDurationBetweenEvictionRuns(), c.getTimeBetweenEvictionRuns());
        assertEquals(g.getMinEvictableIdleDuration(), c.getMinEvictableIdleDuration());
        assertEquals(g.getSoftMinEvictableIdleDuration(), c.getSoftMinEvictableIdleDuration());
        assertEquals(g.getNumTestsPerEvictionRun(), c.getNumTestsPerEvictionRun());
        assertEquals(g.getEvictionPolicyClassName(), c.getEvictionPolicyClassName());
        assertEquals(g.getTestWhileIdle(), c.getTestWhileIdle());
        assertEquals(g.getLifo(), c.getLifo());
        assertEquals(g.getFairness(), c.getFairness());
        assertEquals(g.getJmxEnabled(), c.getJmxEnabled());
        assertEquals(g.getJmxNameBase(), c.getJmxNameBase());
        assertEquals(g.getJmxNamePrefix(), c.getJmxNamePrefix());
    }

    @Test
    void lifoFalseIsRefused() {
        final MagazineKeyedObjectPoolConfig c = new MagazineKeyedObjectPoolConfig();
        c.setLifo(false);
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MagazineKeyedObjectPool<>(new Factory(), c));
        assertTrue(e.getMessage().contains("lifo"), e.getMessage());
    }
}
