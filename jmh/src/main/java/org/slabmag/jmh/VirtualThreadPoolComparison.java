package org.slabmag.jmh;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.ObjectPool;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.slabmag.pool.MagazineObjectPool;
import org.slabmag.pool.MagazineObjectPoolConfig;

/**
 * A plain timing harness (JDK 21+): one virtual thread per task, each task borrows an object, does a little work
 * and returns it, against {@link MagazineObjectPool} and {@link GenericObjectPool} with {@code maxTotal} 8. Prints,
 * per pool, the wall time of each round of tasks, the median, and the borrows that failed (timeouts).
 *
 * <p>Usage: {@code java --add-opens java.base/jdk.internal.misc=ALL-UNNAMED -cp jmh/target/benchmarks.jar
 * org.slabmag.jmh.VirtualThreadPoolComparison [tasks] [rounds] [maxWaitSeconds]}. Not thread-safe; run alone.
 */
public final class VirtualThreadPoolComparison {
    private static final int MAX_TOTAL = 8;

    private VirtualThreadPoolComparison() {
    }

    /** The pooled object. */
    static final class Payload {
        long value;
    }

    /** Makes payloads. */
    static final class Factory extends BasePooledObjectFactory<Payload> {
        @Override
        public Payload create() {
            return new Payload();
        }

        @Override
        public PooledObject<Payload> wrap(final Payload p) {
            return new DefaultPooledObject<>(p);
        }
    }

    /**
     * Runs the comparison.
     *
     * @param args tasks (default 50,000), rounds (default 7; the first two are warm-up), maxWait in seconds (30)
     * @throws Exception if virtual threads are not available or a round does not finish
     */
    public static void main(final String[] args) throws Exception {
        final int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        final Duration maxWait = Duration.ofSeconds(args.length > 2 ? Long.parseLong(args[2]) : 30);
        System.out.println("JDK " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors()
                + " CPUs, " + tasks + " virtual threads per round, maxTotal " + MAX_TOTAL + ", maxWait " + maxWait);
        for (int pass = 0; pass < 2; pass++) {
            final MagazineObjectPoolConfig mc = new MagazineObjectPoolConfig();
            mc.setJmxEnabled(false);
            mc.setMaxTotal(MAX_TOTAL);
            mc.setMaxWait(maxWait);
            try (MagazineObjectPool<Payload> magazine = new MagazineObjectPool<>(new Factory(), mc)) {
                measure("MagazineObjectPool", magazine, tasks, rounds);
            }
            final GenericObjectPoolConfig<Payload> gc = new GenericObjectPoolConfig<>();
            gc.setJmxEnabled(false);
            gc.setMaxTotal(MAX_TOTAL);
            gc.setMaxWait(maxWait);
            try (GenericObjectPool<Payload> generic = new GenericObjectPool<>(new Factory(), gc)) {
                measure("GenericObjectPool", generic, tasks, rounds);
            }
        }
    }

    private static void measure(final String name, final ObjectPool<Payload> pool, final int tasks,
                                final int rounds) throws Exception {
        final long[] millis = new long[rounds];
        int timeouts = 0;
        int failures = 0;
        for (int r = 0; r < rounds; r++) {
            final AtomicInteger timedOut = new AtomicInteger();
            final AtomicInteger failed = new AtomicInteger();
            final long start = System.nanoTime();
            final ExecutorService vts = (ExecutorService) Executors.class
                    .getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
            for (int i = 0; i < tasks; i++) {
                vts.execute(() -> {
                    try {
                        final Payload p = pool.borrowObject();
                        p.value++;
                        Thread.yield();
                        pool.returnObject(p);
                    } catch (final NoSuchElementException e) {
                        timedOut.incrementAndGet();
                    } catch (final Exception e) {
                        failed.incrementAndGet();
                    }
                });
            }
            vts.shutdown();
            if (!vts.awaitTermination(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException(name + ": round did not finish");
            }
            millis[r] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            if (r >= 2) {
                timeouts += timedOut.get();
                failures += failed.get();
            }
        }
        final long[] measured = Arrays.copyOfRange(millis, Math.min(2, rounds - 1), rounds);
        Arrays.sort(measured);
        System.out.printf(Locale.ROOT, "%-20s rounds(ms)=%s median=%d ms timeouts=%d other failures=%d%n", name,
                Arrays.toString(millis), measured[measured.length / 2], timeouts, failures);
    }
}
