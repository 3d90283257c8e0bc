package org.slabmag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slabmag.testing.AllocatorVariant;
import org.slabmag.testing.Concurrency;
import org.slabmag.testing.Ledger;
import org.slabmag.testing.Ledger.Stamped;

/**
 * Standard allocator workloads over every {@link AllocatorVariant}. Each ends with: no block handed out twice (a
 * unique stamp per allocation, checked before free, and a ledger of live addresses), used bytes back to zero,
 * the statistics consistent, and after {@code trim()} nothing cached and at most one chunk reserved.
 */
@ExtendWith(OomAsFailure.class)
class StressTest {
    private static final Stamped POISON = new Stamped(0, 0, 0, 0);

    static void assertAllBack(SlabAllocator a, Ledger ledger) {
        assertTrue(ledger.live.isEmpty(), ledger.live.size() + " blocks never freed");
        AllocatorStats s = a.stats();
        assertEquals(0, s.usedBytes(), s.toString());
        assertEquals(0, s.requestedBytes(), s.toString());
        assertEquals(ledger.ids.get(), s.allocations(), s.toString());
        assertEquals(s.allocations(), s.deallocations(), s.toString());
        a.trim();
        s = a.stats();
        assertEquals(0, s.cachedBytes(), s.toString());
        assertTrue(s.totalBytes() <= a.chunkSize(), "at most one chunk after trim(): " + s);
        for (SizeClassStats c : s.sizeClasses()) {
            assertEquals(0, c.blocksUsed(), c.toString());
            assertEquals(0, c.blocksCached(), c.toString());
        }
    }

