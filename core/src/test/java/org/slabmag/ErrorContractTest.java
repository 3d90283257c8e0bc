package org.slabmag;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.UnsafeApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slabmag.testing.AllocatorVariant;
import org.slabmag.testing.Patterns;

/** Every row of the error contract, each followed by proof that the allocator still works. */
@ExtendWith(OomAsFailure.class)
class ErrorContractTest {
    private static final int CHUNK = 4 << 20;
    private static final AtomicLong IDS = new AtomicLong();

    /** A live block with its pattern. */
    record Live(long address, int size, long usable, long seed) {
        void check() {
            Patterns.check(address, usable, seed);
        }
    }

    static Live live(SlabAllocator a, int size) {
        long address = a.allocate(size);
        long usable = a.usableSize(size);
        long seed = Patterns.seed(address, IDS.incrementAndGet());
        Patterns.fill(address, usable, seed);
        return new Live(address, size, usable, seed);
    }

    static void free(SlabAllocator a, Live b) {
        b.check();
        a.free(b.address, b.size);
    }

    /** The allocator serves, its memory holds what is written, and its statistics add up. */
    static void assertStillWorks(SlabAllocator a) {
        AllocatorStats before = a.stats();
        List<Live> blocks = new ArrayList<>();
        for (int size : new int[] {1, 48, 1000, 70_000, CHUNK + 1}) {
            if (size <= a.chunkSize() || a.maxMemory() == Long.MAX_VALUE) {
                blocks.add(live(a, size));
            }
        }
        AllocatorStats during = a.stats();
        long usable = blocks.stream().mapToLong(Live::usable).sum();
        long requested = blocks.stream().mapToLong(Live::size).sum();
        assertEquals(before.usedBytes() + usable, during.usedBytes(), during.toString());
        assertEquals(before.requestedBytes() + requested, during.requestedBytes(), during.toString());
        assertEquals(before.allocations() + blocks.size(), during.allocations());
        for (Live b : blocks) {
            free(a, b);
        }
        AllocatorStats after = a.stats();
        assertEquals(before.usedBytes(), after.usedBytes(), after.toString());
        assertEquals(before.requestedBytes(), after.requestedBytes(), after.toString());
        assertEquals(before.deallocations() + blocks.size(), after.deallocations());
        assertEquals(after.totalBytes(), after.usedBytes() + after.cachedBytes() + after.availableBytes());
        assertTrue(after.availableBytes() >= 0 && after.cachedBytes() >= 0, after.toString());
    }

    /** The memory figures of a snapshot (not the number of thread caches, which the limit path may retire). */
    static String figures(AllocatorStats s) {
        return ModelBasedTest.figures(s).replaceAll("threadCaches=\\d+", "");
    }

    static <T extends Throwable> T assertThrowsNaming(Class<T> type, Executable call, Object value) {
        T e = assertThrows(type, call);
        assertNotNull(e.getMessage());
        assertTrue(e.getMessage().contains(String.valueOf(value)), () -> "message should name " + value + ": "
                + e.getMessage());
        return e;
    }

    static SlabAllocator build(String config) {
        return ModelBasedTest.build(switch (config) {
            case "magazines" -> AllocatorVariant.CHECKED;
            case "locked" -> AllocatorVariant.NO_THREAD_CACHES;
            case "hardened" -> AllocatorVariant.HARDENED;
            case "hardened-locked" -> AllocatorVariant.HARDENED_NO_THREAD_CACHES;
            default -> throw new IllegalArgumentException(config);
        });
    }

    // ------------------------------------------------------------------ bad sizes and alignments

