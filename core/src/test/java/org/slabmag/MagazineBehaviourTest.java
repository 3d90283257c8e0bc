package org.slabmag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import org.agrona.collections.LongHashSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slabmag.internal.heap.LockedHeap;
import org.slabmag.testing.Concurrency;
import org.slabmag.testing.Ledger;
import org.slabmag.testing.Ledger.Stamped;

@ExtendWith(OomAsFailure.class)
class MagazineBehaviourTest {

    static int classIndex(SlabAllocator a, int blockSize) {
        List<SizeClassStats> classes = a.stats().sizeClasses();
        for (int c = 0; c < classes.size(); c++) {
            if (classes.get(c).blockSize() == blockSize) {
                return c;
            }
        }
        throw new AssertionError("no class of " + blockSize);
    }

    static SizeClassStats classStats(SlabAllocator a, int c) {
        return a.stats().sizeClasses().get(c);
    }

    static <T> T on(ExecutorService thread, java.util.concurrent.Callable<T> task) throws Exception {
        return thread.submit(task).get(60, TimeUnit.SECONDS);
    }

    @Test
    void blocksFreedByAnotherThreadReachTheAllocatingThreadThroughTheDepot() throws Exception {
        ExecutorService allocator = Executors.newSingleThreadExecutor();
        ExecutorService freer = Executors.newSingleThreadExecutor();
        try (SlabAllocator a = SlabAllocator.builder().threadCacheWarmUp(0).reclaimInterval(Duration.ofHours(1)).build()) {
            int c = classIndex(a, 64);
            int rounds = classStats(a, c).magazineRounds();
            assertEquals(128, rounds, "64 KiB magazines of 64-byte blocks, clamped at 128");
            int n = rounds * 10;
            long[] first = on(allocator, () -> {
                long[] out = new long[n];
                for (int i = 0; i < n; i++) {
                    out[i] = a.allocate(64);
                }
                return out;
            });
            LongHashSet seen = new LongHashSet();
            for (long p : first) {
                seen.add(p);
            }
            assertEquals(n, seen.size());
            on(freer, () -> {
                for (long p : first) {
                    a.free(p, 64);
                }
                return null;
            });
            SizeClassStats before = classStats(a, c);
            assertEquals(0, before.blocksUsed());
            assertEquals(n, before.blocksCached(), "all in the freeing thread's magazines and the depot: " + before);
            // the allocating thread gets full magazines from the depot: the same blocks, no new slab
            int again = rounds * 8;
            long[] second = on(allocator, () -> {
                long[] out = new long[again];
                for (int i = 0; i < again; i++) {
                    out[i] = a.allocate(64);
                }
                return out;
            });
            for (long p : second) {
                assertTrue(seen.contains(p), "block 0x" + Long.toHexString(p)
                        + " did not come from the other thread's frees");
            }
            SizeClassStats after = classStats(a, c);
            assertEquals(before.slabs(), after.slabs(), "no slab was added");
            assertEquals(again, after.blocksUsed());
            assertEquals(n - again, after.blocksCached());
            on(allocator, () -> {
                for (long p : second) {
                    a.free(p, 64);
                }
                return null;
            });
        } finally {
            allocator.shutdownNow();
            freer.shutdownNow();
        }
    }