    /** xmalloc: producers allocate 64-byte blocks in batches, consumers free them. */
    @ParameterizedTest
    @EnumSource(AllocatorVariant.class)
    void xmalloc(AllocatorVariant variant) throws Exception {
        int producers = 2;
        int consumers = 2;
        int batches = 4000;
        int batch = 100;
        try (SlabAllocator a = variant.build()) {
            Ledger ledger = new Ledger(variant.blocks(a));
            BlockingQueue<Stamped[]> queue = new ArrayBlockingQueue<>(64);
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            AtomicLong maxTotal = new AtomicLong();
            List<Thread> ts = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                ts.add(new Thread(() -> {
                    try {
                        for (int i = 0; i < batches; i++) {
                            Stamped[] blocks = new Stamped[batch];
                            for (int j = 0; j < batch; j++) {
                                blocks[j] = ledger.allocate(64);
                            }
                            if (!queue.offer(blocks, 30, TimeUnit.SECONDS)) {
                                throw new AssertionError("consumers stalled");
                            }
                            if (i % 100 == 0) {
                                maxTotal.accumulateAndGet(a.stats().totalBytes(), Math::max);
                            }
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }, "producer-" + p));
            }
            List<Thread> cs = new ArrayList<>();
            for (int c = 0; c < consumers; c++) {
                cs.add(new Thread(() -> {
                    try {
                        while (true) {
                            Stamped[] blocks = queue.poll(30, TimeUnit.SECONDS);
                            if (blocks == null) {
                                throw new AssertionError("producers stalled");
                            }
                            if (blocks[0] == POISON) {
                                return;
                            }
                            for (Stamped b : blocks) {
                                ledger.free(b);
                            }
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }, "consumer-" + c));
            }
            ts.forEach(Thread::start);
            cs.forEach(Thread::start);
            for (Thread t : ts) {
                t.join();
            }
            for (int c = 0; c < consumers; c++) {
                queue.put(new Stamped[] {POISON});
            }
            for (Thread t : cs) {
                t.join();
            }
            Concurrency.rethrow(errors);
            assertEquals((long) producers * batches * batch, ledger.ids.get());
            assertTrue(maxTotal.get() <= 2L * a.chunkSize(),
                "freed blocks are reused: " + (producers * batches * batch * 64L >> 20)
                        + " MiB allocated in 64-byte blocks, "
                    + "at most " + maxTotal.get() + " bytes reserved");
            assertAllBack(a, ledger);
        }
    }

    /**
     * larson: each thread replaces random blocks of an array it inherited from a finished
     * predecessor, then hands the array on to a successor it starts, and ends. Blocks are 10 to 1009
     * bytes, and one in {@value #LARSON_LARGE_ONE_IN} is a page run of 64 KiB to 1 MiB (its pattern
     * covers its edges, so a run overlapping another is caught).
     */
    @ParameterizedTest
    @EnumSource(AllocatorVariant.class)
    void larson(AllocatorVariant variant) throws Exception {
        int lanes = 4;
        int generations = 50;
        int slots = 500;
        int rounds = 8000;
        try (SlabAllocator a = variant.build()) {
            Ledger ledger = new Ledger(variant.blocks(a));
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            CountDownLatch done = new CountDownLatch(lanes);
            List<Stamped[]> finalArrays = new ArrayList<>();
            for (int lane = 0; lane < lanes; lane++) {
                Stamped[] array = new Stamped[slots];
                synchronized (finalArrays) {
                    finalArrays.add(array);
                }
                new LarsonThread(a, ledger, array, null, 0, generations, rounds, lane, errors, done).start();
            }
            assertTrue(done.await(120, TimeUnit.SECONDS), "larson did not finish");
            for (Thread t : LarsonThread.LAST) {
                t.join();
            }
            Concurrency.rethrow(errors);
            AllocatorStats s = a.stats();
            assertEquals(0, s.threadCaches(), "every larson thread ended and its cache was taken back: " + s);
            long used = 0;
            for (Stamped[] array : finalArrays) {
                for (Stamped b : array) {
                    if (b != null) {
                        used += b.usable();
                    }
                }
            }
            assertEquals(used, s.usedBytes(), s.toString());
            for (Stamped[] array : finalArrays) {
                for (Stamped b : array) {
                    if (b != null) {
                        ledger.free(b);
                    }
                }
            }
            assertAllBack(a, ledger);
        }
    }

    /** One larson block in this many is large. */
    static final int LARSON_LARGE_ONE_IN = 64;

    /** A larson block size: mostly small, sometimes a page run of any length from 17 to 256 pages. */
    static int larsonSize(Random rnd) {
        if (rnd.nextInt(LARSON_LARGE_ONE_IN) == 0) {
            return 65_537 + rnd.nextInt((1 << 20) - 65_536);
        }
        return 10 + rnd.nextInt(1000);
    }

    static final class LarsonThread extends Thread {
        static final ConcurrentLinkedQueue<Thread> LAST = new ConcurrentLinkedQueue<>();

        private final SlabAllocator a;
        private final Ledger ledger;
        private final Stamped[] array;
        private final Thread predecessor;
        private final int generation;
        private final int generations;
        private final int rounds;
        private final long seed;
        private final ConcurrentLinkedQueue<Throwable> errors;
        private final CountDownLatch done;

        LarsonThread(SlabAllocator a, Ledger ledger, Stamped[] array, Thread predecessor, int generation, int generations,
                     int rounds, long seed, ConcurrentLinkedQueue<Throwable> errors, CountDownLatch done) {
            super("larson-" + seed + "-" + generation);
            this.a = a;
            this.ledger = ledger;
            this.array = array;
            this.predecessor = predecessor;
            this.generation = generation;
            this.generations = generations;
            this.rounds = rounds;
            this.seed = seed;
            this.errors = errors;
            this.done = done;
        }

        @Override
        public void run() {
            try {
                if (predecessor != null) {
                    predecessor.join(); // the blocks were allocated by a thread that has ended
                }
                Random rnd = new Random(seed * 1000 + generation);
                for (int i = 0; i < rounds; i++) {
                    int slot = rnd.nextInt(array.length);
                    if (array[slot] != null) {
                        ledger.free(array[slot]);
                    }
                    array[slot] = ledger.allocate(larsonSize(rnd));
                }
                if (generation + 1 < generations) {
                    new LarsonThread(a, ledger, array, this, generation + 1, generations, rounds, seed, errors,
                            done).start();
                    return;
                }
            } catch (Throwable e) {
                errors.add(e);
            }
            LAST.add(this);
            done.countDown();
        }
    }

    /**
     * mleak: hundreds of short-lived threads allocate, free part of what they allocated, and end
     * holding magazines; those must come back without any call into the dead threads.
     */
    @ParameterizedTest
    @EnumSource(AllocatorVariant.class)
    void mleak(AllocatorVariant variant) throws Exception {
        int waves = 15;
        int threadsPerWave = 40;
        int blocksPerThread = 60;
        try (SlabAllocator a = variant.configure(SlabAllocator.builder().threadCacheWarmUp(0)).build()) {
            Ledger ledger = new Ledger(variant.blocks(a));
            ConcurrentLinkedQueue<Stamped> leaked = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            int[] sizes = {16, 24, 100, 200, 1000, 3000, 8000, 20_000};
            for (int wave = 0; wave < waves; wave++) {
                CountDownLatch worked = new CountDownLatch(threadsPerWave);
                CountDownLatch exit = new CountDownLatch(1);
                List<Thread> ts = new ArrayList<>();
                for (int t = 0; t < threadsPerWave; t++) {
                    long seed = wave * 1000L + t;
                    Thread th = new Thread(() -> {
                        try {
                            Random rnd = new Random(seed);
                            List<Stamped> mine = new ArrayList<>();
                            for (int i = 0; i < blocksPerThread; i++) {
                                mine.add(ledger.allocate(sizes[rnd.nextInt(sizes.length)]));
                            }
                            for (Stamped b : mine) {
                                if (rnd.nextInt(3) == 0) {
                                    leaked.add(b); // still live when this thread ends
                                } else {
                                    ledger.free(b);
                                }
                            }
                        } catch (Throwable e) {
                            errors.add(e);
                        } finally {
                            worked.countDown();
                        }
                        try {
                            exit.await();
                        } catch (InterruptedException e) {
                            errors.add(e);
                        }
                    });
                    th.start();
                    ts.add(th);
                }
                assertTrue(worked.await(60, TimeUnit.SECONDS));
                if (wave == 0) {
                    int expected = a.hasThreadCaches() ? threadsPerWave : 0;
                    assertEquals(expected, a.stats().threadCaches(), "every live thread holds magazines, if any");
                }
                exit.countDown();
                for (Thread th : ts) {
                    th.join();
                }
                Concurrency.rethrow(errors);
                AllocatorStats s = a.stats();
                assertEquals(0, s.threadCaches(), "dead threads' caches are taken back: " + s);
                long leakedUsable = leaked.stream().mapToLong(Stamped::usable).sum();
                assertEquals(leakedUsable, s.usedBytes(), s.toString());
                assertEquals(ledger.ids.get(), s.allocations());
                // what dead threads cached went to the depots (at most depotBytes per class, 256 KiB by default) or the heap
                assertTrue(s.cachedBytes() <= sizes.length * (1L << 20),
                    "wave " + wave + ": " + s.cachedBytes() + " bytes cached with no thread alive");
            }
            Stamped b;
            while ((b = leaked.poll()) != null) {
                ledger.free(b);
            }
            assertAllBack(a, ledger);
        }
    }
}
