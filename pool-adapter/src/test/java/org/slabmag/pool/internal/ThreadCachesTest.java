package org.slabmag.pool.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

class ThreadCachesTest {
    private final List<ThreadCache<Object>> terminated = new CopyOnWriteArrayList<>();

    private static ThreadCache<Object> cacheOfNewThread(final ThreadCaches<Object> caches) throws InterruptedException {
        final AtomicReference<ThreadCache<Object>> seen = new AtomicReference<>();
        final Thread t = new Thread(() -> {
            final ThreadCache<Object> c = caches.current();
            if (c == caches.current() && c.owner() == Thread.currentThread()) {
                seen.set(c);
            }
        });
        t.start();
        t.join();
        return seen.get();
    }

    @Test
    void eachThreadHasItsOwnCache() throws Exception {
        final ThreadCaches<Object> caches = new ThreadCaches<>(4, terminated::add);
        final ThreadCache<Object> mine = caches.current();
        assertSame(mine, caches.current());
        assertSame(Thread.currentThread(), mine.owner());
        assertEquals(4, mine.loaded().capacity());
        final ThreadCache<Object> other = cacheOfNewThread(caches);
        assertNotSame(mine, other);
        assertEquals(2, caches.snapshot().length);
    }

    @Test
    void threadsWhoseSlotIsTakenGetTheirOwnCacheAllTheSame() throws Exception {
        final ThreadCaches<Object> caches = new ThreadCaches<>(1, terminated::add);
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch ready = new CountDownLatch(1);
        final AtomicReference<ThreadCache<Object>> holderCache = new AtomicReference<>();
        final Thread holder = new Thread(() -> {
            holderCache.set(caches.current());
            ready.countDown();
            try {
                release.await();
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        holder.start();
        ready.await();
        for (int i = 0; i < 600; i++) {
            final ThreadCache<Object> c = cacheOfNewThread(caches);
            assertTrue(c != null && c != holderCache.get(), "600 threads over 256 slots collide");
        }
        release.countDown();
        holder.join();
        assertTrue(caches.reclaimTerminated());
        assertEquals(601, terminated.size());
        assertTrue(terminated.contains(holderCache.get()));
        assertEquals(0, caches.snapshot().length);
        assertFalse(caches.reclaimTerminated());
    }

    @Test
    void registrationForgetsTerminatedThreadsOnceTheRegistryDoubled() throws Exception {
        final ThreadCaches<Object> caches = new ThreadCaches<>(1, terminated::add);
        final ThreadCache<Object> gone = cacheOfNewThread(caches);
        assertEquals(List.of(), terminated, "no scan per registration: registration is O(1) amortised");
        for (int i = 0; i < 200; i++) {
            assertTrue(cacheOfNewThread(caches) != null);
        }
        assertTrue(terminated.contains(gone), "handed over by a registration scan, without reclaimTerminated()");
        assertTrue(caches.snapshot().length <= 128, "dead threads do not make the registry grow: "
                + caches.snapshot().length);
        final ThreadCache<Object> mine = caches.current();
        assertSame(mine, caches.current());
        assertTrue(Arrays.asList(caches.snapshot()).contains(mine));
        caches.reclaimTerminated();
        assertEquals(List.of(mine), Arrays.asList(caches.snapshot()));
        assertEquals(201, terminated.size());
    }
}
