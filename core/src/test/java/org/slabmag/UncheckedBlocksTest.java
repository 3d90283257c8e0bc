package org.slabmag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.UnsafeApi;
import org.agrona.collections.LongHashSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The adapters' unchecked path: same accounting and memory, and checked calls cannot abuse its blocks. */
class UncheckedBlocksTest {

    @Test
    void allocationsAndFreesAreCountedAndEveryByteComesBack() {
        try (SlabAllocator a = SlabAllocator.create()) {
            UncheckedBlocks blocks = UncheckedBlocks.of(a);
            int[] sizes = {1, 64, 100, 4096, 65536, 65537, 1 << 20, 8 << 20};
            long[] addresses = new long[sizes.length];
            for (int i = 0; i < sizes.length; i++) {
                addresses[i] = blocks.allocate(sizes[i]);
                UnsafeApi.setMemory(addresses[i], a.usableSize(sizes[i]), (byte) i);
            }
            AllocatorStats live = a.stats();
            long usable = 0;
            long requested = 0;
            for (int size : sizes) {
                usable += a.usableSize(size);
                requested += size;
            }
            assertEquals(usable, live.usedBytes());
            assertEquals(requested, live.requestedBytes());
            assertEquals(sizes.length, live.allocations());
            for (int i = 0; i < sizes.length; i++) {
                blocks.free(addresses[i], sizes[i]);
            }
            AllocatorStats done = a.stats();
            assertEquals(0, done.usedBytes());
            assertEquals(0, done.requestedBytes());
            assertEquals(sizes.length, done.deallocations());
            a.trim();
            AllocatorStats trimmed = a.stats();
            assertEquals(0, trimmed.cachedBytes(), "unchecked rounds drained: their slabs were looked up");
            assertEquals(0, trimmed.totalBytes());
        }
    }

    /** A user freeing memory that an adapter's buffer owns is refused, and the buffer's block stays intact. */
    @Test
    void aCheckedFreeOfABlockHandedOutUncheckedIsRefused() {
        try (SlabAllocator a = SlabAllocator.create()) {
            UncheckedBlocks blocks = UncheckedBlocks.of(a);
            long fresh = blocks.allocate(64);
            assertThrows(IllegalArgumentException.class, () -> a.free(fresh, 64), "never handed out by a checked call");
            long checked = a.allocate(64);
            a.free(checked, 64);
            long reused = blocks.allocate(64);
            assertEquals(checked, reused, "the magazine hands the last free back first");
            assertThrows(IllegalStateException.class, () -> a.free(reused, 64), "freed by its checked user already");
            long other = a.allocate(64);
            assertNotEquals(fresh, other);
            assertNotEquals(reused, other);
            blocks.free(fresh, 64);
            blocks.free(reused, 64);
            a.free(other, 64);
            assertEquals(0, a.stats().usedBytes());
        }
    }

