package org.slabmag.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import io.micrometer.core.instrument.binder.commonspool2.CommonsObjectPool2Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.junit.jupiter.api.Test;

/** {@link MagazineObjectPool}'s MBean: where {@code GenericObjectPool} registers, with its attribute names. */
class PoolJmxTest {
    static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();
    static final AtomicInteger UNIQUE = new AtomicInteger();

    /** Makes 0, 1, 2, ...; objects below {@code invalidBelow} fail validation. */
    static final class Counting extends BasePooledObjectFactory<Integer> {
        final AtomicInteger next = new AtomicInteger();
        volatile int invalidBelow;

        @Override
        public Integer create() {
            return next.getAndIncrement();
        }

        @Override
        public PooledObject<Integer> wrap(final Integer obj) {
            return new DefaultPooledObject<>(obj);
        }

        @Override
        public boolean validateObject(final PooledObject<Integer> p) {
            return p.getObject() >= invalidBelow;
        }
    }

    static MagazineObjectPoolConfig config(final String prefix) {
        final MagazineObjectPoolConfig c = new MagazineObjectPoolConfig();
        c.setJmxNamePrefix(prefix);
        return c;
    }

    static String uniquePrefix() {
        return "magazine-test-" + UNIQUE.incrementAndGet() + "-";
    }

    @Test
    void registersWhereGenericObjectPoolDoesAndUnregistersOnClose() throws Exception {
        final MagazineObjectPool<Integer> pool = new MagazineObjectPool<>(new Counting());
        final ObjectName name = pool.getJmxName();
        assertNotNull(name);
        assertEquals("org.apache.commons.pool2", name.getDomain());
        assertEquals("GenericObjectPool", name.getKeyProperty("type"));
        assertTrue(name.getKeyProperty("name").matches("pool\\d*"), name.toString());
        assertTrue(SERVER.isRegistered(name));
        pool.close();
        assertFalse(SERVER.isRegistered(name));
        pool.close();
    }

    @Test
    void attributesReadThroughTheServer() throws Exception {
        final String prefix = uniquePrefix();
        final MagazineObjectPoolConfig c = config(prefix);
        c.setMaxTotal(10);
        c.setMaxIdle(6);
        c.setTestOnBorrow(true);
        final Counting factory = new Counting();
        try (MagazineObjectPool<Integer> pool = new MagazineObjectPool<>(factory, c)) {
            final ObjectName name = pool.getJmxName();
            assertEquals(new ObjectName("org.apache.commons.pool2:type=GenericObjectPool,name=" + prefix), name);
            final Integer a = pool.borrowObject();
            final Integer b = pool.borrowObject();
            final Integer d = pool.borrowObject();
            pool.returnObject(b);
            assertEquals(2, SERVER.getAttribute(name, "NumActive"));
            assertEquals(1, SERVER.getAttribute(name, "NumIdle"));
            assertEquals(0, SERVER.getAttribute(name, "NumWaiters"));
            assertEquals(3L, SERVER.getAttribute(name, "CreatedCount"));
            assertEquals(0L, SERVER.getAttribute(name, "DestroyedCount"));
            assertEquals(10, SERVER.getAttribute(name, "MaxTotal"));
            assertEquals(6, SERVER.getAttribute(name, "MaxIdle"));
            assertEquals(-1L, SERVER.getAttribute(name, "MaxWaitMillis"));
            assertEquals(true, SERVER.getAttribute(name, "TestOnBorrow"));
            assertEquals(false, SERVER.getAttribute(name, "Closed"));
            assertEquals(Counting.class.getName() + "<java.lang.Integer>", SERVER.getAttribute(name, "FactoryType"));
            assertEquals(pool.getMagazineCapacity(), SERVER.getAttribute(name, "MagazineCapacity"));

            pool.returnObject(a);
            pool.returnObject(d);
            factory.invalidBelow = 3; // the three idle ones fail validation on their next borrow
            final Integer fresh = pool.borrowObject();
            assertEquals(3, fresh);
            assertEquals(3L, SERVER.getAttribute(name, "DestroyedByBorrowValidationCount"));
            assertEquals(3L, SERVER.getAttribute(name, "DestroyedCount"));
            assertEquals(0L, SERVER.getAttribute(name, "DestroyedByEvictorCount"));
            pool.returnObject(fresh);
        }
    }

    @Test
    void attributeNamesAreGenericObjectPoolsWhereTheyExist() throws Exception {
        final GenericObjectPoolConfig<Integer> gc = new GenericObjectPoolConfig<>();
        gc.setJmxNamePrefix(uniquePrefix());
        try (GenericObjectPool<Integer> generic = new GenericObjectPool<>(new Counting(), gc);
             MagazineObjectPool<Integer> pool = new MagazineObjectPool<>(new Counting(), config(uniquePrefix()))) {
            final Set<String> genericNames = attributeNames(generic.getJmxName());
            final Set<String> ours = attributeNames(pool.getJmxName());
            ours.remove("MagazineCapacity");
            final Set<String> foreign = new HashSet<>(ours);
            foreign.removeAll(genericNames);
            assertEquals(Set.of(), foreign, "every other attribute is one of GenericObjectPoolMXBean's");
            assertTrue(ours.containsAll(Set.of("NumActive", "NumIdle", "NumWaiters", "CreatedCount", "DestroyedCount",
                "DestroyedByEvictorCount", "DestroyedByBorrowValidationCount", "FactoryType")), ours.toString());
            assertTrue(ours.containsAll(Set.of("BorrowedCount", "ReturnedCount", "MeanBorrowWaitTimeMillis",
                "MaxBorrowWaitTimeMillis", "MeanActiveTimeMillis", "MeanIdleTimeMillis", "Lifo", "Fairness",
                "MinEvictableIdleTimeMillis", "NumTestsPerEvictionRun", "RemoveAbandonedTimeout")), ours.toString());
        }
    }

