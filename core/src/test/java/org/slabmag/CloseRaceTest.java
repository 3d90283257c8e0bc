package org.slabmag;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slabmag.testing.Concurrency;
import org.slabmag.testing.Patterns;

/**
 * {@code close()} racing other threads' calls (issue 14): before the fix a racing {@code allocate}
 * handed out blocks of chunks that {@code close()} had already returned to the OS, and
 * {@code close()} freed chunks under other threads' magazines and users' blocks, so this test died
 * with SIGSEGV; a metrics thread's {@code stats()}/{@code trim()} got {@link IllegalArgumentException}.
 *
 * <p>Each round: workers allocate, fill with a pattern, check and free blocks of every kind (slab,
 * page run, huge), sharing some with each other; a metrics thread calls {@code stats()}, {@code trim()}
 * and {@code usableSize()}; the main thread closes at a random moment. Every call must complete or
 * throw {@link IllegalStateException}; every block a worker still holds when it stops must still be
 * mapped and intact after {@code close()} returned.
 */
class CloseRaceTest {
    private static final int[] SIZES = {16, 64, 200, 1024, 4000, 40_000, 100_000, 600_000, (1 << 20) + 1};

    @ParameterizedTest(name = "threadCaches={0} hardened={1}")
    @CsvSource({"true,false", "true,true", "false,false"})
    void closeRacingCallsNeverCrashesOrUnmapsHeldMemory(boolean threadCaches, boolean hardened) throws Exception {
        SplittableRandom seeds = new SplittableRandom(14);
        for (int round = 0; round < 40; round++) {
            runRound(seeds.nextLong(), threadCaches, hardened);
        }
    }

    private static void runRound(long seed, boolean threadCaches, boolean hardened) throws Exception {
        SlabAllocator a = SlabAllocator.builder().chunkSize(1 << 20).threadCaches(threadCaches).hardened(hardened)
            .build();
        int workers = 3;
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<long[]> shared = new ConcurrentLinkedQueue<>();
        List<List<long[]>> kept = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(workers + 1);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            List<long[]> mine = new ArrayList<>();
            kept.add(mine);
            SplittableRandom r = new SplittableRandom(seed + w);
            threads.add(new Thread(() -> work(a, r, mine, shared, started, stop, errors)));
        }
        threads.add(new Thread(() -> {
            started.countDown();
            while (!stop.get()) {
                try {
                    a.stats();
                    a.trim();
                    a.usableSize(100);
                } catch (IllegalStateException e) {
                    assertTrue(e.getMessage().contains("closed"), e.getMessage());
                } catch (Throwable t) {
                    errors.add(t);
                    return;
                }
            }
        }));
        threads.forEach(Thread::start);
        started.await();
        Thread.sleep(new SplittableRandom(seed).nextInt(3));
        a.close();
        // the workers keep going for a while after close, on blocks they hold
        Thread.sleep(2);
        stop.set(true);
        Concurrency.joinAll(threads);
        Concurrency.rethrow(errors, "seed " + seed);
        for (List<long[]> mine : kept) {
            for (long[] b : mine) {
                Patterns.check(b[0], b[1], b[2]);
            }
        }
        for (long[] b : shared) {
            Patterns.check(b[0], b[1], b[2]);
        }
        assertTrue(a.isClosed());
        assertThrows(IllegalStateException.class, () -> a.allocate(64));
    }

    /** Random calls until {@code stop}; the blocks held at the end stay in {@code mine}. */
    private static void work(SlabAllocator a, SplittableRandom r, List<long[]> mine, ConcurrentLinkedQueue<long[]> shared,
                             CountDownLatch started, AtomicBoolean stop, ConcurrentLinkedQueue<Throwable> errors) {
        started.countDown();
        long id = 0;
        try {
            while (!stop.get()) {
                int op = r.nextInt(10);
                try {
                    if (op < 5 || mine.isEmpty()) {
                        int size = SIZES[r.nextInt(SIZES.length)];
                        long address = a.allocate(size);
                        long s = Patterns.seed(address, id++);
                        Patterns.fill(address, size, s);
                        long[] b = {address, size, s};
                        if (r.nextInt(4) == 0) {
                            shared.add(b);
                        } else {
                            mine.add(b);
                        }
                    } else if (op < 9) {
                        long[] b = op == 8 ? shared.poll() : mine.remove(mine.size() - 1);
                        if (b == null) {
                            continue;
                        }
                        Patterns.check(b[0], b[1], b[2]);
                        try {
                            a.free(b[0], (int) b[1]);
                        } catch (IllegalStateException closed) {
                            mine.add(b); // not freed: still ours, and must stay mapped
                            throw closed;
                        }
                    } else {
                        for (long[] b : mine) {
                            Patterns.check(b[0], b[1], b[2]);
                        }
                    }
                } catch (IllegalStateException e) {
                    if (!e.getMessage().contains("closed")) {
                        throw e;
                    }
                    // after close: keep touching what we hold
                    for (long[] b : mine) {
                        Patterns.check(b[0], b[1], b[2]);
                    }
                }
            }
        } catch (Throwable t) {
            errors.add(t);
        }
    }
}
