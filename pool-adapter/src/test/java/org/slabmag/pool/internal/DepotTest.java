package org.slabmag.pool.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DepotTest {
    private static Magazine<Object> loaded(final int n) {
        final Magazine<Object> m = new Magazine<>(n);
        for (int i = 0; i < n; i++) {
            m.offer(Entries.idle());
        }
        return m;
    }

    @Test
    void reservationsStopAtMaxIdle() {
        final Depot<Object> depot = new Depot<>(8, 5);
        assertEquals(3, depot.reserve(3));
        assertTrue(depot.offerLoaded(loaded(3)));
        assertEquals(2, depot.reserve(3), "only the room left");
        assertTrue(depot.offerLoaded(loaded(2)));
        assertEquals(0, depot.reserve(1), "full");
        assertEquals(5, depot.idleReferences());
        assertEquals(3, depot.pollLoaded().size(), "first in, first out");
        assertEquals(2, depot.idleReferences());
        final Magazine<Object> m = depot.pollLoaded();
        assertEquals(2, m.size());
        assertEquals(0, depot.idleReferences());
        assertNull(depot.pollLoaded());
    }

    @Test
    void unlimitedDepotIsBoundedByItsQueue() {
        final Depot<Object> depot = new Depot<>(2, -1);
        for (int i = 0; i < 2; i++) {
            assertEquals(1, depot.reserve(1));
            assertTrue(depot.offerLoaded(loaded(1)));
        }
        assertEquals(1, depot.reserve(1));
        assertFalse(depot.offerLoaded(loaded(1)), "queue full");
        assertEquals(2, depot.idleReferences(), "a refused offer returns its reservation");
    }

    @Test
    void emptyMagazinesAreKeptForReuse() {
        final Depot<Object> depot = new Depot<>(2, -1);
        final Magazine<Object> m = new Magazine<>(4);
        depot.offerEmpty(m);
        assertSame(m, depot.pollEmpty());
        assertNull(depot.pollEmpty());
    }
}
