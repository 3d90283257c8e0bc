package org.slabmag.internal;

/**
 * A stack of free block addresses of one size class (Bonwick and Adams' magazine; its entries are
 * "rounds").
 *
 * <p>Not thread-safe: a magazine is owned by one thread at a time, either a {@link ThreadCache}'s
 * loaded or previous magazine, or in transit through a {@link Depot} queue, whose offer (release) and
 * poll (acquire) hand the contents over with happens-before.
 */
final class Magazine {
    /** The placeholder before a thread has a real magazine of a class: never holds a round. */
    static final Magazine NONE = new Magazine(0);

    final long[] rounds;
    /**
     * The slab of each round, known when the round entered the magazine (from the heap, or from a
     * validated free), so that allocation can mark the block live without looking it up again.
     */
    final Slab[] slabs;
    int size;

    Magazine(int capacity) {
        this.rounds = new long[capacity];
        this.slabs = new Slab[capacity];
    }

    int capacity() {
        return rounds.length;
    }

    boolean isFull() {
        return size == rounds.length;
    }
}
