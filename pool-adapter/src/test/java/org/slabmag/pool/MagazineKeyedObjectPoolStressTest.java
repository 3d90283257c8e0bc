package org.slabmag.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.pool2.BaseKeyedPooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.junit.jupiter.api.Test;

/**
 * Several threads over several keys on a pool whose {@code maxTotal} is below the keys' combined
 * {@code maxTotalPerKey}, so that borrowers destroy other keys' idle objects and wait; objects are returned on other
 * threads, invalidated, and keys cleared. The factory counts live objects per key and in total and records the most
 * ever live. The test ends with the invariants: no object lent twice at once or after its destruction; at most
 * {@code maxTotal} objects live at any time; per key and in total {@code created - destroyed == active + idle} once
 * quiescent; and {@code close()} destroys everything.
 */
class MagazineKeyedObjectPoolStressTest {
    private static final int THREADS = 4;
    private static final int KEYS = 5;
    private static final int MAX_TOTAL = 6;
    private static final int MAX_PER_KEY = 3;
    private static final long RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(1500);

    /** A pooled object with an on-loan flag. */
    static final class Item {
        final String key;
        final AtomicBoolean onLoan = new AtomicBoolean();
        volatile boolean destroyed;

        Item(final String key) {
            this.key = key;
        }
    }

    /** Counts live objects per key and in total, and the most ever live at once. */
    static final class CountingFactory extends BaseKeyedPooledObjectFactory<String, Item> {
        final AtomicInteger live = new AtomicInteger();
        final AtomicInteger maxLive = new AtomicInteger();
        final Map<String, AtomicInteger> created = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> destroyed = new ConcurrentHashMap<>();
        final AtomicInteger doubleDestroys = new AtomicInteger();

        @Override
        public Item create(final String key) {
            maxLive.accumulateAndGet(live.incrementAndGet(), Math::max);
            created.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            return new Item(key);
        }

        @Override
        public PooledObject<Item> wrap(final Item value) {
            return new DefaultPooledObject<>(value);
        }

        @Override
        public void destroyObject(final String key, final PooledObject<Item> p) {
            final Item item = p.getObject();
            if (item.destroyed || !item.key.equals(key)) {
                doubleDestroys.incrementAndGet();
            }
            item.destroyed = true;
            destroyed.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            live.decrementAndGet();
        }

        int created(final String key) {
            final AtomicInteger n = created.get(key);
            return n == null ? 0 : n.get();
        }

        int destroyed(final String key) {
            final AtomicInteger n = destroyed.get(key);
            return n == null ? 0 : n.get();
        }
    }

    @Test
    void manyThreadsOverManyKeysKeepTheInvariants() throws Exception {
        final CountingFactory f = new CountingFactory();
        final MagazineKeyedObjectPoolConfig c = new MagazineKeyedObjectPoolConfig();
        c.setMaxTotal(MAX_TOTAL);
        c.setMaxTotalPerKey(MAX_PER_KEY);
        c.setMaxIdlePerKey(2);
        c.setMaxWait(Duration.ofMillis(200));
        c.setTestOnReturn(true);
        c.setMagazineSize(2);
        final MagazineKeyedObjectPool<String, Item> pool = new MagazineKeyedObjectPool<>(f, c);
        final AtomicInteger doubleLoans = new AtomicInteger();
        final AtomicInteger lentAfterDestroy = new AtomicInteger();
        final AtomicInteger wrongKey = new AtomicInteger();
        final AtomicInteger overTotal = new AtomicInteger();
        final AtomicInteger borrows = new AtomicInteger();
        final ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Item> handOff = new ConcurrentLinkedQueue<>();
        final long end = System.nanoTime() + RUN_NANOS;
        final List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            final Thread th = new Thread(() -> {
                final ThreadLocalRandom r = ThreadLocalRandom.current();
                while (System.nanoTime() < end) {
                    try {
                        final Item handed = handOff.poll();
                        if (handed != null) {
                            handed.onLoan.set(false);
                            pool.returnObject(handed.key, handed);
                        }
                        final String key = "k" + r.nextInt(KEYS);
                        final Item item;
                        try {
                            item = pool.borrowObject(key);
                        } catch (final NoSuchElementException timedOut) {
                            continue;
                        }
                        borrows.incrementAndGet();
                        if (!item.onLoan.compareAndSet(false, true)) {
                            doubleLoans.incrementAndGet();
                        }
                        if (item.destroyed) {
                            lentAfterDestroy.incrementAndGet();
                        }
                        if (!item.key.equals(key)) {
                            wrongKey.incrementAndGet();
                        }
                        if (f.live.get() > MAX_TOTAL) {
                            overTotal.incrementAndGet();
                        }
                        final int op = r.nextInt(10);
                        if (op == 0) {
                            item.onLoan.set(false);
                            pool.invalidateObject(key, item);
                        } else if (op == 1) {
                            handOff.add(item); // returned by another thread
                        } else {
                            item.onLoan.set(false);
                            pool.returnObject(key, item);
                            if (op == 2) {
                                pool.clear(key);
                            }
                        }
                    } catch (final Throwable e) {
                        unexpected.add(e);
                    }
                }
            }, "keyed-stress-" + t);
            th.start();
            threads.add(th);
        }
        for (final Thread th : threads) {
            th.join(30_000);
            assertFalse(th.isAlive(), th + " is stuck");
        }
        Item handed;
        while ((handed = handOff.poll()) != null) {
            handed.onLoan.set(false);
            pool.returnObject(handed.key, handed);
        }
        assertTrue(unexpected.isEmpty(), () -> "unexpected: " + unexpected);
        assertEquals(0, doubleLoans.get(), "objects lent twice at once");
        assertEquals(0, lentAfterDestroy.get(), "destroyed objects lent");
        assertEquals(0, wrongKey.get(), "objects lent under another key");
        assertEquals(0, f.doubleDestroys.get(), "objects destroyed twice or under another key");
        assertEquals(0, overTotal.get(), "more than maxTotal objects live");
        assertTrue(f.maxLive.get() <= MAX_TOTAL, () -> "most live " + f.maxLive.get() + " > " + MAX_TOTAL);
        assertTrue(borrows.get() > 100, () -> "only " + borrows.get() + " borrows");
        assertEquals(0, pool.getNumActive());
        int idle = 0;
        for (int k = 0; k < KEYS; k++) {
            final String key = "k" + k;
            assertEquals(f.created(key) - f.destroyed(key), pool.getNumActive(key) + pool.getNumIdle(key), key);
            assertTrue(pool.getNumIdle(key) <= MAX_PER_KEY, key);
            idle += pool.getNumIdle(key);
        }
        assertEquals(idle, pool.getNumIdle());
        assertEquals(f.live.get(), idle);
        assertEquals(pool.getCreatedCount() - pool.getDestroyedCount(), idle);
        assertEquals(idle, pool.getNumTotal());
        for (int k = 0; k < KEYS; k++) { // every idle object can be lent again
            final String key = "k" + k;
            final Item item = pool.borrowObject(key, Duration.ofSeconds(10));
            assertEquals(key, item.key);
            pool.returnObject(key, item);
        }
        pool.close();
        assertEquals(0, f.live.get(), "close() destroys every object");
        assertEquals(0, pool.getNumTotal());
        assertEquals(List.of(), pool.getKeys());
    }
}
