package org.slabmag.internal.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The page allocator's placement policy: the lowest region with a long enough free run wins, then best fit. */
class PageRunsPlacementTest {
    private static final int MAX_ORDER = 4;

    @Test
    void aRunFreedInALowRegionIsReusedBeforeAHigherRegion() {
        PageRuns b = new PageRuns(MAX_ORDER);
        for (int r = 0; r < 3; r++) {
            b.addRegion(r);
        }
        List<Integer> pages = new ArrayList<>();
        for (int i = 0; i < 3 << MAX_ORDER; i++) {
            pages.add(b.allocate(1));
        }
        for (int i = 0; i < pages.size(); i++) {
            assertEquals(i >>> MAX_ORDER, pages.get(i) >>> MAX_ORDER, "fills region by region, lowest first");
        }
        int high = pages.get(2 << MAX_ORDER | 5);
        int low = pages.get(3);
        b.free(high);
        b.free(low);
        b.free(high + 1);
        assertEquals(low, b.allocate(1), "region 0 before region 2, though region 2 freed later and more");
        assertEquals(high, b.allocate(2), "only region 2 has two free pages in a row");
    }

    @Test
    void theSmallestFreeRunThatFitsIsCutFromItsLowEnd() {
        PageRuns b = new PageRuns(MAX_ORDER);
        b.addRegion(0);
        int[] p = new int[16];
        for (int i = 0; i < 16; i++) {
            p[i] = b.allocate(1);
        }
        b.free(p[1]);                  // a 1-page hole
        b.free(p[4]);                  // a 3-page hole: 4, 5, 6
        b.free(p[5]);
        b.free(p[6]);
        b.free(p[9]);                  // a 5-page hole: 9..13
        for (int i = 10; i < 14; i++) {
            b.free(p[i]);
        }
        assertEquals(3, b.freeRuns());
        assertEquals(9, b.freePages());
        assertEquals(9, b.allocate(4), "3 pages are too few; the 5-page run is the best fit");
        int one = b.allocate(1);
        assertTrue(one == 1 || one == 13, "a 1-page run (the hole, or the rest of the 5 pages), not the 3-page run");
        assertTrue(b.isFree(4) && b.isFree(5) && b.isFree(6));
    }

    @Test
    void underChurnTheHighRegionsDrain() {
        PageRuns b = new PageRuns(MAX_ORDER);
        int regions = 8;
        for (int r = 0; r < regions; r++) {
            b.addRegion(r);
        }
        SplittableRandom random = new SplittableRandom(7);
        List<Integer> live = new ArrayList<>();
        for (int i = 0; i < (regions << MAX_ORDER) / 2; i++) {
            live.add(b.allocate(1));
        }
        for (int step = 0; step < 20_000; step++) {
            int victim = live.remove(random.nextInt(live.size()));
            b.free(victim);
            live.add(b.allocate(1));
        }
        int highest = live.stream().mapToInt(p -> p >>> MAX_ORDER).max().orElseThrow();
        assertTrue(highest < regions / 2, "a half-full heap packs into the lower half, highest used region " + highest);
        for (int r = regions / 2; r < regions; r++) {
            assertTrue(b.isRegionFree(r), "region " + r + " drained");
        }
    }
}
