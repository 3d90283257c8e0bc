package org.slabmag.internal.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.BitSet;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** {@link ReleasedPages} against a {@link BitSet} model, over ranges inside and across words. */
class ReleasedPagesTest {
    private static final int MAX_ORDER = 10; // 1024 pages per region: a 4 MiB chunk

    @Test
    void countsWhatWasReleasedAndNotTakenSince() {
        ReleasedPages pages = new ReleasedPages(MAX_ORDER);
        pages.ensureCapacity(2);
        int region1 = 1 << MAX_ORDER;
        assertEquals(8, pages.release(region1 + 60, 8), "a range across a word boundary");
        assertEquals(0, pages.release(region1 + 62, 2), "released already");
        assertEquals(64, pages.release(region1 + 128, 64));
        assertEquals(72, pages.releasedPages());
        assertEquals(4, pages.count(region1 + 56, 8));
        assertEquals(0, pages.count(5, 1000), "another region");
        assertEquals(2, pages.take(region1 + 64, 2));
        assertEquals(0, pages.take(region1 + 64, 2), "taken already");
        assertEquals(70, pages.releasedPages());
        pages.regionRemoved(1);
        assertEquals(0, pages.releasedPages());
        assertEquals(0, pages.count(region1, 1 << MAX_ORDER));
    }

    @Test
    void matchesABitSetModelOnRandomBuddyAndExactRanges() {
        ReleasedPages pages = new ReleasedPages(MAX_ORDER);
        int regions = 3;
        pages.ensureCapacity(regions);
        BitSet model = new BitSet();
        Random rnd = new Random(11);
        for (int step = 0; step < 20_000; step++) {
            int region = rnd.nextInt(regions);
            int count = rnd.nextBoolean() ? 1 << rnd.nextInt(MAX_ORDER + 1) : 1 + rnd.nextInt(300);
            int from = rnd.nextInt((1 << MAX_ORDER) - count + 1);
            int page = (region << MAX_ORDER) + from;
            long before = model.get(page, page + count).cardinality();
            assertEquals(before, pages.count(page, count));
            switch (rnd.nextInt(5)) {
                case 0, 1 -> {
                    assertEquals(count - before, pages.release(page, count));
                    model.set(page, page + count);
                }
                case 2, 3 -> {
                    assertEquals(before, pages.take(page, count));
                    model.clear(page, page + count);
                }
                default -> {
                    if (rnd.nextInt(20) == 0) {
                        pages.regionRemoved(region);
                        model.clear(region << MAX_ORDER, (region + 1) << MAX_ORDER);
                    }
                }
            }
            assertEquals(model.cardinality(), pages.releasedPages());
        }
    }
}
