package org.slabmag.pool.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MagazineTest {
    @Test
    void isAStackOfBoundedCapacity() {
        final Magazine<Object> m = new Magazine<>(2);
        final PoolEntry<Object> a = Entries.idle();
        final PoolEntry<Object> b = Entries.idle();
        assertTrue(m.isEmpty());
        assertTrue(m.offer(a));
        assertTrue(m.offer(b));
        assertTrue(m.isFull());
        assertFalse(m.offer(Entries.idle()));
        assertSame(b, m.takeLoanable());
        assertEquals(PoolEntry.LOANED, b.state());
        assertSame(a, m.poll());
        assertNull(m.poll());
        assertNull(m.peek(0), "popped slots are cleared");
    }

    @Test
    void takeLoanableSkipsEntriesClaimedElsewhere() {
        final Magazine<Object> m = new Magazine<>(4);
        final PoolEntry<Object> bottom = Entries.idle();
        final PoolEntry<Object> stolen = Entries.idle();
        final PoolEntry<Object> retired = Entries.idle();
        m.offer(bottom);
        m.offer(stolen);
        m.offer(retired);
        assertTrue(stolen.tryLoan());
        assertTrue(retired.tryRetireIdle());
        assertSame(bottom, m.takeLoanable());
        assertTrue(m.isEmpty());
        assertNull(m.takeLoanable());
    }

    @Test
    void clearDropsReferences() {
        final Magazine<Object> m = new Magazine<>(3);
        final PoolEntry<Object> a = Entries.idle();
        m.offer(a);
        m.clear();
        assertTrue(m.isEmpty());
        assertNull(m.peek(0));
        assertEquals(PoolEntry.IDLE, a.state(), "entries are unaffected");
    }
}
