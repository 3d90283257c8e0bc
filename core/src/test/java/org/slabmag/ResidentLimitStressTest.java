package org.slabmag;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slabmag.internal.memory.NativeMemory;
import org.slabmag.testing.Concurrency;
import org.slabmag.testing.Ledger;
import org.slabmag.testing.Ledger.Stamped;

/**
 * Threads run into a tight {@code maxMemory} with small, large and dedicated blocks while the reclaimer
 * gives free pages back every few milliseconds and the limit path gives back more: every block keeps
 * its pattern until its free (a page given back under a live block would read as zeroes), no block is
 * handed out twice, the resident bytes never pass the limit, and at the end all bytes are back and
 * {@code maxMemory} minus one chunk can be had in one piece.
 */
@ExtendWith(OomAsFailure.class)
class ResidentLimitStressTest {
    private static final long LIMIT = 40L << 20;

    @Test
    void threadsAtTheLimitWhilePagesGoBack() throws Exception {
        assumeTrue(NativeMemory.canReleasePages(), "pages are given back on Linux only");
        int threads = 3;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
        try (SlabAllocator a = SlabAllocator.builder().maxMemory(LIMIT).decay(Duration.ofMillis(10)).build()) {
            Ledger ledger = new Ledger(a);
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            AtomicInteger limitErrors = new AtomicInteger();
            AtomicLong maxResident = new AtomicLong();
            AtomicLong minResidentShare = new AtomicLong(100);
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                SplittableRandom rnd = new SplittableRandom(17 + t);
                ts.add(new Thread(() -> {
                    List<Stamped> live = new ArrayList<>();
                    try {
                        for (int i = 0; System.nanoTime() < deadline; i++) {
                            try {
                                live.add(ledger.allocate(size(rnd)));
                            } catch (SlabOutOfMemoryError e) {
                                limitErrors.incrementAndGet();
                                assertTrue(e.resident() <= LIMIT, e.getMessage());
                                for (int k = live.size() / 2; k > 0; k--) {
                                    ledger.free(live.remove(rnd.nextInt(live.size())));
                                }
                            }
                            if (!live.isEmpty() && rnd.nextInt(3) == 0) {
                                ledger.free(live.remove(rnd.nextInt(live.size())));
                            }
                            if (i % 256 == 0) {
                                AllocatorStats s = a.stats();
                                maxResident.accumulateAndGet(s.residentBytes(), Math::max);
                                minResidentShare.accumulateAndGet(100 * s.residentBytes() / s.totalBytes(), Math::min);
                                if (i % 4096 == 0) {
                                    Thread.sleep(25); // idle across decay steps, holding what it holds
                                }
                            }
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    } finally {
                        for (Stamped b : live) {
                            ledger.free(b);
                        }
                    }
                }, "limit-" + t));
            }
            ts.forEach(Thread::start);
            Concurrency.joinAll(ts);
            Concurrency.rethrow(errors);
            assertTrue(limitErrors.get() > 0, "the limit was reached");
            assertTrue(maxResident.get() <= LIMIT, "resident " + maxResident.get() + " > limit " + LIMIT);
            assertTrue(minResidentShare.get() < 100, "free pages were given back at some point");
            StressTest.assertAllBack(a, ledger);
            long whole = a.allocate((int) (LIMIT - a.chunkSize()));
            a.free(whole, (int) (LIMIT - a.chunkSize()));
        }
    }

    /** Mostly small blocks, some large (64 KiB to a chunk), a few dedicated ones (above a chunk). */
    private static int size(SplittableRandom rnd) {
        int p = rnd.nextInt(100);
        if (p < 85) {
            return 1 + rnd.nextInt(16_384);
        }
        if (p < 98) {
            return 65_537 + rnd.nextInt(1 << 20);
        }
        return (4 << 20) + 1 + rnd.nextInt(4 << 20);
    }
}
