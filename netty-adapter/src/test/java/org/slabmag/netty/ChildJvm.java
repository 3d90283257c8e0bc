package org.slabmag.netty;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of the test classpath in a child JVM, for what would take the test JVM down with it
 * (a crash) or needs a system property read once by a class initializer (Netty's
 * {@code io.netty.buffer.checkAccessible}). The child gets the add-opens slabmag needs and writes any
 * {@code hs_err} file under {@code target/child-jvm}.
 */
final class ChildJvm {
    /** What a child run left: its exit code, its output (stdout and stderr), and whether it crashed. */
    record Result(int exitCode, String output, boolean crashed) {
    }

    private ChildJvm() {
    }

    static Result run(Class<?> main, List<String> jvmArgs, String... args) throws IOException, InterruptedException {
        Path dir = Path.of("target", "child-jvm").toAbsolutePath();
        Files.createDirectories(dir);
        String tag = main.getSimpleName() + "-" + System.nanoTime();
        Path errorFile = dir.resolve("hs_err_" + tag + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--add-opens");
        command.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        command.add("-XX:ErrorFile=" + errorFile);
        command.add("-Xmx256m");
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child JVM did not end: " + command);
        }
        String output = new String(out, StandardCharsets.UTF_8);
        boolean crashed = Files.exists(errorFile) || output.contains("A fatal error has been detected");
        return new Result(p.exitValue(), output, crashed);
    }
}
