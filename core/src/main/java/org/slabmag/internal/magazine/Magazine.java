package org.slabmag.internal.magazine;

/**
 * A stack of rounds of one kind (Bonwick and Adams' magazine): free block addresses for the
 * allocator ({@link AddressMagazine}), idle object references for the pool
 * ({@link ReferenceMagazine}). This base holds what every magazine has, the count of rounds and the
 * capacity, with the count alone on its cache line.
 *
 * <p>Not thread-safe: a magazine is owned by one thread at a time (see the package rules).
 */
public abstract class Magazine extends MagazineL1Pad {
    /**
     * An empty magazine.
     *
     * @param capacity the rounds it can hold, at least 0 (0 only for a placeholder)
     */
    protected Magazine(int capacity) {
        super(capacity);
    }

    /** {@return the rounds held} */
    public final int size() {
        return size;
    }

    /** {@return the rounds it can hold} */
    public final int capacity() {
        return capacity;
    }

    /** {@return whether it holds no round} */
    public final boolean isEmpty() {
        return size == 0;
    }

    /** {@return whether it holds {@link #capacity()} rounds} */
    public final boolean isFull() {
        return size == capacity;
    }

    /**
     * Sets the count of rounds held, after a subclass stored or removed rounds.
     *
     * @param size the rounds held now, 0 to {@link #capacity()}; for subclasses outside this package
     */
    protected final void setSize(int size) {
        this.size = size;
    }
}

/** Padding before {@code size}: no other thread's hot fields share its cache line. */
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

/** The count of rounds, written on every allocation and free from this magazine, and the capacity. */
abstract class MagazineFields extends MagazineL0Pad {
    int size;
    final int capacity;

    MagazineFields(int capacity) {
        this.capacity = capacity;
    }
}

/** Padding after {@code size}. */
abstract class MagazineL1Pad extends MagazineFields {
    long p100;
    long p101;
    long p102;
    long p103;
    long p104;
    long p105;
    long p106;
    long p107;

    MagazineL1Pad(int capacity) {
        super(capacity);
    }
}