    @ParameterizedTest
    @ValueSource(strings = {"magazines", "locked"})
    void badSizesAndAlignmentsAreRejectedNamingTheValue(String config) {
        try (SlabAllocator a = build(config)) {
            Live keep = live(a, 100);
            for (int size : new int[] {0, -1, -4096, Integer.MIN_VALUE}) {
                assertThrowsNaming(IllegalArgumentException.class, () -> a.allocate(size), size);
                assertThrowsNaming(IllegalArgumentException.class, () -> a.allocate(size, 16), size);
                assertThrowsNaming(IllegalArgumentException.class, () -> a.usableSize(size), size);
                assertThrowsNaming(IllegalArgumentException.class, () -> a.free(keep.address(), size), size);
                assertThrowsNaming(IllegalArgumentException.class, () -> a.free(keep.address(), size, 16), size);
            }
            for (int alignment : new int[] {0, 3, 8192, -4, -4096, 6, 4097, Integer.MIN_VALUE, 1 << 30}) {
                assertThrowsNaming(IllegalArgumentException.class, () -> a.allocate(64, alignment), alignment);
                assertThrowsNaming(IllegalArgumentException.class, () -> a.free(keep.address(), 100, alignment), alignment);
            }
            for (int alignment = 1; alignment <= 4096; alignment <<= 1) {
                long p = a.allocate(24, alignment);
                assertEquals(0, p % alignment);
                a.free(p, 24, alignment);
            }
            AllocatorStats s = a.stats();
            assertEquals(a.usableSize(100), s.usedBytes(), "nothing leaked by the refused calls: " + s);
            assertEquals(100, s.requestedBytes());
            assertStillWorks(a);
            free(a, keep);
        }
    }

    // ------------------------------------------------------------------ memory limit

    @ParameterizedTest
    @ValueSource(strings = {"magazines", "locked"})
    void overTheLimitThrowsAnOutOfMemoryErrorNamingLimitAndUsageAndRecovers(String config) {
        long limit = 3L * CHUNK;
        SlabAllocatorBuilder b = SlabAllocator.builder().chunkSize(CHUNK).maxMemory(limit)
                .threadCaches(config.equals("magazines"));
        try (SlabAllocator a = b.build()) {
            assertEquals(limit, a.maxMemory());
            List<Live> blocks = new ArrayList<>();
            SlabOutOfMemoryError oom = null;
            while (oom == null) {
                try {
                    blocks.add(live(a, 60_000));
                } catch (SlabOutOfMemoryError e) {
                    oom = e;
                }
                assertTrue(blocks.size() < 1000, "the limit is enforced");
            }
            assertInstanceOf(OutOfMemoryError.class, oom);
            assertEquals(limit, oom.limit());
            assertTrue(oom.resident() <= limit && oom.resident() + oom.requested() > limit, oom.getMessage());
            assertTrue(oom.resident() <= oom.reserved(), oom.getMessage());
            assertTrue(oom.getMessage().contains("limit " + limit), oom.getMessage());
            assertTrue(oom.getMessage().contains(oom.resident() + " resident of " + oom.reserved() + " reserved"),
                oom.getMessage());
            assertTrue(oom.getMessage().contains(oom.used() + " in users' hands"), oom.getMessage());
            assertEquals(0, oom.cached(), "one thread, every block live: nothing is cached");
            AllocatorStats s = a.stats();
            assertTrue(s.residentBytes() <= limit, s.toString());
            assertEquals(blocks.size() * (long) a.usableSize(60_000), s.usedBytes());
            // a huge request over the limit fails the same way and changes nothing
            SlabOutOfMemoryError huge = assertThrows(SlabOutOfMemoryError.class, () -> a.allocate(3 * CHUNK + 1));
            assertEquals(limit, huge.limit());
            assertEquals(figures(s), figures(a.stats()));
            // after frees it serves again
            for (Live x : blocks) {
                free(a, x);
            }
            blocks.clear();
            long big = a.allocate(CHUNK);
            long big2 = a.allocate(CHUNK);
            long big3 = a.allocate(CHUNK);
            a.free(big, CHUNK);
            a.free(big2, CHUNK);
            a.free(big3, CHUNK);
            assertStillWorks(a);
        }
    }

