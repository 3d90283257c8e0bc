package org.slabmag.pool.internal;

import org.apache.commons.pool2.impl.DefaultPooledObject;

/** Test helpers that make entries. */
final class Entries {
    private Entries() {
    }

    static PoolEntry<Object> idle(final Object o) {
        final PoolEntry<Object> e = new PoolEntry<>(new DefaultPooledObject<>(o), PoolEntry.RELEASING);
        e.release();
        return e;
    }

    static PoolEntry<Object> idle() {
        return idle(new Object());
    }
}
