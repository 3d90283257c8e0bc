package org.slabmag.jmh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The README's main job: a curated quick set of the benchmarks in one JMH run (JMH prints its
 * progress and ETA as it goes), then a table of slabmag against each peer measured in the same run
 * (score, error, ratio), the JMH JSON, a Markdown copy of the table and an SVG chart of the ratios.
 *
 * <p>Every benchmark names its implementations in a parameter called {@code allocator} or
 * {@code pool}, or as the prefix of its method names; names starting with {@code slab} or
 * {@code magazine} are slabmag's. A ratio above 1
 * means slabmag is better (faster, more throughput, or less memory).
 *
 * <p>Arguments: {@code [outputDir]} (default {@code results}). System properties
 * {@code compare.forks}, {@code compare.warmups}, {@code compare.iterations} and
 * {@code compare.iterationMillis} lengthen or shorten the run.
 */
public final class Compare {
    private static final String[] IMPL_PARAMS = {"allocator", "pool"};
    /**
     * Benchmarks without an implementation parameter name it as the method's prefix instead
     * ({@code magazine1Thread} vs {@code generic1Thread}); longest first.
     */
    private static final List<String> METHOD_IMPLS =
        List.of("stormpotThreadLocalTap", "stormpot", "magazine", "generic", "slabBuffer", "directBuffer");

    /** One curated group: benchmark regex and parameter overrides, run in the same JMH session. */
    private static final class Entry {
        final String include;
        final Map<String, String[]> params = new LinkedHashMap<>();

        Entry(String include) {
            this.include = include;
        }

        Entry param(String name, String... values) {
            params.put(name, values);
            return this;
        }
    }

    private Compare() {
    }

    static List<Entry> curated() {
        List<Entry> set = new ArrayList<>();
        set.add(new Entry("RawAllocatorBenchmark\\.allocFree$")
            .param("allocator", "slabmag", "unsafe", "bytebuffer", "threadlocal").param("size", "256", "65536"));
        set.add(new Entry("RawAllocatorBenchmark\\.(allocFree2Threads|live256)$")
            .param("allocator", "slabmag", "unsafe", "bytebuffer", "threadlocal").param("size", "256"));
        set.add(new Entry("NettyAllocatorBenchmark\\.allocateRelease$")
            .param("allocator", "slab", "adaptive", "pooled").param("size", "64", "1024", "16384", "65536"));
        set.add(new Entry("NettyAllocatorBenchmark\\.live256$")
            .param("allocator", "slab", "adaptive", "pooled").param("size", "256", "4096"));
        set.add(new Entry("NettyAllocatorBenchmark\\.transfer$")
            .param("allocator", "slab", "adaptive", "pooled").param("size", "1024"));
        set.add(new Entry("RandomReplacementBenchmark\\.replace2Threads$")
            .param("allocator", "slabmag", "unsafe").param("workload", "larson", "rptest"));
        set.add(new Entry("ProducerConsumerBenchmark\\.transfer$")
            .param("allocator", "slabmag", "unsafe").param("size", "64"));
        set.add(new Entry("ObjectPoolBenchmark\\.(magazine|generic|stormpot)(1Thread|2Threads)$"));
        set.add(new Entry("ObjectPoolBenchmark\\.(slabBuffer|directBuffer)Borrow(Return|Invalidate)$"));
        set.add(new Entry("FootprintBenchmark\\.scenario$")
            .param("allocator", "slab", "adaptive", "pooled"));
        return set;
    }

