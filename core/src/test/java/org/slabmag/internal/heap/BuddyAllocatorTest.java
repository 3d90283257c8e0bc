package org.slabmag.internal.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BuddyAllocatorTest {
    private static final int NONE = BuddyAllocator.NONE;

    @Test
    void rejectsOrdersOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> new BuddyAllocator(-1));
        assertThrows(IllegalArgumentException.class, () -> new BuddyAllocator(25));
        assertEquals(0, new BuddyAllocator(0).maxOrder());
        assertEquals(24, new BuddyAllocator(24).maxOrder());
    }

    @Test
    void emptyAllocatorHasNothing() {
        BuddyAllocator b = new BuddyAllocator(4);
        assertEquals(NONE, b.allocate(0));
        assertEquals(0, b.freePages());
        assertFalse(b.isFree(0));
        assertEquals(NONE, b.takenOrder(0));
    }

    @Test
    void splitsAndMergesAtEveryOrder() {
        int max = 10;
        for (int k = 0; k <= max; k++) {
            BuddyAllocator b = new BuddyAllocator(max);
            b.addRegion(0);
            assertEquals(1L << max, b.freePages());
            int p = b.allocate(k);
            assertEquals(0, p, "lowest block of order " + k);
            assertEquals(k, b.takenOrder(p));
            assertEquals((1L << max) - (1L << k), b.freePages());
            for (int j = 0; j <= max; j++) {
                assertEquals(j >= k && j < max ? 1 : 0, b.freeBlocks(j), "free blocks of order " + j
                        + " after split to " + k);
            }
            assertFalse(b.isFree(0));
            assertFalse(b.isRegionFree(0));
            for (int page = 1; page < (1 << k); page++) {
                assertEquals(NONE, b.takenOrder(page), "interior page " + page);
                assertFalse(b.isFree(page), "interior page " + page);
            }
            if (k < max) {
                assertTrue(b.isFree(1 << k));
                assertTrue(b.isFree((1 << max) - 1));
                int buddy = b.allocate(k);
                assertEquals(1 << k, buddy, "the buddy is id ^ (1 << k)");
                assertEquals(0, b.freeBlocks(k));
                assertEquals(k, b.free(p, k), "buddy still taken: no merge");
                assertEquals(NONE, b.takenOrder(p));
                assertTrue(b.isFree(p));
                assertEquals(max, b.free(buddy, k), "merges all the way up");
            } else {
                assertEquals(NONE, b.allocate(0), "nothing left");
                assertEquals(max, b.free(p, k));
            }
            for (int j = 0; j < max; j++) {
                assertEquals(0, b.freeBlocks(j), "no block of order " + j + " left after merge");
            }
            assertEquals(1, b.freeBlocks(max));
            assertTrue(b.isRegionFree(0));
            assertEquals(1L << max, b.freePages());
        }
    }

    @Test
    void allocationsOfOneOrderFillTheRegionInBuddyOrder() {
        int max = 6;
        for (int k = 0; k <= max; k++) {
            BuddyAllocator b = new BuddyAllocator(max);
            b.addRegion(0);
            Set<Integer> seen = new HashSet<>();
            for (int i = 0; i < 1 << (max - k); i++) {
                int p = b.allocate(k);
                assertNotEquals(NONE, p);
                assertEquals(0, p % (1 << k), "aligned to its order");
                assertTrue(seen.add(p));
            }
            assertEquals(NONE, b.allocate(k));
            assertEquals(0, b.freePages());
            for (int p : seen) {
                b.free(p, k);
            }
            assertTrue(b.isRegionFree(0));
        }
    }

    @Test
    void pageIdsAreRegionShiftedByMaxOrder() {
        int max = 5;
        BuddyAllocator b = new BuddyAllocator(max);
        b.addRegion(0);
        b.addRegion(1);
        b.addRegion(7); // sparse region ids grow the tables
        assertEquals(3L << max, b.freePages());
        assertEquals(3, b.freeBlocks(max));
        Set<Integer> heads = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            heads.add(b.allocate(max));
        }
        assertEquals(Set.of(0, 1 << max, 7 << max), heads);
        b.free(7 << max, max);
        List<Integer> pages = new ArrayList<>();
        for (int i = 0; i < 1 << max; i++) {
            int p = b.allocate(0);
            assertEquals(7, p >>> max, "region of page " + p);
            pages.add(p & ((1 << max) - 1));
        }
        assertEquals(1 << max, new HashSet<>(pages).size());
        assertEquals(NONE, b.takenOrder(6 << max), "region 6 was never added");
        assertFalse(b.isFree(6 << max));
        assertEquals(NONE, b.takenOrder(-1));
        assertFalse(b.isFree(-1));
        assertEquals(NONE, b.takenOrder(Integer.MAX_VALUE));
        assertFalse(b.isFree(Integer.MAX_VALUE));
    }

    @Test
    void regionsAreRemovedOnlyWhenEntirelyFree() {
        int max = 4;
        BuddyAllocator b = new BuddyAllocator(max);
        b.addRegion(0);
        b.addRegion(1);
        int p = b.allocate(0);
        int region = p >>> max;
        assertFalse(b.removeRegionIfFree(region));
        assertFalse(b.isRegionFree(region));
        assertTrue(b.isRegionFree(1 - region));
        assertTrue(b.removeRegionIfFree(1 - region));
        assertFalse(b.isRegionFree(1 - region));
        assertFalse(b.removeRegionIfFree(1 - region), "already gone");
        assertEquals((1L << max) - 1, b.freePages());
        // the removed region no longer serves
        for (int i = 1; i < 1 << max; i++) {
            assertEquals(region, b.allocate(0) >>> max);
        }
        assertEquals(NONE, b.allocate(0));
        b.addRegion(1 - region);
        assertEquals(1 - region, b.allocate(max) >>> max, "re-added region serves again");
    }

    @Test
    void takenOrderAndIsFreeDescribeEveryPage() {
        int max = 6;
        BuddyAllocator b = new BuddyAllocator(max);
        b.addRegion(0);
        int a = b.allocate(3); // 0..7
        int c = b.allocate(0); // 8
        int d = b.allocate(2); // 12..15
        assertEquals(0, a);
        assertEquals(8, c);
        assertEquals(12, d);
        assertEquals(3, b.takenOrder(0));
        assertEquals(0, b.takenOrder(8));
        assertEquals(2, b.takenOrder(12));
        for (int page = 0; page < 64; page++) {
            boolean taken = page < 9 || (page >= 12 && page < 16);
            assertEquals(!taken, b.isFree(page), "page " + page);
            boolean head = page == 0 || page == 8 || page == 12;
            assertEquals(head, b.takenOrder(page) != NONE, "head " + page);
        }
        assertEquals(1, b.freeBlocks(0)); // 9
        assertEquals(1, b.freeBlocks(1)); // 10..11
        assertEquals(0, b.freeBlocks(2));
        assertEquals(0, b.freeBlocks(3));
        assertEquals(1, b.freeBlocks(4)); // 16..31
        assertEquals(1, b.freeBlocks(5)); // 32..63
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 6})
    void randomizedAgainstAModel(int maxOrder) {
        Random rnd = new Random(42 + maxOrder);
        int regions = 3;
        int regionPages = 1 << maxOrder;
        BuddyAllocator b = new BuddyAllocator(maxOrder);
        boolean[] present = new boolean[regions];
        for (int r = 0; r < regions; r++) {
            b.addRegion(r);
            present[r] = true;
        }
        BitSet taken = new BitSet();
        List<int[]> live = new ArrayList<>(); // {page, order}
        for (int step = 0; step < 40_000; step++) {
            int op = rnd.nextInt(100);
            if (op < 55) {
                int k = rnd.nextInt(maxOrder + 1);
                int p = b.allocate(k);
                if (p == NONE) {
                    assertFalse(hasAlignedFreeRun(taken, present, regionPages, k),
                        "allocate(" + k + ") failed although an aligned free run exists");
                    continue;
                }
                assertEquals(0, p & ((1 << k) - 1), "block aligned to its order");
                int r = p >>> maxOrder;
                assertTrue(r < regions && present[r], "page " + p + " in a present region");
                int clash = taken.nextSetBit(p);
                assertFalse(clash >= 0 && clash < p + (1 << k), "overlap at page " + clash);
                taken.set(p, p + (1 << k));
                assertEquals(k, b.takenOrder(p));
                live.add(new int[] {p, k});
            } else if (op < 97) {
                if (live.isEmpty()) {
                    continue;
                }
                int[] blk = live.remove(rnd.nextInt(live.size()));
                assertEquals(blk[1], b.takenOrder(blk[0]));
                b.free(blk[0], blk[1]);
                taken.clear(blk[0], blk[0] + (1 << blk[1]));
                assertEquals(NONE, b.takenOrder(blk[0]));
            } else {
                int r = rnd.nextInt(regions);
                if (present[r]) {
                    boolean empty = taken.nextSetBit(r * regionPages) < 0
                        || taken.nextSetBit(r * regionPages) >= (r + 1) * regionPages;
                    assertEquals(empty, b.removeRegionIfFree(r), "region " + r + " free");
                    present[r] = !empty;
                } else {
                    b.addRegion(r);
                    present[r] = true;
                }
            }
            if (step % 97 == 0) {
                checkAgainstModel(b, taken, present, regionPages, maxOrder);
            }
        }
        checkAgainstModel(b, taken, present, regionPages, maxOrder);
        for (int[] blk : live) {
            b.free(blk[0], blk[1]);
        }
        int presentCount = 0;
        for (int r = 0; r < regions; r++) {
            if (present[r]) {
                presentCount++;
                assertTrue(b.isRegionFree(r), "region " + r + " coalesced back into one block");
            }
        }
        for (int k = 0; k < maxOrder; k++) {
            assertEquals(0, b.freeBlocks(k), "no fragment of order " + k + " left");
        }
        assertEquals(presentCount, b.freeBlocks(maxOrder));
        assertEquals((long) presentCount * regionPages, b.freePages());
    }

    private static void checkAgainstModel(BuddyAllocator b, BitSet taken, boolean[] present, int regionPages, int maxOrder) {
        long free = 0;
        for (int r = 0; r < present.length; r++) {
            for (int p = r * regionPages; p < (r + 1) * regionPages; p++) {
                boolean isFree = present[r] && !taken.get(p);
                if (isFree) {
                    free++;
                }
                assertEquals(isFree, b.isFree(p), "isFree(" + p + ")");
            }
        }
        assertEquals(free, b.freePages());
        long fromLists = 0;
        for (int k = 0; k <= maxOrder; k++) {
            fromLists += (long) b.freeBlocks(k) << k;
        }
        assertEquals(free, fromLists, "free lists cover exactly the free pages");
        // full coalescing: the number of free blocks is the minimal buddy decomposition of the free pages
        int expectedBlocks = 0;
        for (int r = 0; r < present.length; r++) {
            if (present[r]) {
                expectedBlocks += minimalBlocks(taken, r * regionPages, maxOrder);
            }
        }
        int blocks = 0;
        for (int k = 0; k <= maxOrder; k++) {
            blocks += b.freeBlocks(k);
        }
        assertEquals(expectedBlocks, blocks, "free buddies of equal order were left unmerged");
    }

    /** Free blocks in the buddy decomposition of the aligned block [base, base + 2^k). */
    private static int minimalBlocks(BitSet taken, int base, int k) {
        int next = taken.nextSetBit(base);
        if (next < 0 || next >= base + (1 << k)) {
            return 1;
        }
        if (k == 0) {
            return 0;
        }
        return minimalBlocks(taken, base, k - 1) + minimalBlocks(taken, base + (1 << (k - 1)), k - 1);
    }

    private static boolean hasAlignedFreeRun(BitSet taken, boolean[] present, int regionPages, int k) {
        for (int r = 0; r < present.length; r++) {
            if (!present[r]) {
                continue;
            }
            for (int p = r * regionPages; p < (r + 1) * regionPages; p += 1 << k) {
                int next = taken.nextSetBit(p);
                if (next < 0 || next >= p + (1 << k)) {
                    return true;
                }
            }
        }
        return false;
    }
}
