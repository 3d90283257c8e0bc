package org.slabmag.netty;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ScatteringByteChannel;

import io.netty.buffer.AbstractReferenceCountedByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.IllegalReferenceCountException;

/**
 * A direct {@link ByteBuf} over one region of a {@link org.slabmag.SlabAllocator}.
 *
 * <h2>Region</h2>
 * The buffer owns {@code [address, address + regionSize)}, obtained by {@code allocate(allocSize)} and
 * returned by {@code free(address, allocSize)} exactly once, in {@link #deallocate()}. {@code regionSize}
 * is the allocator's usable size for {@code allocSize}, so {@code capacity <= regionSize} and the slack
 * is exposed through {@link #maxFastWritableBytes()}: growing within it costs nothing. Capacity 0 is
 * served by a 1-byte request (the allocator has no empty blocks), so a buffer always owns a real region
 * and {@link #memoryAddress()} is never 0 while the buffer is accessible.
 *
 * <p>The region never shrinks: {@link #capacity(int)} grows in place up to {@code regionSize},
 * reallocates (copy, then free the old region) beyond it, and lowers the capacity in place. Every index
 * that was inside the capacity when a slice or duplicate was derived therefore stays inside the current
 * region for the buffer's whole life, so derived buffers (which access this buffer's memory through the
 * unchecked {@code _get}/{@code _set} primitives) never reach outside memory this buffer owns.
 *
 * <h2>Memory access</h2>
 * Primitive accesses are single unaligned loads and stores by address through {@link DirectMemory}
 * (Agrona's {@code UnsafeApi}); they work whether or not Netty has {@code sun.misc.Unsafe} (JDK 25 turns
 * it off). NIO views ({@link #nioBuffer(int, int)}, {@link #internalNioBuffer(int, int)}) are direct
 * {@link ByteBuffer}s over the region; the internal one is created on first use and kept until the
 * region changes.
 *
 * <h2>Threads</h2>
 * Like every Netty buffer it is not thread-safe for access; reference counting is. {@link #deallocate()}
 * may run on any thread: it clears the buffer's references to the region before handing the memory
 * back, and the allocator's {@code free} makes every write to the region happen-before a later
 * allocation of the same memory.
 *
 * <h2>After release</h2>
 * A released buffer never touches native memory, also with Netty's
 * {@code -Dio.netty.buffer.checkAccessible=false}: {@link #deallocate()} sets the capacity and both
 * indices to 0 and the address to 0, so Netty's bounds checks throw {@link IndexOutOfBoundsException};
 * and every primitive, bulk transfer, NIO view and {@link #memoryAddress()} checks the address and
 * throws {@link IllegalReferenceCountException} for 0, which also stops slices and duplicates (whose
 * own capacity did not change) and Netty's {@code -Dio.netty.buffer.checkBounds=false}. With the
 * default settings Netty's {@code ensureAccessible} throws {@link IllegalReferenceCountException}
 * first, as for any released Netty buffer.
 *
 * <h2>After the slab allocator is closed</h2>
 * A live buffer keeps its region: the closed allocator does not unmap memory a buffer holds, so reads
 * and writes keep working; growing beyond the region throws {@link IllegalStateException} (no new
 * memory); the last release gives the region back without an exception.
 *
 * <p>Buffer objects are not recycled: on a plain (non-event-loop) thread a get/recycle through Netty's
 * {@code Recycler} measured about five times the cost of allocating a fresh object of this size, and a
 * fresh object needs no path back to its allocating thread when released elsewhere.
 */
final class SlabDirectByteBuf extends AbstractReferenceCountedByteBuf {
    private final SlabByteBufAllocator alloc;
    /** Start of the region; 0 once deallocated, and then every access throws (see {@link #addr()}). */
    private long address;
    /** The size passed to {@code allocate}, needed by {@code free}. */
    private int allocSize;
    /**
     * Bytes of the region, {@code usableSize(allocSize)}, never less than {@link #capacity}; 0 until first
     * needed (most buffers never grow, so the allocation path does not look it up).
     */
    private int regionSize;
    private int capacity;
    /** View over the whole region for {@link #internalNioBuffer(int, int)}; null until first use. */
    private ByteBuffer internalNio;