    static Set<String> attributeNames(final ObjectName name) throws Exception {
        return Stream.of(SERVER.getMBeanInfo(name).getAttributes()).map(MBeanAttributeInfo::getName)
            .collect(Collectors.toCollection(HashSet::new));
    }

    @Test
    void micrometerCommonsObjectPool2MetricsSeesActiveAndIdle() throws Exception {
        final String prefix = uniquePrefix();
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (MagazineObjectPool<Integer> pool = new MagazineObjectPool<>(new Counting(), config(prefix));
             CommonsObjectPool2Metrics metrics = new CommonsObjectPool2Metrics()) {
            metrics.bindTo(registry);
            final Integer a = pool.borrowObject();
            final Integer b = pool.borrowObject();
            final Integer c = pool.borrowObject();
            pool.returnObject(c);
            assertEquals(2.0, registry.get("commons.pool2.num.active").tag("name", prefix).gauge().value());
            assertEquals(1.0, registry.get("commons.pool2.num.idle").tag("name", prefix).gauge().value());
            assertEquals(0.0, registry.get("commons.pool2.num.waiters").tag("name", prefix).gauge().value());
            assertEquals(3.0, registry.get("commons.pool2.created").tag("name", prefix).functionCounter().count());
            assertEquals(Counting.class.getName() + "<java.lang.Integer>",
                registry.get("commons.pool2.num.active").tag("name", prefix).meter().getId().getTag("factoryType"));
            assertEquals(3.0, registry.get("commons.pool2.borrowed").tag("name", prefix).functionCounter().count());
            assertEquals(1.0, registry.get("commons.pool2.returned").tag("name", prefix).functionCounter().count());
            assertEquals(0.0, registry.get("commons.pool2.max.borrow.wait").tag("name", prefix).timeGauge()
                .value(TimeUnit.MILLISECONDS));
            pool.returnObject(a);
            pool.returnObject(b);
            assertEquals(0.0, registry.get("commons.pool2.num.active").tag("name", prefix).gauge().value());
            assertEquals(3.0, registry.get("commons.pool2.num.idle").tag("name", prefix).gauge().value());
        }
    }

    @Test
    void jmxDisabledRegistersNothing() throws Exception {
        final String prefix = uniquePrefix();
        final MagazineObjectPoolConfig c = config(prefix);
        c.setJmxEnabled(false);
        try (MagazineObjectPool<Integer> pool = new MagazineObjectPool<>(new Counting(), c)) {
            assertNull(pool.getJmxName());
            assertEquals(Set.of(), SERVER.queryNames(new ObjectName("org.apache.commons.pool2:name=" + prefix + "*,*"),
                null));
        }
    }

    @Test
    void takenNamesGetTheNextNumberAsInGenericObjectPool() throws Exception {
        final String prefix = uniquePrefix();
        final MagazineObjectPoolConfig c = config(prefix);
        c.setJmxNameBase("com.example:type=GenericObjectPool,name=");
        try (MagazineObjectPool<Integer> one = new MagazineObjectPool<>(new Counting(), c);
             MagazineObjectPool<Integer> two = new MagazineObjectPool<>(new Counting(), c);
             MagazineObjectPool<Integer> three = new MagazineObjectPool<>(new Counting(), c)) {
            assertEquals(List.of("com.example:type=GenericObjectPool,name=" + prefix,
                "com.example:type=GenericObjectPool,name=" + prefix + 2,
                "com.example:type=GenericObjectPool,name=" + prefix + 3),
                Stream.of(one, two, three).map(p -> p.getJmxName().toString()).collect(Collectors.toList()));
        }
    }

    @Test
    void fromCopiesTheJmxSettings() {
        final GenericObjectPoolConfig<Object> gc = new GenericObjectPoolConfig<>();
        gc.setJmxEnabled(false);
        gc.setJmxNamePrefix("copied");
        gc.setJmxNameBase("com.example:type=GenericObjectPool,name=");
        final MagazineObjectPoolConfig c = MagazineObjectPoolConfig.from(gc);
        assertFalse(c.getJmxEnabled());
        assertEquals("copied", c.getJmxNamePrefix());
        assertEquals("com.example:type=GenericObjectPool,name=", c.getJmxNameBase());
        final MagazineObjectPoolConfig d = new MagazineObjectPoolConfig();
        assertTrue(d.getJmxEnabled());
        assertNull(d.getJmxNameBase());
        assertEquals("pool", d.getJmxNamePrefix());
    }

    @Test
    void badNamesAreRefusedNamingTheValue() {
        final MagazineObjectPoolConfig c = new MagazineObjectPoolConfig();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.setJmxNamePrefix(null));
        assertTrue(e.getMessage().contains("null"), e.getMessage());
        for (final String bad : List.of("a,b", "a=b", "a:b", "a\nb", "*")) {
            e = assertThrows(IllegalArgumentException.class, () -> c.setJmxNamePrefix(bad), bad);
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
        for (final String bad : List.of("no-domain", "d:type=X,name", "d:*,name=")) {
            e = assertThrows(IllegalArgumentException.class, () -> c.setJmxNameBase(bad), bad);
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
        assertEquals("pool", c.getJmxNamePrefix(), "a refused value changes nothing");
        assertNull(c.getJmxNameBase());
    }
}
