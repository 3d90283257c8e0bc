package org.slabmag.jmh;

import java.util.concurrent.TimeUnit;

import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import org.jctools.queues.SpscArrayQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
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
import org.slabmag.netty.SlabByteBufAllocator;

/**
 * Netty allocators compared on direct buffers: {@code slab} ({@link SlabByteBufAllocator} over its own
 * {@link SlabAllocator}), {@code adaptive} ({@code new AdaptiveByteBufAllocator()}, Netty 4.2's default)
 * and {@code pooled} ({@link PooledByteBufAllocator#DEFAULT}). JMH threads are plain threads, not Netty
 * event-loop threads, so each allocator runs with its defaults for such threads.
 *
 * <ul>
 * <li>{@link #allocateRelease(Single)}: {@code directBuffer(size)} then {@code release()} on one thread; ns per
 * pair.</li>
 * <li>{@link #live256(Single)}: 256 buffers allocated, then all released; ns per buffer.</li>
 * <li>{@code transfer}: one thread allocates batches of 16 buffers and hands them over an SPSC queue to
 * another, which releases them (every release is cross-thread); the {@code consumer} score is transfers
 * per second.</li>
 * </ul>
 *
 * <p>{@code PooledByteBufAllocator} uses its per-thread caches only on event-loop threads by default in
 * Netty 4.2 (JMH threads are not), which is the case measured here, as for any plain thread.
 *
 * <p>Run: {@code java -jar benchmarks.jar NettyAllocatorBenchmark} (add {@code -p size=64} etc. to narrow).
 */
public class NettyAllocatorBenchmark extends BenchmarkDefaults {
    private static final int LIVE = 256;
    private static final int BATCH = 16;

    /** The allocator under test; one per benchmark thread, or one per producer/consumer group. */
    @State(Scope.Thread)
    public abstract static class AllocatorState {
        @Param({"slab", "adaptive", "pooled"})
        public String allocator;

        @Param({"64", "256", "1024", "4096", "16384", "65536"})
        public int size;

        ByteBufAllocator alloc;
        private SlabAllocator slab;

        @Setup(Level.Trial)
        public void createAllocator() {
            switch (allocator) {
                case "slab":
                    slab = SlabAllocator.create();
                    alloc = new SlabByteBufAllocator(slab);
                    break;
                case "adaptive":
                    alloc = new AdaptiveByteBufAllocator();
                    break;
                case "pooled":
                    alloc = PooledByteBufAllocator.DEFAULT;
                    break;
                default:
                    throw new IllegalArgumentException("allocator: " + allocator);
            }
        }

        /**
         * One teardown for the whole hierarchy: JMH does not order a subclass's teardown before its
         * superclass's, and buffers must go back before the allocator closes.
         */
        @TearDown(Level.Trial)
        public void closeAllocator() {
            releaseLeftovers();
            if (slab != null) {
                slab.close();
            }
        }

        /** Releases buffers the state still holds; called before the allocator closes. */
        void releaseLeftovers() {
        }
    }

    @State(Scope.Thread)
    public static class Single extends AllocatorState {
        final ByteBuf[] live = new ByteBuf[LIVE];
    }

    @State(Scope.Group)
    public static class Transfer extends AllocatorState {
        final SpscArrayQueue<ByteBuf[]> queue = new SpscArrayQueue<>(1024);

        @Override
        void releaseLeftovers() {
            ByteBuf[] batch;
            while ((batch = queue.poll()) != null) {
                releaseAll(batch);
            }
        }
    }

    @Benchmark
    public boolean allocateRelease(Single s) {
        return s.alloc.directBuffer(s.size).release();
    }

    @Benchmark
    @OperationsPerInvocation(LIVE)
    public void live256(Single s) {
        ByteBuf[] buffers = s.live;
        for (int i = 0; i < LIVE; i++) {
            buffers[i] = s.alloc.directBuffer(s.size);
        }
        for (int i = 0; i < LIVE; i++) {
            buffers[i].release();
            buffers[i] = null;
        }
    }

    @Benchmark
    @Group("transfer")
    @GroupThreads(1)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(BATCH)
    public void producer(Transfer t, Control control) {
        ByteBuf[] batch = new ByteBuf[BATCH];
        for (int i = 0; i < BATCH; i++) {
            batch[i] = t.alloc.directBuffer(t.size);
        }
        while (!t.queue.offer(batch)) {
            if (control.stopMeasurement) {
                releaseAll(batch);
                return;
            }
            Thread.onSpinWait();
        }
    }

    @Benchmark
    @Group("transfer")
    @GroupThreads(1)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(BATCH)
    public void consumer(Transfer t, Control control) {
        ByteBuf[] batch;
        while ((batch = t.queue.poll()) == null) {
            if (control.stopMeasurement) {
                return;
            }
            Thread.onSpinWait();
        }
        releaseAll(batch);
    }

    static void releaseAll(ByteBuf[] batch) {
        for (ByteBuf buf : batch) {
            buf.release();
        }
    }
}
