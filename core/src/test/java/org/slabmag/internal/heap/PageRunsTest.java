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

class PageRunsTest {
    private static final int NONE = PageRuns.NONE;

    @Test
    void rejectsOrdersOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> new PageRuns(-1));
        assertThrows(IllegalArgumentException.class, () -> new PageRuns(25));
        assertEquals(0, new PageRuns(0).maxOrder());
        assertEquals(24, new PageRuns(24).maxOrder());
    }

    @Test
    void binsAreContiguousAndTheirStartsExact() {
        int previous = -1;
        for (int pages = 1; pages <= 1 << 20; pages++) {
            int bin = PageRuns.binOf(pages);
            if (bin != previous) {
                assertEquals(previous + 1, bin, "no bin skipped at " + pages);
                assertEquals(pages, PageRuns.binStart(bin), "bin " + bin + " starts at " + pages);
                previous = bin;
            }
        }
        for (int pages = 1; pages < 16; pages++) {
            assertEquals(pages, PageRuns.binStart(PageRuns.binOf(pages)), "one bin per length below 16");
        }
        for (int bin = PageRuns.binOf(16); bin < PageRuns.binOf(1 << 20); bin++) {
            int start = PageRuns.binStart(bin);
            int next = PageRuns.binStart(bin + 1);
            assertTrue(next - start <= start / 8, "bin " + bin + ": [" + start + ", " + next + ") within 12.5%");
        }
    }

    @Test
    void emptyAllocatorHasNothing() {
        PageRuns b = new PageRuns(4);
        assertEquals(NONE, b.allocate(1));
        assertEquals(0, b.freePages());
        assertFalse(b.isFree(0));
        assertEquals(NONE, b.takenPages(0));
        assertEquals(0, b.freeRuns());
    }

    /** Every length from 1 page to the whole region: exactly that many pages, the rest free, all back after. */
    @Test
    void runsOfEveryLengthAreExactAndCoalesceBack() {
        int max = 6;
        int region = 1 << max;
        for (int n = 1; n <= region; n++) {
            PageRuns b = new PageRuns(max);
            b.addRegion(0);
            int p = b.allocate(n);
            assertNotEquals(NONE, p);
            assertEquals(n, b.takenPages(p));
            assertEquals(region - n, b.freePages(), "the tail of a " + n + "-page run stays free");
            assertEquals(n < region ? 1 : 0, b.freeRuns());
            for (int page = 0; page < region; page++) {
                boolean in = page >= p && page < p + n;
                assertEquals(!in, b.isFree(page), "page " + page + " of a " + n + "-page run at " + p);
                assertEquals(page == p, b.takenPages(page) != NONE, "only the head is a taken run");
            }
            if (n < region) {
                int rest = b.allocate(region - n);
                assertNotEquals(NONE, rest, "the tail serves a run of its exact length");
                assertEquals(0, b.freePages());
                assertFalse(b.free(rest));
            }
            assertTrue(b.free(p), "the region is whole again");
            assertTrue(b.isRegionFree(0));
            assertEquals(1, b.freeRuns());
            assertEquals(region, b.freePages());
        }
    }

    @Test
    void shortRunsComeFromTheLowEndAndLongRunsFromTheHighEnd() {
        PageRuns b = new PageRuns(8);
        b.addRegion(0);
        assertEquals(0, b.allocate(PageRuns.LOW_END_MAX));
        int longRun = b.allocate(PageRuns.LOW_END_MAX + 1);
        assertEquals(256 - (PageRuns.LOW_END_MAX + 1), longRun);
        assertEquals(PageRuns.LOW_END_MAX, b.allocate(1));
        assertTrue(b.isFree(PageRuns.LOW_END_MAX + 1));
        assertFalse(b.isFree(longRun));
    }

    @Test
    void aFreedRunMergesWithBothNeighbours() {
        PageRuns b = new PageRuns(5);
        b.addRegion(0);
        int a = b.allocate(3);
        int c = b.allocate(5);
        int d = b.allocate(2);
        int e = b.allocate(4);
        assertEquals(List.of(0, 3, 8, 10), List.of(a, c, d, e), "short runs are cut in address order");
        assertFalse(b.free(a));
        assertFalse(b.free(d));
        assertEquals(3, b.freeRuns(), "0..2, 8..9 and 14..31 are not adjacent");
        assertFalse(b.free(c));
        assertEquals(2, b.freeRuns(), "0..9 in one run");
        assertEquals(0, b.allocate(10), "a run of 10 fits exactly where three runs were freed");
        assertFalse(b.free(0));
        assertTrue(b.free(e), "and the last free merges the whole region");
        assertEquals(1, b.freeRuns());
    }

    @Test
    void bestFitTakesTheShortestFreeRunThatIsLongEnough() {
        PageRuns b = new PageRuns(6);
        b.addRegion(0);
        int[] p = new int[64];
        for (int i = 0; i < 64; i++) {
            p[i] = b.allocate(1);
            assertEquals(i, p[i]);
        }
        freeRange(b, 2, 9);    // 7 pages
        freeRange(b, 20, 24);  // 4 pages
        freeRange(b, 30, 35);  // 5 pages
        freeRange(b, 40, 60);  // 20 pages
        assertEquals(30, b.allocate(5), "the 5-page run, not the first or the largest");
        assertEquals(20, b.allocate(3), "the 4-page run");
        assertEquals(23, b.allocate(1), "its 1-page rest");
        assertEquals(2, b.allocate(6), "the 7-page run");
        assertEquals(60 - 18, b.allocate(18), "an 18-page run from the high end of the 20-page run");
        assertEquals(40, b.allocate(2));
        assertEquals(8, b.allocate(1));
        assertEquals(0, b.freePages());
        assertEquals(NONE, b.allocate(1));
    }

    /** Runs of one bin may differ in length: a too-short one is passed over for a long enough one. */
    @Test
    void withinABinOnlyALongEnoughRunIsTaken() {
        PageRuns b = new PageRuns(8);
        b.addRegion(0);
        int[] p = new int[256];
        for (int i = 0; i < 256; i++) {
            p[i] = b.allocate(1);
        }
        freeRange(b, 50, 67);   // 17 pages: bin [16, 18)
        freeRange(b, 10, 26);   // 16 pages: same bin, first in its list
        assertEquals(PageRuns.binOf(16), PageRuns.binOf(17));
        assertEquals(50, b.allocate(17), "the 16-page run is too short");
        assertEquals(NONE, b.allocate(17));
        assertEquals(10, b.allocate(16));
    }

    /** More too-short runs in the request's bin than one allocation looks at: the one that fits is still found. */
    @Test
    void aLongEnoughRunBehindManyShortOnesIsFound() {
        PageRuns b = new PageRuns(10);
        b.addRegion(0);
        int shortRuns = PageRuns.SCAN_LIMIT + 4;
        int[] a = new int[shortRuns];
        for (int i = 0; i < shortRuns; i++) {
            a[i] = b.allocate(16);
            b.allocate(1);                              // keeps the 16-page runs apart once freed
        }
        int longRun = b.allocate(17);
        b.allocate(1);
        b.allocate((int) b.freePages());                // nothing else free: no longer bin will have a run
        assertEquals(0, b.freePages());
        b.free(longRun);                                // 17 pages, bin [16, 18), last in its list
        for (int p : a) {
            b.free(p);                                  // 16 pages each, same bin, ahead of it
        }
        assertEquals(PageRuns.binOf(16), PageRuns.binOf(17));
        assertEquals(longRun, b.allocate(17));
        assertEquals(NONE, b.allocate(17));
        assertNotEquals(NONE, b.allocate(16));
    }

    @Test
    void pageIdsAreRegionShiftedByMaxOrder() {
        int max = 5;
        PageRuns b = new PageRuns(max);
        b.addRegion(0);
        b.addRegion(1);
        b.addRegion(7); // sparse region ids grow the tables
        assertEquals(3L << max, b.freePages());
        assertEquals(3, b.freeRegions());
        Set<Integer> heads = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            heads.add(b.allocate(1 << max));
        }
        assertEquals(Set.of(0, 1 << max, 7 << max), heads);
        assertEquals(0, b.freeRegions());
        assertTrue(b.free(7 << max));
        List<Integer> pages = new ArrayList<>();
        for (int i = 0; i < 1 << max; i++) {
            int p = b.allocate(1);
            assertEquals(7, p >>> max, "region of page " + p);
            pages.add(p & ((1 << max) - 1));
        }
        assertEquals(1 << max, new HashSet<>(pages).size());
        assertEquals(NONE, b.takenPages(6 << max), "region 6 was never added");
        assertFalse(b.isFree(6 << max));
        assertEquals(NONE, b.takenPages(-1));
        assertFalse(b.isFree(-1));
        assertEquals(NONE, b.takenPages(Integer.MAX_VALUE));
        assertFalse(b.isFree(Integer.MAX_VALUE));
    }

    @Test
    void regionsAreRemovedOnlyWhenEntirelyFree() {
        int max = 4;
        PageRuns b = new PageRuns(max);
        b.addRegion(0);
        b.addRegion(1);
        int p = b.allocate(1);
        int region = p >>> max;
        assertFalse(b.removeRegionIfFree(region));
        assertFalse(b.isRegionFree(region));
        assertTrue(b.isRegionFree(1 - region));
        assertTrue(b.removeRegionIfFree(1 - region));
        assertFalse(b.isRegionFree(1 - region));
        assertFalse(b.removeRegionIfFree(1 - region), "already gone");
        assertFalse(b.isFree((1 - region) << max), "a removed region has no free page");
        assertEquals((1L << max) - 1, b.freePages());
        for (int i = 1; i < 1 << max; i++) {
            assertEquals(region, b.allocate(1) >>> max, "the removed region no longer serves");
        }
        assertEquals(NONE, b.allocate(1));
        b.addRegion(1 - region);
        assertEquals(1 - region, b.allocate(1 << max) >>> max, "re-added region serves again");
    }

    @Test
    void entirelyFreeRegionsAreUsedLast() {
        PageRuns b = new PageRuns(4);
        b.addRegion(0);
        b.addRegion(1);
        b.addRegion(2);
        int first = b.allocate(16);           // region 0, whole
        int second = b.allocate(4);           // region 1, the lowest whole region
        assertEquals(1, second >>> 4);
        b.free(first);
        int third = b.allocate(3);
        assertEquals(1, third >>> 4, "the 12-page rest of region 1 fits before whole regions 0 and 2");
        assertEquals(2, b.freeRegions());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 6})
    void randomizedAgainstAModel(int maxOrder) {
        Random rnd = new Random(42 + maxOrder);
        int regions = 3;
        int regionPages = 1 << maxOrder;
        PageRuns b = new PageRuns(maxOrder);
        boolean[] present = new boolean[regions];
        for (int r = 0; r < regions; r++) {
            b.addRegion(r);
            present[r] = true;
        }
        BitSet taken = new BitSet();
        List<int[]> live = new ArrayList<>(); // {page, pages}
        for (int step = 0; step < 40_000; step++) {
            int op = rnd.nextInt(100);
            if (op < 55) {
                int n = 1 + (rnd.nextBoolean() ? rnd.nextInt(Math.min(regionPages, 4)) : rnd.nextInt(regionPages));
                int p = b.allocate(n);
                if (p == NONE) {
                    assertTrue(longestFreeRun(taken, present, regionPages) < n,
                        "allocate(" + n + ") failed although a free run that long exists");
                    continue;
                }
                int r = p >>> maxOrder;
                assertTrue(r < regions && present[r], "page " + p + " in a present region");
                assertEquals(r, (p + n - 1) >>> maxOrder, "a run stays in its region");
                int clash = taken.nextSetBit(p);
                assertFalse(clash >= 0 && clash < p + n, "overlap at page " + clash);
                taken.set(p, p + n);
                assertEquals(n, b.takenPages(p));
                live.add(new int[] {p, n});
            } else if (op < 97) {
                if (live.isEmpty()) {
                    continue;
                }
                int[] run = live.remove(rnd.nextInt(live.size()));
                assertEquals(run[1], b.takenPages(run[0]));
                taken.clear(run[0], run[0] + run[1]);
                int r = run[0] >>> maxOrder;
                boolean empty = isEmpty(taken, r, regionPages);
                assertEquals(empty, b.free(run[0]), "free reports an entirely free region");
                assertEquals(NONE, b.takenPages(run[0]));
                assertTrue(b.isFree(run[0]));
            } else {
                int r = rnd.nextInt(regions);
                if (present[r]) {
                    boolean empty = isEmpty(taken, r, regionPages);
                    assertEquals(empty, b.removeRegionIfFree(r), "region " + r + " free");
                    present[r] = !empty;
                } else {
                    b.addRegion(r);
                    present[r] = true;
                }
            }
            if (step % 97 == 0) {
                checkAgainstModel(b, taken, present, regionPages);
            }
        }
        checkAgainstModel(b, taken, present, regionPages);
        for (int[] run : live) {
            b.free(run[0]);
        }
        int presentCount = 0;
        for (int r = 0; r < regions; r++) {
            if (present[r]) {
                presentCount++;
                assertTrue(b.isRegionFree(r), "region " + r + " coalesced back into one run");
            }
        }
        assertEquals(presentCount, b.freeRuns(), "no fragment left");
        assertEquals(presentCount, b.freeRegions());
        assertEquals((long) presentCount * regionPages, b.freePages());
    }

    private static void checkAgainstModel(PageRuns b, BitSet taken, boolean[] present, int regionPages) {
        long free = 0;
        int runs = 0;
        int freeRegions = 0;
        for (int r = 0; r < present.length; r++) {
            boolean wasFree = false;
            for (int p = r * regionPages; p < (r + 1) * regionPages; p++) {
                boolean isFree = present[r] && !taken.get(p);
                if (isFree) {
                    free++;
                    if (!wasFree) {
                        runs++; // free runs are maximal: one per stretch of free pages
                    }
                }
                wasFree = isFree;
                assertEquals(isFree, b.isFree(p), "isFree(" + p + ")");
            }
            if (present[r] && isEmpty(taken, r, regionPages)) {
                freeRegions++;
            }
        }
        assertEquals(free, b.freePages());
        assertEquals(runs, b.freeRuns(), "adjacent free runs were left unmerged");
        assertEquals(freeRegions, b.freeRegions());
        long fromVisitor = 0;
        for (int r = 0; r < present.length; r++) {
            long[] sum = new long[1];
            int[] last = {-1};
            b.forEachFreeRun(r, (page, pages) -> {
                assertTrue(page > last[0], "address order");
                last[0] = page;
                for (int q = page; q < page + pages; q++) {
                    assertFalse(taken.get(q), "free run covers taken page " + q);
                }
                sum[0] += pages;
            });
            fromVisitor += sum[0];
        }
        assertEquals(free, fromVisitor, "the free runs cover exactly the free pages");
    }

    private static boolean isEmpty(BitSet taken, int region, int regionPages) {
        int next = taken.nextSetBit(region * regionPages);
        return next < 0 || next >= (region + 1) * regionPages;
    }

    private static int longestFreeRun(BitSet taken, boolean[] present, int regionPages) {
        int longest = 0;
        for (int r = 0; r < present.length; r++) {
            if (!present[r]) {
                continue;
            }
            int run = 0;
            for (int p = r * regionPages; p < (r + 1) * regionPages; p++) {
                run = taken.get(p) ? 0 : run + 1;
                longest = Math.max(longest, run);
            }
        }
        return longest;
    }

    private static void freeRange(PageRuns b, int from, int to) {
        for (int p = from; p < to; p++) {
            b.free(p);
        }
    }
}
