package org.slabmag.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ResourceLeakDetector;
import org.agrona.BufferUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slabmag.SlabAllocator;
import org.slabmag.SlabOutOfMemoryError;

/** Behaviour specific to slab buffers: regions, slack, sizes, NIO views, metrics, limits. */
class SlabDirectByteBufTest {
    private static final int CHUNK = 1 << 20;

    private SlabAllocator slab;
    private SlabByteBufAllocator alloc;

    @BeforeEach
    void setUp() {
        slab = SlabAllocator.builder().chunkSize(CHUNK).build();
        alloc = new SlabByteBufAllocator(slab);
    }

    @AfterEach
    void tearDown() {
        assertEquals(0, alloc.stats().usedBytes(), "a test left memory in use");
        slab.close();
    }

    @Test
    void directBuffersHaveAnAddressWhetherOrNotNettyHasUnsafe() {
        ByteBuf buf = alloc.directBuffer(64);
        assertTrue(buf.isDirect());
        assertTrue(buf.hasMemoryAddress());
        assertNotEquals(0L, buf.memoryAddress());
        assertTrue(buf.isContiguous());
        assertEquals(1, buf.nioBufferCount());
        buf.writeLong(0x0102030405060708L);
        assertEquals(0x0102030405060708L, buf.nioBuffer().getLong(0));
        assertEquals(1, buf.nioBuffer().get(0));
        buf.release();
    }

