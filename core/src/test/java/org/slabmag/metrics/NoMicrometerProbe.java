package org.slabmag.metrics;

import org.slabmag.SlabAllocator;

/**
 * Child-JVM main for {@link SlabAllocatorMetricsTest}: the whole public API, with JMX. With the argument
 * {@code absent} it first checks that Micrometer is not on the class path.
 */
public final class NoMicrometerProbe {
    private NoMicrometerProbe() {
    }

    public static void main(String[] args) {
        ClassLoader loader = NoMicrometerProbe.class.getClassLoader();
        if (args.length > 0 && args[0].equals("absent")
            && loader.getResource("io/micrometer/core/instrument/MeterRegistry.class") != null) {
            throw new IllegalStateException("Micrometer is on the class path: the probe proves nothing");
        }
        try (SlabAllocator a = SlabAllocator.builder().jmxName("no-micrometer").build()) {
            long x = a.allocate(100);
            long y = a.allocate(6 << 20);
            a.free(x, 100);
            a.free(y, 6 << 20);
            a.trim();
            System.out.println(a.stats() + " " + a.objectName().orElseThrow());
        }
        System.out.println("allocator works");
    }
}
