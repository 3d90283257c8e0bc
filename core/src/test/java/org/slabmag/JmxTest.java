package org.slabmag;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Set;

import javax.management.InstanceNotFoundException;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;

import org.junit.jupiter.api.Test;

/** The {@link SlabAllocatorMXBean}, read through the platform MBean server. */
class JmxTest {
    static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    static Object attr(ObjectName name, String attribute) throws Exception {
        return SERVER.getAttribute(name, attribute);
    }

    @Test
    void registeredByDefaultAndEqualToStatsWhenQuiescent() throws Exception {
        try (SlabAllocator a = SlabAllocator.create()) {
            ObjectName name = a.objectName().orElseThrow();
            assertEquals("org.slabmag", name.getDomain());
            assertEquals("SlabAllocator", name.getKeyProperty("type"));
            assertTrue(name.getKeyProperty("name").matches("slabmag-\\d+"), name.toString());
            assertTrue(SERVER.isRegistered(name));
            assertTrue(JMX.isMXBeanInterface(SlabAllocatorMXBean.class));

            long[] small = new long[300];
            for (int i = 0; i < small.length; i++) {
                small[i] = a.allocate(24 + i);
            }
            long large = a.allocate(200_000);
            long huge = a.allocate(5 << 20);
            for (int i = 0; i < small.length; i += 2) {
                a.free(small[i], 24 + i);
            }
            AllocatorStats s = a.stats();
            assertEquals(s.totalBytes(), attr(name, "TotalBytes"));
            assertEquals(s.residentBytes(), attr(name, "ResidentBytes"));
            assertEquals(s.usedBytes(), attr(name, "UsedBytes"));
            assertEquals(s.requestedBytes(), attr(name, "RequestedBytes"));
            assertEquals(s.cachedBytes(), attr(name, "CachedBytes"));
            assertEquals(s.availableBytes(), attr(name, "AvailableBytes"));
            assertEquals(s.chunks(), attr(name, "Chunks"));
            assertEquals(s.hugeBlocks(), attr(name, "HugeBlocks"));
            assertEquals(s.threadCaches(), attr(name, "ThreadCaches"));
            assertEquals(s.allocations(), attr(name, "Allocations"));
            assertEquals(s.deallocations(), attr(name, "Deallocations"));
            assertEquals(s.fragmentation(), attr(name, "Fragmentation"));
            assertEquals(a.maxMemory(), attr(name, "MaxMemory"));
            assertEquals(a.chunkSize(), attr(name, "ChunkSize"));
            assertEquals(a.isHardened(), attr(name, "Hardened"));
            assertEquals(name.getKeyProperty("name"), attr(name, "Name"));
            assertEquals(302L, s.allocations());
            assertTrue(s.usedBytes() > 0 && s.cachedBytes() > 0, s.toString());

            CompositeData[] classes = (CompositeData[]) attr(name, "SizeClasses");
            List<SizeClassStats> expected = s.sizeClasses();
            assertEquals(expected.size(), classes.length);
            for (int i = 0; i < classes.length; i++) {
                SizeClassStats c = expected.get(i);
                assertEquals(c.blockSize(), classes[i].get("blockSize"));
                assertEquals(c.slabs(), classes[i].get("slabs"));
                assertEquals(c.blocksTotal(), classes[i].get("blocksTotal"));
                assertEquals(c.blocksUsed(), classes[i].get("blocksUsed"));
                assertEquals(c.blocksCached(), classes[i].get("blocksCached"));
                assertEquals(c.magazineRounds(), classes[i].get("magazineRounds"));
            }

            for (int i = 1; i < small.length; i += 2) {
                a.free(small[i], 24 + i);
            }
            a.free(large, 200_000);
            a.free(huge, 5 << 20);
            long before = (Long) attr(name, "TotalBytes");
            SERVER.invoke(name, "trim", null, null); // runs on this thread: its magazines go back too
            AllocatorStats after = a.stats();
            assertEquals(after.totalBytes(), attr(name, "TotalBytes"));
            assertTrue(after.totalBytes() < before, before + " -> " + after);
            assertEquals(0L, attr(name, "CachedBytes"));
        }
    }

