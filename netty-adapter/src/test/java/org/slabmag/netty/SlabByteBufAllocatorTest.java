package org.slabmag.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.AbstractByteBufAllocatorTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.buffer.UnpooledUnsafeHeapByteBuf;
import io.netty.util.internal.PlatformDependent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slabmag.SlabAllocator;

/**
 * Netty's allocator contract suite. Each allocator gets its own {@link SlabAllocator} (the suite expects
 * a fresh allocator to report zero used memory); they are closed after each test.
 */
class SlabByteBufAllocatorTest extends AbstractByteBufAllocatorTest<SlabByteBufAllocator> {
    private final List<SlabAllocator> created = new ArrayList<>();

    @AfterEach
    void closeSlabAllocators() {
        for (SlabAllocator slab : created) {
            assertEquals(0, slab.stats().usedBytes(), "a test left a buffer unreleased");
            slab.close();
        }
        created.clear();
    }

    @Override
    protected SlabByteBufAllocator newAllocator(boolean preferDirect) {
        SlabAllocator slab = SlabAllocator.create();
        created.add(slab);
        return new SlabByteBufAllocator(slab, preferDirect);
    }

    @Override
    protected SlabByteBufAllocator newUnpooledAllocator() {
        return newAllocator(false);
    }

    /**
     * {@code usedDirectMemory()} is the memory held from the OS, as for Netty's pooled allocator: a
     * buffer up to the chunk size reserves one chunk, a larger one its own page-rounded block.
     */
    @Override
    protected long expectedUsedMemory(SlabByteBufAllocator allocator, int capacity) {
        SlabAllocator slab = allocator.slabAllocator();
        return capacity <= slab.chunkSize() ? slab.chunkSize() : slab.usableSize(capacity);
    }

    /** After release the chunk stays (until decay or trim); a dedicated block goes back at once. */
    @Override
    protected long expectedUsedMemoryAfterRelease(SlabByteBufAllocator allocator, int capacity) {
        SlabAllocator slab = allocator.slabAllocator();
        return capacity <= slab.chunkSize() ? slab.chunkSize() : 0;
    }

    /**
     * Replaces the inherited test, which takes the pooled-memory expectations above for heap buffers
     * too: heap buffers are Netty's unpooled ones here, so the heap metric is their capacity.
     */
    @Override
    @Test
    public void testUsedHeapMemory() {
        SlabByteBufAllocator allocator = newAllocator(true);
        assertEquals(0, allocator.metric().usedHeapMemory());
        ByteBuf buffer = allocator.heapBuffer(1024, 4096);
        assertEquals(buffer.capacity(), allocator.metric().usedHeapMemory());
        buffer.capacity(buffer.capacity() * 2);
        assertEquals(buffer.capacity(), allocator.metric().usedHeapMemory());
        buffer.release();
        assertEquals(0, allocator.metric().usedHeapMemory());
    }

    /**
     * Replaces the inherited test, which asserts Netty's unpooled buffer classes: direct buffers here
     * are {@link SlabDirectByteBuf} (with a memory address whether or not Netty has Unsafe), heap
     * buffers Netty's unpooled ones.
     */
    @Override
    @Test
    public void testUnsafeHeapBufferAndUnsafeDirectBuffer() {
        SlabByteBufAllocator allocator = newUnpooledAllocator();
        ByteBuf direct = allocator.directBuffer();
        assertInstanceOf(direct, SlabDirectByteBuf.class);
        assertTrue(direct.isDirect());
        assertTrue(direct.hasMemoryAddress());
        direct.release();

        ByteBuf heap = allocator.heapBuffer();
        assertInstanceOf(heap, PlatformDependent.hasUnsafe() ? UnpooledUnsafeHeapByteBuf.class : UnpooledHeapByteBuf.class);
        heap.release();
    }

    /**
     * Replaces the inherited test, which measures reuse of 1 MiB heap buffers: heap buffers are
     * deliberately unpooled here (documented on {@link SlabByteBufAllocator}). The same measurement is
     * made on direct buffers, which are the pooled ones: 100 allocate/release rounds of 1 MiB must not
     * allocate megabytes of Java heap (so no per-buffer backing objects beyond the small buffer object).
     */
    @Override
    @Test
    public void shouldReuseChunks() {
        int bufSize = 1024 * 1024;
        SlabByteBufAllocator allocator = newAllocator(true);
        allocator.directBuffer(bufSize, bufSize).release();
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        assumeTrue(before != -1);
        long usedBefore = allocator.stats().totalBytes();
        for (int i = 0; i < 100; i++) {
            allocator.directBuffer(bufSize, bufSize).release();
        }
        long after = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        assertThat(after - before).as("heap allocated by 100 direct 1 MiB buffers").isLessThan(1024 * 1024);
        assertThat(allocator.stats().totalBytes()).as("native memory reserved").isEqualTo(usedBefore);
    }
}
