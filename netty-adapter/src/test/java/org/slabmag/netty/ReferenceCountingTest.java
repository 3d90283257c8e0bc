package org.slabmag.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.buffer.ByteBuf;
import io.netty.util.IllegalReferenceCountException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.slabmag.SlabAllocator;

/**
 * Releases on other threads, reference-count races and misuse: Netty's exceptions, memory returned exactly
 * once, nothing corrupted, and the allocator serving correctly afterwards. The slab allocator is hardened,
 * so a double free reaching it would throw.
 */
class ReferenceCountingTest {
    private SlabAllocator slab;
    private SlabByteBufAllocator alloc;
    private ExecutorService pool;

    @BeforeEach
    void setUp() {
        slab = SlabAllocator.builder().hardened(true).build();
        alloc = new SlabByteBufAllocator(slab);
        pool = Executors.newFixedThreadPool(4);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        pool.shutdown();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        slab.close();
    }

    /** Used bytes after every worker's calls happen-before this one (through the futures or joins). */
    private long usedBytes() {
        return alloc.stats().usedBytes();
    }

    @Test
    void releaseOnAnotherThreadReturnsTheMemory() throws Exception {
        List<ByteBuf> buffers = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            ByteBuf buf = alloc.directBuffer(1 + i * 37 % 70_000);
            Patterns.fill(buf, i);
            buffers.add(buf);
        }
        assertTrue(usedBytes() > 0);
        Future<?> released = pool.submit(() -> {
            for (int i = 0; i < buffers.size(); i++) {
                Patterns.check(buffers.get(i), i);
                assertTrue(buffers.get(i).release());
            }
        });
        released.get(30, TimeUnit.SECONDS);
        assertEquals(0, usedBytes());
        assertAllocatorStillWorks();
    }

    @Test
    void concurrentRetainAndReleaseDeallocateExactlyOnce() throws Exception {
        int threads = 4;
        for (int round = 0; round < 200; round++) {
            ByteBuf buf = alloc.directBuffer(128);
            long deallocationsBefore = alloc.stats().deallocations();
            CyclicBarrier start = new CyclicBarrier(threads);
            AtomicInteger finalReleases = new AtomicInteger();
            buf.retain(threads - 1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 100; i++) {
                        buf.retain();
                        buf.setByte(i, i);
                        assertFalse(buf.release());
                    }
                    if (buf.release()) {
                        finalReleases.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertEquals(1, finalReleases.get(), "exactly one release must see the count reach zero");
            assertEquals(0, buf.refCnt());
            assertEquals(deallocationsBefore + 1, alloc.stats().deallocations());
        }
        assertEquals(0, usedBytes());
        assertAllocatorStillWorks();
    }

    @Test
    void racingFinalReleasesFreeOnce() throws Exception {
        for (int round = 0; round < 500; round++) {
            ByteBuf buf = alloc.directBuffer(64).retain();
            CountDownLatch go = new CountDownLatch(1);
            Future<Boolean> a = pool.submit(() -> {
                go.await();
                return buf.release();
            });
            Future<Boolean> b = pool.submit(() -> {
                go.await();
                return buf.release();
            });
            go.countDown();
            assertTrue(a.get(10, TimeUnit.SECONDS) ^ b.get(10, TimeUnit.SECONDS), "exactly one final release");
            assertThrows(IllegalReferenceCountException.class, buf::release);
        }
        assertEquals(0, usedBytes());
        assertAllocatorStillWorks();
    }

    @Test
    void accessAfterReleaseThrowsNettysException() {
        ByteBuf buf = alloc.directBuffer(100).writeLong(42L);
        ByteBuf slice = buf.slice(0, 8);
        ByteBuf duplicate = buf.duplicate();
        assertTrue(buf.release());
        assertEquals(0, usedBytes());

        for (ByteBuf b : new ByteBuf[] {buf, slice, duplicate}) {
            assertReleased(() -> b.getByte(0));
            assertReleased(() -> b.getLong(0));
            assertReleased(() -> b.setInt(0, 1));
            assertReleased(() -> b.readByte());
            assertReleased(() -> b.writeByte(1));
            assertReleased(() -> b.getBytes(0, new byte[4]));
            assertReleased(() -> b.setBytes(0, new byte[4]));
            assertReleased(() -> b.nioBuffer(0, 4));
            assertReleased(() -> b.internalNioBuffer(0, 4));
            assertReleased(() -> b.copy());
            assertReleased(() -> b.retain());
            assertReleased(() -> b.memoryAddress());
            assertReleased(() -> b.setZero(0, 4));
        }
        assertReleased(() -> buf.capacity(1000));
        assertReleased(() -> duplicate.capacity(1000));
        assertReleased(buf::release);
        assertReleased(() -> buf.release(2));
        assertEquals(0, usedBytes());
        assertAllocatorStillWorks();
    }

    @Test
    void overReleaseIsRejectedAndLeavesTheBufferUsable() {
        ByteBuf buf = alloc.directBuffer(16).retain(); // refCnt 2
        assertThrows(IllegalReferenceCountException.class, () -> buf.release(3));
        assertEquals(2, buf.refCnt());
        buf.writeInt(7);
        assertEquals(7, buf.getInt(0));
        assertThrows(IllegalReferenceCountException.class, () -> buf.retain(Integer.MAX_VALUE));
        assertEquals(2, buf.refCnt());
        assertTrue(buf.release(2));
        assertReleased(buf::release);
        assertEquals(0, usedBytes());
        assertAllocatorStillWorks();
    }

    @Test
    void derivedBuffersShareTheCountAndReleaseTheRegionOnce() {
        ByteBuf buf = alloc.directBuffer(256).writeZero(256);
        ByteBuf retainedSlice = buf.retainedSlice(10, 20);
        ByteBuf retainedDuplicate = buf.retainedDuplicate();
        assertFalse(buf.release());
        assertFalse(retainedSlice.release());
        assertTrue(usedBytes() > 0);
        assertTrue(retainedDuplicate.release());
        assertEquals(0, usedBytes());
        assertReleased(retainedSlice::release);
        assertAllocatorStillWorks();
    }

    private static void assertReleased(Executable access) {
        assertThrows(IllegalReferenceCountException.class, access);
    }

    /** Fresh buffers of many sizes hold their own patterns side by side, then all memory comes back. */
    private void assertAllocatorStillWorks() {
        List<ByteBuf> buffers = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            ByteBuf buf = alloc.directBuffer(i * 131 % 20_000);
            Patterns.fill(buf, 1_000_000 + i);
            buffers.add(buf);
        }
        for (int i = 0; i < buffers.size(); i++) {
            Patterns.check(buffers.get(i), 1_000_000 + i);
            assertTrue(buffers.get(i).release());
        }
        assertEquals(0, usedBytes());
    }
}
