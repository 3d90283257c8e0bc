package org.slabmag.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.slabmag.pool.EvictorTesting.await;
import static org.slabmag.pool.PoolJmxTest.SERVER;
import static org.slabmag.pool.PoolJmxTest.attributeNames;
import static org.slabmag.pool.PoolJmxTest.uniquePrefix;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.management.JMX;
import javax.management.ObjectName;

import io.micrometer.core.instrument.binder.commonspool2.CommonsObjectPool2Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.commons.pool2.impl.GenericKeyedObjectPool;
import org.apache.commons.pool2.impl.GenericKeyedObjectPoolConfig;
import org.junit.jupiter.api.Test;
import org.slabmag.pool.KeyedRecordingFactory.Item;

/**
 * {@link MagazineKeyedObjectPool}'s MBean: where {@code GenericKeyedObjectPool} registers, with its attribute names,
 * statistics summed over all keys (dropped keys included).
 */
class KeyedPoolJmxTest {
    static MagazineKeyedObjectPoolConfig config(final String prefix) {
        final MagazineKeyedObjectPoolConfig c = new MagazineKeyedObjectPoolConfig();
        c.setJmxNamePrefix(prefix);
        return c;
    }

    static MagazineKeyedObjectPoolMXBean proxy(final ObjectName name) {
        return JMX.newMXBeanProxy(SERVER, name, MagazineKeyedObjectPoolMXBean.class);
    }

    @Test
    void registersWhereGenericKeyedObjectPoolDoesAndUnregistersOnClose() throws Exception {
        final MagazineKeyedObjectPool<String, Item> pool = new MagazineKeyedObjectPool<>(new KeyedRecordingFactory());
        final ObjectName name = pool.getJmxName();
        assertNotNull(name);
        assertEquals("org.apache.commons.pool2", name.getDomain());
        assertEquals("GenericKeyedObjectPool", name.getKeyProperty("type"));
        assertTrue(name.getKeyProperty("name").matches("pool\\d*"), name.toString());
        assertTrue(SERVER.isRegistered(name));
        pool.close();
        assertFalse(SERVER.isRegistered(name));
        pool.close();
    }

    @Test
    void attributesReadThroughTheServerSumOverKeys() throws Exception {
        final String prefix = uniquePrefix();
        final MagazineKeyedObjectPoolConfig c = config(prefix);
        c.setMaxTotal(10);
        c.setMaxTotalPerKey(4);
        c.setMaxIdlePerKey(3);
        c.setMinIdlePerKey(5);
        c.setTestOnBorrow(true);
        final KeyedRecordingFactory f = new KeyedRecordingFactory();
        try (MagazineKeyedObjectPool<String, Item> pool = new MagazineKeyedObjectPool<>(f, c)) {
            final ObjectName name = pool.getJmxName();
            assertEquals(new ObjectName("org.apache.commons.pool2:type=GenericKeyedObjectPool,name=" + prefix), name);
            final Item a1 = pool.borrowObject("a");
            final Item a2 = pool.borrowObject("a");
            final Item b1 = pool.borrowObject("b");
            final Item c1 = pool.borrowObject("c");
            pool.returnObject("a", a2);
            pool.returnObject("c", c1);
            pool.clear("c"); // c is dropped; its borrow and return still count
            assertEquals(List.of("a", "b"), pool.getKeys().stream().sorted().toList());
            assertEquals(2, SERVER.getAttribute(name, "NumActive"));
            assertEquals(1, SERVER.getAttribute(name, "NumIdle"));
            assertEquals(0, SERVER.getAttribute(name, "NumWaiters"));
            assertEquals(4L, SERVER.getAttribute(name, "CreatedCount"));
            assertEquals(1L, SERVER.getAttribute(name, "DestroyedCount"));
            assertEquals(4L, SERVER.getAttribute(name, "BorrowedCount"));
            assertEquals(2L, SERVER.getAttribute(name, "ReturnedCount"));
            assertEquals(10, SERVER.getAttribute(name, "MaxTotal"));
            assertEquals(4, SERVER.getAttribute(name, "MaxTotalPerKey"));
            assertEquals(3, SERVER.getAttribute(name, "MaxIdlePerKey"));
            assertEquals(3, SERVER.getAttribute(name, "MinIdlePerKey"), "capped by maxIdlePerKey, as in GKOP");
            assertEquals(-1L, SERVER.getAttribute(name, "MaxWaitMillis"));
            assertEquals(true, SERVER.getAttribute(name, "TestOnBorrow"));
            assertEquals(false, SERVER.getAttribute(name, "Closed"));
            assertEquals(false, SERVER.getAttribute(name, "AbandonedConfig"));
            assertEquals(Integer.MAX_VALUE, SERVER.getAttribute(name, "RemoveAbandonedTimeout"));
            final MagazineKeyedObjectPoolMXBean mx = proxy(name);
            assertEquals(Map.of("a", 1, "b", 1), mx.getNumActivePerKey());
            assertEquals(Map.of("a", 0, "b", 0), mx.getNumWaitersByKey());

            pool.returnObject("a", a1);
            f.invalid.add(a1.id);
            f.invalid.add(a2.id);
            final Item fresh = pool.borrowObject("a"); // both idle ones fail validation on borrow
            assertEquals(2L, SERVER.getAttribute(name, "DestroyedByBorrowValidationCount"));
            assertEquals(3L, SERVER.getAttribute(name, "DestroyedCount"));
            assertEquals(0L, SERVER.getAttribute(name, "DestroyedByEvictorCount"));
            assertEquals(5L, mx.getBorrowedCount());
            pool.returnObject("a", fresh);
            pool.returnObject("b", b1);
            pool.clear();
            assertEquals(List.of(), pool.getKeys());
            assertEquals(5L, mx.getBorrowedCount(), "the counts of dropped keys are kept");
            assertEquals(5L, mx.getReturnedCount());
            assertEquals(2L, mx.getDestroyedByBorrowValidationCount());
            assertEquals(pool.getCreatedCount(), pool.getDestroyedCount());
        }
    }

