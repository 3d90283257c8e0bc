package org.slabmag.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.slabmag.AllocatorStats;
import org.slabmag.SlabAllocator;

/** {@link SlabAllocatorMetrics} read from a {@link SimpleMeterRegistry}. */
class SlabAllocatorMetricsTest {
    static final List<String> METERS = List.of("slabmag.memory.reserved", "slabmag.memory.resident", "slabmag.memory.used",
        "slabmag.memory.cached", "slabmag.chunks", "slabmag.allocations", "slabmag.deallocations");

    @Test
    void metersEqualStatsWhenQuiescent() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SlabAllocator a = SlabAllocator.builder().jmx(false).build()) {
            new SlabAllocatorMetrics(a, "buffers", Tags.of("app", "test")).bindTo(registry);
            long[] blocks = new long[100];
            for (int i = 0; i < blocks.length; i++) {
                blocks[i] = a.allocate(1000);
            }
            for (int i = 0; i < 40; i++) {
                a.free(blocks[i], 1000);
            }
            a.allocate(300_000);
            AllocatorStats s = a.stats();
            assertEquals(s.totalBytes(), gauge(registry, "slabmag.memory.reserved"));
            assertEquals(s.residentBytes(), gauge(registry, "slabmag.memory.resident"));
            assertEquals(s.usedBytes(), gauge(registry, "slabmag.memory.used"));
            assertEquals(s.cachedBytes(), gauge(registry, "slabmag.memory.cached"));
            assertEquals(s.chunks(), gauge(registry, "slabmag.chunks"));
            assertEquals(101.0, counter(registry, "slabmag.allocations"));
            assertEquals(40.0, counter(registry, "slabmag.deallocations"));
            assertTrue(s.usedBytes() > 0 && s.cachedBytes() > 0 && s.chunks() > 0, s.toString());

            for (String name : METERS) {
                Meter m = registry.get(name).tags("name", "buffers", "app", "test").meter();
                assertNotNull(m.getId().getDescription(), name);
                assertNotNull(m.getId().getBaseUnit(), name);
            }
            assertEquals("bytes", registry.get("slabmag.memory.used").meter().getId().getBaseUnit());
            assertInstanceOf(FunctionCounter.class, registry.get("slabmag.allocations").meter());
            assertInstanceOf(Gauge.class, registry.get("slabmag.chunks").meter());
        }
        for (String name : METERS) {
            Meter m = registry.get(name).meter();
            double v = m instanceof Gauge ? ((Gauge) m).value() : ((FunctionCounter) m).count();
            assertTrue(Double.isNaN(v), name + " reads NaN once the allocator is closed: " + v);
        }
    }

    @Test
    void twoAllocatorsTwoSeriesByName() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SlabAllocator a = SlabAllocator.builder().jmx(false).build();
             SlabAllocator b = SlabAllocator.builder().jmx(false).build()) {
            new SlabAllocatorMetrics(a, "a").bindTo(registry);
            new SlabAllocatorMetrics(b, "b").bindTo(registry);
            a.allocate(64);
            assertEquals(1.0, registry.get("slabmag.allocations").tag("name", "a").functionCounter().count());
            assertEquals(0.0, registry.get("slabmag.allocations").tag("name", "b").functionCounter().count());
        }
    }

    @Test
    void metersDoNotKeepTheAllocatorReachable() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        WeakReference<SlabAllocator> ref = bindAndClose(registry);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (ref.get() != null && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(ref.get(), "the registry holds the allocator weakly");
        assertTrue(Double.isNaN(registry.get("slabmag.memory.reserved").gauge().value()));
    }

    private static WeakReference<SlabAllocator> bindAndClose(SimpleMeterRegistry registry) {
        SlabAllocator a = SlabAllocator.create(); // with its MBean: close() unregisters it too
        new SlabAllocatorMetrics(a, "weak").bindTo(registry);
        a.free(a.allocate(100), 100);
        assertEquals(1.0, registry.get("slabmag.allocations").functionCounter().count());
        a.close();
        return new WeakReference<>(a);
    }

    @Test
    void badArgumentsAreRefusedNamingThem() {
        try (SlabAllocator a = SlabAllocator.builder().jmx(false).build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SlabAllocatorMetrics(null, "x"));
            assertTrue(e.getMessage().contains("allocator"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> new SlabAllocatorMetrics(a, null));
            assertTrue(e.getMessage().contains("null"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> new SlabAllocatorMetrics(a, ""));
            assertTrue(e.getMessage().contains("\"\""), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> new SlabAllocatorMetrics(a, "x", null));
            assertTrue(e.getMessage().contains("tags"), e.getMessage());
            SlabAllocatorMetrics m = new SlabAllocatorMetrics(a, "x");
            e = assertThrows(IllegalArgumentException.class, () -> m.bindTo(null));
            assertTrue(e.getMessage().contains("registry"), e.getMessage());
        }
    }

    /** A JVM without Micrometer on its class path uses the allocator as before. */
    @Test
    void theAllocatorWorksWithoutMicrometerOnTheClassPath() throws Exception {
        String cp = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(p -> !p.contains("micrometer")).collect(Collectors.joining(File.pathSeparator));
        String output = runProbe(cp, "absent");
        assertTrue(output.contains("allocator works"), output);
    }

    /** With Micrometer on the class path, using the allocator loads none of its classes. */
    @Test
    void theAllocatorLoadsNoMicrometerClass() throws Exception {
        String output = runProbe(System.getProperty("java.class.path"), "present");
        assertTrue(output.contains("allocator works"), output);
        assertTrue(output.contains("org.slabmag.SlabAllocator "), "-verbose:class lists loaded classes: " + output);
        List<String> micrometer = output.lines().filter(l -> l.contains("io.micrometer")).collect(Collectors.toList());
        assertEquals(List.of(), micrometer);
    }

    private static String runProbe(String classPath, String arg) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx64m", "-verbose:class", "-cp", classPath,
            NoMicrometerProbe.class.getName(), arg));
        File out = Files.createTempFile("slabmag-child", ".txt").toFile();
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM hung");
            String output = Files.readString(out.toPath(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), output);
            return output;
        } finally {
            out.delete();
        }
    }

    static double gauge(SimpleMeterRegistry r, String name) {
        return r.get(name).tag("name", "buffers").gauge().value();
    }

    static double counter(SimpleMeterRegistry r, String name) {
        return r.get(name).tag("name", "buffers").functionCounter().count();
    }
}
