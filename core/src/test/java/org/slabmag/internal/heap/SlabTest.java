package org.slabmag.internal.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Slab bookkeeping is out of band, so slabs over a fake (never dereferenced) address are enough. */
class SlabTest {
    private static final long BASE = 0x7f00_0000_0000L;

    private static Slab slab(int c, boolean hardened) {
        int order = Integer.numberOfTrailingZeros(SizeClasses.slabPages(c));
        return new Slab(null, 0, order, BASE, c, hardened);
    }

    @Test
    void takesEveryBlockOnceInAddressOrderAndNothingFromTheTail() {
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            Slab s = slab(c, false);
            int cap = SizeClasses.blocksPerSlab(c);
            assertEquals(cap, s.capacity);
            assertTrue(s.isEmpty());
            long[] dst = new long[cap + 70];
            int got = s.take(dst, null, 0, cap + 70);
            assertEquals(cap, got, "class " + c + ": the bitmap tail beyond capacity is never handed out");
            for (int i = 0; i < cap; i++) {
                assertEquals(BASE + (long) i * s.blockSize, dst[i]);
                assertEquals(s.addressOf(i), dst[i]);
            }
            assertTrue(s.isFull());
            assertEquals(cap, s.taken());
            assertEquals(0, s.take(dst, null, 0, 1));
            for (int i = cap - 1; i >= 0; i--) {
                assertTrue(s.giveBack(i));
                assertFalse(s.giveBack(i), "second give-back of " + i + " is refused");
            }
            assertTrue(s.isEmpty());
            assertEquals(cap, s.take(dst, null, 0, cap + 1), "everything again after giving everything back");
        }
    }

    @Test
    void takesInBatchesAndReusesTheLowestFreeBlock() {
        int c = 0; // 16-byte class: 256 blocks, 4 bitmap words
        Slab s = slab(c, false);
        int cap = s.capacity;
        long[] dst = new long[cap];
        int off = 0;
        while (off < cap) {
            int n = s.take(dst, null, off, 7);
            assertTrue(n > 0);
            off += n;
        }
        assertEquals(cap, off);
        long[] sorted = dst.clone();
        Arrays.sort(sorted);
        for (int i = 1; i < cap; i++) {
            assertTrue(sorted[i] > sorted[i - 1], "distinct");
        }
        assertTrue(s.giveBack(200));
        assertTrue(s.giveBack(3));
        assertTrue(s.giveBack(130));
        long[] one = new long[1];
        assertEquals(1, s.take(one, null, 0, 1));
        assertEquals(s.addressOf(3), one[0]);
        assertEquals(1, s.take(one, null, 0, 1));
        assertEquals(s.addressOf(130), one[0]);
        assertEquals(1, s.take(one, null, 0, 1));
        assertEquals(s.addressOf(200), one[0]);
        assertEquals(0, s.take(one, null, 0, 1));
        assertEquals(cap, s.taken());
    }

    @Test
    void indexOfUsesExactReciprocalDivisionForEveryOffset() {
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            Slab s = slab(c, false);
            int block = s.blockSize;
            long used = (long) s.capacity * block;
            int bytes = SizeClasses.slabPages(c) * SizeClasses.PAGE_SIZE;
            for (int offset = 0; offset < bytes; offset++) {
                int expected = offset < used && offset % block == 0 ? offset / block : -1;
                int got = s.indexOf(BASE + offset);
                if (got != expected) {
                    fail("class " + c + " (" + block + " B) offset " + offset + ": indexOf = " + got + ", expected "
                            + expected);
                }
            }
            assertEquals(-1, s.indexOf(BASE - block));
            assertEquals(-1, s.indexOf(BASE - 1));
            assertEquals(-1, s.indexOf(BASE + bytes));
            assertEquals(-1, s.indexOf(BASE + (1L << 40)));
            assertEquals(-1, s.indexOf(Long.MIN_VALUE));
        }
    }

    @ParameterizedTest(name = "hardened={0}")
    @ValueSource(booleans = {false, true})
    void blockStatesTellLiveFreedAndNeverHandedOut(boolean hardened) {
        Slab s = slab(0, hardened); // 256 blocks
        for (int i : new int[] {0, 1, 63, 64, s.capacity - 1}) {
            assertEquals(Slab.NEVER, s.markFreed(i, Slab.LIVE), "never handed out");
            assertTrue(s.markLive(i));
            assertFalse(s.markLive(i), "already live");
            assertEquals(Slab.LIVE, s.markFreed(i, Slab.LIVE));
            assertEquals(Slab.FREED, s.markFreed(i, Slab.LIVE), "double free");
            assertTrue(s.markLive(i), "a freed block can be handed out again");
            assertEquals(Slab.LIVE, s.markFreed(i, Slab.LIVE));
        }
        assertEquals(Slab.NEVER, s.markFreed(2, Slab.LIVE), "untouched neighbours stay never-handed-out");
    }
}
