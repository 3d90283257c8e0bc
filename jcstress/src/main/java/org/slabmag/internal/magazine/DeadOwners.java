package org.slabmag.internal.magazine;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Registers caches owned by a thread that has ended, from a helper thread that is never a jcstress actor (a
 * registry remembers each registering thread's cache in a {@code ThreadLocal}, which must not be an actor's).
 */
final class DeadOwners {
    /** A thread that has run and ended: {@code isAlive()} is false and happens-after all it did. */
    static final Thread DEAD = ended();
    private static final ExecutorService HELPER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "dead-owner-registrar");
        t.setDaemon(true);
        return t;
    });

    private DeadOwners() {
    }

    private static Thread ended() {
        Thread t = new Thread("ended"); // no lambda: its body would wait for this class's initialisation
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return t;
    }

    /**
     * @param registry a registry whose {@code newCache} makes a cache owned by the thread it is given
     * @return the cache of {@link #DEAD} now registered there
     */
    static TestRack register(ThreadCaches<TestRack> registry) {
        try {
            return HELPER.submit(() -> registry.privateCache(DEAD)).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError(e);
        }
    }
}
