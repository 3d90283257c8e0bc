package org.slabmag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slabmag.testing.Concurrency;
import org.slabmag.testing.Ledger;
import org.slabmag.testing.Ledger.Stamped;
import org.slabmag.testing.Patterns;
import org.slabmag.internal.Reclaimer;
import org.slabmag.internal.memory.NativeMemory;

/**
 * What slabmag holds follows what is in use: no memory stranded by a thread model, decay without
 * {@code trim()}, and the memory-limit path reaching cached memory.
 */
@ExtendWith(OomAsFailure.class)
class MemoryFollowsLiveSetTest {
    private static final int CHUNK = 4 << 20;

    /**
     * 100,000 virtual threads each allocate and free a 64 B, a 1000 B and a 4 KiB block, then park
     * together: no private caches, at most 16 MiB reserved while they park, and with a 1 GiB limit
     * not one of them fails.
     */
    @Test
    void virtualThreadsShareMagazinesAndStrandNothing() throws Exception {
        assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21+");
        int threads = 100_000;
        try (SlabAllocator a = SlabAllocator.builder().maxMemory(1L << 30).build()) {
            CountDownLatch parked = new CountDownLatch(threads);
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger errors = new AtomicInteger();
            ConcurrentLinkedQueue<Throwable> firstErrors = new ConcurrentLinkedQueue<>();
            ExecutorService vts = Concurrency.virtualThreadPerTaskExecutor();
            try {
                for (int i = 0; i < threads; i++) {
                    vts.execute(() -> {
                        try {
                            long x = a.allocate(64);
                            long y = a.allocate(1000);
                            long z = a.allocate(4096);
                            Patterns.fill(x, 64, 1);
                            Patterns.fill(z, 4096, 3);
                            a.free(y, 1000);
                            a.free(x, 64);
                            a.free(z, 4096);
                        } catch (Throwable e) {
                            if (errors.getAndIncrement() < 5) {
                                firstErrors.add(e);
                            }
                        } finally {
                            parked.countDown();
                        }
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
                }
                assertTrue(parked.await(120, TimeUnit.SECONDS));
                AllocatorStats s = a.stats();
                release.countDown();
                Concurrency.rethrow(firstErrors);
                assertEquals(0, errors.get());
                assertEquals(0, s.threadCaches(), "virtual threads hold no private magazines: " + s);
                assertEquals(0, s.usedBytes(), s.toString());
                assertEquals(3L * threads, s.allocations());
                assertTrue(s.totalBytes() <= 16L << 20, "at most 16 MiB reserved while they park: " + s);
            } finally {
                release.countDown();
                vts.shutdown();
                assertTrue(vts.awaitTermination(60, TimeUnit.SECONDS));
            }
        }
    }

    /**
     * Thousands of short-lived platform threads, each allocating a few times, leave no cache behind:
     * they never leave their warm-up on the shared magazines.
     */
    @Test
    void shortLivedThreadsRegisterNoCache() throws Exception {
        try (SlabAllocator a = SlabAllocator.builder().decay(Duration.ZERO).build()) {
            for (int i = 0; i < 2000; i++) {
                Thread t = new Thread(() -> {
                    long p = a.allocate(100);
                    long q = a.allocate(20_000);
                    a.free(p, 100);
                    a.free(q, 20_000);
                });
                t.start();
                t.join();
            }
            AllocatorStats s = a.stats();
            assertEquals(0, s.threadCaches(), s.toString());
            assertEquals(0, s.usedBytes());
            assertEquals(4000, s.allocations());
            assertTrue(s.totalBytes() <= CHUNK, "the threads' blocks share one chunk: " + s);
        }
    }

    /**
     * Registering private caches is O(1) amortised: 20,000 threads that each warm up and register,
     * and end, cost no scan of every cache per registration; dead threads' caches are taken back.
     */
    @Test
    void manyRegistrationsScanDeadCachesAmortised() throws Exception {
        try (SlabAllocator a = SlabAllocator.builder().threadCacheWarmUp(0).decay(Duration.ZERO).build()) {
            for (int i = 0; i < 20_000; i++) {
                Thread t = new Thread(() -> a.free(a.allocate(64), 64));
                t.start();
                t.join();
            }
            AllocatorStats s = a.stats();
            assertEquals(0, s.threadCaches(), "every dead thread's cache was taken back: " + s);
            assertEquals(20_000, s.allocations());
            a.trim();
            assertTrue(a.stats().totalBytes() <= CHUNK);
        }
    }

    /**
     * Blocks freed through the shared magazines by a thread that stays alive and idle, and the
     * chunks they came from, go back to the OS within two decay times, with no call into the
     * allocator but {@code stats()} (which gives nothing back).
     */
    @Test
    void decayReturnsIdleMemoryWithoutTrim() throws Exception {
        Duration decay = Duration.ofMillis(400);
        try (SlabAllocator a = SlabAllocator.builder().decay(decay).threadCacheWarmUp(1_000_000).build()) {
            List<Long> blocks = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                blocks.add(a.allocate(40_000)); // about 16 MiB: four chunks
            }
            assertTrue(a.stats().chunks() >= 4);
            for (long b : blocks) {
                a.free(b, 40_000);
            }
            long freed = System.nanoTime();
            long back = -1;
            while (System.nanoTime() - freed < decay.toNanos() * 2 + TimeUnit.SECONDS.toNanos(3)) {
                if (a.stats().totalBytes() == 0) {
                    back = System.nanoTime() - freed;
                    break;
                }
                Thread.sleep(20);
            }
            AllocatorStats s = a.stats();
            assertTrue(back >= 0, "nothing reserved after decay: " + s);
            assertEquals(0, s.cachedBytes(), s.toString());
            // two decay times, plus a second for a loaded CI machine's scheduling
            assertTrue(back <= decay.toNanos() * 2 + TimeUnit.SECONDS.toNanos(1),
                "memory back within two decay times: took " + back / 1_000_000 + " ms");
            long p = a.allocate(40_000);
            a.free(p, 40_000);
        }
    }

    /**
     * Free pages of a chunk that a live block pins leave RSS too ({@code madvise}, on Linux, whatever the
     * JDK): one block stays live in each of two chunks; after decay the free pages are given back,
     * resident bytes fall below reserved bytes, process RSS drops, the live blocks keep their contents
     * and the pages serve again. Off Linux, resident bytes stay equal to reserved bytes.
     */
    @Test
    void decayGivesBackFreePagesOfPinnedChunks() throws Exception {
        Duration decay = Duration.ofMillis(200);
        try (SlabAllocator a = SlabAllocator.builder().decay(decay).threadCacheWarmUp(1_000_000).build()) {
            int size = 60_000;
            List<Long> blocks = new ArrayList<>();
            for (int i = 0; i < 2 * CHUNK / 65_536; i++) {
                long b = a.allocate(size);
                Patterns.fill(b, size, b);
                blocks.add(b);
            }
            assertEquals(2, a.stats().chunks());
            long keepLow = blocks.get(0);
            long keepHigh = blocks.get(blocks.size() - 1);
            long rssBefore = chunkRss(keepLow) + chunkRss(keepHigh);
            assertTrue(rssBefore >= 6L << 20, "both chunks written: " + rssBefore);
            for (long b : blocks) {
                if (b != keepLow && b != keepHigh) {
                    a.free(b, size);
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            AllocatorStats s = a.stats();
            boolean canRelease = System.getProperty("os.name", "").startsWith("Linux");
            assertEquals(canRelease, NativeMemory.canReleasePages(), "pages go back on Linux, whatever the JDK");
            while (canRelease && s.residentBytes() > s.totalBytes() - CHUNK && System.nanoTime() < deadline) {
                Thread.sleep(20);
                s = a.stats();
            }
            assertEquals(2, s.chunks(), "the live blocks keep both chunks: " + s);
            if (canRelease) {
                assertTrue(s.residentBytes() <= s.totalBytes() - CHUNK, "free pages given back: " + s);
                long after = chunkRss(keepLow) + chunkRss(keepHigh);
                assertTrue(after <= 1L << 20, "the chunks' RSS fell from " + rssBefore + " to " + after + " bytes");
            } else {
                assertEquals(s.totalBytes(), s.residentBytes(), "no page-level return off Linux: " + s);
            }
            Patterns.check(keepLow, size, keepLow);
            Patterns.check(keepHigh, size, keepHigh);
            long again = a.allocate(size); // a given-back page serves again, zeroed and writable
            Patterns.fill(again, size, 5);
            Patterns.check(again, size, 5);
            a.free(again, size);
            a.free(keepLow, size);
            a.free(keepHigh, size);
        }
    }

    /**
     * Resident bytes of the chunk holding {@code address} (chunks are aligned to their size), from the
     * present bits of {@code /proc/self/pagemap}: exact for these pages, whatever the kernel merged
     * the mapping with.
     */
    private static long chunkRss(long address) throws java.io.IOException {
        long chunk = address & -(long) CHUNK;
        int pages = CHUNK / 4096;
        byte[] entries = new byte[pages * 8];
        try (java.io.RandomAccessFile pagemap = new java.io.RandomAccessFile("/proc/self/pagemap", "r")) {
            pagemap.seek(chunk / 4096 * 8);
            pagemap.readFully(entries);
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(entries).order(java.nio.ByteOrder.nativeOrder());
        long resident = 0;
        for (int i = 0; i < pages; i++) {
            if (b.getLong(i * 8) < 0) { // bit 63: page present
                resident += 4096;
            }
        }
        return resident;
    }

    /** With decay off, nothing goes back by itself: the reclaimer is what returns the memory. */
    @Test
    void withDecayOffIdleMemoryStays() throws Exception {
        try (SlabAllocator a = SlabAllocator.builder().decay(Duration.ZERO).threadCacheWarmUp(1_000_000).build()) {
            List<Long> blocks = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                blocks.add(a.allocate(40_000));
            }
            for (long b : blocks) {
                a.free(b, 40_000);
            }
            Thread.sleep(300);
            assertTrue(a.stats().totalBytes() > 0);
            a.trim();
            assertTrue(a.stats().totalBytes() <= CHUNK, "trim() still returns it");
        }
    }

    /** A private cache that went idle gives its magazines back at its next trip to the depot. */
    @Test
    void anIdlePrivateCacheGivesBackAfterTwoEpochs() throws Exception {
        Duration decay = Duration.ofMillis(100);
        try (SlabAllocator a = SlabAllocator.builder().decay(decay).threadCacheWarmUp(0).build()) {
            List<Long> blocks = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                blocks.add(a.allocate(1000));
            }
            for (long b : blocks) {
                a.free(b, 1000);
            }
            long cachedBusy = a.stats().cachedBytes();
            assertTrue(cachedBusy > 0);
            Thread.sleep(decay.toMillis() * 3);
            // the next trip to the depot: a class this thread has no magazine of yet
            a.free(a.allocate(30_000), 30_000);
            Thread.sleep(decay.toMillis() * 3); // and the depot gives back what nobody took
            AllocatorStats s = a.stats();
            assertTrue(s.cachedBytes() < cachedBusy, "the idle magazines went back: " + s);
        }
    }

    /**
     * What one idle live thread can hold is bounded by two magazines per class: after a burst of
     * random sizes, with everything else given back, its private magazines stay within the bound.
     */
    @Test
    void anIdleThreadHoldsAtMostItsBound() throws Exception {
        try (SlabAllocator a = SlabAllocator.builder().threadCacheWarmUp(0).decay(Duration.ZERO).build()) {
            long bound = a.maxThreadCacheBytes();
            CountDownLatch done = new CountDownLatch(1);
            CountDownLatch exit = new CountDownLatch(1);
            Thread worker = new Thread(() -> {
                Random rnd = new Random(7);
                List<long[]> live = new ArrayList<>();
                for (int i = 0; i < 50_000; i++) {
                    int size = 1 + rnd.nextInt(65_536);
                    live.add(new long[] {a.allocate(size), size});
                }
                for (long[] b : live) {
                    a.free(b[0], (int) b[1]);
                }
                done.countDown();
                try {
                    exit.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            worker.start();
            assertTrue(done.await(60, TimeUnit.SECONDS));
            a.trim(); // the depots and the shared stripes go back; the idle worker's magazines stay
            AllocatorStats s = a.stats();
            assertTrue(s.cachedBytes() > 0, "the idle worker keeps its magazines: " + s);
            assertTrue(s.cachedBytes() <= bound, s.cachedBytes() + " cached, bound " + bound);
            assertTrue(bound <= 40L << 20, "the bound stays modest: " + bound);
            exit.countDown();
            worker.join();
        }
    }

    /**
     * Out of memory, cached blocks anywhere a thread can reach go back before the error: a burst freed
     * through the shared magazines, the depot and dead threads does not stop an allocation of
     * {@code maxMemory} minus one chunk.
     */
    @Test
    void theLimitPathReachesCachedMemory() throws Exception {
        long limit = 64L << 20;
        try (SlabAllocator a = SlabAllocator.builder().maxMemory(limit).decay(Duration.ZERO).build()) {
            Thread worker = new Thread(() -> {
                List<Long> blocks = new ArrayList<>();
                for (int i = 0; i < 5000; i++) {
                    blocks.add(a.allocate(1000 + i % 7000));
                }
                for (int i = 0; i < blocks.size(); i++) {
                    a.free(blocks.get(i), 1000 + i % 7000);
                }
            });
            worker.start();
            worker.join();
            long big = a.allocate((int) (limit - CHUNK));
            a.free(big, (int) (limit - CHUNK));
            SlabOutOfMemoryError e = assertThrows(SlabOutOfMemoryError.class, () -> a.allocate((int) limit + 4096));
            assertEquals(0, e.used(), e.getMessage());
            assertTrue(e.getMessage().contains("in users' hands"), e.getMessage());
        }
    }

    /**
     * A live thread that went idle keeps its private magazines (nobody may touch them without its
     * help), and they pin chunks; the limit bounds resident bytes, so the free pages of those chunks go
     * back under pressure and an allocation of {@code maxMemory} minus one chunk still succeeds. When
     * the idle thread wakes, its magazines still serve; what it takes beyond them counts against the
     * limit again.
     */
    @Test
    void anIdleLiveThreadsCachedBlocksDoNotStopALargeAllocation() throws Exception {
        assumeTrue(NativeMemory.canReleasePages(), "pages are given back on Linux only");
        long limit = 64L << 20;
        try (SlabAllocator a = SlabAllocator.builder().maxMemory(limit).threadCacheWarmUp(0).decay(Duration.ZERO)
                .build()) {
            CountDownLatch idle = new CountDownLatch(1);
            CountDownLatch wake = new CountDownLatch(1);
            AtomicInteger servedAfterWaking = new AtomicInteger();
            Thread worker = new Thread(() -> {
                List<Long> blocks = new ArrayList<>();
                for (int i = 0; i < 5000; i++) {
                    long b = a.allocate(1000 + i % 7000);
                    Patterns.fill(b, 1000 + i % 7000, b); // kept by the blocks that stay cached
                    blocks.add(b);
                }
                for (int i = 0; i < blocks.size(); i++) {
                    a.free(blocks.get(i), 1000 + i % 7000);
                }
                idle.countDown();
                try {
                    wake.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                long[] again = new long[16];
                for (int i = 0; i < again.length; i++) { // from its own magazines: pages never given back
                    again[i] = a.allocate(1000);
                    Patterns.check(again[i], 1000, again[i]);
                    servedAfterWaking.incrementAndGet();
                }
                for (long b : again) {
                    a.free(b, 1000);
                }
            });
            worker.start();
            assertTrue(idle.await(60, TimeUnit.SECONDS));
            AllocatorStats before = a.stats();
            assertTrue(before.cachedBytes() > 0 && before.chunks() > 1, "the idle worker pins chunks: " + before);

            int big = (int) (limit - CHUNK);
            long block = a.allocate(big);
            Patterns.fill(block, big, 3);
            AllocatorStats during = a.stats();
            assertTrue(during.residentBytes() <= limit, "the limit bounds resident bytes: " + during);
            assertTrue(during.totalBytes() > limit, "the pinned chunks stay reserved beside it: " + during);

            wake.countDown();
            worker.join();
            assertEquals(16, servedAfterWaking.get());
            assertEquals(during.residentBytes(), a.stats().residentBytes(), "the cached blocks needed no page again");
            SlabOutOfMemoryError e = assertThrows(SlabOutOfMemoryError.class, () -> a.allocate(2 * CHUNK));
            assertTrue(e.resident() + e.requested() > limit && e.resident() <= limit, e.getMessage());
            assertTrue(e.getMessage().contains(e.resident() + " resident of " + e.reserved() + " reserved"),
                e.getMessage());
            Patterns.check(block, big, 3);
            a.free(block, big);
            long again = a.allocate(2 * CHUNK); // room again once the big block is back
            a.free(again, 2 * CHUNK);
            assertEquals(0, a.stats().usedBytes());
        }
    }

    /**
     * Threads on the shared stripes that run out of memory at the same time each get
     * {@link SlabOutOfMemoryError}, and none waits for a stripe another holds (the error's figures
     * are read without waiting for busy stripes).
     */
    @Test
    void stripeThreadsRunningOutOfMemoryTogetherDoNotDeadlock() throws Exception {
        try (SlabAllocator a = SlabAllocator.builder().chunkSize(1 << 20).maxMemory(2L << 20)
                .threadCacheWarmUp(1_000_000).decay(Duration.ZERO).build()) {
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            AtomicInteger failures = new AtomicInteger();
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                Thread th = new Thread(() -> {
                    Random rnd = new Random(seed);
                    List<long[]> mine = new ArrayList<>();
                    try {
                        for (int i = 0; i < 3000; i++) {
                            int size = 1 + rnd.nextInt(rnd.nextBoolean() ? 65_536 : 300_000);
                            try {
                                mine.add(new long[] {a.allocate(size), size});
                            } catch (SlabOutOfMemoryError e) {
                                failures.incrementAndGet();
                                for (long[] b : mine) {
                                    a.free(b[0], (int) b[1]);
                                }
                                mine.clear();
                            }
                        }
                        for (long[] b : mine) {
                            a.free(b[0], (int) b[1]);
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                });
                th.start();
                ts.add(th);
            }
            for (Thread th : ts) {
                th.join(60_000);
                assertTrue(!th.isAlive(), "a thread is stuck: " + java.util.Arrays.toString(th.getStackTrace()));
            }
            Concurrency.rethrow(errors);
            assertTrue(failures.get() > 0, "the limit was reached");
            assertEquals(0, a.stats().usedBytes());
        }
    }

    /** The reclaimer holds allocators weakly: one dropped without close() is collected. */
    @Test
    void theReclaimerNeverKeepsAnAllocatorAlive() throws Exception {
        WeakReference<SlabAllocator> ref = dropAllocator();
        for (int i = 0; i < 50 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull(ref.get(), "the allocator was collected");
    }

    private static WeakReference<SlabAllocator> dropAllocator() {
        SlabAllocator a = SlabAllocator.builder().decay(Duration.ofMillis(20)).jmx(false).build(); // an MBean would hold it
        a.free(a.allocate(64), 64);
        assertTrue(Reclaimer.isRunning() || Reclaimer.tasks() >= 0);
        return new WeakReference<>(a);
    }

    /** The reclaimer thread starts lazily and is a daemon; closed allocators' work stops. */
    @Test
    void theReclaimerIsOneSharedDaemonThread() throws Exception {
        try (SlabAllocator a = SlabAllocator.builder().decay(Duration.ofMillis(50)).build();
             SlabAllocator b = SlabAllocator.builder().decay(Duration.ofMillis(50)).build()) {
            assertNotNull(a);
            assertNotNull(b);
            Thread.sleep(120);
            long reclaimers = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(Reclaimer.THREAD_NAME)).peek(t -> assertTrue(t.isDaemon())).count();
            assertEquals(1, reclaimers, "one shared thread for every allocator");
        }
    }

    /**
     * The reclaimer racing allocate, free and close: many short-lived allocators with a 10 ms decay,
     * several threads each, ending with every block back and none handed out twice.
     */
    @Test
    void theReclaimerRacingAllocateFreeAndClose() throws Exception {
        for (int round = 0; round < 6; round++) {
            try (SlabAllocator a = SlabAllocator.builder().decay(Duration.ofMillis(10))
                    .threadCacheWarmUp(round % 2 == 0 ? 0 : 64).build()) {
                Ledger ledger = new Ledger(a);
                ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
                List<Thread> ts = new ArrayList<>();
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
                for (int t = 0; t < 3; t++) {
                    int seed = round * 10 + t;
                    Thread th = new Thread(() -> {
                        try {
                            Random rnd = new Random(seed);
                            List<Stamped> mine = new ArrayList<>();
                            while (System.nanoTime() < until) {
                                if (mine.size() < 200 && rnd.nextBoolean()) {
                                    mine.add(ledger.allocate(1 + rnd.nextInt(20_000)));
                                } else if (!mine.isEmpty()) {
                                    ledger.free(mine.remove(rnd.nextInt(mine.size())));
                                }
                                if (rnd.nextInt(500) == 0) {
                                    Thread.sleep(15); // idle across a decay
                                }
                            }
                            for (Stamped b : mine) {
                                ledger.free(b);
                            }
                        } catch (Throwable e) {
                            errors.add(e);
                        }
                    });
                    th.start();
                    ts.add(th);
                }
                for (Thread th : ts) {
                    th.join();
                }
                Concurrency.rethrow(errors);
                StressTest.assertAllBack(a, ledger);
            }
        }
    }
}
