package org.slabmag.jmh;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLongArray;

import org.agrona.UnsafeApi;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.slabmag.SlabAllocator;

/**
 * Random replacement in a shared table of live blocks, written from the descriptions of two standard
 * allocator workloads:
 * <ul>
 *   <li><b>larson</b>-like: sizes 16 to 1,000 bytes; the table is shared by all benchmark threads, so
 *   a block is often freed by a thread other than the one that allocated it (larson hands its arrays
 *   to successor threads for the same effect).</li>
 *   <li><b>rptest</b>-like: sizes 8 to 16,000 bytes, log-uniform, so smaller sizes are more common and
 *   every slab class up to 16 KiB is hit.</li>
 * </ul>
 * Each operation allocates a block of a random size, writes its first and last byte, swaps it into a
 * random slot and frees the block it displaces. The size of each block is kept beside it (free needs
 * it). Reported per operation (one allocate + one free), 1 and 2 threads.
 */
@State(Scope.Benchmark)
public class RandomReplacementBenchmark extends BenchmarkDefaults {
    private static final int SLOTS = 8192;

    @Param({"slabmag", "unsafe"})
    public String allocator;

    @Param({"larson", "rptest"})
    public String workload;

    private SlabAllocator slab;
    private AtomicLongArray addresses;
    private int[] sizes;
    private int minSize;
    private int maxSize;

    @Setup(Level.Trial)
    public void setUp() {
        if (allocator.equals("slabmag")) {
            slab = SlabAllocator.create();
        }
        minSize = workload.equals("larson") ? 16 : 8;
        maxSize = workload.equals("larson") ? 1000 : 16000;
        addresses = new AtomicLongArray(SLOTS);
        sizes = new int[SLOTS];
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < SLOTS; i++) {
            int size = size(random);
            sizes[i] = size;
            addresses.set(i, allocate(size));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (int i = 0; i < SLOTS; i++) {
            free(addresses.get(i), sizes[i]);
        }
        if (slab != null) {
            slab.close();
        }
    }

    /** Per-thread random source. */
    @State(Scope.Thread)
    public static class Rng {
        final SplittableRandom random = new SplittableRandom(Thread.currentThread().getId());
    }

    @Benchmark
    public long replace(Rng rng) {
        return replaceOnce(rng.random);
    }

    @Benchmark
    @Threads(2)
    public long replace2Threads(Rng rng) {
        return replaceOnce(rng.random);
    }

    /**
     * Slots are claimed by swapping in 0 first, so a slot's size entry is only touched by the thread
     * that holds it; a thread that finds a slot empty (claimed by the other thread) tries another.
     */
    private long replaceOnce(SplittableRandom random) {
        int size = size(random);
        long fresh = allocate(size);
        UnsafeApi.putByte(fresh, (byte) 1);
        UnsafeApi.putByte(fresh + size - 1, (byte) 2);
        int slot;
        long old;
        do {
            slot = random.nextInt(SLOTS);
            old = addresses.getAndSet(slot, 0L);
        } while (old == 0L);
        int oldSize = sizes[slot];
        sizes[slot] = size;
        addresses.set(slot, fresh);
        free(old, oldSize);
        return old;
    }

    private int size(SplittableRandom random) {
        if (workload.equals("larson")) {
            return minSize + random.nextInt(maxSize - minSize + 1);
        }
        double log = Math.log(minSize) + random.nextDouble() * (Math.log(maxSize) - Math.log(minSize));
        return (int) Math.exp(log);
    }

    private long allocate(int size) {
        return slab != null ? slab.allocate(size) : UnsafeApi.allocateMemory(size);
    }

    private void free(long address, int size) {
        if (slab != null) {
            slab.free(address, size);
        } else {
            UnsafeApi.freeMemory(address);
        }
    }
}
