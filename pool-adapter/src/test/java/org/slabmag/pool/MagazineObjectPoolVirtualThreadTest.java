package org.slabmag.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.slabmag.pool.TrackedFactory.Tracked;

/**
 * One virtual thread per task (JDK 21+; the project compiles for 17, so the executor is made reflectively):
 * virtual threads share striped caches instead of registering one each, and every task gets its object.
 */
class MagazineObjectPoolVirtualThreadTest {
    private static final int TASKS = 50_000;

    static ExecutorService virtualThreadPerTaskExecutor() throws ReflectiveOperationException {
        return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
    }

    @Test
    void fiftyThousandVirtualThreadsBorrowAndReturnWithoutTimeoutsOrPrivateCaches() throws Exception {
        assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21+");
        final TrackedFactory f = new TrackedFactory();
        final MagazineObjectPoolConfig c = new MagazineObjectPoolConfig();
        c.setJmxEnabled(false);
        c.setMaxTotal(8);
        c.setMaxWait(Duration.ofSeconds(60));
        final AtomicInteger failures = new AtomicInteger();
        final AtomicInteger doubleLends = new AtomicInteger();
        final Queue<Throwable> firstFailures = new ConcurrentLinkedQueue<>();
        try (MagazineObjectPool<Tracked> pool = new MagazineObjectPool<>(f, c)) {
            final int registeredBefore = pool.registeredCaches();
            final ExecutorService vts = virtualThreadPerTaskExecutor();
            try {
                for (int i = 0; i < TASKS; i++) {
                    vts.execute(() -> {
                        try {
                            final Tracked t = pool.borrowObject();
                            if (!t.onLoan.compareAndSet(false, true)) {
                                doubleLends.incrementAndGet();
                            }
                            Thread.yield(); // the task's work: lets other virtual threads run meanwhile
                            t.onLoan.set(false);
                            pool.returnObject(t);
                        } catch (final Throwable e) {
                            failures.incrementAndGet();
                            if (firstFailures.size() < 5) {
                                firstFailures.add(e);
                            }
                        }
                    });
                }
            } finally {
                vts.shutdown();
                assertTrue(vts.awaitTermination(5, TimeUnit.MINUTES), "tasks did not finish");
            }
            assertEquals(0, failures.get(), "failed tasks (timeouts included): " + firstFailures);
            assertEquals(0, doubleLends.get());
            assertEquals(registeredBefore, pool.registeredCaches(), "virtual threads registered private caches");
            assertEquals(TASKS, pool.getBorrowedCount());
            assertEquals(TASKS, pool.getReturnedCount());
            assertEquals(0, pool.getNumActive());
            assertTrue(f.made.get() <= 8, "made " + f.made.get());
            assertEquals(f.made.get() - f.destroyed.get(), pool.getNumIdle());
        }
    }
}
