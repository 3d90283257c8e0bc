package org.slabmag.jmh;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import org.slabmag.SlabAllocator;
import org.slabmag.netty.SlabByteBufAllocator;

/**
 * Memory an operator sees: process RSS ({@code VmRSS} of {@code /proc/self/status}) beside the bytes
 * each Netty allocator reports reserved, through a burst, an idle phase and a light load, with no
 * {@code trim()}; and a virtual-thread case. Each allocator runs in its own child JVM with the Java
 * heap pre-touched ({@code -Xms} = {@code -Xmx}, {@code -XX:+AlwaysPreTouch}), so heap pages are in
 * the baseline and RSS above it is native memory.
 *
 * <p><b>Burst scenario</b> (one thread): 100,000 direct buffers with the dominant sizes of Netty's
 * recorded web-socket-proxy allocation pattern ({@code AllocationPatternSimulator}: 15 B, 256 B,
 * about 600 B, 1 KiB, 2 KiB, 4.3 KiB, 8.3 KiB and 16.3 KiB requests, weighted as recorded), every page
 * written, then all released; the thread then sleeps for the idle phase (no call into the
 * allocator), then keeps 1,000 buffers live under random replacement for the light-load phase.
 * RSS and reserved bytes are reported in MiB above the baseline taken before the burst; beside them, the
 * allocator's own resident figure at the end of the idle phase, absolute (slabmag's
 * {@code residentBytes()}: reserved less pages given back; Netty's allocators give no page back, so
 * theirs is what they reserve).
 *
 * <p><b>Virtual threads</b> (JDK 21+): 100,000 virtual threads each allocate and release a 64 B, a
 * 1000 B, a 4 KiB and a 256 B buffer, then park together; reserved bytes and RSS while they park,
 * and the wall time.
 *
 * <p>Run: {@code java -cp benchmarks.jar org.slabmag.jmh.RssFootprint} (about 2 minutes), with
 * {@code -Dfootprint.idleSeconds=20 -Dfootprint.lightSeconds=10 -Dfootprint.allocators=slab,pooled,adaptive}
 * as defaults. It prints a Markdown table.
 */
public final class RssFootprint {
    /** Sizes and their weights: the main modes of Netty's recorded web-socket-proxy pattern. */
    private static final int[][] PROXY_SIZES = {
        {9, 316}, {15, 10344}, {17, 628}, {21, 316}, {36, 338}, {48, 338}, {256, 21272},
        {580, 500}, {609, 700}, {622, 900}, {630, 1100}, {633, 1200}, {636, 5443}, {637, 459},
        {667, 62}, {1024, 29289}, {2048, 2636}, {2303, 106}, {4351, 226}, {4574, 165},
        {8447, 555}, {8670, 195}, {16129, 37}, {16639, 9269}, {16862, 281},
    };
    private static final double MIB = 1 << 20;
    private static final String RESULT = "RESULT ";

