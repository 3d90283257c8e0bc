package org.slabmag.pool.internal;

import java.util.function.Consumer;

import org.slabmag.internal.magazine.MagazineRack;

/**
 * The {@link ThreadCache}s of one pool, one per thread that used it: core's
 * {@link org.slabmag.internal.magazine.ThreadCaches} registry with no warm-up.
 *
 * <p>{@link #current()} finds the calling thread's cache in a slot table indexed by thread id, checking the
 * cache's owner, and falls back to a {@link ThreadLocal}. Every cache is also registered, so that other
 * threads can look for idle entries to steal ({@link #snapshot()}). The caches of threads that have
 * terminated are handed to the pool (to move their magazines to the depot) and forgotten when the
 * registry has doubled since the last scan (O(1) amortised registration) and when the pool asks.
 *
 * <p>Thread-safety: all methods are thread-safe. Memory effects: a cache handed over belongs to a thread
 * observed terminated, so everything its owner did happens-before the receiver's use of it (JLS 17.4.4).
 *
 * @param <T> the type of pooled object
 */
public final class ThreadCaches<T> {
    private final org.slabmag.internal.magazine.ThreadCaches<ThreadCache<T>> registry;

    /**
     * @param magazineCapacity the capacity of each magazine of a new cache
     * @param onTerminated     receives each cache whose thread has terminated, once, after it has been forgotten
     */
    public ThreadCaches(final int magazineCapacity, final Consumer<ThreadCache<T>> onTerminated) {
        this.registry = new org.slabmag.internal.magazine.ThreadCaches<>(
                t -> new ThreadCache<>(t, magazineCapacity), 0, onTerminated);
    }

    /**
     * @return the slot table, for a caller that keeps it in a final field of its own and looks caches up with
     *         {@link #find}, one dependent load fewer than {@link #current()}; must not be modified
     */
    public MagazineRack<?>[] slotTable() {
        return registry.slotTable();
    }

    /**
     * @param <T>   the type of pooled object
     * @param table a {@link #slotTable()}
     * @param t     the calling thread
     * @return the calling thread's cache if it is in its slot, else null (then use {@link #current()})
     */
    public static <T> ThreadCache<T> find(final MagazineRack<?>[] table, final Thread t) {
        return org.slabmag.internal.magazine.ThreadCaches.find(table, t);
    }

    /** @return the calling thread's cache, created on first use */
    public ThreadCache<T> current() {
        final Thread t = Thread.currentThread();
        final ThreadCache<T> c = registry.find(t);
        return c != null ? c : registry.privateCache(t);
    }

    /** @return every registered cache now: a fresh array of racy hints (a cache may retire meanwhile) */
    @SuppressWarnings("unchecked")
    public ThreadCache<T>[] snapshot() {
        final MagazineRack<?>[] all = registry.snapshot();
        int n = 0;
        final ThreadCache<T>[] copy = (ThreadCache<T>[]) new ThreadCache<?>[all.length];
        for (final MagazineRack<?> c : all) {
            if (c != null) {
                copy[n++] = (ThreadCache<T>) c;
            }
        }
        return java.util.Arrays.copyOf(copy, n);
    }

    /**
     * Forgets the caches of terminated threads and hands each to the {@code onTerminated} consumer.
     *
     * @return whether any registered thread had terminated (false also when another thread was at it)
     */
    public boolean reclaimTerminated() {
        return registry.reclaimDead();
    }
}
