package org.slabmag.pool.internal;

import org.slabmag.internal.magazine.ReferenceMagazine;

/**
 * The pool's magazine: core's {@link ReferenceMagazine} of entry references, plus the pool's way of
 * taking from it.
 *
 * <p>References are hints: an entry may have been claimed, stolen or retired by another thread since it
 * was pushed. {@link #takeLoanable()} therefore claims each popped entry with {@link PoolEntry#tryLoan()}
 * and drops the ones it cannot claim.
 *
 * <p>Not thread-safe: a magazine is mutated only by the thread that holds it (a thread's cache, or the
 * thread that took it from the depot; the depot's queues hand magazines over with happens-before). Other
 * threads may read {@link #peek(int)} racily; a racy read yields null or some entry that was once pushed,
 * and both are harmless because every use of an entry starts with a compare-and-set of its state.
 *
 * @param <T> the type of pooled object
 */
public final class Magazine<T> extends ReferenceMagazine<PoolEntry<T>> {
    /**
     * Creates an empty magazine.
     *
     * @param capacity the number of entries this magazine holds, at least 1
     */
    public Magazine(final int capacity) {
        super(capacity);
    }

    /**
     * Pops entries until one is claimed for loan, dropping those that cannot be claimed.
     *
     * @return an entry now {@link PoolEntry#LOANED} to the caller, or null if the magazine ran empty
     */
    public PoolEntry<T> takeLoanable() {
        PoolEntry<T> e;
        while ((e = poll()) != null) {
            if (e.tryLoan()) {
                return e;
            }
        }
        return null;
    }
}
