package org.slabmag.fuzz;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The crash fuzzer (issue 14): runs {@code fuzz.programs} random {@link FuzzProgram}s, each in its own child JVM,
 * and fails on any JVM crash (an {@code hs_err} file or a fatal-error banner), any non-zero exit (a contract
 * violation the program found: an exception outside the contract, accepted misuse, corrupted memory, a leak), or
 * a program that does not end. Failures name each program's seed; rerun one with
 * {@code -Dfuzz.seed=<base seed> -Dfuzz.programs=<n>}, or run {@code FuzzProgram <seed>} directly (with
 * {@code --add-opens java.base/jdk.internal.misc=ALL-UNNAMED}).
 *
 * <p>System properties (set by the module's pom from Maven properties of the same names): {@code fuzz.programs}
 * (CI: 96), {@code fuzz.seed} (the base seed, default 14: runs are reproducible), {@code fuzz.ops} (calls per
 * thread, default 400), {@code fuzz.jobs} (child JVMs at once, default 2). Programs whose seed is a multiple of 4
 * run with Netty's {@code -Dio.netty.buffer.checkAccessible=false}. Child JVMs write {@code hs_err} files and the
 * output of failed programs under {@code target/fuzz}.
 */
class CrashFuzzTest {
    private static final long PROGRAM_TIMEOUT_SECONDS = 120;

    private record Outcome(long seed, int exit, boolean crashed, boolean hung, String output, long millis) {
        boolean ok() {
            return exit == 0 && !crashed && !hung;
        }
    }

    @Test
    void randomProgramsNeverCrashTheJvmNorBreakTheContract() throws Exception {
        int programs = Integer.getInteger("fuzz.programs", 96);
        long baseSeed = Long.getLong("fuzz.seed", 14);
        int ops = Integer.getInteger("fuzz.ops", 400);
        int jobs = Math.max(1, Integer.getInteger("fuzz.jobs", 2));
        Path dir = Path.of("target", "fuzz").toAbsolutePath();
        Files.createDirectories(dir);
        try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, "{failed-*.txt,hs_err_*.log}")) {
            for (Path p : old) {
                Files.delete(p); // from an earlier run
            }
        }
        SplittableRandom seeds = new SplittableRandom(baseSeed);
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        List<Future<Outcome>> futures = new ArrayList<>();
        for (int i = 0; i < programs; i++) {
            long seed = seeds.nextLong();
            futures.add(pool.submit(() -> runProgram(seed, ops, dir)));
        }
        pool.shutdown();
        List<Outcome> failed = new ArrayList<>();
        int crashes = 0;
        for (Future<Outcome> f : futures) {
            Outcome o = f.get();
            if (!o.ok()) {
                failed.add(o);
                if (o.crashed()) {
                    crashes++;
                }
                Files.writeString(dir.resolve("failed-" + o.seed() + ".txt"), o.output());
            }
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        System.out.println("fuzz: " + programs + " programs (base seed " + baseSeed + ", " + ops + " calls per thread), "
            + failed.size() + " failed, " + crashes + " JVM crashes, " + seconds + " s");
        if (!failed.isEmpty()) {
            StringBuilder s = new StringBuilder(failed.size() + " of " + programs + " fuzz programs failed ("
                + crashes + " JVM crashes); outputs in " + dir + "\n");
            for (Outcome o : failed) {
                s.append("seed ").append(o.seed()).append(": ")
                    .append(o.crashed() ? "JVM CRASH" : o.hung() ? "did not end" : "exit " + o.exit()).append('\n')
                    .append(head(o.output(), 3000)).append('\n');
            }
            fail(s.toString());
        }
    }

    private static Outcome runProgram(long seed, int ops, Path dir) throws IOException, InterruptedException {
        Path errorFile = dir.resolve("hs_err_" + seed + ".log");
        Files.deleteIfExists(errorFile);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--add-opens");
        command.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        command.add("--enable-native-access=ALL-UNNAMED"); // page release (JDK 22+) without a warning
        command.add("-XX:ErrorFile=" + errorFile);
        command.add("-XX:+UseSerialGC");
        command.add("-Xmx256m");
        command.add("-Dio.netty.leakDetection.level=disabled");
        if ((seed & 3) == 0) {
            command.add("-Dio.netty.buffer.checkAccessible=false");
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(FuzzProgram.class.getName());
        command.add(Long.toString(seed));
        command.add(Integer.toString(ops));
        long start = System.nanoTime();
        Path log = dir.resolve("out-" + seed + ".txt");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = p.waitFor(PROGRAM_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly().waitFor();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        boolean crashed = Files.exists(errorFile) || output.contains("A fatal error has been detected");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        return new Outcome(seed, ended ? p.exitValue() : -1, crashed, !ended, output, millis);
    }

    private static String head(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "\n...";
    }
}