    @Test
    void blocksCachedInDepotsOrDeadThreadsDoNotMakeTheLimitPermanent() throws Exception {
        long limit = 2L * CHUNK;
        try (SlabAllocator a = SlabAllocator.builder().chunkSize(CHUNK).maxMemory(limit).build()) {
            // one thread fills the heap with small blocks and dies; another frees them all and dies,
            // leaving them in its magazines and the depots
            List<Live> blocks = new ArrayList<>();
            Thread filler = new Thread(() -> {
                try {
                    while (true) {
                        blocks.add(live(a, 200));
                    }
                } catch (SlabOutOfMemoryError expected) {
                    // full
                }
            });
            filler.start();
            filler.join();
            assertTrue(blocks.size() > 10_000, "filled: " + blocks.size());
            Thread freer = new Thread(() -> {
                for (Live x : blocks) {
                    free(a, x);
                }
            });
            freer.start();
            freer.join();
            // a large request needs whole chunks back: from dead threads' magazines and the depots
            long big = a.allocate(CHUNK);
            long big2 = a.allocate(CHUNK);
            a.free(big, CHUNK);
            a.free(big2, CHUNK);
            // and small requests of another class, too
            List<Live> again = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                again.add(live(a, 3000));
            }
            for (Live x : again) {
                free(a, x);
            }
            assertStillWorks(a);
        }
    }

    @Test
    void ownMagazinesDoNotMakeTheLimitPermanent() {
        long limit = 2L * CHUNK;
        try (SlabAllocator a = SlabAllocator.builder().chunkSize(CHUNK).maxMemory(limit).build()) {
            List<Live> blocks = new ArrayList<>();
            try {
                while (true) {
                    blocks.add(live(a, 200));
                }
            } catch (SlabOutOfMemoryError expected) {
                // full
            }
            for (Live x : blocks) {
                free(a, x);
            }
            assertEquals(0, a.stats().usedBytes());
            long big = a.allocate(CHUNK);
            long big2 = a.allocate(CHUNK);
            a.free(big, CHUNK);
            a.free(big2, CHUNK);
            assertStillWorks(a);
        }
    }

    @Test
    void ownMagazinesOfAnotherClassDoNotMakeSmallAllocationsFail() {
        long limit = 2L * CHUNK;
        // magazines of 128 rounds of 64 KiB: one thread's magazines can hold all the memory there is
        try (SlabAllocator a = SlabAllocator.builder().chunkSize(CHUNK).maxMemory(limit).magazineBytes(16 << 20).build()) {
            List<Live> blocks = new ArrayList<>();
            try {
                while (true) {
                    blocks.add(live(a, 65536));
                }
            } catch (SlabOutOfMemoryError expected) {
                // full
            }
            assertEquals(limit / 65536, blocks.size());
            for (Live x : blocks) {
                free(a, x);
            }
            AllocatorStats s = a.stats();
            assertEquals(0, s.usedBytes());
            assertEquals(limit, s.cachedBytes(), "everything sits in this thread's magazine: " + s);
            List<Live> small = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                small.add(live(a, 1000)); // another class: needs the cached 64 KiB blocks back in the heap
            }
            for (Live x : small) {
                free(a, x);
            }
            assertStillWorks(a);
        }
    }

    @Test
    void aDeadThreadsMagazinesDoNotMakeSmallAllocationsFail() throws Exception {
        long limit = 2L * CHUNK;
        try (SlabAllocator a = SlabAllocator.builder().chunkSize(CHUNK).maxMemory(limit).magazineBytes(16 << 20)
            .reclaimInterval(Duration.ofHours(1)).build()) {
            Live mine = live(a, 16); // this thread already has its cache: no registration scan later
            Thread t = new Thread(() -> {
                List<Live> blocks = new ArrayList<>();
                try {
                    while (true) {
                        blocks.add(live(a, 65536));
                    }
                } catch (SlabOutOfMemoryError expected) {
                    // full
                }
                for (Live x : blocks) {
                    free(a, x);
                }
            });
            t.start();
            t.join();
            List<Live> small = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                small.add(live(a, 1000)); // needs the dead thread's cached blocks back in the heap
            }
            for (Live x : small) {
                free(a, x);
            }
            free(a, mine);
            assertEquals(1, a.stats().threadCaches(), "only this thread holds magazines");
            assertStillWorks(a);
        }
    }

    // ------------------------------------------------------------------ invalid frees

    @ParameterizedTest
    @ValueSource(strings = {"magazines", "locked", "hardened", "hardened-locked"})
    void freesOfAddressesNotHandedOutAreRejectedAndChangeNothing(String config) {
        try (SlabAllocator a = build(config); SlabAllocator other = build(config)) {
            Live small = live(a, 40);   // 48-byte class
            Live small2 = live(a, 1000);
            Live large = live(a, 300_000); // a run of 74 pages
            Live huge = live(a, CHUNK + 5000);
            Live foreignSmall = live(other, 40);
            Live foreignLarge = live(other, 300_000);
            Live foreignHuge = live(other, CHUNK + 5000);
            long malloced = UnsafeApi.allocateMemory(4096);
            try {
                AllocatorStats before = a.stats();
                String figures = figures(before);
                List<Executable> bad = List.of(
                    // foreign
                    () -> a.free(foreignSmall.address(), 40),
                    () -> a.free(foreignLarge.address(), 300_000),
                    () -> a.free(foreignHuge.address(), CHUNK + 5000),
                    () -> a.free(malloced, 40),
                    () -> a.free(malloced, 300_000),
                    () -> a.free(malloced, CHUNK + 5000),
                    () -> a.free(0, 40),
                    () -> a.free(0, 300_000),
                    () -> a.free(0, CHUNK + 5000),
                    () -> a.free(-4096, 40),
                    () -> a.free(Long.MIN_VALUE, 300_000),
                    // interior
                    () -> a.free(small.address() + 16, 40),
                    () -> a.free(small.address() + 1, 40),
                    () -> a.free(small2.address() + 512, 1000),
                    () -> a.free(large.address() + 4096, 300_000),
                    () -> a.free(large.address() + 16, 300_000),
                    () -> a.free(huge.address() + 4096, CHUNK + 5000),
                    () -> a.free(huge.address() + 16, CHUNK + 5000),
                    // a size of another class
                    () -> a.free(small.address(), 16),
                    () -> a.free(small.address(), 64),
                    () -> a.free(small.address(), 300_000),
                    () -> a.free(small.address(), CHUNK + 5000),
                    () -> a.free(small.address(), 40, 64),
                    () -> a.free(small2.address(), 40),
                    // large and huge with a wrong size
                    () -> a.free(large.address(), 40),
                    () -> a.free(large.address(), 100_000),
                    () -> a.free(large.address(), 600_000),
                    () -> a.free(large.address(), CHUNK + 5000),
                    () -> a.free(huge.address(), CHUNK),
                    () -> a.free(huge.address(), CHUNK + 9000),
                    () -> a.free(huge.address(), 40));
                for (int i = 0; i < bad.size(); i++) {
                    int n = i;
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad.get(i),
                            () -> "bad free #" + n);
                    assertTrue(e.getMessage().contains("0x"), e.getMessage());
                    assertEquals(figures, figures(a.stats()), "bad free #" + n + " changed the statistics");
                }
                small.check();
                small2.check();
                large.check();
                huge.check();
                assertStillWorks(a);
                free(a, small);
                free(a, small2);
                free(a, large);
                free(a, huge);
                assertEquals(0, a.stats().usedBytes());
                free(other, foreignSmall);
                free(other, foreignLarge);
                free(other, foreignHuge);
                assertEquals(0, other.stats().usedBytes());
                assertStillWorks(a);
            } finally {
                UnsafeApi.freeMemory(malloced);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"magazines", "locked", "hardened", "hardened-locked"})
    void aFreeOfABlockStartNeverHandedOutIsRefusedAndNothingIsHandedOutTwice(String config) {
        try (SlabAllocator a = build(config)) {
            Live p = live(a, 48);
            // 85 blocks of 48 bytes per slab; p is block 0 (locked) or the last of a 128-block refill
            // (block 42 of the second slab): the next block is a valid block start, still in its slab
            // the next block is still in its slab; with magazines the previous one sits in this thread's
            // magazine (a refill takes ascending addresses and allocation pops the highest), where a
            // free accepted without checking would make it appear twice
            String figures = figures(a.stats());
            for (long never : new long[] {p.address() + 48, p.address() - 48}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.free(never, 48));
                // without magazines p is the chunk's first block, so p - 48 is outside every chunk
                boolean outside = never < p.address() && !config.startsWith("magazines") && !config.equals("hardened");
                assertTrue(e.getMessage().contains(outside ? "not allocated by this allocator" : "never handed out"),
                    e.getMessage());
                assertEquals(figures, figures(a.stats()));
            }
            Set<Long> seen = new HashSet<>();
            seen.add(p.address());
            List<Live> more = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                Live x = live(a, 48);
                assertTrue(seen.add(x.address()), "0x" + Long.toHexString(x.address()) + " handed out twice");
                more.add(x);
            }
            p.check();
            for (Live x : more) {
                free(a, x);
            }
            free(a, p);
            assertStillWorks(a);
        }
    }

    // ------------------------------------------------------------------ double frees

    @ParameterizedTest
    @ValueSource(strings = {"hardened", "hardened-locked"})
    void hardenedModeRejectsDoubleFreesOfSmallBlocks(String config) {
        try (SlabAllocator a = build(config)) {
            assertTrue(a.isHardened());
            Live neighbour = live(a, 64);
            for (int size : new int[] {1, 64, 100, 4096, 65536}) {
                Live b = live(a, size);
                Live keep = live(a, size); // keeps the slab from going back to the heap
                free(a, b);
                String figures = figures(a.stats());
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.free(b.address(), b.size()));
                assertTrue(e.getMessage().contains("double free"), e.getMessage());
                assertEquals(figures, figures(a.stats()), "a refused double free changed the statistics");
                // the block is handed out once, not twice
                Live x = live(a, size);
                Live y = live(a, size);
                assertNotEquals(x.address(), y.address());
                free(a, x);
                free(a, y);
                free(a, keep);
            }
            // a double free from another thread is caught as well
            Live b = live(a, 64);
            free(a, b);
            Throwable[] seen = new Throwable[1];
            Thread t = new Thread(() -> {
                try {
                    a.free(b.address(), 64);
                } catch (Throwable e) {
                    seen[0] = e;
                }
            });
            t.start();
            assertDoesNotThrow(() -> t.join());
            assertInstanceOf(IllegalStateException.class, seen[0]);
            neighbour.check();
            free(a, neighbour);
            assertStillWorks(a);
            assertEquals(0, a.stats().usedBytes());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"magazines", "locked", "hardened", "hardened-locked"})
    void doubleFreesOfPageRunsAndHugeBlocksAreAlwaysRejected(String config) {
        try (SlabAllocator a = build(config)) {
            for (int size : new int[] {65537, 300_000, CHUNK, CHUNK + 1, 3 * CHUNK}) {
                Live keep = live(a, 100_000);
                Live b = live(a, size);
                free(a, b);
                String figures = figures(a.stats());
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.free(b.address(), b.size()),
                    "double free of a block of " + size);
                assertTrue(e.getMessage().contains("double free"), e.getMessage());
                assertEquals(figures, figures(a.stats()));
                free(a, keep);
                assertStillWorks(a);
            }
            // both chunk-sized blocks freed: the second chunk goes back to the OS at once
            long x = a.allocate(CHUNK);
            long y = a.allocate(CHUNK);
            a.free(x, CHUNK);
            a.free(y, CHUNK);
            String figures = figures(a.stats());
            assertThrows(IllegalStateException.class, () -> a.free(x, CHUNK));
            assertThrows(IllegalStateException.class, () -> a.free(y, CHUNK));
            assertEquals(figures, figures(a.stats()));
            assertStillWorks(a);
            assertEquals(0, a.stats().usedBytes());
        }
    }

    @Test
    void hardenedModeComesFromTheSystemPropertyWhenTheBuilderIsMade() {
        String old = System.getProperty("slabmag.hardened");
        try {
            System.setProperty("slabmag.hardened", "true");
            try (SlabAllocator a = SlabAllocator.create();
                    SlabAllocator b = SlabAllocator.builder().threadCaches(false).build()) {
                assertTrue(a.isHardened());
                assertTrue(b.isHardened());
                assertFalse(SlabAllocator.builder().hardened(false).build().isHardened(),
                        "the builder overrides the property");
                for (SlabAllocator x : List.of(a, b)) {
                    Live l = live(x, 64);
                    Live keep = live(x, 64);
                    free(x, l);
                    assertThrows(IllegalStateException.class, () -> x.free(l.address(), 64));
                    free(x, keep);
                    assertStillWorks(x);
                }
            }
            SlabAllocatorBuilder madeWhileTrue = SlabAllocator.builder();
            System.setProperty("slabmag.hardened", "false");
            try (SlabAllocator a = SlabAllocator.create(); SlabAllocator b = madeWhileTrue.build()) {
                assertFalse(a.isHardened());
                assertTrue(b.isHardened(), "the property is read when the builder is made");
            }
            System.clearProperty("slabmag.hardened");
            try (SlabAllocator a = SlabAllocator.create()) {
                assertFalse(a.isHardened(), "off by default");
            }
        } finally {
            if (old == null) {
                System.clearProperty("slabmag.hardened");
            } else {
                System.setProperty("slabmag.hardened", old);
            }
        }
    }

    // ------------------------------------------------------------------ after close

    @ParameterizedTest
    @ValueSource(strings = {"magazines", "locked"})
    void everyCallAfterCloseThrowsIllegalStateException(String config) {
        SlabAllocator a = build(config);
        Live small = live(a, 64);
        Live large = live(a, 100_000);
        long aligned = a.allocate(100, 64);
        assertFalse(a.isClosed());
        a.close();
        assertTrue(a.isClosed());
        List<Executable> calls = List.of(
            () -> a.allocate(64),
            () -> a.allocate(100_000),
            () -> a.allocate(CHUNK + 1),
            () -> a.allocate(64, 64),
            () -> a.free(small.address(), 64),
            () -> a.free(large.address(), 100_000),
            () -> a.free(aligned, 100, 64),
            () -> a.stats(),
            () -> a.trim(),
            () -> a.usableSize(64),
            () -> a.usableSize(100_000));
        for (int i = 0; i < calls.size(); i++) {
            int n = i;
            IllegalStateException e = assertThrows(IllegalStateException.class, calls.get(i), () -> "call #" + n);
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        }
        // bad arguments are still named first
        assertThrows(IllegalArgumentException.class, () -> a.usableSize(0));
        // the configuration getters keep working
        assertEquals(CHUNK, a.chunkSize());
        assertEquals(config.equals("magazines"), a.hasThreadCaches());
        assertFalse(a.isHardened());
        assertDoesNotThrow(a::close, "closing again has no effect");
        assertTrue(a.isClosed());
        // a thread that never used the allocator is refused too
        Throwable[] seen = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                a.allocate(16);
            } catch (Throwable e) {
                seen[0] = e;
            }
        });
        t.start();
        assertDoesNotThrow(() -> t.join());
        assertInstanceOf(IllegalStateException.class, seen[0]);
    }

    // ------------------------------------------------------------------ builder

    @Test
    void builderValidatesEveryArgumentAtOnce() {
        SlabAllocatorBuilder b = SlabAllocator.builder();
        for (int chunk : new int[] {0, -1, 3 << 20, (1 << 20) + 4096, 1 << 19, SlabAllocatorBuilder.MIN_CHUNK_SIZE / 2,
            Integer.MIN_VALUE, Integer.MAX_VALUE}) {
            assertThrowsNaming(IllegalArgumentException.class, () -> b.chunkSize(chunk), chunk);
        }
        for (long max : new long[] {0, -1, Long.MIN_VALUE}) {
            assertThrowsNaming(IllegalArgumentException.class, () -> b.maxMemory(max), max);
        }
        for (int bytes : new int[] {0, -1, 1023, (16 << 20) + 1, Integer.MAX_VALUE}) {
            assertThrowsNaming(IllegalArgumentException.class, () -> b.magazineBytes(bytes), bytes);
        }
        for (int bytes : new int[] {0, -1, 1023, (1 << 30) + 1, Integer.MAX_VALUE}) {
            assertThrowsNaming(IllegalArgumentException.class, () -> b.depotBytes(bytes), bytes);
        }
        for (Duration d : new Duration[] {Duration.ZERO, Duration.ofNanos(999_999), Duration.ofMillis(-1),
                Duration.ofDays(-1)}) {
            assertThrowsNaming(IllegalArgumentException.class, () -> b.reclaimInterval(d), d);
        }
        assertThrowsNaming(IllegalArgumentException.class, () -> b.reclaimInterval(null), null);
        // the edges are accepted, and a rejected value leaves the builder as it was
        assertSame(b, b.chunkSize(SlabAllocatorBuilder.MIN_CHUNK_SIZE));
        assertSame(b, b.chunkSize(SlabAllocatorBuilder.MAX_CHUNK_SIZE));
        assertSame(b, b.magazineBytes(1024).magazineBytes(16 << 20).depotBytes(1024).depotBytes(1 << 30));
        assertSame(b, b.maxMemory(1).maxMemory(Long.MAX_VALUE).reclaimInterval(Duration.ofMillis(1)));
        b.chunkSize(1 << 20);
        assertThrows(IllegalArgumentException.class, () -> b.chunkSize(3 << 20));
        try (SlabAllocator a = b.build(); SlabAllocator c = b.build()) {
            assertEquals(1 << 20, a.chunkSize());
            assertNotSame(a, c);
            assertStillWorks(a);
            assertStillWorks(c);
            assertEquals(0, a.stats().totalBytes() - a.stats().totalBytes());
        }
        try (SlabAllocator a = SlabAllocator.builder().chunkSize(SlabAllocatorBuilder.MAX_CHUNK_SIZE).build()) {
            assertEquals(0, a.stats().totalBytes(), "no memory until the first allocation");
            assertEquals(SlabAllocatorBuilder.MAX_CHUNK_SIZE, a.chunkSize());
        }
    }

    @Test
    void veryLongReclaimIntervalsMeanNever() {
        for (Duration d : new Duration[] {Duration.ofDays(365L * 1000), Duration.ofSeconds(Long.MAX_VALUE)}) {
            SlabAllocatorBuilder b = SlabAllocator.builder();
            assertSame(b, b.reclaimInterval(d), "a valid duration: " + d);
            try (SlabAllocator a = b.build()) {
                assertStillWorks(a);
            }
        }
    }

    @Test
    void defaults() {
        try (SlabAllocator a = SlabAllocator.create()) {
            assertEquals(4 << 20, a.chunkSize());
            assertEquals(Long.MAX_VALUE, a.maxMemory());
            assertTrue(a.hasThreadCaches());
            assertEquals(0, a.stats().totalBytes(), "no memory until the first allocation");
            assertEquals(44, a.stats().sizeClasses().size());
            assertStillWorks(a);
        }
    }
}
