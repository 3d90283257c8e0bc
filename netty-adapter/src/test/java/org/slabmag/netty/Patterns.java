package org.slabmag.netty;

import io.netty.buffer.ByteBuf;

/** A byte pattern derived from a buffer id, covering the buffer's whole capacity. */
final class Patterns {
    private Patterns() {
    }

    private static long word(long id, int index) {
        long z = id * 0x9E3779B97F4A7C15L + index;
        z = (z ^ (z >>> 31)) * 0xBF58476D1CE4E5B9L;
        return z ^ (z >>> 29);
    }

    /** Writes the pattern of {@code id} over {@code [0, capacity)}; indices are left alone. */
    static void fill(ByteBuf buf, long id) {
        int capacity = buf.capacity();
        int i = 0;
        for (; i + 8 <= capacity; i += 8) {
            buf.setLong(i, word(id, i));
        }
        for (; i < capacity; i++) {
            buf.setByte(i, (int) word(id, i));
        }
    }

    /** Checks the pattern of {@code id} over {@code [0, capacity)}. */
    static void check(ByteBuf buf, long id) {
        int capacity = buf.capacity();
        int i = 0;
        for (; i + 8 <= capacity; i += 8) {
            if (buf.getLong(i) != word(id, i)) {
                throw new AssertionError("buffer " + id + " (capacity " + capacity + ") overwritten at " + i);
            }
        }
        for (; i < capacity; i++) {
            if (buf.getByte(i) != (byte) word(id, i)) {
                throw new AssertionError("buffer " + id + " (capacity " + capacity + ") overwritten at " + i);
            }
        }
    }
}