    /** Rounds freed unchecked carry no slab; a checked allocation of them looks it up and marks them live. */
    @Test
    void checkedCallsServeBlocksFreedUnchecked() {
        try (SlabAllocator a = SlabAllocator.create()) {
            UncheckedBlocks blocks = UncheckedBlocks.of(a);
            List<Long> held = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                held.add(blocks.allocate(256));
            }
            for (long address : held) {
                blocks.free(address, 256);
            }
            LongHashSet seen = new LongHashSet();
            List<Long> again = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                long address = a.allocate(256);
                assertTrue(seen.add(address), "handed out twice");
                again.add(address);
            }
            for (long address : again) {
                a.free(address, 256);
            }
            assertThrows(IllegalStateException.class, () -> a.free(again.get(0), 256));
            assertEquals(0, a.stats().usedBytes());
        }
    }

    @Test
    void hardenedAllocatorsCheckEveryCall() {
        try (SlabAllocator a = SlabAllocator.builder().hardened(true).build()) {
            UncheckedBlocks blocks = UncheckedBlocks.of(a);
            long address = blocks.allocate(64);
            blocks.free(address, 64);
            assertThrows(IllegalStateException.class, () -> blocks.free(address, 64), "double free caught");
            assertThrows(IllegalArgumentException.class, () -> blocks.free(address + 16, 64), "interior caught");
            long next = blocks.allocate(64);
            blocks.free(next, 64);
            assertEquals(0, a.stats().usedBytes());
        }
    }

    /**
     * The unchecked path runs out of memory like the checked one: the heap's internal signal never
     * reaches the caller, who gets {@link SlabOutOfMemoryError} with the limit's figures after the
     * memory-pressure step and one retry; once blocks come back, allocation works again.
     */
    @Test
    void runningOutOfMemoryThrowsSlabOutOfMemoryErrorAndFreesMakeRoomAgain() {
        long limit = 1 << 20;
        try (SlabAllocator a = SlabAllocator.builder().chunkSize(1 << 20).maxMemory(limit).threadCacheWarmUp(0)
            .build()) {
            UncheckedBlocks blocks = UncheckedBlocks.of(a);
            List<Long> held = new ArrayList<>();
            SlabOutOfMemoryError oom = null;
            while (oom == null && held.size() < 1_000_000) {
                try {
                    held.add(blocks.allocate(64));
                } catch (SlabOutOfMemoryError e) {
                    oom = e;
                }
            }
            assertNotNull(oom, "a 1 MiB limit ran out after " + held.size() + " blocks of 64 bytes");
            assertTrue(held.size() > 10_000, "the chunk was used before failing: " + held.size());
            assertEquals(limit, oom.limit());
            assertEquals(limit, oom.resident(), "every block live: no page to give back");
            assertTrue(oom.cached() >= 0, "cached bytes told apart from bytes in use: " + oom.cached());
            for (long address : held) {
                blocks.free(address, 64);
            }
            assertEquals(0, a.stats().usedBytes());
            long again = blocks.allocate(100);
            blocks.free(again, 100);
        }
    }

    /**
     * After close, allocation throws but a free does not: a Netty buffer released after its allocator
     * was closed gives its block back (the block stayed valid until then).
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void allocationAfterCloseThrowsAndFreeGivesBack(boolean hardened) {
        SlabAllocator a = SlabAllocator.builder().hardened(hardened).build();
        UncheckedBlocks blocks = UncheckedBlocks.of(a);
        int[] sizes = {64, 100_000, a.chunkSize() + 1};
        long[] live = new long[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            live[i] = blocks.allocate(sizes[i]);
            UnsafeApi.setMemory(live[i], sizes[i], (byte) i);
        }
        a.close();
        assertThrows(IllegalStateException.class, () -> blocks.allocate(64));
        assertThrows(IllegalStateException.class, () -> blocks.allocate(100_000));
        assertEquals(64, blocks.usableSize(64), "live buffers still need their region size");
        for (int i = 0; i < sizes.length; i++) {
            for (int k = 0; k < sizes[i]; k += 4093) {
                assertEquals((byte) i, UnsafeApi.getByte(live[i] + k), "memory still mapped and intact");
            }
            blocks.free(live[i], sizes[i]);
        }
        assertThrows(IllegalArgumentException.class, () -> blocks.free(live[1], 0));
    }

    /**
     * One thread allocates and fills blocks, another checks and frees them (Netty's I/O pipeline
     * pattern). Ends with: no block held twice at once, every pattern intact, used bytes zero, and
     * after trim nothing cached and no chunk kept.
     */
    @Test
    void producerConsumerStress() throws Exception {
        try (SlabAllocator a = SlabAllocator.create()) {
            UncheckedBlocks blocks = UncheckedBlocks.of(a);
            int n = 200_000;
            int[] sizes = {16, 64, 250, 1024, 5000};
            BlockingQueue<long[]> queue = new ArrayBlockingQueue<>(1024);
            LongHashSet live = new LongHashSet();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread consumer = new Thread(() -> {
                try {
                    for (int i = 0; i < n; i++) {
                        long[] b = queue.take();
                        long address = b[0];
                        int size = (int) b[1];
                        byte expect = (byte) b[2];
                        for (int k = 0; k < size; k += 7) {
                            if (UnsafeApi.getByte(address + k) != expect) {
                                throw new AssertionError("block 0x" + Long.toHexString(address) + " overwritten");
                            }
                        }
                        synchronized (live) {
                            assertTrue(live.remove(address));
                        }
                        blocks.free(address, size);
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            consumer.start();
            for (int i = 0; i < n && failure.get() == null; i++) {
                int size = sizes[i % sizes.length];
                long address = blocks.allocate(size);
                synchronized (live) {
                    assertTrue(live.add(address), "block handed out while still held");
                }
                UnsafeApi.setMemory(address, size, (byte) i);
                queue.put(new long[] {address, size, (byte) i});
            }
            consumer.join();
            assertNull(failure.get(), () -> String.valueOf(failure.get()));
            assertEquals(0, a.stats().usedBytes());
            a.trim(); // this thread's magazines, the dead consumer's, the depot
            assertEquals(0, a.stats().cachedBytes());
            assertTrue(a.stats().totalBytes() <= a.chunkSize(), "at most one chunk kept");
        }
    }
}