    @Test
    void evictorAndWaitStatisticsSumOverKeys() throws Exception {
        final String prefix = uniquePrefix();
        final MagazineKeyedObjectPoolConfig c = EvictorTesting.keyedEvicting(Duration.ofMillis(20));
        c.setJmxEnabled(true);
        c.setJmxNamePrefix(prefix);
        c.setMinEvictableIdleDuration(Duration.ofMillis(50));
        c.setMaxTotal(1);
        try (MagazineKeyedObjectPool<String, Item> pool = new MagazineKeyedObjectPool<>(new KeyedRecordingFactory(),
                c)) {
            final MagazineKeyedObjectPoolMXBean mx = proxy(pool.getJmxName());
            final Item a = pool.borrowObject("a");
            final CompletableFuture<Item> waiter = PoolTesting.async(() -> pool.borrowObject("b"));
            await(() -> pool.getNumWaiters() == 1, "a borrower of b waits");
            assertEquals(1, mx.getNumWaiters());
            assertEquals(1, mx.getNumWaitersByKey().get("b"));
            Thread.sleep(50);
            pool.returnObject("a", a); // the waiter destroys it to make room
            final Item b = waiter.get(10, TimeUnit.SECONDS);
            assertTrue(mx.getMaxBorrowWaitTimeMillis() >= 50, "max wait " + mx.getMaxBorrowWaitTimeMillis());
            assertTrue(mx.getMeanBorrowWaitTimeMillis() >= 25, "mean wait over 2 borrows "
                    + mx.getMeanBorrowWaitTimeMillis());
            pool.returnObject("b", b);
            await(() -> mx.getDestroyedByEvictorCount() == 1, "the evictor destroyed b's idle object");
            await(() -> pool.getKeys().isEmpty(), "the evictor dropped b once it had no object"); // after the count
            assertEquals(1L, pool.getDestroyedByEvictorCount(), "kept after b was dropped");
            assertEquals(20L, mx.getTimeBetweenEvictionRunsMillis());
            assertEquals(50L, mx.getMinEvictableIdleTimeMillis());
            assertEquals(-1, mx.getNumTestsPerEvictionRun());
        }
    }

