package org.slabmag.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;
import org.slabmag.AllocatorStats;
import org.slabmag.SlabAllocator;
import org.slabmag.testing.Concurrency;

/**
 * Producers allocate buffers of random sizes (1 byte to 3 MiB, so slab blocks, page runs and dedicated blocks, with a
 * 1 MiB chunk), grow some of them, fill each with a pattern derived from its id and hand them to consumers
 * on other threads, which check the pattern and release. Every live region is registered by address; a
 * region handed out twice would either collide in that map or overwrite another buffer's pattern.
 * Bounded by a message count and a deadline; ends by checking that used memory is back to zero.
 */
class CrossThreadStressTest {
    private static final int PRODUCERS = 2;
    private static final int CONSUMERS = 2;
    private static final int BUFFERS_PER_PRODUCER = 20_000;
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(5);

    @Test
    void allocateOnSomeThreadsReleaseOnOthers() throws Exception {
        SlabAllocator slab = SlabAllocator.builder().chunkSize(1 << 20).hardened(true).build();
        SlabByteBufAllocator alloc = new SlabByteBufAllocator(slab);
        BlockingQueue<ByteBuf> queue = new ArrayBlockingQueue<>(256);
        Map<Long, Long> live = new ConcurrentHashMap<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong produced = new AtomicLong();
        AtomicLong consumed = new AtomicLong();
        AtomicBoolean producersDone = new AtomicBoolean();
        long deadline = System.nanoTime() + DEADLINE_NANOS;

        List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            long firstId = (long) p * BUFFERS_PER_PRODUCER;
            producers.add(start("producer-" + p, failure, () -> {
                SplittableRandom random = new SplittableRandom(firstId);
                for (long id = firstId; id < firstId + BUFFERS_PER_PRODUCER && System.nanoTime() < deadline; id++) {
                    ByteBuf buf = alloc.directBuffer(size(random));
                    if (random.nextInt(8) == 0) {
                        buf.ensureWritable(buf.capacity() + 1 + random.nextInt(100_000));
                    }
                    Long previous = live.put(buf.memoryAddress(), id);
                    if (previous != null) {
                        throw new AssertionError("region 0x" + Long.toHexString(buf.memoryAddress())
                            + " handed out to live buffers " + previous + " and " + id);
                    }
                    Patterns.fill(buf, id);
                    produced.incrementAndGet();
                    while (!queue.offer(buf, 100, TimeUnit.MILLISECONDS)) {
                        if (failure.get() != null) {
                            return;
                        }
                    }
                }
            }));
        }
        List<Thread> consumers = new ArrayList<>();
        for (int c = 0; c < CONSUMERS; c++) {
            consumers.add(start("consumer-" + c, failure, () -> {
                while (failure.get() == null) {
                    ByteBuf buf = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (buf == null) {
                        if (producersDone.get()) {
                            return;
                        }
                        continue;
                    }
                    long id = live.remove(buf.memoryAddress());
                    Patterns.check(buf, id);
                    assertTrue(buf.release());
                    consumed.incrementAndGet();
                }
            }));
        }
        Concurrency.joinAll(producers);
        producersDone.set(true);
        Concurrency.joinAll(consumers);
        if (failure.get() != null) {
            throw new AssertionError("a worker failed", failure.get());
        }
        assertTrue(produced.get() > 1000, "too few buffers in the time allowed: " + produced.get());
        assertEquals(produced.get(), consumed.get(), "every buffer released exactly once");
        assertTrue(live.isEmpty());
        AllocatorStats stats = alloc.stats();
        assertEquals(0, stats.usedBytes(), stats::toString);
        assertEquals(stats.allocations(), stats.deallocations(), stats::toString);
        slab.close();
    }

    /** Mostly small and medium sizes, with a tail up to 3 MiB (above the 1 MiB chunk). */
    static int size(SplittableRandom random) {
        int bucket = random.nextInt(100);
        if (bucket < 60) {
            return random.nextInt(1, 4097);
        }
        if (bucket < 94) {
            return random.nextInt(4097, 65537 + 1);
        }
        if (bucket < 99) {
            return random.nextInt(65537, 1 << 20);
        }
        return random.nextInt(1 << 20, 3 << 20);
    }

    private interface Body {
        void run() throws Exception;
    }

    private static Thread start(String name, AtomicReference<Throwable> failure, Body body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }, name);
        t.start();
        return t;
    }
}
