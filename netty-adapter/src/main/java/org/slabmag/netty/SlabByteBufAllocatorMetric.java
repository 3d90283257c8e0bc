package org.slabmag.netty;

import io.netty.buffer.ByteBufAllocatorMetric;
import org.slabmag.AllocatorStats;

/**
 * Memory use of a {@link SlabByteBufAllocator}, as read by monitoring (for example Micrometer's
 * {@code NettyAllocatorMetrics}).
 *
 * <p>{@link #usedDirectMemory()} is the slab allocator's {@link AllocatorStats#usedBytes()}: live blocks
 * counted by their usable size, so it includes size-class slack, and it includes every user of the slab
 * allocator if it is shared. Blocks cached in per-thread magazines after a release are not counted.
 * {@link #usedHeapMemory()} is the sum of the arrays of live heap buffers.
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
     * @throws IllegalStateException if the slab allocator is closed
     */
    @Override
    public long usedDirectMemory() {
        return allocator.stats().usedBytes();
    }

    /** Both values; {@code usedDirectMemory: closed} once the slab allocator is closed. */
    @Override
    public String toString() {
        String direct;
        try {
            direct = Long.toString(usedDirectMemory());
        } catch (IllegalStateException closed) {
            direct = "closed";
        }
        return "SlabByteBufAllocatorMetric(usedHeapMemory: " + usedHeapMemory() + "; usedDirectMemory: " + direct + ')';
    }
}
