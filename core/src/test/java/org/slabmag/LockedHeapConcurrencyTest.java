package org.slabmag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slabmag.testing.Concurrency;
import org.slabmag.testing.Ledger;
import org.slabmag.testing.Ledger.Stamped;

/**
 * The {@code LockedHeap} alone ({@code threadCaches(false)}) under several threads with cross-thread
 * frees: each block is stamped with a unique id when handed out and checked before it is freed.
 */
@ExtendWith(OomAsFailure.class)
class LockedHeapConcurrencyTest {

    static int size(Random rnd) {
        if (rnd.nextInt(10) == 0) {
            return 65_537 + rnd.nextInt(1 << 20); // page runs
        }
        return (int) Math.max(1, Math.round(Math.pow(2, rnd.nextDouble() * 16)));
    }

    @ParameterizedTest(name = "{0} threads, hardened={1}")
    @CsvSource({"2, false", "8, false", "8, true"})
    void crossThreadFreesThroughTheLockedHeap(int threads, boolean hardened) throws Exception {
        int opsPerThread = 80_000 / threads;
        try (SlabAllocator a = SlabAllocator.builder().threadCaches(false).hardened(hardened).build()) {
            assertFalse(a.hasThreadCaches());
            Ledger ledger = new Ledger(a);
            ConcurrentLinkedQueue<Stamped> shared = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = t;
                Thread th = new Thread(() -> {
                    Random rnd = new Random(seed);
                    List<Stamped> mine = new ArrayList<>();
                    try {
                        start.await();
                        for (int i = 0; i < opsPerThread; i++) {
                            int r = rnd.nextInt(100);
                            if (r < 50 || mine.isEmpty()) {
                                mine.add(ledger.allocate(size(rnd)));
                            } else if (r < 70) {
                                Stamped b = shared.poll();
                                if (b != null) {
                                    ledger.free(b); // allocated by another thread
                                }
                            } else {
                                Stamped b = mine.remove(rnd.nextInt(mine.size()));
                                if (rnd.nextBoolean()) {
                                    shared.add(b);
                                } else {
                                    ledger.free(b);
                                }
                            }
                        }
                        shared.addAll(mine);
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                });
                th.start();
                ts.add(th);
            }
            Concurrency.joinAll(ts);
            Concurrency.rethrow(errors);
            AllocatorStats s = a.stats();
            assertEquals(ledger.live.size(), shared.size());
            long used = shared.stream().mapToLong(Stamped::usable).sum();
            assertEquals(used, s.usedBytes(), s.toString());
            assertEquals(ledger.ids.get(), s.allocations());
            Stamped b;
            while ((b = shared.poll()) != null) {
                ledger.free(b);
            }
            s = a.stats();
            assertEquals(0, s.usedBytes(), s.toString());
            assertEquals(0, s.requestedBytes(), s.toString());
            assertEquals(0, s.cachedBytes(), s.toString());
            assertEquals(0, s.threadCaches());
            assertEquals(s.allocations(), s.deallocations());
            assertTrue(ledger.live.isEmpty());
            a.trim();
            assertEquals(0, a.stats().totalBytes(), a.stats().toString());
        }
    }
}