    public static void main(String[] args) throws RunnerException, IOException, InterruptedException {
        Path out = Paths.get(args.length > 0 ? args[0] : "results");
        Files.createDirectories(out);
        Path json = out.resolve("jmh-result.json");
        List<RunResult> results = new ArrayList<>();
        List<Entry> set = curated();
        for (int i = 0; i < set.size(); i++) {
            Entry e = set.get(i);
            System.out.printf(Locale.ROOT, "%n=== [%d/%d] %s%n", i + 1, set.size(), e.include);
            ChainedOptionsBuilder opts = new OptionsBuilder()
                .include(e.include)
                .forks(Integer.getInteger("compare.forks", 1))
                .warmupIterations(Integer.getInteger("compare.warmups", 2))
                .warmupTime(TimeValue.milliseconds(Integer.getInteger("compare.iterationMillis", 500)))
                .measurementIterations(Integer.getInteger("compare.iterations", 4))
                .measurementTime(TimeValue.milliseconds(Integer.getInteger("compare.iterationMillis", 500)))
                .shouldFailOnError(true)
                .resultFormat(ResultFormatType.JSON)
                .result(out.resolve("jmh-result-" + (i + 1) + ".json").toString());
            for (Map.Entry<String, String[]> p : e.params.entrySet()) {
                opts.param(p.getKey(), p.getValue());
            }
            results.addAll(new Runner(opts.build()).run());
        }
        mergeJson(out, set.size(), json);
        List<Row> rows = rows(results);
        if (Boolean.parseBoolean(System.getProperty("compare.rss", "true"))) {
            System.out.printf(Locale.ROOT, "%n=== process RSS: %s%n", RssFootprint.class.getSimpleName());
            rows.addAll(rssRows(RssFootprint.measure()));
        }
        String table = table(rows);
        System.out.println();
        System.out.println(table);
        String header = "Machine: " + Runtime.getRuntime().availableProcessors() + " cores, "
            + System.getProperty("os.name") + " " + System.getProperty("os.arch") + "; JDK "
            + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + "); "
            + LocalDate.now(ZoneId.systemDefault()) + ".";
        Files.writeString(out.resolve("comparison.md"), header + "\n\n" + table, StandardCharsets.UTF_8);
        Files.writeString(out.resolve("comparison.svg"), Chart.svg(rows, header), StandardCharsets.UTF_8);
        System.out.println(header);
        System.out.println("Wrote " + json + ", " + out.resolve("comparison.md") + ", " + out.resolve("comparison.svg"));
    }

    /** RSS figures lower-is-better, slabmag against each peer (MiB above the baseline, or seconds). */
    static List<Row> rssRows(List<Map<String, String>> measured) {
        List<String> figures = List.of("releasedRss", "idleRss", "lightRss", "vtReserved", "vtRss", "vtSeconds");
        Map<String, String> slab = measured.stream().filter(m -> isSlabmag(m.get("allocator"))).findFirst().orElse(null);
        List<Row> rows = new ArrayList<>();
        if (slab == null) {
            return rows;
        }
        String config = "idle=" + RssFootprint.idleSeconds() + "s, light=" + RssFootprint.lightSeconds() + "s";
        for (Map<String, String> peer : measured) {
            if (peer == slab) {
                continue;
            }
            for (String f : figures) {
                if (slab.containsKey(f) && peer.containsKey(f)) {
                    rows.add(new Row("RssFootprint." + f, config, peer.get("allocator"), Double.parseDouble(slab.get(f)),
                        Double.NaN, Double.parseDouble(peer.get(f)), Double.NaN, f.equals("vtSeconds") ? "s" : "MiB",
                        false));
                }
            }
        }
        return rows;
    }

    /** One comparison: slabmag against one peer in one benchmark configuration. */
    record Row(String benchmark, String config, String peer, double slab, double slabError, double other,
               double otherError, String unit, boolean higherIsBetter) {
        /** How many times better slabmag is than the peer (infinite when slabmag's cost is 0). */
        double ratio() {
            return higherIsBetter ? slab / other : other / slab;
        }
    }

    /** Secondary results compared as their own rows, lower is better (footprint ratios and MiB). */
    private static final List<String> FOOTPRINT_METRICS =
        List.of("peakReservedPerLive", "meanReservedPerLive", "releasedMiB", "trimmedMiB");

