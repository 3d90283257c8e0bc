package org.slabmag.jmh;

import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;
import org.slabmag.SlabAllocator;
import org.slabmag.netty.SlabByteBufAllocator;

/**
 * Memory footprint of the Netty allocators on direct buffers: bytes reserved from the OS per byte the
 * application asked for, while a mixed-size live set churns, at the peak of a burst, and after everything
 * is released. <b>Every number reported here is lower-is-better</b>; the primary score (the scenario's
 * run time, {@code ms/op}) is only there because JMH needs one and is not what this benchmark is about.
 *
 * <p><b>Allocators</b> ({@code allocator} parameter), each created fresh for every iteration, so every
 * scenario starts from an empty allocator:
 * <ul>
 * <li>{@code slab}: {@code new SlabByteBufAllocator(SlabAllocator.create())}; reserved bytes are
 * {@link org.slabmag.AllocatorStats#totalBytes()} (chunks and dedicated blocks reserved from the OS).</li>
 * <li>{@code adaptive}: {@code new AdaptiveByteBufAllocator()}; reserved bytes are its
 * {@code metric().usedDirectMemory()} (the capacity of its chunks).</li>
 * <li>{@code pooled}: {@code new PooledByteBufAllocator(true)}, <em>not</em>
 * {@code PooledByteBufAllocator.DEFAULT} (which would carry the chunks of earlier iterations); reserved
 * bytes are its {@code metric().usedDirectMemory()} (the 4 MiB chunks of its arenas).</li>
 * </ul>
 * The iteration's allocators are dropped (the slab allocator closed) after each iteration, followed by a
 * {@code System.gc()} so the direct memory of Netty's dropped allocators is given back before the next.
 *
 * <p><b>Sizes</b> (alloc-test-like, 80/20 reuse): 80% of requests take one of a hot set of 12 sizes (32 B
 * to 8 KiB, some not powers of two), 19% are log-uniform from 16 B to 64 KiB, and 1% are log-uniform from
 * 64 KiB to 1 MiB (the tail). The request sequence is seeded, so every allocator sees the same one.
 *
 * <p><b>Scenario</b> (one invocation = one iteration, {@link Mode#SingleShotTime}), on one thread:
 * <ol>
 * <li><em>Churn</em>: {@code liveBuffers} buffers (default 20,000) are allocated, then replaced at random
 * 10 x {@code liveBuffers} times (release one, allocate a new size). Every 1,000 replacements (and after
 * the last) the ratio reserved / live requested (the sum of the requested capacities of the live
 * buffers) is sampled.</li>
 * <li>The churned live set is released.</li>
 * <li><em>Burst</em>: {@code burstBuffers} buffers (default 100,000) of the same size mix are allocated
 * and held, the ratio is read, then all are released.</li>
 * <li>Reserved bytes are read, then {@code trim()} is called where the allocator has one ({@code slab};
 * Netty's allocators have no such API) and reserved bytes are read again.</li>
 * </ol>
 *
 * <p><b>Results</b>, JMH secondary results of the {@link Footprint} counters (all lower-is-better):
 * <ul>
 * <li>{@code peakReservedPerLive}, {@code meanReservedPerLive}: the highest and the mean sampled ratio
 * during the churn (1.0 would be no overhead at all).</li>
 * <li>{@code burstReservedPerLive}: the ratio with the burst's {@code burstBuffers} buffers live.</li>
 * <li>{@code peakReservedMiB}: the most memory reserved at any sample (churn or burst peak).</li>
 * <li>{@code releasedMiB}: reserved after everything is released, before any trim.</li>
 * <li>{@code trimmedMiB}: reserved after release and {@code trim()} (equal to {@code releasedMiB} for
 * Netty's allocators, which have no trim and keep some of their chunks). slabmag's target: at most one
 * chunk (4 MiB).</li>
 * </ul>
 * JMH sums {@link AuxCounters.Type#EVENTS} counters over iterations (and forks) when it aggregates a run,
 * so each iteration stores its values divided by the number of measurement iterations x forks: the
 * run's {@code Result} lines are then the mean per scenario, and the per-iteration lines JMH prints show
 * that fraction. The exact per-scenario values are printed on one line per iteration (starting with
 * {@code footprint}).
 *
 * <p>JVM flags: those of {@link BenchmarkDefaults} (repeated here, as a {@code @Fork} on this class
 * replaces the inherited one) plus {@code -XX:MaxDirectMemorySize=4g}: with the default limit (the heap
 * size, 1 GiB) the adaptive allocator's burst peak (about 1 GiB) would run into it.
 *
 * <p>Run: {@code java -jar benchmarks.jar FootprintBenchmark -f 1 -i 3}.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 2, jvmArgsAppend = {
    "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
    "-Dio.netty.leakDetection.level=disabled",
    "-Xms1g", "-Xmx1g",
    "-XX:MaxDirectMemorySize=4g"})
@Warmup(iterations = 0)
@Measurement(iterations = 3)
public class FootprintBenchmark extends BenchmarkDefaults {
    private static final int[] HOT_SIZES = {32, 64, 100, 128, 256, 300, 512, 1000, 1500, 2048, 4096, 8192};
    private static final int SAMPLE_EVERY = 1000;
    private static final int CHURN_FACTOR = 10;
    private static final double MIB = 1 << 20;
    private static final long SEED = 42;

    /** One fresh allocator per iteration. */
    @State(Scope.Thread)
    public static class Scenario {
        @Param({"slab", "adaptive", "pooled"})
        public String allocator;

        /** Buffers live during the churn phase. */
        @Param({"20000"})
        public int liveBuffers;

        /** Buffers live at the peak of the burst. */
        @Param({"100000"})
        public int burstBuffers;

        ByteBufAllocator alloc;
        SlabAllocator slab;

        @Setup(Level.Iteration)
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
                    alloc = new PooledByteBufAllocator(true);
                    break;
                default:
                    throw new IllegalArgumentException("allocator: " + allocator);
            }
        }

        @TearDown(Level.Iteration)
        public void dropAllocator() {
            if (slab != null) {
                slab.close();
                slab = null;
            }
            alloc = null;
            System.gc();
        }

        /** Bytes the allocator holds from the OS (see the class comment). */
        long reserved() {
            if (slab != null) {
                return slab.stats().totalBytes();
            }
            return ((ByteBufAllocatorMetricProvider) alloc).metric().usedDirectMemory();
        }

        void trim() {
            if (alloc instanceof SlabByteBufAllocator) {
                ((SlabByteBufAllocator) alloc).trim();
            }
        }
    }

    /**
     * The footprint of one scenario, as JMH secondary results; all lower-is-better. Values are stored
     * divided by {@code divisor} (see the class comment).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Footprint {
        public double peakReservedPerLive;
        public double meanReservedPerLive;
        public double burstReservedPerLive;
        public double peakReservedMiB;
        public double releasedMiB;
        public double trimmedMiB;

        double divisor = 1;

        @Setup(Level.Iteration)
        public void reset(BenchmarkParams benchmark, IterationParams iteration) {
            peakReservedPerLive = 0;
            meanReservedPerLive = 0;
            burstReservedPerLive = 0;
            peakReservedMiB = 0;
            releasedMiB = 0;
            trimmedMiB = 0;
            divisor = iteration.getType() == IterationType.MEASUREMENT
                ? (double) iteration.getCount() * Math.max(1, benchmark.getForks())
                : 1;
        }
    }

    @Benchmark
    public long scenario(Scenario s, Footprint f) {
        SplittableRandom random = new SplittableRandom(SEED);
        ByteBufAllocator alloc = s.alloc;

        // Churn.
        int live = s.liveBuffers;
        ByteBuf[] buffers = new ByteBuf[Math.max(live, s.burstBuffers)];
        int[] sizes = new int[live];
        long requested = 0;
        for (int i = 0; i < live; i++) {
            int size = size(random);
            buffers[i] = alloc.directBuffer(size);
            sizes[i] = size;
            requested += size;
        }
        double peakRatio = 0;
        double sumRatio = 0;
        int samples = 0;
        long peakReserved = 0;
        int replacements = CHURN_FACTOR * live;
        for (int i = 1; i <= replacements; i++) {
            int slot = random.nextInt(live);
            buffers[slot].release();
            int size = size(random);
            buffers[slot] = alloc.directBuffer(size);
            requested += size - sizes[slot];
            sizes[slot] = size;
            if (i % SAMPLE_EVERY == 0 || i == replacements) {
                long reserved = s.reserved();
                double ratio = (double) reserved / requested;
                peakRatio = Math.max(peakRatio, ratio);
                peakReserved = Math.max(peakReserved, reserved);
                sumRatio += ratio;
                samples++;
            }
        }
        releaseAll(buffers, live);

        // Burst.
        int burst = s.burstBuffers;
        requested = 0;
        for (int i = 0; i < burst; i++) {
            int size = size(random);
            buffers[i] = alloc.directBuffer(size);
            requested += size;
        }
        long burstReserved = s.reserved();
        peakReserved = Math.max(peakReserved, burstReserved);
        double burstRatio = (double) burstReserved / requested;
        releaseAll(buffers, burst);
        long released = s.reserved();
        s.trim();
        long trimmed = s.reserved();

        double meanRatio = samples == 0 ? Double.NaN : sumRatio / samples;
        System.out.printf(Locale.ROOT, "%nfootprint %s: churn %d live reserved/requested peak %.3f mean %.3f;"
                + " burst %d live %.3f; peak reserved %.1f MiB; after release %.1f MiB, after trim %.1f MiB"
                + " (<= 4 MiB: %s)%n", s.allocator, live, peakRatio, meanRatio, burst, burstRatio,
            peakReserved / MIB, released / MIB, trimmed / MIB, trimmed <= (4 << 20) ? "yes" : "no");

        double d = f.divisor;
        f.peakReservedPerLive = peakRatio / d;
        f.meanReservedPerLive = meanRatio / d;
        f.burstReservedPerLive = burstRatio / d;
        f.peakReservedMiB = peakReserved / MIB / d;
        f.releasedMiB = released / MIB / d;
        f.trimmedMiB = trimmed / MIB / d;
        return trimmed;
    }

    private static void releaseAll(ByteBuf[] buffers, int count) {
        for (int i = 0; i < count; i++) {
            buffers[i].release();
            buffers[i] = null;
        }
    }

    /** 80% hot sizes, 19% log-uniform 16 B..64 KiB, 1% log-uniform 64 KiB..1 MiB. */
    static int size(SplittableRandom random) {
        double u = random.nextDouble();
        if (u < 0.80) {
            return HOT_SIZES[random.nextInt(HOT_SIZES.length)];
        }
        if (u < 0.99) {
            return logUniform(random, 16, 64 << 10);
        }
        return logUniform(random, (64 << 10) + 1, 1 << 20);
    }

    private static int logUniform(SplittableRandom random, int min, int max) {
        double log = Math.log(min) + random.nextDouble() * (Math.log(max) - Math.log(min));
        return Math.min(max, Math.max(min, (int) Math.exp(log)));
    }
}
