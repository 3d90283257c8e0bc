package org.slabmag.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;
import org.slabmag.SlabAllocator;
import org.slabmag.metrics.SlabAllocatorMetrics;

/** Micrometer's own {@link NettyAllocatorMetrics} on a {@link SlabByteBufAllocator}, beside {@link SlabAllocatorMetrics}. */
class NettyAllocatorMetricsTest {
    @Test
    void nettyAllocatorMetricsReadsTheAllocatorsMetric() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SlabAllocator slab = SlabAllocator.builder().jmx(false).build()) {
            SlabByteBufAllocator alloc = new SlabByteBufAllocator(slab, true);
            new NettyAllocatorMetrics(alloc).bindTo(registry);
            new SlabAllocatorMetrics(slab, "netty").bindTo(registry);
            Gauge direct = registry.get("netty.allocator.memory.used").tag("allocator.type", "SlabByteBufAllocator")
                .tag("memory.type", "direct").gauge();
            Gauge heap = registry.get("netty.allocator.memory.used").tag("allocator.type", "SlabByteBufAllocator")
                .tag("memory.type", "heap").gauge();
            assertEquals(String.valueOf(alloc.hashCode()), direct.getId().getTag("id"));
            assertEquals(0.0, direct.value());
            assertEquals(0.0, heap.value());

            ByteBuf d1 = alloc.directBuffer(1000);
            ByteBuf d2 = alloc.directBuffer(70_000);
            ByteBuf h = alloc.heapBuffer(500);
            assertEquals(alloc.metric().usedDirectMemory(), (long) direct.value());
            assertEquals(alloc.metric().usedHeapMemory(), (long) heap.value());
            assertEquals(slab.stats().totalBytes(), (long) direct.value(),
                "the memory held from the OS, as Netty's own allocators report it");
            assertEquals(slab.usableSize(1000) + slab.usableSize(70_000), alloc.metric().liveDirectMemory());
            assertTrue(heap.value() >= 500, "heap " + heap.value());
            assertEquals(slab.stats().usedBytes(),
                (long) registry.get("slabmag.memory.used").tag("name", "netty").gauge().value(),
                "both binders read the same slab allocator");
            assertEquals(2.0, registry.get("slabmag.allocations").tag("name", "netty").functionCounter().count());

            d1.release();
            d2.release();
            h.release();
            assertEquals(slab.stats().totalBytes(), (long) direct.value(), "chunks stay until decay or trim");
            alloc.trim();
            assertEquals(0.0, direct.value());
            assertEquals(0.0, heap.value());
            assertEquals(2.0, registry.get("slabmag.deallocations").tag("name", "netty").functionCounter().count());
        }
    }
}
