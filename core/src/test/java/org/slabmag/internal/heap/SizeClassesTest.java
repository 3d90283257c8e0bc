package org.slabmag.internal.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.slabmag.SlabAllocatorBuilder;

class SizeClassesTest {
    private static final int C = SizeClasses.COUNT;

    @Test
    void classOfEverySizeIsTheSmallestClassThatFits() {
        for (int size = 1; size <= SizeClasses.MAX_SLAB_BLOCK; size++) {
            int c = SizeClasses.classOf(size);
            if (c < 0 || c >= C) {
                fail("classOf(" + size + ") = " + c);
            }
            if (SizeClasses.blockSize(c) < size) {
                fail("classOf(" + size + ") = " + c + " whose block " + SizeClasses.blockSize(c) + " is too small");
            }
            if (c > 0 && SizeClasses.blockSize(c - 1) >= size) {
                fail("classOf(" + size + ") = " + c + " but class " + (c - 1) + " (" + SizeClasses.blockSize(c - 1)
                    + " bytes) already fits");
            }
        }
        assertEquals(-1, SizeClasses.classOf(SizeClasses.MAX_SLAB_BLOCK + 1));
        assertEquals(-1, SizeClasses.classOf(1 << 20));
        assertEquals(-1, SizeClasses.classOf(Integer.MAX_VALUE));
        assertEquals(0, SizeClasses.classOf(1));
        assertEquals(C - 1, SizeClasses.classOf(SizeClasses.MAX_SLAB_BLOCK));
    }

    @Test
    void blockSizesAreTheDocumentedTable() {
        assertEquals(44, C);
        for (int c = 0; c < 8; c++) {
            assertEquals(16 * (c + 1), SizeClasses.blockSize(c), "16 bytes apart up to 128");
        }
        // four per doubling: 2^n + k * 2^(n-2), k = 1..4, for n = 7..15
        int c = 8;
        for (int n = 7; n <= 15; n++) {
            for (int k = 1; k <= 4; k++) {
                assertEquals((1 << n) + (k << (n - 2)), SizeClasses.blockSize(c), "class " + c);
                c++;
            }
        }
        assertEquals(C, c);
        assertEquals(SizeClasses.MAX_SLAB_BLOCK, SizeClasses.blockSize(C - 1));
        for (int i = 1; i < C; i++) {
            assertTrue(SizeClasses.blockSize(i) > SizeClasses.blockSize(i - 1), "increasing at " + i);
        }
    }

    @Test
    void worstCaseWasteClaimsHold() {
        double wasteSum = 0;
        int n = 0;
        for (int size = 1; size <= SizeClasses.MAX_SLAB_BLOCK; size++) {
            int block = SizeClasses.blockSize(SizeClasses.classOf(size));
            int waste = block - size;
            if (size <= 128) {
                assertTrue(waste <= 15, "waste " + waste + " for " + size);
            } else {
                assertTrue(waste < 0.20 * block, "waste " + waste + " of block " + block + " for " + size);
                assertTrue(waste < 0.25 * size, "waste " + waste + " of request " + size);
                wasteSum += (double) waste / block;
                n++;
            }
        }
        // the worst case is hit: 2^n + 1 gets 1.25 * 2^n
        for (int e = 7; e < 16; e++) {
            assertEquals((1 << e) + (1 << (e - 2)), SizeClasses.blockSize(SizeClasses.classOf((1 << e) + 1)));
        }
        double mean = wasteSum / n;
        assertTrue(mean > 0.05 && mean < 0.15, "average waste about 10%: " + mean);
    }

    @Test
    void blocksAreAlignedToTheirLargestPowerOfTwoUpToAPage() {
        for (int c = 0; c < C; c++) {
            int block = SizeClasses.blockSize(c);
            int align = Math.min(SizeClasses.PAGE_SIZE, Integer.lowestOneBit(block));
            assertTrue(align >= 16, "at least 16-aligned: " + block);
            for (int i = 0; i < SizeClasses.blocksPerSlab(c); i++) {
                assertEquals(0, ((long) i * block) % align, "block " + i + " of class " + block);
            }
            if (Integer.bitCount(block) == 1) {
                assertEquals(Math.min(block, SizeClasses.PAGE_SIZE), align, "power-of-two classes naturally aligned");
            }
        }
    }

    @Test
    void slabGeometryClaimsHold() {
        int maxSlab = 0;
        for (int c = 0; c < C; c++) {
            int block = SizeClasses.blockSize(c);
            int pages = SizeClasses.slabPages(c);
            assertEquals(1, Integer.bitCount(pages), "power-of-two pages for " + block);
            int bytes = pages * SizeClasses.PAGE_SIZE;
            int blocks = SizeClasses.blocksPerSlab(c);
            assertEquals(bytes / block, blocks);
            assertTrue(good(block, pages), "slab of " + pages + " pages for " + block);
            if (pages > 1) {
                assertFalse(good(block, pages / 2), "not the smallest slab for " + block + ": " + pages + " pages");
            }
            // the reciprocal division is exact when offset * blockSize < 2^RECIPROCAL_SHIFT
            assertTrue((long) bytes * block < (1L << SizeClasses.RECIPROCAL_SHIFT));
            maxSlab = Math.max(maxSlab, bytes);
        }
        assertEquals(maxSlab, SizeClasses.maxSlabBytes());
        assertTrue(2 * SizeClasses.maxSlabBytes() <= SlabAllocatorBuilder.MIN_CHUNK_SIZE,
            "chunks of the minimum size hold two of the largest slabs");
    }

    private static boolean good(int block, int pages) {
        int bytes = pages * SizeClasses.PAGE_SIZE;
        int blocks = bytes / block;
        int min = block <= SizeClasses.PAGE_SIZE ? 8 : 4;
        return blocks >= min && bytes - blocks * block <= bytes / 16;
    }

    @Test
    void reciprocalDivisionIsExactForEveryOffsetOfEverySlab() {
        for (int c = 0; c < C; c++) {
            int block = SizeClasses.blockSize(c);
            int bytes = SizeClasses.slabPages(c) * SizeClasses.PAGE_SIZE;
            for (int offset = 0; offset < bytes; offset++) {
                int got = SizeClasses.blockIndex(c, offset);
                if (got != offset / block) {
                    fail("blockIndex(" + c + ", " + offset + ") = " + got + ", expected " + offset / block);
                }
            }
        }
    }
}
