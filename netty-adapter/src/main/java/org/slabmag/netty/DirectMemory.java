package org.slabmag.netty;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;

/**
 * Raw access to native memory by address, and NIO views of native regions, for {@link SlabDirectByteBuf}.
 *
 * <p>Everything goes through Agrona's {@link UnsafeApi} ({@code jdk.internal.misc.Unsafe}), which works on
 * JDK 17 and JDK 25 alike given {@code --add-opens java.base/jdk.internal.misc=ALL-UNNAMED} (slabmag-core
 * needs the same flag). Netty's {@code PlatformDependent} is not used: on JDK 25 Netty turns
 * {@code sun.misc.Unsafe} off by default and its raw-memory helpers stop working.
 *
 * <p>NIO views: the JDK offers no public way to wrap an arbitrary native address in a
 * {@link ByteBuffer} on JDK 17 (its {@code DirectByteBuffer(long, int)} constructor is private, and
 * reaching it needs {@code --add-opens java.base/java.nio}). {@link #view(long, int)} therefore
 * duplicates a zero-capacity direct template buffer and sets the duplicate's {@code address} and
 * {@code capacity} fields before anyone else sees it. A duplicate has no cleaner, so a view never frees
 * the memory it covers; the memory's owner must keep it alive while the view is used. The class
 * initializer checks that this works in the running JVM and fails loudly otherwise.
 *
 * <p>Stateless and thread-safe. Callers check bounds; nothing here does.
 */
final class DirectMemory {
    private static final long BYTE_ARRAY_BASE = UnsafeApi.arrayBaseOffset(byte[].class);
    /** Heap copies are split so that a safepoint can happen between pieces (as the JDK does). */
    private static final long HEAP_COPY_PIECE = 1L << 20;

    private static final ByteBuffer TEMPLATE = ByteBuffer.allocateDirect(0);
    private static final long ADDRESS_FIELD = BufferUtil.BYTE_BUFFER_ADDRESS_FIELD_OFFSET;
    private static final long CAPACITY_FIELD = UnsafeApi.objectFieldOffset(Buffer.class, "capacity");

    static {
        selfCheck();
    }

    private DirectMemory() {
    }

    /**
     * A new big-endian {@link ByteBuffer} with position 0 and limit = capacity = {@code length} over
     * {@code [address, address + length)}. Direct, writable, without cleaner.
     */
    static ByteBuffer view(long address, int length) {
        ByteBuffer view = TEMPLATE.duplicate();
        UnsafeApi.putLong(view, ADDRESS_FIELD, address);
        UnsafeApi.putInt(view, CAPACITY_FIELD, length);
        view.limit(length);
        return view;
    }

    static byte getByte(long address) {
        return UnsafeApi.getByte(address);
    }

    static void putByte(long address, byte value) {
        UnsafeApi.putByte(address, value);
    }

    static short getShort(long address, boolean bigEndian) {
        return UnsafeApi.getShortUnaligned(null, address, bigEndian);
    }

    static void putShort(long address, short value, boolean bigEndian) {
        UnsafeApi.putShortUnaligned(null, address, value, bigEndian);
    }

    static int getInt(long address, boolean bigEndian) {
        return UnsafeApi.getIntUnaligned(null, address, bigEndian);
    }

    static void putInt(long address, int value, boolean bigEndian) {
        UnsafeApi.putIntUnaligned(null, address, value, bigEndian);
    }

    static long getLong(long address, boolean bigEndian) {
        return UnsafeApi.getLongUnaligned(null, address, bigEndian);
    }

    static void putLong(long address, long value, boolean bigEndian) {
        UnsafeApi.putLongUnaligned(null, address, value, bigEndian);
    }

    /** Native to native; the ranges may overlap. */
    static void copy(long srcAddress, long dstAddress, int length) {
        UnsafeApi.copyMemory(srcAddress, dstAddress, length);
    }

    static void copyToArray(long srcAddress, byte[] dst, int dstIndex, int length) {
        long src = srcAddress;
        long dstOffset = BYTE_ARRAY_BASE + dstIndex;
        long remaining = length;
        while (remaining > 0) {
            long piece = Math.min(remaining, HEAP_COPY_PIECE);
            UnsafeApi.copyMemory(null, src, dst, dstOffset, piece);
            src += piece;
            dstOffset += piece;
            remaining -= piece;
        }
    }

    static void copyFromArray(byte[] src, int srcIndex, long dstAddress, int length) {
        long srcOffset = BYTE_ARRAY_BASE + srcIndex;
        long dst = dstAddress;
        long remaining = length;
        while (remaining > 0) {
            long piece = Math.min(remaining, HEAP_COPY_PIECE);
            UnsafeApi.copyMemory(src, srcOffset, null, dst, piece);
            srcOffset += piece;
            dst += piece;
            remaining -= piece;
        }
    }

    static void fill(long address, int length, byte value) {
        UnsafeApi.setMemory(address, length, value);
    }

    private static void selfCheck() {
        long address = UnsafeApi.allocateMemory(16);
        try {
            UnsafeApi.putLong(address, 0x0102030405060708L);
            UnsafeApi.putLong(address + 8, 0L);
            ByteBuffer view = view(address, 16);
            boolean ok = view.isDirect() && !view.isReadOnly() && view.capacity() == 16
                && view.order() == ByteOrder.BIG_ENDIAN
                && BufferUtil.address(view) == address
                && view.order(ByteOrder.nativeOrder()).getLong(0) == 0x0102030405060708L;
            view.putLong(8, 42L);
            ok &= UnsafeApi.getLong(address + 8) == 42L;
            ByteBuffer slice = view.position(4).slice();
            ok &= slice.capacity() == 12 && BufferUtil.address(slice) == address + 4;
            if (!ok) {
                throw new ExceptionInInitializerError("slabmag-netty: cannot create NIO views of native memory in "
                    + "this JVM (" + System.getProperty("java.vm.name") + ' ' + System.getProperty("java.version")
                    + ")");
            }
        } finally {
            UnsafeApi.freeMemory(address);
        }
    }
}
