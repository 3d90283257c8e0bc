package org.slabmag.internal.magazine;

import org.slabmag.internal.heap.Slab;

/**
 * The allocator's magazine: rounds are free block addresses of one size class, each with the
 * {@link Slab} it belongs to when known, so that allocation can mark the block live without looking
 * it up again; null for a round from an unchecked free, whose slab is looked up if needed.
 *
 * <p>Not thread-safe (see {@link Magazine}).
 */
final class AddressMagazine extends Magazine {
    /** The placeholder before a cache has a real magazine of a class: never holds a round. */
    static final AddressMagazine NONE = new AddressMagazine(0);

    /** Addresses; longer than the capacity by a cache line of padding. */
    final long[] rounds;
    /** The slab of each round, or null; longer than the capacity by a cache line of padding. */
    final Slab[] slabs;

    AddressMagazine(int capacity) {
        super(capacity);
        this.rounds = new long[capacity + 8];
        this.slabs = new Slab[capacity + 16];
    }
}
