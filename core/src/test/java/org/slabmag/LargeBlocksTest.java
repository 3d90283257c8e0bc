package org.slabmag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slabmag.testing.AllocatorVariant;
import org.slabmag.testing.Ledger;
import org.slabmag.testing.Ledger.Stamped;

/**
 * Blocks above the slab classes, up to the chunk size, in every {@link AllocatorVariant} (adapters' large blocks
 * always take the checked path): each takes exactly the pages it needs, the rest of the chunk serves other blocks,
 * freed runs merge back into a whole chunk, and a double free is detected whatever happened to the pages since.
 */
@ExtendWith(OomAsFailure.class)
class LargeBlocksTest {
    private static final int CHUNK = 1 << 20;
    private static final int PAGE = 4096;

    private static SlabAllocator build(AllocatorVariant variant) {
        // no decay: a free chunk must stay where it is for the duration of a test
        return variant.configure(SlabAllocator.builder().chunkSize(CHUNK).decay(Duration.ZERO).jmx(false)).build();
    }

    private static int pages(long size) {
        return (int) ((size + PAGE - 1) / PAGE);
    }

    @ParameterizedTest
    @EnumSource(AllocatorVariant.class)
    void aLargeBlockTakesExactlyItsPages(AllocatorVariant variant) {
        try (SlabAllocator a = build(variant)) {
            AllocatorVariant.Blocks blocks = variant.blocks(a);
            UncheckedBlocks adapter = UncheckedBlocks.of(a);
            for (int size : new int[] {65_537, 17 * PAGE, 100_000, (1 << 19) + 1, CHUNK - PAGE + 1, CHUNK}) {
                long usable = (long) pages(size) * PAGE;
                assertEquals(usable, a.usableSize(size), "usableSize(" + size + ")");
                assertEquals(usable, adapter.usableSize(size), "the adapters' usableSize(" + size + ")");
                long address = blocks.allocate(size);
                assertEquals(0, address % PAGE, "page-aligned");
                AllocatorStats s = a.stats();
                assertEquals(usable, s.usedBytes(), "used bytes count the pages: " + s);
                assertEquals(size, s.requestedBytes());
                assertEquals(CHUNK, s.totalBytes(), "one chunk");
                blocks.free(address, size);
                assertEquals(0, a.stats().usedBytes());
            }
        }
    }

    /** Three runs of 65 pages in a chunk of 256 (three 128-page buddy blocks would need two chunks), then 61 more. */
    @ParameterizedTest
    @EnumSource(AllocatorVariant.class)
    void theRestOfAChunkServesTheNextRuns(AllocatorVariant variant) {
        try (SlabAllocator a = build(variant)) {
            Ledger ledger = new Ledger(variant.blocks(a));
            int size65 = 64 * PAGE + 1;
            List<Stamped> live = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                live.add(ledger.allocate(size65));
            }
            assertEquals(1, a.stats().chunks(), "3 x 65 pages fit in one chunk of 256");
            live.add(ledger.allocate(61 * PAGE));
            assertEquals(1, a.stats().chunks(), "and so do the 61 pages left");
            assertEquals(CHUNK, a.stats().usedBytes(), "the chunk is exactly full");
            live.add(ledger.allocate(17 * PAGE));
            assertEquals(2, a.stats().chunks(), "a full chunk serves nothing more");
            for (Stamped b : live) {
                ledger.free(b);
            }
            StressTest.assertAllBack(a, ledger);
        }
    }

    /** Runs of many lengths filling a chunk exactly, freed in random orders: the chunk is whole again each time. */
    @ParameterizedTest
    @EnumSource(AllocatorVariant.class)
    void freedRunsMergeBackIntoAWholeChunk(AllocatorVariant variant) {
        try (SlabAllocator a = build(variant)) {
            Ledger ledger = new Ledger(variant.blocks(a));
            int[] lengths = {17, 40, 33, 100, 19, 26, 21}; // 256 pages
            Random rnd = new Random(3);
            for (int round = 0; round < 20; round++) {
                List<Stamped> live = new ArrayList<>();
                for (int n : lengths) {
                    live.add(ledger.allocate(n * PAGE - rnd.nextInt(PAGE)));
                }
                assertEquals(1, a.stats().chunks(), "round " + round + ": the runs fill one chunk");
                assertEquals(CHUNK, a.stats().usedBytes());
                Collections.shuffle(live, rnd);
                for (Stamped b : live) {
                    ledger.free(b);
                }
                Stamped whole = ledger.allocate(CHUNK);
                assertEquals(1, a.stats().chunks(), "round " + round + ": the freed runs merged into a whole chunk");
                ledger.free(whole);
            }
            StressTest.assertAllBack(a, ledger);
            assertEquals(0, a.stats().totalBytes(), "trim() returned the free chunk");
        }
    }

    /**
     * A second free of a large block is refused and changes nothing: while its pages are free (also once they merged
     * with free neighbours) as a double free; once a longer run covers its first page, as an address that starts no
     * block.
     */
    @ParameterizedTest
    @EnumSource(AllocatorVariant.class)
    void aSecondFreeOfALargeBlockIsRefused(AllocatorVariant variant) {
        try (SlabAllocator a = build(variant)) {
            AllocatorVariant.Blocks blocks = variant.blocks(a);
            int size = 100_000;
            long x = blocks.allocate(size);
            long neighbour = blocks.allocate(200_000);
            blocks.free(x, size);
            String figures = ErrorContractTest.figures(a.stats());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> blocks.free(x, size));
            assertTrue(e.getMessage().contains("double free"), e.getMessage());
            blocks.free(neighbour, 200_000); // x's pages merge with the neighbour's and the rest of the chunk
            figures = ErrorContractTest.figures(a.stats());
            e = assertThrows(IllegalStateException.class, () -> blocks.free(x, size));
            assertTrue(e.getMessage().contains("double free"), e.getMessage());
            assertEquals(figures, ErrorContractTest.figures(a.stats()), "a refused free changed the statistics");
            long whole = blocks.allocate(CHUNK);
            assertTrue(x > whole && x < whole + CHUNK, "x's first page is inside the new run");
            figures = ErrorContractTest.figures(a.stats());
            assertThrows(IllegalArgumentException.class, () -> blocks.free(x, size));
            assertEquals(figures, ErrorContractTest.figures(a.stats()), "a refused free changed the statistics");
            blocks.free(whole, CHUNK);
            assertEquals(0, a.stats().usedBytes());
        }
    }

    /** A free must name the block's number of pages: another number is refused, another size of as many pages is not. */
    @ParameterizedTest
    @EnumSource(AllocatorVariant.class)
    void aFreeWithAnotherNumberOfPagesIsRefused(AllocatorVariant variant) {
        try (SlabAllocator a = build(variant)) {
            AllocatorVariant.Blocks blocks = variant.blocks(a);
            long x = blocks.allocate(100_000); // 25 pages
            String figures = ErrorContractTest.figures(a.stats());
            for (int wrong : new int[] {24 * PAGE, 25 * PAGE + 1, 200_000}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> blocks.free(x, wrong),
                    "freed with " + wrong + " bytes");
                assertTrue(e.getMessage().contains("size mismatch"), e.getMessage());
            }
            assertEquals(figures, ErrorContractTest.figures(a.stats()));
            blocks.free(x, 24 * PAGE + 1); // as many pages: the same block
            assertEquals(0, a.stats().usedBytes());
        }
    }
}
