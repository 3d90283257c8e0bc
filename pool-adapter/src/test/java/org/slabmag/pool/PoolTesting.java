package org.slabmag.pool;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

import org.slabmag.testing.Concurrency;

/** Test support shared by the pool's tests: a call on a thread of its own, and waiting for blocked borrowers. */
final class PoolTesting {
    /** How long a test waits for another thread before it fails. */
    static final long JOIN_MILLIS = 10_000;

    private PoolTesting() {
    }

    /**
     * Runs {@code body} on a new daemon thread.
     *
     * @param <V>  the result type
     * @param body the call
     * @return its result, or what it threw
     */
    static <V> CompletableFuture<V> async(final Callable<V> body) {
        final CompletableFuture<V> f = new CompletableFuture<>();
        final Thread t = new Thread(() -> {
            try {
                f.complete(body.call());
            } catch (final Throwable e) {
                f.completeExceptionally(e);
            }
        });
        t.setDaemon(true);
        t.start();
        return f;
    }

    /**
     * Waits until at least {@code n} borrowers wait in {@code pool}.
     *
     * @param pool the pool
     * @param n    the number of waiters
     * @throws InterruptedException if interrupted
     */
    static void awaitWaiters(final MagazineObjectPool<?> pool, final int n) throws InterruptedException {
        Concurrency.awaitUntil(() -> pool.getNumWaiters() >= n, Duration.ofMillis(JOIN_MILLIS), "waiters did not block");
    }
}
