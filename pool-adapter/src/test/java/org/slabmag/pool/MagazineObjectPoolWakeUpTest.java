package org.slabmag.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.RepeatedTest;
import org.slabmag.pool.TrackedFactory.Tracked;
import org.slabmag.testing.Concurrency;

/**
 * A return wakes one waiting borrower rather than all of them (so thousands of waiting virtual threads are not
 * woken per return), yet no waiter sleeps while an object is idle: many waiters, few objects, returns in a burst
 * and waiters that time out among them; every borrower that does not time out is served, and the pool's counts
 * add up at the end.
 */
class MagazineObjectPoolWakeUpTest {
    private static final int OBJECTS = 2;
    private static final int WAITERS = 12;

    @RepeatedTest(3)
    void everyWaiterIsServedWhenObjectsComeBackInABurst() throws Exception {
        final MagazineObjectPoolConfig c = new MagazineObjectPoolConfig();
        c.setMaxTotal(OBJECTS);
        c.setJmxEnabled(false);
        final TrackedFactory f = new TrackedFactory();
        try (MagazineObjectPool<Tracked> pool = new MagazineObjectPool<>(f, c)) {
            final List<Tracked> held = new ArrayList<>();
            for (int i = 0; i < OBJECTS; i++) {
                held.add(pool.borrowObject());
            }
            final AtomicInteger served = new AtomicInteger();
            final AtomicInteger timedOut = new AtomicInteger();
            final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            final List<Thread> waiters = new ArrayList<>();
            for (int i = 0; i < WAITERS; i++) {
                final boolean impatient = i % 4 == 0; // some leave the wait by timing out, racing the returns
                final Thread t = new Thread(() -> {
                    try {
                        final Tracked o = pool.borrowObject(impatient ? Duration.ofMillis(5) : Duration.ofSeconds(30));
                        served.incrementAndGet();
                        pool.returnObject(o);
                    } catch (final java.util.NoSuchElementException e) {
                        if (impatient) {
                            timedOut.incrementAndGet();
                        } else {
                            errors.add(e);
                        }
                    } catch (final Throwable e) {
                        errors.add(e);
                    }
                }, "waiter-" + i);
                t.start();
                waiters.add(t);
            }
            Concurrency.awaitUntil(() -> pool.getNumWaiters() + timedOut.get() >= WAITERS, "all waiting");
            for (final Tracked o : held) {
                pool.returnObject(o); // a burst: both objects at once
            }
            Concurrency.joinAll(waiters, Duration.ofSeconds(30));
            Concurrency.rethrow(errors, "a patient waiter was not served");
            assertEquals(WAITERS, served.get() + timedOut.get());
            assertTrue(served.get() >= WAITERS - WAITERS / 4, "patient waiters served: " + served.get());
            assertEquals(0, pool.getNumWaiters());
            assertEquals(0, pool.getNumActive());
            assertEquals(OBJECTS, f.made.get(), "no object beyond maxTotal");
        }
    }
}
