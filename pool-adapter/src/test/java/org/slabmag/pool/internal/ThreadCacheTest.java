package org.slabmag.pool.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ThreadCacheTest {
    @Test
    void putFillsLoadedThenPreviousThenRefuses() {
        final ThreadCache<Object> c = new ThreadCache<>(Thread.currentThread(), 2);
        for (int i = 0; i < 4; i++) {
            assertTrue(c.put(Entries.idle()));
        }
        assertFalse(c.put(Entries.idle()), "both full: time to visit the depot");
        assertTrue(c.loaded().isFull());
        assertTrue(c.previous().isFull());
    }

    @Test
    void takeDrainsLoadedThenPrevious() {
        final ThreadCache<Object> c = new ThreadCache<>(Thread.currentThread(), 1);
        final PoolEntry<Object> a = Entries.idle();
        final PoolEntry<Object> b = Entries.idle();
        c.put(a);
        c.put(b);
        assertSame(b, c.take());
        assertSame(a, c.take());
        assertNull(c.take(), "both empty: time to visit the depot");
    }

    @Test
    void depotExchangesFollowBonwick() {
        final ThreadCache<Object> c = new ThreadCache<>(Thread.currentThread(), 1);
        c.put(Entries.idle());
        c.put(Entries.idle());
        final Magazine<Object> empty = new Magazine<>(1);
        final Magazine<Object> previous = c.previous();
        final Magazine<Object> loaded = c.loaded();
        assertSame(previous, c.unload(empty), "the previous (full) magazine goes to the depot");
        assertSame(loaded, c.previous());
        assertSame(empty, c.loaded());
        c.take();
        c.take();
        final Magazine<Object> full = new Magazine<>(1);
        final PoolEntry<Object> e = Entries.idle();
        full.offer(e);
        final Magazine<Object> displaced = c.reload(full);
        assertTrue(displaced.isEmpty(), "the previous (empty) magazine goes to the depot");
        assertSame(e, c.take());
    }
}
