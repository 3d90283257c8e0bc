package org.slabmag.pool.internal;

import org.apache.commons.pool2.impl.DefaultPooledObject;

/** Entries of a pool for the {@link PoolEntry} state-machine tests, each over an object with a plain field. */
final class Entries {
    /** A pooled object: its borrower writes {@code value} plainly. */
    static final class Item {
        int value;
    }

    private Entries() {
    }

    /** @return an entry in {@link PoolEntry#IDLE}, as a return leaves it */
    static PoolEntry<Item> idle() {
        PoolEntry<Item> e = loaned();
        e.tryBeginRelease();
        e.release();
        return e;
    }

    /** @return an entry {@link PoolEntry#LOANED} to the constructing thread, as a borrow leaves it */
    static PoolEntry<Item> loaned() {
        return new PoolEntry<>(new DefaultPooledObject<>(new Item()), PoolEntry.LOANED);
    }
}
