package org.slabmag.netty;

import io.netty.buffer.ByteBufAllocatorMetric;
import org.slabmag.AllocatorStats;

/**
 * Memory use of a {@link SlabByteBufAllocator}, as read by monitoring (for example Micrometer's
 * {@code NettyAllocatorMetrics}).
 *
 * <p>{@link #usedDirectMemory()} is the direct memory the slab allocator holds from the operating system,
 * {@link AllocatorStats#totalBytes()} (chunks and dedicated blocks), as Netty's own allocators report the
 * memory of their chunks: what dashboards and alerts on this metric expect. It includes blocks cached in
 * magazines and free pages of reserved chunks, and every user of the slab allocator if it is shared; the
 * bytes of live buffers alone are {@link #liveDirectMemory()}. {@link #usedHeapMemory()} is the sum of the
 * arrays of live heap buffers.
 *
 * <p>Thread-safe. Values are read without stopping allocation, so under concurrent use they are
 * approximate; when no thread is allocating or releasing they are exact.
 */
public final class SlabByteBufAllocatorMetric implements ByteBufAllocatorMetric {
    private final SlabByteBufAllocator allocator;

    SlabByteBufAllocatorMetric(SlabByteBufAllocator allocator) {
        this.allocator = allocator;
    }

    @Override
    public long usedHeapMemory() {
        return allocator.usedHeapBytes();
    }

    /**
     * Direct memory held from the operating system: {@link AllocatorStats#totalBytes()}.
     *
     * @throws IllegalStateException if the slab allocator is closed
     */
    @Override
    public long usedDirectMemory() {
        return allocator.stats().totalBytes();
    }

    /**
     * Bytes of live direct blocks, by usable size: {@link AllocatorStats#usedBytes()}.
     *
     * @return the live direct bytes
     * @throws IllegalStateException if the slab allocator is closed
     */
    public long liveDirectMemory() {
        return allocator.stats().usedBytes();
    }

    /** Both values; {@code usedDirectMemory: closed} once the slab allocator is closed. */
    @Override
    public String toString() {
        String direct;
        try {
            direct = usedDirectMemory() + "; liveDirectMemory: " + liveDirectMemory();
        } catch (IllegalStateException closed) {
            direct = "closed";
        }
        return "SlabByteBufAllocatorMetric(usedHeapMemory: " + usedHeapMemory() + "; usedDirectMemory: " + direct + ')';
    }
}
