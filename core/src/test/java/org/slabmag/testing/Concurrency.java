package org.slabmag.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * Thread helpers shared by the tests of every module: joining with a deadline, failing with every worker's
 * error, polling for a condition with a deadline, and virtual threads on JDKs that have them. No helper asserts
 * on timing: a deadline only turns a hang into a failure.
 */
public final class Concurrency {
    /** How long a test waits for a thread or a condition before it calls it stuck. */
    public static final Duration STUCK = Duration.ofSeconds(60);

    private Concurrency() {
    }

    /**
     * Throws if any worker failed: the first error as the cause, all of them suppressed.
     *
     * @param errors what the workers threw
     * @param what   names the run, for the message
     */
    public static void rethrow(Collection<? extends Throwable> errors, String what) {
        if (!errors.isEmpty()) {
            AssertionError e = new AssertionError(what + ": a worker failed", errors.iterator().next());
            errors.forEach(e::addSuppressed);
            throw e;
        }
    }

    /** {@link #rethrow(Collection, String)} without a name. */
    public static void rethrow(Collection<? extends Throwable> errors) {
        rethrow(errors, "run");
    }

    /**
     * Joins every thread, failing if one is still alive after {@code timeout} (all together).
     *
     * @param threads the threads
     * @param timeout the deadline for all of them
     * @throws InterruptedException if interrupted
     */
    public static void joinAll(Collection<? extends Thread> threads, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : threads) {
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            t.join(left);
            assertFalse(t.isAlive(), () -> t + " is stuck");
        }
    }

    /** {@link #joinAll(Collection, Duration)} with {@link #STUCK}. */
    public static void joinAll(Collection<? extends Thread> threads) throws InterruptedException {
        joinAll(threads, STUCK);
    }

    /**
     * Polls {@code condition} until it holds, failing with {@code message} after {@code timeout}.
     *
     * @param condition what to wait for
     * @param timeout   how long until the wait counts as stuck
     * @param message   the failure's message
     * @throws InterruptedException if interrupted
     */
    public static void awaitUntil(BooleanSupplier condition, Duration timeout, String message)
        throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, message);
            Thread.sleep(1);
        }
    }

    /** {@link #awaitUntil(BooleanSupplier, Duration, String)} with {@link #STUCK}. */
    public static void awaitUntil(BooleanSupplier condition, String message) throws InterruptedException {
        awaitUntil(condition, STUCK, message);
    }

    /**
     * {@code Executors.newVirtualThreadPerTaskExecutor()} by reflection, so the tests compile for JDK 17.
     *
     * @return an executor that runs each task in a new virtual thread
     * @throws ReflectiveOperationException before JDK 21
     */
    public static ExecutorService virtualThreadPerTaskExecutor() throws ReflectiveOperationException {
        return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
    }
}