    @Test
    void attributeNamesAreGenericKeyedObjectPoolsWhereTheyExist() throws Exception {
        final GenericKeyedObjectPoolConfig<Item> gc = new GenericKeyedObjectPoolConfig<>();
        gc.setJmxNamePrefix(uniquePrefix());
        try (GenericKeyedObjectPool<String, Item> generic = new GenericKeyedObjectPool<>(new KeyedRecordingFactory(), gc);
             MagazineKeyedObjectPool<String, Item> pool = new MagazineKeyedObjectPool<>(new KeyedRecordingFactory(),
                 config(uniquePrefix()))) {
            final Set<String> genericNames = attributeNames(generic.getJmxName());
            final Set<String> ours = attributeNames(pool.getJmxName());
            final Set<String> foreign = new HashSet<>(ours);
            foreign.removeAll(genericNames);
            assertEquals(Set.of(), foreign, "every attribute is one of GenericKeyedObjectPoolMXBean's");
            final Set<String> missing = new HashSet<>(genericNames);
            missing.removeAll(ours);
            assertEquals(Set.of("CreationStackTrace"), missing, "all of GenericKeyedObjectPoolMXBean's but one");
        }
    }

    @Test
    void micrometerCommonsObjectPool2MetricsSeesTheKeyedPool() throws Exception {
        final String prefix = uniquePrefix();
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (MagazineKeyedObjectPool<String, Item> pool = new MagazineKeyedObjectPool<>(new KeyedRecordingFactory(),
                config(prefix));
             CommonsObjectPool2Metrics metrics = new CommonsObjectPool2Metrics()) {
            metrics.bindTo(registry);
            final Item a = pool.borrowObject("a");
            final Item b = pool.borrowObject("b");
            final Item c = pool.borrowObject("a");
            pool.returnObject("a", c);
            assertEquals("GenericKeyedObjectPool",
                registry.get("commons.pool2.num.active").tag("name", prefix).meter().getId().getTag("type"));
            assertEquals(2.0, registry.get("commons.pool2.num.active").tag("name", prefix).gauge().value());
            assertEquals(1.0, registry.get("commons.pool2.num.idle").tag("name", prefix).gauge().value());
            assertEquals(3.0, registry.get("commons.pool2.created").tag("name", prefix).functionCounter().count());
            assertEquals(3.0, registry.get("commons.pool2.borrowed").tag("name", prefix).functionCounter().count());
            assertEquals(1.0, registry.get("commons.pool2.returned").tag("name", prefix).functionCounter().count());
            pool.returnObject("a", a);
            pool.returnObject("b", b);
            assertEquals(3.0, registry.get("commons.pool2.num.idle").tag("name", prefix).gauge().value());
        }
    }

    @Test
    void jmxDisabledRegistersNothingAndTakenNamesGetTheNextNumber() throws Exception {
        final String prefix = uniquePrefix();
        final MagazineKeyedObjectPoolConfig off = config(prefix);
        off.setJmxEnabled(false);
        try (MagazineKeyedObjectPool<String, Item> pool = new MagazineKeyedObjectPool<>(new KeyedRecordingFactory(),
                off)) {
            assertNull(pool.getJmxName());
            assertEquals(Set.of(), SERVER.queryNames(new ObjectName("org.apache.commons.pool2:name=" + prefix + "*,*"),
                null));
        }
        final MagazineKeyedObjectPoolConfig c = config(prefix);
        c.setJmxNameBase("com.example:type=GenericKeyedObjectPool,name=");
        try (MagazineKeyedObjectPool<String, Item> one = new MagazineKeyedObjectPool<>(new KeyedRecordingFactory(), c);
             MagazineKeyedObjectPool<String, Item> two = new MagazineKeyedObjectPool<>(new KeyedRecordingFactory(), c)) {
            assertEquals(List.of("com.example:type=GenericKeyedObjectPool,name=" + prefix,
                "com.example:type=GenericKeyedObjectPool,name=" + prefix + 2),
                Stream.of(one, two).map(p -> p.getJmxName().toString()).collect(Collectors.toList()));
        }
    }

    @Test
    void nonBlockingExhaustionIsNotCountedAsAWait() throws Exception {
        final MagazineKeyedObjectPoolConfig c = config(uniquePrefix());
        c.setMaxTotalPerKey(1);
        c.setBlockWhenExhausted(false);
        try (MagazineKeyedObjectPool<String, Item> pool = new MagazineKeyedObjectPool<>(new KeyedRecordingFactory(),
                c)) {
            final Item a = pool.borrowObject("a");
            try {
                pool.borrowObject("a");
            } catch (final NoSuchElementException expected) {
                // exhausted, as configured
            }
            assertEquals(1L, pool.getBorrowedCount());
            assertEquals(0, pool.getNumWaiters());
            pool.returnObject("a", a);
        }
    }
}
