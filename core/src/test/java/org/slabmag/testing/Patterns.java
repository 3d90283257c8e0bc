package org.slabmag.testing;

import org.agrona.UnsafeApi;

/**
 * Fills blocks of native memory with a pattern derived from a seed (mix of address and a unique id)
 * and checks it. Blocks up to {@link #FULL_LIMIT} bytes are filled entirely; larger ones on their
 * first and last 4 KiB and 64 bytes every 64 KiB, so multi-MiB blocks stay cheap.
 */
public final class Patterns {
    public static final long FULL_LIMIT = 64 << 10;
    private static final long EDGE = 4096;
    private static final long STRIDE = 64 << 10;
    private static final long STRIDE_BYTES = 64;

    private Patterns() {
    }

    /** A seed unique to one allocation of one address. */
    public static long seed(long address, long id) {
        return mix(address * 0x9E3779B97F4A7C15L + id);
    }

    public static void fill(long address, long length, long seed) {
        visit(address, length, seed, true);
    }

    /** @throws AssertionError naming address, offset, expected and found value on a mismatch */
    public static void check(long address, long length, long seed) {
        visit(address, length, seed, false);
    }

    private static void visit(long address, long length, long seed, boolean write) {
        if (length <= FULL_LIMIT) {
            range(address, 0, length, seed, write);
            return;
        }
        range(address, 0, EDGE, seed, write);
        for (long o = STRIDE; o + STRIDE_BYTES <= length - EDGE; o += STRIDE) {
            range(address, o, o + STRIDE_BYTES, seed, write);
        }
        range(address, (length - EDGE) & ~7L, length, seed, write);
    }

    /** [from, to) of the block, from a multiple of 8. */
    private static void range(long address, long from, long to, long seed, boolean write) {
        long o = from;
        for (; o + 8 <= to; o += 8) {
            long expected = word(seed, o);
            if (write) {
                UnsafeApi.putLong(address + o, expected);
            } else {
                long found = UnsafeApi.getLong(address + o);
                if (found != expected) {
                    throw mismatch(address, o, expected, found);
                }
            }
        }
        if (o < to) {
            long w = word(seed, o);
            for (long b = o; b < to; b++) {
                byte expected = (byte) (w >>> ((b - o) << 3));
                if (write) {
                    UnsafeApi.putByte(address + b, expected);
                } else {
                    byte found = UnsafeApi.getByte(address + b);
                    if (found != expected) {
                        throw mismatch(address, b, expected, found);
                    }
                }
            }
        }
    }

    private static AssertionError mismatch(long address, long offset, long expected, long found) {
        return new AssertionError("pattern broken in block 0x" + Long.toHexString(address) + " at offset " + offset
            + ": expected 0x" + Long.toHexString(expected) + ", found 0x" + Long.toHexString(found)
            + " (block overwritten by another owner, or handed out twice)");
    }

    static long word(long seed, long offset) {
        return mix(seed + offset * 0xD6E8FEB86659FD93L);
    }

    private static long mix(long x) {
        x ^= x >>> 31;
        x *= 0xBF58476D1CE4E5B9L;
        x ^= x >>> 29;
        x *= 0x94D049BB133111EBL;
        x ^= x >>> 32;
        return x;
    }
}
