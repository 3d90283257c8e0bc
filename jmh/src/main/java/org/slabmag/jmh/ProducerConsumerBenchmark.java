package org.slabmag.jmh;

import java.util.concurrent.TimeUnit;

import org.agrona.UnsafeApi;
import org.jctools.queues.SpscArrayQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Control;
import org.slabmag.SlabAllocator;

/**
 * xmalloc-like producer/consumer: one thread allocates blocks and hands them over a bounded SPSC
 * queue to another thread, which frees them. Every free is a cross-thread free. Reported as
 * blocks per second on each side (the {@code producer} score is the transfer rate).
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ProducerConsumerBenchmark extends BenchmarkDefaults {
    @Param({"slabmag", "slabmag-locked", "unsafe"})
    public String allocator;

    @Param({"64"})
    public int size;

    private SlabAllocator slab;
    private SpscArrayQueue<long[]> queue;

    @Setup(Level.Trial)
    public void setUp() {
        if (allocator.startsWith("slabmag")) {
            slab = SlabAllocator.builder().threadCaches(!allocator.equals("slabmag-locked")).build();
        }
        queue = new SpscArrayQueue<>(1024);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        long[] batch;
        while ((batch = queue.poll()) != null) {
            freeAll(batch);
        }
        if (slab != null) {
            slab.close();
        }
    }

    /** Blocks travel in batches of 16, like xmalloc's, so the queue is not the bottleneck. */
    private static final int BATCH = 16;

    @Benchmark
    @Group("transfer")
    @OperationsPerInvocation(BATCH)
    public void producer(Control control) {
        long[] batch = new long[BATCH];
        for (int i = 0; i < BATCH; i++) {
            batch[i] = allocate();
        }
        while (!queue.offer(batch)) {
            if (control.stopMeasurement) {
                freeAll(batch);
                return;
            }
            Thread.onSpinWait();
        }
    }

    @Benchmark
    @Group("transfer")
    @OperationsPerInvocation(BATCH)
    public void consumer(Control control) {
        long[] batch;
        while ((batch = queue.poll()) == null) {
            if (control.stopMeasurement) {
                return;
            }
            Thread.onSpinWait();
        }
        freeAll(batch);
    }

    private long allocate() {
        return slab != null ? slab.allocate(size) : UnsafeApi.allocateMemory(size);
    }

    private void freeAll(long[] batch) {
        for (long a : batch) {
            if (slab != null) {
                slab.free(a, size);
            } else {
                UnsafeApi.freeMemory(a);
            }
        }
    }
}
