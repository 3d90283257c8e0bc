package org.slabmag.internal.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The buddy allocator's placement policy: the lowest region with a large enough free block wins. */
class BuddyPlacementTest {
    private static final int MAX_ORDER = 4;

    @Test
    void aBlockFreedInALowRegionIsReusedBeforeAHigherRegion() {
        BuddyAllocator b = new BuddyAllocator(MAX_ORDER);
        for (int r = 0; r < 3; r++) {
            b.addRegion(r);
        }
        List<Integer> pages = new ArrayList<>();
        for (int i = 0; i < 3 << MAX_ORDER; i++) {
            pages.add(b.allocate(0));
        }
        for (int i = 0; i < pages.size(); i++) {
            assertEquals(i >>> MAX_ORDER, pages.get(i) >>> MAX_ORDER, "fills region by region, lowest first");
        }
        int high = pages.get(2 << MAX_ORDER | 5);
        int low = pages.get(3);
        b.free(high, 0);
        b.free(low, 0);
        b.free(high ^ 1, 0);
        assertEquals(low, b.allocate(0), "region 0 before region 2, though region 2 freed later and more");
        assertEquals(2, b.allocate(1) >>> MAX_ORDER, "only region 2 has an order-1 block");
    }

    @Test
    void underChurnTheHighRegionsDrain() {
        BuddyAllocator b = new BuddyAllocator(MAX_ORDER);
        int regions = 8;
        for (int r = 0; r < regions; r++) {
            b.addRegion(r);
        }
        SplittableRandom random = new SplittableRandom(7);
        List<Integer> live = new ArrayList<>();
        for (int i = 0; i < (regions << MAX_ORDER) / 2; i++) {
            live.add(b.allocate(0));
        }
        for (int step = 0; step < 20_000; step++) {
            int victim = live.remove(random.nextInt(live.size()));
            b.free(victim, 0);
            live.add(b.allocate(0));
        }
        int highest = live.stream().mapToInt(p -> p >>> MAX_ORDER).max().orElseThrow();
        assertTrue(highest < regions / 2, "a half-full heap packs into the lower half, highest used region " + highest);
        for (int r = regions / 2; r < regions; r++) {
            assertTrue(b.isRegionFree(r), "region " + r + " drained");
        }
    }
}