    @Test
    void capacityZeroOwnsARealRegionAndGrowsInPlace() {
        ByteBuf buf = alloc.directBuffer(0);
        assertEquals(0, buf.capacity());
        long address = buf.memoryAddress();
        assertNotEquals(0L, address);
        assertEquals(0, buf.nioBuffer().remaining());
        int slack = slab.usableSize(1);
        assertEquals(slack, buf.maxFastWritableBytes());
        for (int i = 0; i < slack; i++) {
            buf.writeByte(i);
        }
        assertEquals(address, buf.memoryAddress());
        buf.writeByte(99);
        assertEquals(99, buf.getByte(slack));
        buf.release();

        ByteBuf fixedEmpty = alloc.directBuffer(0, 0);
        assertEquals(0, fixedEmpty.capacity());
        fixedEmpty.release();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 15, 17, 127, 129, 1000, 4095, 4097, 65535, 65537, 100_003, CHUNK - 1, CHUNK,
        CHUNK + 1, 3 * CHUNK + 12_345})
    void anySizeHoldsItsWholeCapacity(int size) {
        ByteBuf buf = alloc.directBuffer(size, size);
        assertEquals(size, buf.capacity());
        assertEquals(size, buf.maxCapacity());
        assertEquals(slab.usableSize(size), alloc.metric().liveDirectMemory());
        Patterns.fill(buf, size);
        Patterns.check(buf, size);
        buf.release();
    }

    /**
     * Above 64 KiB a buffer's region is its capacity rounded up to whole pages (no power-of-two rounding): that is
     * what the metric counts and what the buffer grows into in place, and writing all of it leaves its neighbours
     * intact.
     */
    @Test
    void aLargeBufferOwnsExactlyItsPagesAndGrowsInPlaceWithinThem() {
        int size = 100_000;
        int region = 25 * 4096;
        assertEquals(region, slab.usableSize(size));
        ByteBuf buf = alloc.directBuffer(size);
        ByteBuf before = alloc.directBuffer(size);
        ByteBuf after = alloc.directBuffer(size);
        assertEquals(3L * region, alloc.metric().liveDirectMemory());
        assertEquals(region, buf.maxFastWritableBytes());
        long address = buf.memoryAddress();
        Patterns.fill(before, 1);
        Patterns.fill(after, 2);
        buf.capacity(region);
        assertEquals(address, buf.memoryAddress(), "the whole region is the buffer's own");
        Patterns.fill(buf, 3);
        Patterns.check(before, 1);
        Patterns.check(after, 2);
        Patterns.check(buf, 3);
        buf.capacity(region + 1);
        assertNotEquals(address, buf.memoryAddress(), "one byte more moves it");
        assertEquals(2L * region + slab.usableSize(region + 1), alloc.metric().liveDirectMemory());
        buf.release();
        before.release();
        after.release();
    }

    @Test
    void growingPastTheSlackMovesTheContentAndFreesTheOldRegion() {
        ByteBuf buf = alloc.directBuffer(1000);
        Patterns.fill(buf, 1);
        byte[] before = new byte[1000];
        buf.getBytes(0, before);
        long address = buf.memoryAddress();

        buf.capacity(3 * CHUNK);
        assertNotEquals(address, buf.memoryAddress());
        assertEquals(3 * CHUNK, buf.capacity());
        byte[] after = new byte[1000];
        buf.getBytes(0, after);
        assertArrayEquals(before, after);
        assertEquals(slab.usableSize(3 * CHUNK), alloc.metric().liveDirectMemory(), "the old region is freed");
        buf.setByte(3 * CHUNK - 1, 5);
        buf.release();
    }

    @Test
    void shrinkingKeepsTheRegionSoEarlierSlicesStayInside() {
        ByteBuf buf = alloc.directBuffer(4096).writeZero(4096);
        buf.setInt(4000, 0xCAFEBABE);
        ByteBuf slice = buf.slice(3990, 100);
        long address = buf.memoryAddress();
        long used = alloc.metric().liveDirectMemory();

        buf.capacity(16);
        assertEquals(16, buf.capacity());
        assertEquals(16, buf.writerIndex());
        assertEquals(address, buf.memoryAddress());
        assertEquals(used, alloc.metric().liveDirectMemory());
        assertEquals(slab.usableSize(4096) - 16, buf.maxFastWritableBytes());
        assertEquals(0xCAFEBABE, slice.getInt(10), "the slice still reads the region the buffer owns");

        buf.capacity(4096);
        assertEquals(address, buf.memoryAddress(), "growing back within the region is free");
        buf.release();
    }

    @Test
    void nioViewsCoverExactlyTheRequestedRange() {
        ByteBuf buf = alloc.directBuffer(256).writeZero(256);
        ByteBuffer view = buf.nioBuffer(10, 50);
        assertTrue(view.isDirect());
        assertEquals(0, view.position());
        assertEquals(50, view.capacity());
        assertEquals(buf.memoryAddress() + 10, BufferUtil.address(view));
        view.put(0, (byte) 42);
        assertEquals(42, buf.getByte(10));
        assertThrows(IndexOutOfBoundsException.class, () -> view.get(50));
        assertThrows(IndexOutOfBoundsException.class, () -> buf.nioBuffer(200, 57));

        ByteBuffer internal = buf.internalNioBuffer(20, 30);
        assertEquals(20, internal.position());
        assertEquals(50, internal.limit());
        assertSame(internal, buf.internalNioBuffer(0, 1), "the internal view is reused");
        assertEquals(0, buf.internalNioBuffer(0, 1).position());

        ByteBuffer[] views = buf.nioBuffers(5, 7);
        assertEquals(1, views.length);
        assertEquals(7, views[0].remaining());

        buf.capacity(CHUNK);
        ByteBuffer moved = buf.internalNioBuffer(0, CHUNK);
        assertEquals(buf.memoryAddress(), BufferUtil.address(moved) + moved.position());
        assertEquals(CHUNK, moved.remaining());
        buf.release();
    }

    @Test
    void copyIsASlabBufferWithTheSameBytes() {
        ByteBuf buf = alloc.directBuffer(300);
        Patterns.fill(buf, 9);
        buf.writerIndex(300);
        ByteBuf copy = buf.copy(17, 200);
        assertTrue(copy.isDirect());
        assertSame(alloc, copy.alloc());
        assertEquals(200, copy.readableBytes());
        for (int i = 0; i < 200; i++) {
            assertEquals(buf.getByte(17 + i), copy.getByte(i));
        }
        copy.release();
        buf.release();
    }

    @Test
    void metricsCountDirectAndHeapMemory() {
        assertEquals(0, alloc.metric().liveDirectMemory());
        assertEquals(0, alloc.metric().usedHeapMemory());
        ByteBuf direct = alloc.directBuffer(5000);
        ByteBuf heap = alloc.heapBuffer(3000);
        assertEquals(slab.usableSize(5000), alloc.metric().liveDirectMemory());
        assertEquals(3000, alloc.metric().usedHeapMemory());
        assertEquals(alloc.metric().liveDirectMemory(), alloc.stats().usedBytes());
        assertEquals(5000, alloc.stats().requestedBytes());
        assertEquals(alloc.stats().totalBytes(), alloc.metric().usedDirectMemory(),
            "usedDirectMemory reports the memory held from the OS, as Netty's allocators do");
        assertTrue(alloc.metric().usedDirectMemory() >= slab.usableSize(5000));
        heap.capacity(6000);
        assertEquals(6000, alloc.metric().usedHeapMemory());
        assertTrue(direct.release());
        assertTrue(heap.release());
        assertEquals(0, alloc.metric().liveDirectMemory());
        assertEquals(0, alloc.metric().usedHeapMemory());
        assertTrue(alloc.metric().toString().contains("liveDirectMemory: 0"));

        alloc.trim();
        assertEquals(0, alloc.stats().cachedBytes(), "trim returns this thread's cached blocks");
    }

    @Test
    void sharedDefaultAllocatorServesBothKinds() {
        SlabByteBufAllocator shared = SlabByteBufAllocator.DEFAULT;
        assertTrue(shared.isDirectBufferPooled());
        ByteBuf direct = shared.directBuffer(100);
        ByteBuf heap = shared.heapBuffer(100);
        ByteBuf io = shared.ioBuffer(100);
        assertTrue(direct.isDirect());
        assertTrue(io.isDirect(), "transports get direct buffers for I/O");
        assertTrue(heap.hasArray());
        direct.release();
        heap.release();
        io.release();
    }

    @Test
    void buffersGoThroughTheLeakDetector() {
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        try {
            ByteBuf direct = alloc.directBuffer(10);
            ByteBuf heap = alloc.heapBuffer(10);
            assertEquals("AdvancedLeakAwareByteBuf", direct.getClass().getSimpleName());
            assertEquals("AdvancedLeakAwareByteBuf", heap.getClass().getSimpleName());
            assertTrue(direct.unwrap() instanceof SlabDirectByteBuf);
            direct.release();
            heap.release();
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
    }

    @Test
    void overTheMemoryLimitFailsCleanlyAndTheAllocatorStaysUsable() {
        SlabAllocator limited = SlabAllocator.builder().chunkSize(CHUNK).maxMemory(2L * CHUNK).build();
        SlabByteBufAllocator small = new SlabByteBufAllocator(limited);
        try {
            assertThrows(OutOfMemoryError.class, () -> small.directBuffer(4 * CHUNK));
            ByteBuf buf = small.directBuffer(1000);
            Patterns.fill(buf, 3);
            long address = buf.memoryAddress();
            SlabOutOfMemoryError e = assertThrows(SlabOutOfMemoryError.class, () -> buf.capacity(4 * CHUNK));
            assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
            assertEquals(1000, buf.capacity(), "a failed reallocation leaves the buffer as it was");
            assertEquals(address, buf.memoryAddress());
            Patterns.check(buf, 3);
            buf.release();
            ByteBuf next = small.directBuffer(CHUNK / 2);
            Patterns.fill(next, 4);
            Patterns.check(next, 4);
            next.release();
            assertEquals(0, small.stats().usedBytes());
        } finally {
            limited.close();
        }
    }

    @Test
    void compositeConsolidationAndDecoderCumulationWithOddSizes() {
        SplittableRandom random = new SplittableRandom(11);
        byte[] expected = new byte[600_001];
        random.nextBytes(expected);

        CompositeByteBuf composite = alloc.compositeDirectBuffer(8);
        ByteBuf merged = null;
        ByteBuf compositeCumulation = null;
        int offset = 0;
        while (offset < expected.length) {
            int length = Math.min(expected.length - offset, 1 + random.nextInt(70_000));
            composite.addComponent(true, alloc.directBuffer(length).writeBytes(expected, offset, length));
            ByteBuf in = alloc.directBuffer(length).writeBytes(expected, offset, length);
            merged = merged == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(alloc, merged, in);
            ByteBuf in2 = alloc.directBuffer(length).writeBytes(expected, offset, length);
            compositeCumulation = compositeCumulation == null
                ? in2 : ByteToMessageDecoder.COMPOSITE_CUMULATOR.cumulate(alloc, compositeCumulation, in2);
            offset += length;
        }
        for (ByteBuf buf : List.of(composite, merged, compositeCumulation)) {
            assertEquals(expected.length, buf.readableBytes());
            byte[] actual = new byte[expected.length];
            buf.getBytes(buf.readerIndex(), actual);
            assertArrayEquals(expected, actual);
            assertTrue(buf.release());
        }
    }

    @Test
    void transfersBetweenSlabHeapAndWrappedBuffers() {
        ByteBuf src = alloc.directBuffer(10_000);
        Patterns.fill(src, 5);
        src.writerIndex(10_000);
        List<ByteBuf> targets = new ArrayList<>();
        targets.add(alloc.directBuffer(10_000));
        targets.add(alloc.heapBuffer(10_000));
        targets.add(Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(10_000)).clear());
        targets.add(Unpooled.wrappedBuffer(ByteBuffer.allocate(10_000).asReadOnlyBuffer()).clear());
        targets.add(alloc.directBuffer(10_000).asReadOnly());
        for (ByteBuf target : targets) {
            if (target.isReadOnly()) {
                assertThrows(ReadOnlyBufferException.class, () -> src.getBytes(0, target, 0, 10));
            } else {
                src.getBytes(0, target, 0, 10_000);
                ByteBuf back = alloc.directBuffer(10_000);
                back.setBytes(0, target, 0, 10_000);
                Patterns.check(back, 5);
                back.release();
            }
            target.release();
        }
        src.release();
    }
}