    private RssFootprint() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--child")) {
            child(args[1]);
            return;
        }
        printTable(measure());
    }

    /**
     * Runs the scenarios for each allocator of {@code footprint.allocators}, each in a child JVM.
     *
     * @return per allocator, its figures by name ({@code allocator}, then the MiB and seconds figures)
     */
    static List<Map<String, String>> measure() throws IOException, InterruptedException {
        String[] allocators = System.getProperty("footprint.allocators", "slab,pooled,adaptive").split(",");
        List<Map<String, String>> rows = new ArrayList<>();
        for (String allocator : allocators) {
            rows.add(runChild(allocator));
        }
        return rows;
    }

    // ------------------------------------------------------------------ parent

    private static Map<String, String> runChild(String allocator) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java,
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
            "-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch", "-XX:MaxDirectMemorySize=4g",
            "-Dio.netty.leakDetection.level=disabled",
            "-Dfootprint.idleSeconds=" + idleSeconds(), "-Dfootprint.lightSeconds=" + lightSeconds(),
            "-cp", System.getProperty("java.class.path"), RssFootprint.class.getName(), "--child", allocator));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Map<String, String> result = new LinkedHashMap<>();
        result.put("allocator", allocator);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                System.out.println("  [" + allocator + "] " + line);
                if (line.startsWith(RESULT)) {
                    for (String kv : line.substring(RESULT.length()).split(" ")) {
                        int eq = kv.indexOf('=');
                        result.put(kv.substring(0, eq), kv.substring(eq + 1));
                    }
                }
            }
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("child for " + allocator + " failed with exit code " + p.exitValue());
        }
        return result;
    }

    /** The figures {@link #measure()} reports: key and a short description. */
    static final String[][] COLUMNS = {
            {"peakRss", "burst peak RSS"}, {"releasedRss", "after release"}, {"idleHalfRss", "idle, half"},
            {"idleRss", "idle, end"}, {"lightRss", "light load"}, {"lightLive", "live in light load"},
            {"idleReserved", "reserved, idle end"}, {"idleResident", "own resident figure (absolute), idle end"},
            {"vtReserved", "100k virtual threads: reserved"},
            {"vtRss", "virtual threads: RSS"}, {"vtSeconds", "virtual threads: s"}, {"vtErrors", "errors"},
    };

    private static void printTable(List<Map<String, String>> rows) {
        String[][] columns = COLUMNS;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%nRSS above baseline, MiB (idle %d s, light load %d s), JDK %s%n%n",
            idleSeconds(), lightSeconds(), Runtime.version()));
        sb.append("| allocator |");
        for (String[] c : columns) {
            sb.append(' ').append(c[1]).append(" |");
        }
        sb.append("\n|---|");
        sb.append("---:|".repeat(columns.length)).append('\n');
        for (Map<String, String> row : rows) {
            sb.append("| ").append(row.get("allocator")).append(" |");
            for (String[] c : columns) {
                sb.append(' ').append(row.getOrDefault(c[0], "-")).append(" |");
            }
            sb.append('\n');
        }
        System.out.println(sb);
    }

    static int idleSeconds() {
        return Integer.getInteger("footprint.idleSeconds", 20);
    }

    static int lightSeconds() {
        return Integer.getInteger("footprint.lightSeconds", 10);
    }

    // ------------------------------------------------------------------ child

    private static void child(String name) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        ByteBufAllocator alloc = create(name);
        SplittableRandom rnd = new SplittableRandom(42);
        int[] sizes = new int[PROXY_SIZES.length];
        int[] cumulative = new int[PROXY_SIZES.length];
        int sum = 0;
        for (int i = 0; i < PROXY_SIZES.length; i++) {
            sizes[i] = PROXY_SIZES[i][0];
            sum += PROXY_SIZES[i][1];
            cumulative[i] = sum;
        }
        // warm the code paths, so that the JIT's memory is in the baseline
        for (int round = 0; round < 20; round++) {
            ByteBuf[] warm = new ByteBuf[1000];
            for (int i = 0; i < warm.length; i++) {
                warm[i] = alloc.directBuffer(pick(rnd, sizes, cumulative, sum));
            }
            for (ByteBuf b : warm) {
                b.release();
            }
        }
        Thread.sleep(500);
        long base = rss();
        long baseReserved = reserved(alloc);

        ByteBuf[] burst = new ByteBuf[100_000];
        for (int i = 0; i < burst.length; i++) {
            ByteBuf b = alloc.directBuffer(pick(rnd, sizes, cumulative, sum));
            for (int at = 0; at < b.capacity(); at += 4096) {
                b.setByte(at, 1);
            }
            b.setByte(b.capacity() - 1, 1);
            burst[i] = b;
        }
        out.put("peakRss", mib(rss() - base));
        for (ByteBuf b : burst) {
            b.release();
        }
        burst = null;
        out.put("releasedRss", mib(rss() - base));
        Thread.sleep(TimeUnit.SECONDS.toMillis(idleSeconds()) / 2);
        out.put("idleHalfRss", mib(rss() - base));
        Thread.sleep(TimeUnit.SECONDS.toMillis(idleSeconds()) / 2);
        out.put("idleRss", mib(rss() - base));
        out.put("idleReserved", mib(reserved(alloc) - baseReserved));
        out.put("idleResident", mib(resident(alloc)));

        ByteBuf[] live = new ByteBuf[1000];
        long liveBytes = 0;
        for (int i = 0; i < live.length; i++) {
            live[i] = alloc.directBuffer(pick(rnd, sizes, cumulative, sum));
            liveBytes += live[i].capacity();
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(lightSeconds());
        while (System.nanoTime() < end) {
            for (int k = 0; k < 100; k++) {
                int i = rnd.nextInt(live.length);
                liveBytes -= live[i].capacity();
                live[i].release();
                live[i] = alloc.directBuffer(pick(rnd, sizes, cumulative, sum));
                live[i].setByte(0, 1);
                liveBytes += live[i].capacity();
            }
            Thread.sleep(1);
        }
        out.put("lightRss", mib(rss() - base));
        out.put("lightLive", mib(liveBytes));
        for (ByteBuf b : live) {
            b.release();
        }
        if (Runtime.version().feature() >= 21) {
            virtualThreads(name, out);
        }
        StringBuilder line = new StringBuilder(RESULT);
        out.forEach((k, v) -> line.append(k).append('=').append(v).append(' '));
        System.out.println(line.toString().trim());
        System.exit(0);
    }

    /** 100,000 virtual threads, each allocating and releasing four buffers, then parking together. */
    private static void virtualThreads(String name, Map<String, String> out) throws Exception {
        ByteBufAllocator alloc = create(name);
        long base = rss();
        int threads = 100_000;
        CountDownLatch parked = new CountDownLatch(threads);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger errors = new AtomicInteger();
        ExecutorService vts = (ExecutorService) java.util.concurrent.Executors.class
            .getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        long start = System.nanoTime();
        for (int i = 0; i < threads; i++) {
            vts.execute(() -> {
                try {
                    for (int size : new int[] {64, 1000, 4096, 256}) {
                        ByteBuf b = alloc.directBuffer(size);
                        b.setByte(0, 1);
                        b.release();
                    }
                } catch (RuntimeException | Error e) {
                    errors.incrementAndGet();
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
        parked.await();
        double seconds = (System.nanoTime() - start) / 1e9;
        out.put("vtReserved", mib(reserved(alloc)));
        out.put("vtRss", mib(rss() - base));
        out.put("vtSeconds", String.format(Locale.ROOT, "%.2f", seconds));
        out.put("vtErrors", Integer.toString(errors.get()));
        release.countDown();
        vts.shutdown();
        vts.awaitTermination(1, TimeUnit.MINUTES);
    }

    private static ByteBufAllocator create(String name) {
        switch (name) {
            case "slab":
                return new SlabByteBufAllocator(SlabAllocator.create());
            case "pooled":
                return new PooledByteBufAllocator(true);
            case "adaptive":
                return new AdaptiveByteBufAllocator();
            default:
                throw new IllegalArgumentException("unknown allocator: " + name);
        }
    }

    private static long reserved(ByteBufAllocator alloc) {
        if (alloc instanceof SlabByteBufAllocator) {
            return ((SlabByteBufAllocator) alloc).stats().totalBytes();
        }
        return ((ByteBufAllocatorMetricProvider) alloc).metric().usedDirectMemory();
    }

    /** The allocator's own resident figure: slabmag's {@code residentBytes()}; reserved for Netty's, which keep pages. */
    private static long resident(ByteBufAllocator alloc) {
        if (alloc instanceof SlabByteBufAllocator) {
            return ((SlabByteBufAllocator) alloc).stats().residentBytes();
        }
        return reserved(alloc);
    }

    private static int pick(SplittableRandom rnd, int[] sizes, int[] cumulative, int sum) {
        int x = rnd.nextInt(sum);
        for (int i = 0; i < cumulative.length; i++) {
            if (x < cumulative[i]) {
                return sizes[i];
            }
        }
        return sizes[sizes.length - 1];
    }

    /** Resident set size of this process, bytes. */
    static long rss() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / MIB);
    }
}
