package org.slabmag.netty;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slabmag.SlabAllocator;
import org.slabmag.testing.Concurrency;

/**
 * Direct buffers whose {@link SlabAllocator} was closed (issue 14): before the fix, reading a live buffer
 * after {@code close()} crashed the JVM (its chunk had been unmapped), and closing while other threads
 * took, wrote and released buffers crashed it in most runs.
 */
class ClosedSlabAllocatorTest {
    private static final int[] CAPACITIES = {0, 1, 64, 1000, 8192, 65_536, 70_000, 500_000, (1 << 20) + 1};

    @ParameterizedTest(name = "hardened={0}")
    @ValueSource(booleans = {false, true})
    void liveBuffersKeepWorkingAfterCloseAndReleaseQuietly(boolean hardened) throws Exception {
        SlabAllocator slab = SlabAllocator.builder().chunkSize(1 << 20).hardened(hardened).build();
        SlabByteBufAllocator alloc = new SlabByteBufAllocator(slab);
        List<ByteBuf> buffers = new ArrayList<>();
        for (int capacity : CAPACITIES) {
            buffers.add(alloc.directBuffer(capacity, 1 << 22));
        }
        // some buffers from another thread, which then ends with its magazines
        Thread other = new Thread(() -> {
            for (int capacity : CAPACITIES) {
                buffers.add(alloc.directBuffer(capacity, 1 << 22));
            }
        });
        other.start();
        other.join();
        for (int i = 0; i < buffers.size(); i++) {
            Patterns.fill(buffers.get(i), i);
        }
        ByteBuf heap = alloc.heapBuffer(16);

        slab.close();

        for (int i = 0; i < buffers.size(); i++) {
            ByteBuf buf = buffers.get(i);
            Patterns.check(buf, i);
            Patterns.fill(buf, i + 100);
            Patterns.check(buf, i + 100);
        }
        ByteBuf first = buffers.get(2);
        assertDoesNotThrow(() -> first.capacity(first.maxFastWritableBytes()), "growing within the block");
        assertThrows(IllegalStateException.class, () -> first.capacity(1 << 21), "no new memory after close");
        Patterns.fill(first, 200);
        Patterns.check(first, 200);
        assertThrows(IllegalStateException.class, () -> alloc.directBuffer(64));
        assertThrows(IllegalStateException.class, () -> alloc.ioBuffer(64));
        assertThrows(IllegalStateException.class, alloc::stats);
        assertThrows(IllegalStateException.class, alloc::trim);
        assertThrows(IllegalStateException.class, () -> alloc.metric().usedDirectMemory());
        assertTrue(alloc.metric().toString().contains("usedDirectMemory: closed"), alloc.metric().toString());
        assertEquals(16, alloc.metric().usedHeapMemory(), "heap buffers do not depend on the slab allocator");
        assertTrue(alloc.heapBuffer(8).release());
        for (ByteBuf buf : buffers) {
            assertTrue(buf.release(), "the last release gives the block back without an exception");
        }
        assertTrue(heap.release());
    }

    /**
     * Workers take, fill, check and release buffers (some released by another worker) while a metrics
     * thread reads {@code usedDirectMemory()} and trims; the allocator is closed at a random moment. Only
     * {@link IllegalStateException} may come out, and every buffer held at close stays intact.
     */
    @ParameterizedTest(name = "hardened={0}")
    @ValueSource(booleans = {false, true})
    void closeRacingBufferTraffic(boolean hardened) throws Exception {
        SplittableRandom seeds = new SplittableRandom(1414);
        for (int round = 0; round < 30; round++) {
            long seed = seeds.nextLong();
            SlabAllocator slab = SlabAllocator.builder().chunkSize(1 << 20).hardened(hardened).build();
            SlabByteBufAllocator alloc = new SlabByteBufAllocator(slab);
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Object[]> handoff = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch started = new CountDownLatch(4);
            List<List<Object[]>> held = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                List<Object[]> mine = new ArrayList<>();
                held.add(mine);
                SplittableRandom r = new SplittableRandom(seed + w);
                threads.add(new Thread(() -> traffic(alloc, r, mine, handoff, started, stop, errors)));
            }
            threads.add(new Thread(() -> {
                started.countDown();
                while (!stop.get()) {
                    try {
                        alloc.metric().usedDirectMemory();
                        alloc.trim();
                    } catch (IllegalStateException expected) {
                        Thread.onSpinWait();
                    } catch (Throwable t) {
                        errors.add(t);
                        return;
                    }
                }
            }));
            threads.forEach(Thread::start);
            started.await();
            Thread.sleep(new SplittableRandom(seed).nextInt(3));
            slab.close();
            Thread.sleep(2);
            stop.set(true);
            Concurrency.joinAll(threads);
            Concurrency.rethrow(errors, "seed " + seed);
            held.add(new ArrayList<>(handoff));
            for (List<Object[]> mine : held) {
                for (Object[] b : mine) {
                    ByteBuf buf = (ByteBuf) b[0];
                    Patterns.check(buf, (Long) b[1]);
                    assertTrue(buf.release());
                }
            }
            assertThrows(IllegalStateException.class, slab::stats);
        }
    }

    private static void traffic(SlabByteBufAllocator alloc, SplittableRandom r, List<Object[]> mine,
                                ConcurrentLinkedQueue<Object[]> handoff, CountDownLatch started, AtomicBoolean stop,
                                ConcurrentLinkedQueue<Throwable> errors) {
        started.countDown();
        long id = r.nextLong() & 0xffff_ffffL;
        try {
            while (!stop.get()) {
                int op = r.nextInt(8);
                if (op < 4 || mine.isEmpty()) {
                    ByteBuf buf;
                    try {
                        buf = alloc.directBuffer(CAPACITIES[r.nextInt(CAPACITIES.length)]);
                    } catch (IllegalStateException closed) {
                        for (Object[] b : mine) {
                            Patterns.check((ByteBuf) b[0], (Long) b[1]);
                        }
                        continue;
                    }
                    long bufId = id++;
                    Patterns.fill(buf, bufId);
                    (op == 0 ? handoff : mine).add(new Object[] {buf, bufId});
                } else {
                    Object[] b = op == 7 ? handoff.poll() : mine.remove(mine.size() - 1);
                    if (b != null) {
                        ByteBuf buf = (ByteBuf) b[0];
                        Patterns.check(buf, (Long) b[1]);
                        if (!buf.release()) {
                            throw new AssertionError("released but still referenced");
                        }
                    }
                }
            }
        } catch (Throwable t) {
            errors.add(t);
        }
    }
}