    static List<Row> rows(Collection<RunResult> results) {
        Map<String, Map<String, Result<?>>> byConfig = new TreeMap<>();
        for (RunResult r : results) {
            var params = r.getParams();
            String impl = null;
            StringBuilder config = new StringBuilder();
            for (String key : params.getParamsKeys()) {
                if (isImplParam(key)) {
                    impl = params.getParam(key);
                } else {
                    config.append(config.length() == 0 ? "" : ", ").append(key).append('=').append(params.getParam(key));
                }
            }
            String bench = shortName(params.getBenchmark());
            if (impl == null) {
                String method = bench.substring(bench.indexOf('.') + 1);
                for (String prefix : METHOD_IMPLS) {
                    if (method.startsWith(prefix) && method.length() > prefix.length()) {
                        impl = prefix;
                        bench = bench.substring(0, bench.indexOf('.') + 1) + method.substring(prefix.length());
                        break;
                    }
                }
            }
            if (impl == null) {
                continue;
            }
            boolean footprint = false;
            for (String metric : FOOTPRINT_METRICS) {
                Result<?> secondary = r.getSecondaryResults().get(metric);
                if (secondary != null) {
                    footprint = true;
                    String metricBench = bench.substring(0, bench.indexOf('.') + 1) + metric;
                    byConfig.computeIfAbsent(metricBench + "|" + config, k -> new LinkedHashMap<>()).put(impl, secondary);
                }
            }
            if (!footprint) {
                byConfig.computeIfAbsent(bench + "|" + config, k -> new LinkedHashMap<>()).put(impl, r.getPrimaryResult());
            }
        }
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, Map<String, Result<?>>> e : byConfig.entrySet()) {
            String[] parts = e.getKey().split("\\|", 2);
            Result<?> slab = null;
            String slabName = null;
            for (Map.Entry<String, Result<?>> impl : e.getValue().entrySet()) {
                if (isSlabmag(impl.getKey()) && (slabName == null || impl.getKey().length() < slabName.length())) {
                    slab = impl.getValue();
                    slabName = impl.getKey();
                }
            }
            if (slab == null) {
                continue;
            }
            boolean footprint = FOOTPRINT_METRICS.stream().anyMatch(m -> parts[0].endsWith("." + m));
            for (Map.Entry<String, Result<?>> impl : e.getValue().entrySet()) {
                if (impl.getKey().equals(slabName)) {
                    continue;
                }
                Result<?> other = impl.getValue();
                String unit = footprint ? (parts[0].endsWith("MiB") ? "MiB" : "reserved/live") : slab.getScoreUnit();
                boolean higher = !footprint && (unit.contains("/s") || unit.startsWith("ops"));
                rows.add(new Row(parts[0], parts[1], impl.getKey(), slab.getScore(), slab.getScoreError(),
                    other.getScore(), other.getScoreError(), unit, higher));
            }
        }
        return rows;
    }

    static String table(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| benchmark | config | peer | slabmag | peer score | unit | slabmag better by |\n");
        sb.append("|---|---|---|---:|---:|---|---:|\n");
        for (Row r : rows) {
            String ratio = Double.isInfinite(r.ratio()) ? "∞ (slabmag 0)" : String.format(Locale.ROOT, "%.2fx", r.ratio());
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", r.benchmark(),
                r.config(), r.peer(), score(r.slab(), r.slabError()), score(r.other(), r.otherError()), r.unit(),
                ratio));
        }
        return sb.toString();
    }

    private static String score(double score, double error) {
        if (Double.isNaN(error) || error == 0) {
            return String.format(Locale.ROOT, "%.3g", score);
        }
        return String.format(Locale.ROOT, "%.3g ± %.2g", score, error);
    }

    private static boolean isImplParam(String key) {
        for (String p : IMPL_PARAMS) {
            if (p.equals(key)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isSlabmag(String impl) {
        return impl.startsWith("slab") || impl.startsWith("magazine");
    }

    private static String shortName(String benchmark) {
        String[] parts = benchmark.split("\\.");
        return parts.length >= 2 ? parts[parts.length - 2] + "." + parts[parts.length - 1] : benchmark;
    }

    /** Concatenates the per-group JMH JSON arrays into one array. */
    private static void mergeJson(Path out, int groups, Path merged) throws IOException {
        StringBuilder sb = new StringBuilder("[\n");
        boolean first = true;
        for (int i = 1; i <= groups; i++) {
            Path part = out.resolve("jmh-result-" + i + ".json");
            String text = Files.readString(part, StandardCharsets.UTF_8).trim();
            Files.delete(part);
            if (text.length() < 2) {
                continue;
            }
            String body = text.substring(1, text.length() - 1).trim();
            if (body.isEmpty()) {
                continue;
            }
            sb.append(first ? "" : ",\n").append(body);
            first = false;
        }
        sb.append("\n]\n");
        Files.writeString(merged, sb.toString(), StandardCharsets.UTF_8);
    }
}
