package org.slabmag.internal.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.agrona.UnsafeApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slabmag.internal.memory.NativeMemory;

class HeapTest {
    private static final int CHUNK = 1 << 20;
    private static final int C64 = SizeClasses.classOf(64);
    private Heap heap = new Heap(CHUNK, Long.MAX_VALUE, false);

    @AfterEach
    void close() {
        heap.close();
    }

    /**
     * Blocks come from the slab of the lowest chunk first, so live data packs low and high chunks
     * drain: with slabs in two chunks partly free, the next blocks come from the first chunk.
     */
    @Test
    void takesBlocksFromTheLowestSlabFirst() {
        int c = SizeClasses.classOf(8192);
        int perChunk = CHUNK / 8192;
        long[] a = new long[2 * perChunk];
        for (int i = 0; i < a.length; i++) {
            a[i] = heap.allocateSmall(c, 8192, false);
        }
        assertTrue(heap.snapshot().chunks() >= 2);
        Chunk first = heap.chunkOf(a[0]);
        Chunk last = heap.chunkOf(a[a.length - 1]);
        assertNotSame(first, last);
        heap.freeSmall(a[3], c, 8192, false);            // a hole in the low chunk, freed first
        heap.freeSmall(a[a.length - 1], c, 8192, false); // and one in the high chunk, freed last
        long next = heap.allocateSmall(c, 8192, false);
        assertSame(first, heap.chunkOf(next), "the low chunk's hole is filled first");
        assertEquals(a[3], next);
        for (long b : a) {
            if (b != a[a.length - 1]) {
                heap.freeSmall(b, c, 8192, false);
            }
        }
    }

    /** Decay returns a spare slab and a free chunk only once they stayed unused for a whole step. */
    @Test
    void decayReturnsWhatStayedUnusedForAStep() {
        long p = heap.allocateSmall(C64, 64, false);
        heap.freeSmall(p, C64, 64, false); // the slab is the spare now; its chunk is free apart from it
        heap.decay();               // used since the last step: kept
        assertEquals(1, heap.snapshot().slabsPerClass()[C64]);
        assertEquals(1, heap.snapshot().chunks());
        heap.decay();               // the spare stayed unused for a step: back to the page allocator
        assertEquals(0, heap.snapshot().slabsPerClass()[C64]);
        heap.decay();               // and the chunk it freed, unused since: back to the OS
        assertEquals(0, heap.snapshot().chunks());
        assertEquals(0, heap.snapshot().reservedBytes());
        long q = heap.allocateSmall(C64, 64, false);
        heap.freeSmall(q, C64, 64, false);
    }

    @Test
    void keepsOneEmptySlabAsSpareAndReleasesTheRest() {
        int perSlab = SizeClasses.blocksPerSlab(C64);
        long[] a = new long[perSlab + 1];
        for (int i = 0; i < a.length; i++) {
            a[i] = heap.allocateSmall(C64, 64, false);
        }
        HeapSnapshot s = heap.snapshot();
        assertEquals(2, s.slabsPerClass()[C64]);
        assertEquals(2L * perSlab, s.blocksPerClass()[C64]);
        assertEquals(perSlab + 1, s.takenPerClass()[C64]);
        assertEquals(1, s.chunks());
        assertEquals(CHUNK, s.reservedBytes());
        heap.freeSmall(a[perSlab], C64, 64, false); // second slab empty: kept as the spare
        assertEquals(2, heap.snapshot().slabsPerClass()[C64]);
        for (int i = 0; i < perSlab; i++) {
            heap.freeSmall(a[i], C64, 64, false); // first slab empty too: a spare exists, so it is released
        }
        s = heap.snapshot();
        assertEquals(1, s.slabsPerClass()[C64]);
        assertEquals(0, s.takenPerClass()[C64]);
        assertEquals(0, s.requestedBytes());
        assertEquals(2L * a.length, s.allocations() + s.deallocations());
        heap.trim();
        s = heap.snapshot();
        assertEquals(0, s.slabsPerClass()[C64]);
        assertEquals(0, s.chunks());
        assertEquals(0, s.reservedBytes());
    }

    @Test
    void keepsOneFreeChunkAndReleasesOthers() {
        long a = heap.allocateLarge(CHUNK, CHUNK, false);
        long b = heap.allocateLarge(CHUNK, CHUNK, false);
        assertEquals(0, a & (CHUNK - 1), "chunk-sized blocks are chunk-aligned");
        assertEquals(2, heap.snapshot().chunks());
        assertEquals(2L * CHUNK, heap.snapshot().largeBytes());
        heap.freeLarge(a, CHUNK, CHUNK, false);
        assertEquals(2, heap.snapshot().chunks(), "the only free chunk is kept");
        heap.freeLarge(b, CHUNK, CHUNK, false);
        assertEquals(1, heap.snapshot().chunks(), "a second free chunk goes back at once");
        long c = heap.allocateLarge(CHUNK / 2, 1000_000, false);
        assertEquals(1, heap.snapshot().chunks(), "the kept chunk is reused");
        assertEquals(1000_000, heap.snapshot().requestedBytes());
        heap.freeLarge(c, CHUNK / 2, 1000_000, false);
        heap.trim();
        assertEquals(0, heap.snapshot().chunks());
    }

