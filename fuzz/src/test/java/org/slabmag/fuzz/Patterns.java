package org.slabmag.fuzz;

import io.netty.buffer.ByteBuf;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;

/**
 * A pattern derived from an id, written over a block of native memory, a Netty buffer or an Agrona buffer and
 * checked later. Up to {@value #FULL} bytes are covered entirely; longer regions on their first and last 4 KiB
 * and 8 bytes every 4 KiB, which keeps multi-MiB blocks cheap and still touches every page.
 */
final class Patterns {
    private static final int FULL = 1 << 16;
    private static final int EDGE = 4096;

    private Patterns() {
    }

    static long word(long id, long offset) {
        long z = id * 0x9E3779B97F4A7C15L + offset;
        z = (z ^ (z >>> 31)) * 0xBF58476D1CE4E5B9L;
        return z ^ (z >>> 29);
    }

    /** The next offset after {@code offset} that carries the pattern, in a region of {@code length} bytes. */
    private static long next(long offset, long length) {
        if (length <= FULL) {
            return offset + 8;
        }
        long tail = (length - EDGE) & ~7L;
        if (offset < EDGE || offset >= tail) {
            return offset + 8;
        }
        return Math.min((offset + EDGE) & -(long) EDGE, tail);
    }

    static void fill(long address, long length, long id) {
        for (long o = 0; o + 8 <= length; o = next(o, length)) {
            UnsafeApi.putLong(address + o, word(id, o));
        }
        long last = length & ~7L;
        for (long o = last; o < length; o++) {
            UnsafeApi.putByte(address + o, (byte) word(id, o));
        }
    }

    static void check(long address, long length, long id) {
        for (long o = 0; o + 8 <= length; o = next(o, length)) {
            long found = UnsafeApi.getLong(address + o);
            if (found != word(id, o)) {
                throw mismatch("block 0x" + Long.toHexString(address), length, o, found);
            }
        }
        long last = length & ~7L;
        for (long o = last; o < length; o++) {
            if (UnsafeApi.getByte(address + o) != (byte) word(id, o)) {
                throw mismatch("block 0x" + Long.toHexString(address), length, o, UnsafeApi.getByte(address + o));
            }
        }
    }

    static void fill(ByteBuf buf, long id) {
        int length = buf.capacity();
        for (int o = 0; o + 8 <= length; o = (int) next(o, length)) {
            buf.setLong(o, word(id, o));
        }
        for (int o = length & ~7; o < length; o++) {
            buf.setByte(o, (int) word(id, o));
        }
    }

    static void check(ByteBuf buf, long id) {
        int length = buf.capacity();
        for (int o = 0; o + 8 <= length; o = (int) next(o, length)) {
            long found = buf.getLong(o);
            if (found != word(id, o)) {
                throw mismatch("Netty buffer " + id, length, o, found);
            }
        }
        for (int o = length & ~7; o < length; o++) {
            if (buf.getByte(o) != (byte) word(id, o)) {
                throw mismatch("Netty buffer " + id, length, o, buf.getByte(o));
            }
        }
    }

    static void fill(MutableDirectBuffer buf, long id) {
        int length = buf.capacity();
        for (int o = 0; o + 8 <= length; o = (int) next(o, length)) {
            buf.putLong(o, word(id, o));
        }
        for (int o = length & ~7; o < length; o++) {
            buf.putByte(o, (byte) word(id, o));
        }
    }

    static void check(MutableDirectBuffer buf, long id) {
        int length = buf.capacity();
        for (int o = 0; o + 8 <= length; o = (int) next(o, length)) {
            long found = buf.getLong(o);
            if (found != word(id, o)) {
                throw mismatch("pooled buffer " + id, length, o, found);
            }
        }
        for (int o = length & ~7; o < length; o++) {
            if (buf.getByte(o) != (byte) word(id, o)) {
                throw mismatch("pooled buffer " + id, length, o, buf.getByte(o));
            }
        }
    }

    private static AssertionError mismatch(String what, long length, long offset, long found) {
        return new AssertionError(what + " of " + length + " bytes overwritten at offset " + offset + ": found 0x"
            + Long.toHexString(found));
    }
}
