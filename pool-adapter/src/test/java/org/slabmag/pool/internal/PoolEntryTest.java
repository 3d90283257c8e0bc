package org.slabmag.pool.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.junit.jupiter.api.Test;

class PoolEntryTest {
    @Test
    void loanAndReleaseCycle() {
        final PoolEntry<Object> e = Entries.idle();
        assertFalse(e.tryBeginRelease(), "an idle entry cannot be returned");
        assertFalse(e.tryRetireLoaned(), "an idle entry cannot be invalidated");
        assertTrue(e.tryLoan());
        assertFalse(e.tryLoan(), "lent once at a time");
        assertFalse(e.tryRetireIdle(), "an entry on loan is not idle");
        assertTrue(e.tryBeginRelease());
        assertFalse(e.tryBeginRelease(), "returned once");
        assertEquals(PoolEntry.RELEASING, e.state());
        e.release();
        assertEquals(PoolEntry.IDLE, e.state());
    }

    @Test
    void retiredIsFinal() {
        final PoolEntry<Object> e = Entries.idle();
        assertTrue(e.tryRetireIdle());
        assertFalse(e.tryLoan());
        assertFalse(e.tryRetireIdle());
        assertFalse(e.tryBeginRelease());
        assertFalse(e.tryRetireCondemned());
        assertEquals(PoolEntry.RETIRED, e.state());
    }

    @Test
    void invalidationAndCondemnation() {
        final PoolEntry<Object> lent = new PoolEntry<>(new DefaultPooledObject<>("x"), PoolEntry.LOANED);
        assertEquals("x", lent.object());
        assertTrue(lent.tryRetireLoaned());
        final PoolEntry<Object> added = new PoolEntry<>(new DefaultPooledObject<>("y"), PoolEntry.RELEASING);
        added.condemn();
        assertFalse(added.tryLoan());
        assertTrue(added.tryRetireCondemned());
        assertFalse(added.tryRetireCondemned());
    }
}