    SlabDirectByteBuf(SlabByteBufAllocator alloc, long address, int allocSize, int initialCapacity, int maxCapacity) {
        super(maxCapacity);
        this.alloc = alloc;
        this.address = address;
        this.allocSize = allocSize;
        this.capacity = initialCapacity;
    }

    /** The size to request for a buffer of {@code capacity} bytes. */
    static int requestSize(int capacity) {
        return Math.max(capacity, 1);
    }

    // ---------------------------------------------------------------- lifecycle and capacity

    @Override
    protected void deallocate() {
        long region = address;
        int size = allocSize;
        address = 0;
        capacity = 0;
        trimIndicesToCapacity(0);
        internalNio = null;
        alloc.freeRegion(region, size);
    }

    /**
     * The region's address, for every access to it.
     *
     * @throws IllegalReferenceCountException if the buffer was released (address 0), whatever Netty's
     *                                        {@code checkAccessible} and {@code checkBounds} say
     */
    private long addr() {
        long a = address;
        if (a == 0) {
            throw new IllegalReferenceCountException(0);
        }
        return a;
    }

    private int regionSize() {
        int size = regionSize;
        if (size == 0) {
            size = alloc.regionSize(allocSize);
            regionSize = size;
        }
        return size;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public ByteBuf capacity(int newCapacity) {
        checkNewCapacity(newCapacity);
        long oldAddress = addr();
        int oldCapacity = capacity;
        if (newCapacity <= regionSize()) {
            if (newCapacity < oldCapacity) {
                trimIndicesToCapacity(newCapacity);
            }
            capacity = newCapacity;
            return this;
        }
        int newAllocSize = requestSize(newCapacity);
        long newAddress = alloc.allocateRegion(newAllocSize);
        int newRegionSize = alloc.regionSize(newAllocSize);
        DirectMemory.copy(oldAddress, newAddress, oldCapacity);
        int oldAllocSize = allocSize;
        address = newAddress;
        allocSize = newAllocSize;
        regionSize = newRegionSize;
        capacity = newCapacity;
        internalNio = null;
        alloc.freeRegion(oldAddress, oldAllocSize);
        return this;
    }

    @Override
    public int maxFastWritableBytes() {
        return Math.min(regionSize(), maxCapacity()) - writerIndex();
    }

    @Override
    public ByteBufAllocator alloc() {
        return alloc;
    }

    /** Big-endian, as every Netty buffer; {@code order(LITTLE_ENDIAN)} wraps it (Netty's {@code SwappedByteBuf}). */
    @Override
    @SuppressWarnings("deprecation")
    public ByteOrder order() {
        return ByteOrder.BIG_ENDIAN;
    }

    @Override
    public ByteBuf unwrap() {
        return null;
    }

    @Override
    public boolean isDirect() {
        return true;
    }

    @Override
    public boolean isContiguous() {
        return true;
    }

    @Override
    public boolean hasArray() {
        return false;
    }

    @Override
    public byte[] array() {
        throw new UnsupportedOperationException("direct buffer");
    }

    @Override
    public int arrayOffset() {
        throw new UnsupportedOperationException("direct buffer");
    }

    @Override
    public boolean hasMemoryAddress() {
        return true;
    }

    @Override
    public long memoryAddress() {
        ensureAccessible();
        return addr();
    }

    // ---------------------------------------------------------------- primitives (bounds checked by callers)

    @Override
    protected byte _getByte(int index) {
        return DirectMemory.getByte(addr() + index);
    }

    @Override
    protected short _getShort(int index) {
        return DirectMemory.getShort(addr() + index, true);
    }

    @Override
    protected short _getShortLE(int index) {
        return DirectMemory.getShort(addr() + index, false);
    }

    @Override
    protected int _getUnsignedMedium(int index) {
        long a = addr() + index;
        return (DirectMemory.getByte(a) & 0xff) << 16 | DirectMemory.getShort(a + 1, true) & 0xffff;
    }

    @Override
    protected int _getUnsignedMediumLE(int index) {
        long a = addr() + index;
        return DirectMemory.getByte(a) & 0xff | (DirectMemory.getShort(a + 1, false) & 0xffff) << 8;
    }

    @Override
    protected int _getInt(int index) {
        return DirectMemory.getInt(addr() + index, true);
    }

    @Override
    protected int _getIntLE(int index) {
        return DirectMemory.getInt(addr() + index, false);
    }

    @Override
    protected long _getLong(int index) {
        return DirectMemory.getLong(addr() + index, true);
    }

    @Override
    protected long _getLongLE(int index) {
        return DirectMemory.getLong(addr() + index, false);
    }

    @Override
    protected void _setByte(int index, int value) {
        DirectMemory.putByte(addr() + index, (byte) value);
    }

    @Override
    protected void _setShort(int index, int value) {
        DirectMemory.putShort(addr() + index, (short) value, true);
    }

    @Override
    protected void _setShortLE(int index, int value) {
        DirectMemory.putShort(addr() + index, (short) value, false);
    }

    @Override
    protected void _setMedium(int index, int value) {
        long a = addr() + index;
        DirectMemory.putByte(a, (byte) (value >>> 16));
        DirectMemory.putShort(a + 1, (short) value, true);
    }

    @Override
    protected void _setMediumLE(int index, int value) {
        long a = addr() + index;
        DirectMemory.putByte(a, (byte) value);
        DirectMemory.putShort(a + 1, (short) (value >>> 8), false);
    }

    @Override
    protected void _setInt(int index, int value) {
        DirectMemory.putInt(addr() + index, value, true);
    }

    @Override
    protected void _setIntLE(int index, int value) {
        DirectMemory.putInt(addr() + index, value, false);
    }

    @Override
    protected void _setLong(int index, long value) {
        DirectMemory.putLong(addr() + index, value, true);
    }

    @Override
    protected void _setLongLE(int index, long value) {
        DirectMemory.putLong(addr() + index, value, false);
    }

    @Override
    public ByteBuf setZero(int index, int length) {
        checkIndex(index, length);
        DirectMemory.fill(addr() + index, length, (byte) 0);
        return this;
    }

    // ---------------------------------------------------------------- bulk transfers

    @Override
    public ByteBuf getBytes(int index, ByteBuf dst, int dstIndex, int length) {
        checkDstIndex(index, length, dstIndex, dst.capacity());
        if (length == 0) {
            return this;
        }
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        if (dst.hasMemoryAddress()) {
            DirectMemory.copy(addr() + index, dst.memoryAddress() + dstIndex, length);
        } else if (dst.hasArray()) {
            DirectMemory.copyToArray(addr() + index, dst.array(), dst.arrayOffset() + dstIndex, length);
        } else {
            dst.setBytes(dstIndex, this, index, length);
        }
        return this;
    }

    @Override
    public ByteBuf getBytes(int index, byte[] dst, int dstIndex, int length) {
        checkDstIndex(index, length, dstIndex, dst.length);
        DirectMemory.copyToArray(addr() + index, dst, dstIndex, length);
        return this;
    }

    @Override
    public ByteBuf getBytes(int index, ByteBuffer dst) {
        int length = dst.remaining();
        checkIndex(index, length);
        dst.put(newView(index, length));
        return this;
    }

    @Override
    public ByteBuf getBytes(int index, OutputStream out, int length) throws IOException {
        checkIndex(index, length);
        if (length == 0) {
            return this;
        }
        byte[] chunk = new byte[Math.min(length, 8192)];
        long from = addr() + index;
        int remaining = length;
        while (remaining > 0) {
            int n = Math.min(remaining, chunk.length);
            DirectMemory.copyToArray(from, chunk, 0, n);
            out.write(chunk, 0, n);
            from += n;
            remaining -= n;
        }
        return this;
    }

    @Override
    public int getBytes(int index, GatheringByteChannel out, int length) throws IOException {
        checkIndex(index, length);
        if (length == 0) {
            return 0;
        }
        return out.write(newView(index, length));
    }

    @Override
    public int getBytes(int index, FileChannel out, long position, int length) throws IOException {
        checkIndex(index, length);
        if (length == 0) {
            return 0;
        }
        return out.write(newView(index, length), position);
    }

    @Override
    public int readBytes(GatheringByteChannel out, int length) throws IOException {
        checkReadableBytes(length);
        if (length == 0) {
            return 0;
        }
        int written = out.write(internalNioBuffer(readerIndex(), length));
        readerIndex(readerIndex() + written);
        return written;
    }

    @Override
    public int readBytes(FileChannel out, long position, int length) throws IOException {
        checkReadableBytes(length);
        if (length == 0) {
            return 0;
        }
        int written = out.write(internalNioBuffer(readerIndex(), length), position);
        readerIndex(readerIndex() + written);
        return written;
    }

    @Override
    public ByteBuf setBytes(int index, ByteBuf src, int srcIndex, int length) {
        checkSrcIndex(index, length, srcIndex, src.capacity());
        if (length == 0) {
            return this;
        }
        if (src.hasMemoryAddress()) {
            DirectMemory.copy(src.memoryAddress() + srcIndex, addr() + index, length);
        } else if (src.hasArray()) {
            DirectMemory.copyFromArray(src.array(), src.arrayOffset() + srcIndex, addr() + index, length);
        } else {
            src.getBytes(srcIndex, this, index, length);
        }
        return this;
    }

    @Override
    public ByteBuf setBytes(int index, byte[] src, int srcIndex, int length) {
        checkSrcIndex(index, length, srcIndex, src.length);
        DirectMemory.copyFromArray(src, srcIndex, addr() + index, length);
        return this;
    }

    @Override
    public ByteBuf setBytes(int index, ByteBuffer src) {
        int length = src.remaining();
        checkIndex(index, length);
        newView(index, length).put(src);
        return this;
    }

    @Override
    public int setBytes(int index, InputStream in, int length) throws IOException {
        checkIndex(index, length);
        byte[] chunk = new byte[length];
        int read = in.read(chunk, 0, length);
        if (read > 0) {
            DirectMemory.copyFromArray(chunk, 0, addr() + index, read);
        }
        return read;
    }

    @Override
    public int setBytes(int index, ScatteringByteChannel in, int length) throws IOException {
        checkIndex(index, length);
        try {
            return in.read(internalNioBuffer(index, length));
        } catch (ClosedChannelException e) {
            return -1;
        }
    }

    @Override
    public int setBytes(int index, FileChannel in, long position, int length) throws IOException {
        checkIndex(index, length);
        try {
            return in.read(internalNioBuffer(index, length), position);
        } catch (ClosedChannelException e) {
            return -1;
        }
    }

    @Override
    public ByteBuf copy(int index, int length) {
        checkIndex(index, length);
        ByteBuf copy = alloc.directBuffer(length, maxCapacity());
        try {
            copy.writeBytes(this, index, length);
        } catch (Throwable t) {
            copy.release();
            throw t;
        }
        return copy;
    }

    // ---------------------------------------------------------------- NIO views

    @Override
    public int nioBufferCount() {
        return 1;
    }

    @Override
    public ByteBuffer nioBuffer(int index, int length) {
        checkIndex(index, length);
        return newView(index, length);
    }

    @Override
    public ByteBuffer[] nioBuffers(int index, int length) {
        return new ByteBuffer[] {nioBuffer(index, length)};
    }

    @Override
    public ByteBuffer internalNioBuffer(int index, int length) {
        checkIndex(index, length);
        ByteBuffer view = internalNio;
        if (view == null) {
            view = DirectMemory.view(addr(), regionSize());
            internalNio = view;
        }
        view.limit(index + length).position(index);
        return view;
    }

    /** A fresh view of {@code [index, index + length)}; bounds already checked. */
    private ByteBuffer newView(int index, int length) {
        return DirectMemory.view(addr() + index, length);
    }
}