    @Test
    void unregisteredOnCloseAndReadsAfterwardsFailOnlyAsUnregistered() throws Exception {
        SlabAllocator a = SlabAllocator.create();
        ObjectName name = a.objectName().orElseThrow();
        SlabAllocatorMXBean proxy = JMX.newMXBeanProxy(SERVER, name, SlabAllocatorMXBean.class);
        a.allocate(5000);
        assertEquals(a.stats().usedBytes(), proxy.getUsedBytes());
        List<SlabAllocatorMXBean.SizeClass> classes = proxy.getSizeClasses();
        assertEquals(a.stats().sizeClasses().size(), classes.size());
        assertEquals(1, classes.stream().mapToLong(SlabAllocatorMXBean.SizeClass::blocksUsed).sum(),
            "a proxy maps the composite data back to records");
        a.close();
        assertFalse(SERVER.isRegistered(name));
        assertTrue(a.objectName().isEmpty());
        assertThrows(InstanceNotFoundException.class, () -> SERVER.getAttribute(name, "TotalBytes"));
        Throwable t = assertThrows(RuntimeException.class, proxy::getTotalBytes);
        assertInstanceOf(InstanceNotFoundException.class, t.getCause(), "the proxy says: no such MBean");
        a.close(); // idempotent, no second unregistration error
    }

    @Test
    void aReadRacingCloseGetsZerosNotAnException() {
        SlabAllocator a = SlabAllocator.builder().jmx(false).build();
        AllocatorMBean mbean = AllocatorMBean.register(a, "race-" + System.nanoTime());
        try {
            a.free(a.allocate(1000), 1000);
            assertTrue(mbean.getAllocations() == 1);
            a.close(); // the MBean of an allocator closing under a JMX read: same object, after close
            assertEquals(0, mbean.getTotalBytes());
            assertEquals(0, mbean.getAllocations());
            assertEquals(0.0, mbean.getFragmentation());
            assertEquals(List.of(), mbean.getSizeClasses());
            assertDoesNotThrow(mbean::trim);
        } finally {
            mbean.unregister();
        }
    }

    @Test
    void twoAllocatorsTwoNames() throws Exception {
        try (SlabAllocator a = SlabAllocator.create(); SlabAllocator b = SlabAllocator.create()) {
            ObjectName na = a.objectName().orElseThrow();
            ObjectName nb = b.objectName().orElseThrow();
            assertNotEquals(na, nb);
            a.allocate(100);
            assertEquals(1L, attr(na, "Allocations"));
            assertEquals(0L, attr(nb, "Allocations"));
            Set<ObjectName> all = SERVER.queryNames(new ObjectName("org.slabmag:type=SlabAllocator,*"), null);
            assertTrue(all.containsAll(Set.of(na, nb)), all.toString());
        }
    }

    @Test
    void jmxFalseRegistersNothing() throws Exception {
        ObjectName pattern = new ObjectName("org.slabmag:*");
        Set<ObjectName> before = SERVER.queryNames(pattern, null);
        try (SlabAllocator a = SlabAllocator.builder().jmx(false).jmxName("never-registered").build()) {
            assertTrue(a.objectName().isEmpty());
            assertEquals(before, SERVER.queryNames(pattern, null));
        }
    }

    @Test
    void explicitNameIsUsedAndATakenOneFailsBuildNamingIt() throws Exception {
        SlabAllocatorBuilder builder = SlabAllocator.builder().jmxName("orders-cache");
        ObjectName expected = new ObjectName("org.slabmag:type=SlabAllocator,name=orders-cache");
        try (SlabAllocator a = builder.build()) {
            assertEquals(expected, a.objectName().orElseThrow());
            assertTrue(SERVER.isRegistered(expected));
            IllegalStateException e = assertThrows(IllegalStateException.class, builder::build);
            assertTrue(e.getMessage().contains("org.slabmag:type=SlabAllocator,name=orders-cache"), e.getMessage());
        }
        assertFalse(SERVER.isRegistered(expected));
        try (SlabAllocator again = builder.build()) {
            assertEquals(expected, again.objectName().orElseThrow(), "the name is free again after close");
        }
    }

    @Test
    void defaultNamesSkipANameSomeoneTookExplicitly() {
        try (SlabAllocator first = SlabAllocator.create()) {
            int n = Integer.parseInt(first.objectName().orElseThrow().getKeyProperty("name").substring(8));
            try (SlabAllocator squatter = SlabAllocator.builder().jmxName("slabmag-" + (n + 1)).build();
                 SlabAllocator next = SlabAllocator.create()) {
                assertEquals("slabmag-" + (n + 1), squatter.objectName().orElseThrow().getKeyProperty("name"));
                assertEquals("slabmag-" + (n + 2), next.objectName().orElseThrow().getKeyProperty("name"));
            }
        }
    }

    @Test
    void badNamesAreRefusedNamingTheValue() {
        SlabAllocatorBuilder b = SlabAllocator.builder();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.jmxName(null));
        assertTrue(e.getMessage().contains("null"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.jmxName(""));
        assertTrue(e.getMessage().contains("\"\""), e.getMessage());
        for (String bad : List.of("a,b", "a=b", "a:b", "a\"b", "a*", "what?", "two\nlines")) {
            e = assertThrows(IllegalArgumentException.class, () -> b.jmxName(bad), bad);
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
        assertDoesNotThrow(() -> b.jmxName("web-1.buffers_A"));
    }
}