    @Test
    void largeUsableSizeIsThePageRoundedSize() {
        assertEquals(68 << 10, Heap.largeUsableSize(65537));
        assertEquals(128 << 10, Heap.largeUsableSize(128 << 10));
        assertEquals((128 << 10) + 4096, Heap.largeUsableSize((128 << 10) + 1));
        assertEquals(CHUNK, Heap.largeUsableSize(CHUNK));
        assertEquals(CHUNK + 4096, Heap.largeUsableSize(CHUNK + 1));
        assertEquals(3L << 30, Heap.largeUsableSize((3L << 30) - 5));
    }

    @Test
    void validatesLargeFrees() {
        long small = heap.allocateSmall(C64, 64, false);
        long big = heap.allocateLarge(256 << 10, 256 << 10, false);
        long huge = heap.allocateLarge(CHUNK + 1, CHUNK + 1, false);
        HeapSnapshot before = heap.snapshot();
        assertThrows(IllegalArgumentException.class, () -> heap.freeLarge(big + 8, 256 << 10, 1, false));
        assertThrows(IllegalArgumentException.class, () -> heap.freeLarge(big + 4096, 256 << 10, 1, false));
        assertThrows(IllegalArgumentException.class, () -> heap.freeLarge(big, 128 << 10, 1, false));
        assertThrows(IllegalArgumentException.class, () -> heap.freeLarge(big, 512 << 10, 1, false));
        assertThrows(IllegalArgumentException.class, () -> heap.freeLarge(small, 128 << 10, 1, false),
                "a slab is no large block");
        assertThrows(IllegalArgumentException.class, () -> heap.freeLarge(huge, CHUNK + 8192, 1, false));
        assertThrows(IllegalArgumentException.class, () -> heap.freeLarge(huge + 4096, CHUNK + 1, 1, false));
        assertThrows(IllegalArgumentException.class, () -> heap.freeSmall(big, C64, 1, false));
        assertThrows(IllegalArgumentException.class, () -> heap.freeSmall(small + 8, C64, 1, false));
        assertThrows(IllegalArgumentException.class, () -> heap.freeSmall(small, C64 + 1, 1, false));
        assertEquals(before.toString().replaceAll("\\[I@\\w+|\\[J@\\w+", ""),
            heap.snapshot().toString().replaceAll("\\[I@\\w+|\\[J@\\w+", ""));
        heap.freeLarge(big, 256 << 10, 256 << 10, false);
        assertThrows(IllegalStateException.class, () -> heap.freeLarge(big, 256 << 10, 256 << 10, false), "double free");
        heap.freeLarge(huge, CHUNK + 1, CHUNK + 1, false);
        heap.freeSmall(small, C64, 64, false);
        assertThrows(IllegalStateException.class, () -> heap.freeSmall(small, C64, 64, false),
                "double free of a small block");
        HeapSnapshot s = heap.snapshot();
        assertEquals(0, s.takenBytes());
        assertEquals(0, s.requestedBytes());
        assertEquals(0, s.hugeBlocks());
    }

    @Test
    void failsOverTheLimitAndServesAfterFrees() {
        heap.close();
        heap = new Heap(CHUNK, 2L * CHUNK, false);
        long a = heap.allocateLarge(CHUNK, CHUNK, false);
        long b = heap.allocateLarge(CHUNK / 2, CHUNK / 2, false);
        long c = heap.allocateSmall(C64, 64, false);
        MemoryLimitExceeded e = assertThrows(MemoryLimitExceeded.class, () -> heap.allocateLarge(CHUNK, CHUNK, false));
        assertEquals(2L * CHUNK, e.limit());
        assertEquals(2L * CHUNK, e.reserved());
        assertTrue(e.resident() + e.requested() > e.limit(), "over the limit: " + e.resident());
        assertTrue(e.resident() <= e.reserved(), "the free pages of the second chunk may have gone back");
        assertThrows(MemoryLimitExceeded.class, () -> heap.allocateLarge(CHUNK + 1, CHUNK + 1, false));
        heap.freeLarge(b, CHUNK / 2, CHUNK / 2, false);
        heap.freeSmall(c, C64, 64, false); // the slab stays as a spare; the limit path trims it
        long d = heap.allocateLarge(CHUNK, CHUNK, false);
        heap.freeLarge(a, CHUNK, CHUNK, false);
        heap.freeLarge(d, CHUNK, CHUNK, false);
        assertEquals(0, heap.snapshot().takenBytes());
    }