    @Test
    void producerConsumerReusesFreedBlocksInsteadOfGrowing() throws Exception {
        int batches = 5000;
        int batch = 100;
        try (SlabAllocator a = SlabAllocator.builder().threadCacheWarmUp(0).build()) {
            BlockingQueue<long[]> queue = new ArrayBlockingQueue<>(16);
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            LongHashSet distinct = new LongHashSet();
            AtomicLong totalAfterWarmUp = new AtomicLong();
            AtomicLong maxTotal = new AtomicLong();
            Thread producer = new Thread(() -> {
                try {
                    for (int i = 0; i < batches; i++) {
                        long[] blocks = new long[batch];
                        for (int j = 0; j < batch; j++) {
                            blocks[j] = a.allocate(64);
                            distinct.add(blocks[j]);
                        }
                        queue.put(blocks);
                        if (i == batches / 10) {
                            totalAfterWarmUp.set(a.stats().totalBytes());
                        }
                        if (i % 50 == 0) {
                            maxTotal.accumulateAndGet(a.stats().totalBytes(), Math::max);
                        }
                    }
                    queue.put(new long[0]);
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            Thread consumer = new Thread(() -> {
                try {
                    while (true) {
                        long[] blocks = queue.take();
                        if (blocks.length == 0) {
                            return;
                        }
                        for (long p : blocks) {
                            a.free(p, 64);
                        }
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            producer.start();
            consumer.start();
            producer.join();
            consumer.join();
            Concurrency.rethrow(errors);
            long allocated = (long) batches * batch;
            AllocatorStats s = a.stats();
            assertTrue(distinct.size() < allocated / 10,
                distinct.size() + " distinct addresses for " + allocated + " allocations: freed blocks are not reused");
            assertTrue(maxTotal.get() <= a.chunkSize(), "reserved at most one chunk, not " + maxTotal.get());
            assertEquals(totalAfterWarmUp.get(), s.totalBytes(), "no growth after warm-up");
            assertEquals(0, s.usedBytes());
        }
    }

    @Test
    void theDepotGivesBackMagazinesUnusedForAReclaimInterval() throws Exception {
        try (SlabAllocator a = SlabAllocator.builder().threadCacheWarmUp(0).reclaimInterval(Duration.ofMillis(50)).build()) {
            int c = classIndex(a, 64);
            int n = 128 * 12;
            long[] blocks = new long[n];
            Thread allocating = new Thread(() -> {
                for (int i = 0; i < n; i++) {
                    blocks[i] = a.allocate(64);
                }
            });
            allocating.start();
            allocating.join();
            Thread freeing = new Thread(() -> {
                for (long p : blocks) {
                    a.free(p, 64);
                }
            });
            freeing.start();
            freeing.join();
            long cached = classStats(a, c).blocksCached();
            assertTrue(cached >= 128 * 2, "full magazines in the depot: " + classStats(a, c));
            // reclaim runs on slow paths only: idling alone changes nothing
            Thread.sleep(200);
            assertEquals(cached, classStats(a, c).blocksCached());
            // slow paths of this thread on other classes, one per interval: the idle depot drains
            int[] probeSizes = {100, 200, 300, 500, 700, 1000, 1500, 2000, 2500, 3000, 4000, 5000, 7000, 9000, 12000, 15000,
                20000, 25000, 30000, 40000};
            int probes = 0;
            long[] probeBlocks = new long[probeSizes.length];
            while (classStats(a, c).blocksCached() > 0) {
                assertTrue(probes < probeSizes.length, "depot of the 64-byte class never drained: " + classStats(a, c));
                Thread.sleep(60);
                probeBlocks[probes] = a.allocate(probeSizes[probes]); // first use of a class: a slow path
                probes++;
            }
            assertTrue(probes >= 2, "one interval to see the low-water mark, one to act on it: " + probes);
            SizeClassStats after = classStats(a, c);
            assertEquals(0, after.blocksUsed());
            assertEquals(0, after.blocksCached());
            for (int i = 0; i < probes; i++) {
                a.free(probeBlocks[i], probeSizes[i]);
            }
        }
    }

    @Test
    void magazineRoundsGrowUnderHeapLockContention() throws Exception {
        try (SlabAllocator a = SlabAllocator.builder().threadCacheWarmUp(0).reclaimInterval(Duration.ofHours(1)).build()) {
            int c = classIndex(a, 1024);
            int initial = classStats(a, c).magazineRounds();
            assertEquals(64, initial);
            Field heapField = SlabAllocator.class.getDeclaredField("heap");
            heapField.setAccessible(true);
            LockedHeap heap = (LockedHeap) heapField.get(a);
            Field lockField = LockedHeap.class.getDeclaredField("lock");
            lockField.setAccessible(true);
            ReentrantLock lock = (ReentrantLock) lockField.get(heap);

            int threads = 8;
            long[] got = new long[threads];
            List<Thread> ts = new ArrayList<>();
            lock.lock();
            try {
                for (int i = 0; i < threads; i++) {
                    int slot = i;
                    Thread t = new Thread(() -> got[slot] = a.allocate(1000)); // first use: refill from the heap
                    t.start();
                    ts.add(t);
                }
                Concurrency.awaitUntil(() -> lock.getQueueLength() >= threads, "threads did not queue on the heap lock");
            } finally {
                lock.unlock();
            }
            for (Thread t : ts) {
                t.join();
            }
            assertEquals(threads, heap.contention(c));
            assertEquals(2 * initial, classStats(a, c).magazineRounds(), "8 contended refills double the rounds");
            // a new thread's magazine now holds twice as many rounds
            CountDownLatch loaded = new CountDownLatch(1);
            CountDownLatch exit = new CountDownLatch(1);
            long[] one = new long[1];
            Thread t = new Thread(() -> {
                one[0] = a.allocate(1000);
                loaded.countDown();
                try {
                    exit.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            t.start();
            loaded.await();
            SizeClassStats s = classStats(a, c); // the eight dead threads' partial magazines went back to the heap
            assertEquals(2 * initial - 1, s.blocksCached(), s.toString());
            exit.countDown();
            t.join();
            for (long p : got) {
                a.free(p, 1000);
            }
            a.free(one[0], 1000);
            assertEquals(0, a.stats().usedBytes());
        }
    }

    /** More live threads than slots in the thread-id table: threads sharing a slot keep their own magazines. */
    @Test
    void threadsSharingASlotKeepSeparateMagazines() throws Exception {
        int threads = 300; // > 256 slots: ids collide
        try (SlabAllocator a = SlabAllocator.builder().threadCacheWarmUp(0).reclaimInterval(Duration.ofHours(1)).build()) {
            Ledger ledger = new Ledger(a);
            java.util.concurrent.CyclicBarrier allocated = new java.util.concurrent.CyclicBarrier(threads + 1);
            java.util.concurrent.CyclicBarrier free = new java.util.concurrent.CyclicBarrier(threads + 1);
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread th = new Thread(() -> {
                    try {
                        List<Stamped> mine = new ArrayList<>();
                        for (int round = 0; round < 3; round++) {
                            for (int i = 0; i < 150; i++) {
                                mine.add(ledger.allocate(64));
                            }
                            for (int i = 0; i < 100; i++) {
                                ledger.free(mine.remove(mine.size() - 1));
                            }
                        }
                        allocated.await(60, TimeUnit.SECONDS);
                        free.await(60, TimeUnit.SECONDS);
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
            allocated.await(60, TimeUnit.SECONDS);
            AllocatorStats s = a.stats();
            assertEquals(threads, s.threadCaches(), s.toString());
            assertEquals(threads * 150L * 64, s.usedBytes(), s.toString());
            assertEquals(threads * 450L, s.allocations());
            free.await(60, TimeUnit.SECONDS);
            for (Thread th : ts) {
                th.join();
            }
            Concurrency.rethrow(errors);
            StressTest.assertAllBack(a, ledger);
        }
    }

    @Test
    void aThreadThatTrimsStartsAFreshCacheAndItsCountsSurvive() throws Exception {
        try (SlabAllocator a = SlabAllocator.builder().threadCacheWarmUp(0).build()) {
            long p = a.allocate(64);
            a.free(p, 64);
            assertEquals(1, a.stats().threadCaches());
            assertTrue(a.stats().cachedBytes() > 0);
            a.trim();
            AllocatorStats s = a.stats();
            assertEquals(0, s.threadCaches());
            assertEquals(0, s.cachedBytes());
            assertEquals(1, s.allocations());
            assertEquals(1, s.deallocations());
            long q = a.allocate(64);
            s = a.stats();
            assertEquals(1, s.threadCaches());
            assertEquals(2, s.allocations());
            assertEquals(64, s.usedBytes());
            a.free(q, 64);
            // a thread that dies gives its slot to a later thread with the same slot
            for (int i = 0; i < 600; i++) {
                Thread t = new Thread(() -> a.free(a.allocate(100), 100));
                t.start();
                t.join();
            }
            s = a.stats();
            assertEquals(1, s.threadCaches(), "only this thread's cache is left: " + s);
            assertEquals(602, s.allocations());
            assertEquals(0, s.usedBytes());
            a.trim();
            assertEquals(0, a.stats().cachedBytes());
        }
    }
}
