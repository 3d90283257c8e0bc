package org.slabmag.jmh;

import java.util.Collection;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark of this module once, briefly, in one forked JVM each, failing on any error:
 * the CI check that the benchmarks still run. It asserts nothing about speed. Arguments, if any,
 * are regular expressions of the benchmarks to include (default: all).
 */
public final class SmokeRun {
    private SmokeRun() {
    }

    public static void main(String[] args) throws RunnerException {
        OptionsBuilder options = new OptionsBuilder();
        if (args.length == 0) {
            options.include("org\\.slabmag\\.jmh\\..*");
        }
        for (String include : args) {
            options.include(include);
        }
        Options opts = options
            .forks(1)
            .warmupIterations(0)
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(100))
            .param("size", "256")
            .shouldFailOnError(true)
            .build();
        Collection<RunResult> results = new Runner(opts).run();
        if (results.isEmpty()) {
            throw new IllegalStateException("the smoke run found no benchmark");
        }
        System.out.println("jmh smoke run: " + results.size() + " benchmarks ran");
        if (args.length == 0) {
            System.setProperty("footprint.allocators", "slab");
            System.setProperty("footprint.idleSeconds", "1");
            System.setProperty("footprint.lightSeconds", "1");
            try {
                RssFootprint.main(new String[0]);
            } catch (Exception e) {
                throw new IllegalStateException("the RSS footprint smoke run failed", e);
            }
        }
    }
}
