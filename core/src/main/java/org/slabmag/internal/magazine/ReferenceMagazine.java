package org.slabmag.internal.magazine;

/**
 * A magazine of object references, for pools. Pushing and popping are plain; other threads may read
 * {@link #peek(int)} racily, and must treat what they read as a hint (null, or any reference once
 * pushed), to be confirmed by a compare-and-set on the referenced object's own state.
 *
 * <p>Not thread-safe otherwise (see {@link Magazine}).
 *
 * @param <E> the type of round
 */
public class ReferenceMagazine<E> extends Magazine {
    private final Object[] rounds;

    /**
     * An empty magazine of references.
     *
     * @param capacity the rounds it can hold, at least 1
     */
    public ReferenceMagazine(int capacity) {
        super(capacity);
        this.rounds = new Object[capacity];
    }

    /**
     * Pushes a round.
     *
     * @param round the reference, not null
     * @return false if the magazine is full
     */
    public final boolean offer(E round) {
        int n = size;
        if (n == capacity) {
            return false;
        }
        rounds[n] = round;
        size = n + 1;
        return true;
    }

    /** {@return the top round, removed, or null if empty} */
    @SuppressWarnings("unchecked")
    public final E poll() {
        int n = size;
        if (n == 0) {
            return null;
        }
        E round = (E) rounds[--n];
        rounds[n] = null;
        size = n;
        return round;
    }

    /**
     * Reads a slot without taking anything; safe from any thread (see the class comment).
     *
     * @param index 0 to capacity - 1
     * @return the reference in that slot, possibly stale, or null
     */
    @SuppressWarnings("unchecked")
    public final E peek(int index) {
        return (E) rounds[index];
    }

    /** Drops every reference. */
    public final void clear() {
        for (int i = 0; i < size; i++) {
            rounds[i] = null;
        }
        size = 0;
    }
}
