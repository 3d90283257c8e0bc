package org.slabmag.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;

import io.netty.buffer.AbstractByteBufTest;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

/**
 * Netty's buffer contract suite over slab direct buffers, in the byte order of the subclass.
 *
 * <p>One inherited test is replaced, as Netty's own pooled suites do: {@link #testMaxFastWritableBytes()}
 * asserts that {@code maxFastWritableBytes() == writableBytes()}, which holds for unpooled buffers only;
 * slab buffers expose their size-class slack instead.
 */
abstract class AbstractSlabDirectByteBufTest extends AbstractByteBufTest {
    private final ByteOrder order;

    AbstractSlabDirectByteBufTest(ByteOrder order) {
        this.order = order;
    }

    @Override
    @SuppressWarnings("deprecation") // ByteBuf.order(ByteOrder): how Netty's own suites test little-endian views
    protected final ByteBuf newBuffer(int length, int maxCapacity) {
        ByteBuf buffer = TestAllocators.SHARED.directBuffer(length, maxCapacity).order(order);
        assertSame(order, buffer.order());
        assertTrue(buffer.isDirect());
        assertEquals(0, buffer.readerIndex());
        assertEquals(0, buffer.writerIndex());
        return buffer;
    }

    /** The slab counterpart of Netty's pooled {@code testMaxFastWritableBytes}. */
    @Override
    @Test
    public void testMaxFastWritableBytes() {
        ByteBuf buffer = newBuffer(150, 500).writerIndex(100);
        try {
            assertEquals(50, buffer.writableBytes());
            assertEquals(150, buffer.capacity());
            assertEquals(500, buffer.maxCapacity());
            assertEquals(400, buffer.maxWritableBytes());

            int region = TestAllocators.SHARED.slabAllocator().usableSize(150);
            int fast = Math.min(region - 100, 400);
            assertEquals(fast, buffer.maxFastWritableBytes());

            long address = buffer.memoryAddress();
            buffer.writeBytes(new byte[fast]);
            assertEquals(address, buffer.memoryAddress(), "growing within the slack must not move the buffer");
            assertEquals(0, buffer.maxFastWritableBytes());

            buffer.writeByte(7);
            assertNotEquals(address, buffer.memoryAddress(), "growing past the slack moves the buffer");
            assertEquals(7, buffer.getByte(100 + fast));
        } finally {
            buffer.release();
        }
    }

    @Test
    void ensureWritableWithinSlackKeepsTheRegion() {
        ByteBuf buffer = newBuffer(1, 10_000);
        try {
            int region = TestAllocators.SHARED.slabAllocator().usableSize(1);
            long address = buffer.memoryAddress();
            buffer.writeByte(1);
            buffer.ensureWritable(region - 1);
            assertEquals(region, buffer.capacity());
            assertEquals(address, buffer.memoryAddress());
            buffer.ensureWritable(region);
            assertTrue(buffer.capacity() >= 2 * region);
            assertEquals(1, buffer.getByte(0));
        } finally {
            buffer.release();
        }
    }
}