    /**
     * The limit bounds resident bytes: under pressure the free pages of a kept chunk go back to the OS
     * and stop counting, so a dedicated block fits beside a chunk that a live block pins; taking those
     * pages again counts them again, and is refused over the limit with the heap intact.
     */
    @Test
    void givenBackPagesMakeRoomAndCountAgainWhenTaken() {
        assumeTrue(NativeMemory.canReleasePages(), "pages are given back on Linux only");
        heap.close();
        heap = new Heap(CHUNK, 2L * CHUNK, false);
        long pinned = heap.allocateLarge(CHUNK / 4, CHUNK / 4, false);
        long spare = heap.allocateLarge(CHUNK / 2, CHUNK / 2, false);
        for (long at = spare; at < spare + CHUNK / 2; at += 8) {
            UnsafeApi.putLong(at, -1L); // every page written, so that only a real page release reads zero
        }
        heap.freeLarge(spare, CHUNK / 2, CHUNK / 2, false); // 3/4 of the chunk free, 1/4 pinned
        assertEquals(CHUNK, heap.residentBytes());

        long huge = heap.allocateLarge(CHUNK + CHUNK / 2, CHUNK + CHUNK / 2, false); // fits only if free pages go
        assertEquals(CHUNK / 4 + CHUNK + CHUNK / 2, heap.residentBytes());
        assertEquals(2L * CHUNK + CHUNK / 2, heap.reservedBytes(), "address space may pass the limit");

        MemoryLimitExceeded e = assertThrows(MemoryLimitExceeded.class,
            () -> heap.allocateLarge(CHUNK / 2, CHUNK / 2, false));
        assertEquals(CHUNK / 2, e.requested(), "the given-back pages the block needed");
        assertEquals(CHUNK / 4 + CHUNK + CHUNK / 2, heap.residentBytes(), "nothing taken by the failed call");
        assertEquals(CHUNK / 4 + CHUNK + CHUNK / 2, heap.snapshot().residentBytes());

        heap.freeLarge(huge, CHUNK + CHUNK / 2, CHUNK + CHUNK / 2, false);
        long again = heap.allocateLarge(CHUNK / 2, CHUNK / 2, false); // the pages serve again, zeroed
        assertEquals(spare, again, "the run picked first");
        for (long at = again; at < again + CHUNK / 2; at += 4096) {
            assertEquals(0L, UnsafeApi.getLong(at), "a page given back reads zero");
        }
        assertEquals(CHUNK / 4 + CHUNK / 2, heap.residentBytes());
        heap.freeLarge(again, CHUNK / 2, CHUNK / 2, false);
        heap.freeLarge(pinned, CHUNK / 4, CHUNK / 4, false);
        assertEquals(0, heap.snapshot().takenBytes());
    }

    /**
     * Pages given back do not count against {@code maxMemory}, but reserved bytes have a bound of their
     * own (twice the limit by default), so chunks pinned by a few blocks cannot pile up address space:
     * past it an allocation fails although the resident bytes would fit, and works once a chunk goes.
     */
    @Test
    void reservedBytesHaveABoundOfTheirOwn() {
        heap.close();
        heap = new Heap(CHUNK, 4L * CHUNK, 2L * CHUNK + CHUNK / 2, false);
        long pin = heap.allocateLarge(CHUNK / 8, CHUNK / 8, false);
        long[] fill = {heap.allocateLarge(CHUNK / 8, CHUNK / 8, false), heap.allocateLarge(CHUNK / 4, CHUNK / 4, false),
            heap.allocateLarge(CHUNK / 2, CHUNK / 2, false)};
        long whole = heap.allocateLarge(CHUNK, CHUNK, false); // a second chunk
        heap.freeLarge(fill[0], CHUNK / 8, CHUNK / 8, false);
        heap.freeLarge(fill[1], CHUNK / 4, CHUNK / 4, false);
        heap.freeLarge(fill[2], CHUNK / 2, CHUNK / 2, false);
        assertEquals(2L * CHUNK, heap.reservedBytes());

        MemoryLimitExceeded e = assertThrows(MemoryLimitExceeded.class,
            () -> heap.allocateLarge(CHUNK + 4096, CHUNK + 4096, false));
        assertTrue(e.resident() + e.requested() <= e.limit(), "the resident bytes would fit: " + e.resident());
        assertEquals(2L * CHUNK, e.reserved());

        heap.freeLarge(whole, CHUNK, CHUNK, false); // the second chunk goes back to the OS under pressure
        long huge = heap.allocateLarge(CHUNK + 4096, CHUNK + 4096, false);
        assertEquals(2L * CHUNK + 4096, heap.reservedBytes());
        heap.freeLarge(huge, CHUNK + 4096, CHUNK + 4096, false);
        heap.freeLarge(pin, CHUNK / 8, CHUNK / 8, false);
        assertEquals(0, heap.snapshot().takenBytes());
    }
}
