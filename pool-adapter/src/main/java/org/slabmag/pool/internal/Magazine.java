package org.slabmag.pool.internal;

/**
 * A fixed-capacity stack of entry references (Bonwick &amp; Adams' magazine).
 *
 * <p>References are hints: an entry may have been claimed, stolen or retired by another thread since it was pushed.
 * {@link #takeLoanable()} therefore claims each popped entry with {@link PoolEntry#tryLoan()} and drops the ones it
 * cannot claim.
 *
 * <p>Not thread-safe: a magazine is mutated only by the thread that holds it (a thread's cache, or the thread that
 * took it from the depot; the depot's queues hand magazines over with happens-before). Other threads may read
 * {@link #peek(int)} racily; a racy read yields null or some entry that was once pushed, and both are harmless
 * because every use of an entry starts with a compare-and-set of its state.
 *
 * @param <T> the type of pooled object
 */
public final class Magazine<T> {
    private final PoolEntry<T>[] slots;
    private int size;

    /** @param capacity the number of entries this magazine holds, at least 1 */
    @SuppressWarnings("unchecked")
    public Magazine(final int capacity) {
        slots = (PoolEntry<T>[]) new PoolEntry<?>[capacity];
    }

    /** @return the number of references held (some possibly stale) */
    public int size() {
        return size;
    }

    /** @return the capacity */
    public int capacity() {
        return slots.length;
    }

    /** @return whether no reference is held */
    public boolean isEmpty() {
        return size == 0;
    }

    /** @return whether the magazine is full */
    public boolean isFull() {
        return size == slots.length;
    }

    /**
     * Pushes an entry.
     *
     * @param entry the entry
     * @return false if the magazine is full
     */
    public boolean offer(final PoolEntry<T> entry) {
        final int n = size;
        if (n == slots.length) {
            return false;
        }
        slots[n] = entry;
        size = n + 1;
        return true;
    }

    /**
     * Pops entries until one is claimed for loan, dropping those that cannot be claimed.
     *
     * @return an entry now {@link PoolEntry#LOANED} to the caller, or null if the magazine ran empty
     */
    public PoolEntry<T> takeLoanable() {
        int n = size;
        while (n > 0) {
            final PoolEntry<T> e = slots[--n];
            slots[n] = null;
            if (e.tryLoan()) {
                size = n;
                return e;
            }
        }
        size = 0;
        return null;
    }

    /**
     * Pops the top reference without claiming it.
     *
     * @return the entry, or null if empty
     */
    public PoolEntry<T> poll() {
        final int n = size;
        if (n == 0) {
            return null;
        }
        final PoolEntry<T> e = slots[n - 1];
        slots[n - 1] = null;
        size = n - 1;
        return e;
    }

    /**
     * Reads a slot without claiming anything; safe from any thread (see the class comment).
     *
     * @param index 0 to capacity - 1
     * @return the reference in that slot, possibly stale or null
     */
    public PoolEntry<T> peek(final int index) {
        return slots[index];
    }

    /** Drops every reference. */
    public void clear() {
        for (int i = 0; i < size; i++) {
            slots[i] = null;
        }
        size = 0;
    }
}
