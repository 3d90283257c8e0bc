package org.slabmag.internal;

/**
 * A stack of free block addresses of one size class (Bonwick and Adams' magazine; its entries are
 * "rounds").
 *
 * <p>Not thread-safe: a magazine is owned by one thread at a time, either a {@link ThreadCache}'s
 * loaded or previous magazine, or in transit through a {@link Depot} queue, whose offer (release) and
 * poll (acquire) hand the contents over with happens-before.
 */
final class Magazine extends MagazineL1Pad {
    /** The placeholder before a thread has a real magazine of a class: never holds a round. */
    static final Magazine NONE = new Magazine(0);

    final long[] rounds;
    /**
     * The slab of each round, known when the round entered the magazine (from the heap, or from a
     * validated free), so that allocation can mark the block live without looking it up again; null
     * for a round from an unchecked free ({@link UncheckedBlocks}), whose slab is looked up if needed.
     */
    final Slab[] slabs;

    /** Rounds it can hold; the arrays are longer by a cache line of padding at the end. */
    final int capacity;

    Magazine(int capacity) {
        this.capacity = capacity;
        this.rounds = new long[capacity + 8];
        this.slabs = new Slab[capacity + 16];
    }

    int capacity() {
        return capacity;
    }

    boolean isFull() {
        return size == capacity;
    }
}

/** Padding before {@code size}: no other thread's hot fields share its cache line (JCTools style). */
abstract class MagazineL0Pad {
    long p000;
    long p001;
    long p002;
    long p003;
    long p004;
    long p005;
    long p006;
    long p007;
}

/** The number of rounds, written on every allocation and free from this magazine. */
abstract class MagazineSize extends MagazineL0Pad {
    int size;
}

/** Padding after {@code size}. */
abstract class MagazineL1Pad extends MagazineSize {
    long p100;
    long p101;
    long p102;
    long p103;
    long p104;
    long p105;
    long p106;
    long p107;
}
