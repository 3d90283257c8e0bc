package org.slabmag.jmh;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Defaults every benchmark class inherits (JMH annotations are {@code @Inherited}): average time in
 * nanoseconds, 2 forks, 3 warm-up and 5 measurement iterations of 1 second, and the JVM flags every
 * fork needs: Agrona's {@code --add-opens}, Netty's leak detection off (it samples allocations and
 * would dominate the numbers), and a fixed heap so GC settings do not vary between runs.
 * Command-line options ({@code -f}, {@code -wi}, {@code -i}, {@code -r}) override them.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 2, jvmArgsAppend = {
    "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
    "-Dio.netty.leakDetection.level=disabled",
    "-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public abstract class BenchmarkDefaults {
}
