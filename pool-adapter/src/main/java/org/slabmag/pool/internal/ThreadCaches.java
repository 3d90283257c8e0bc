package org.slabmag.pool.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import org.slabmag.internal.magazine.MagazineRack;
import org.slabmag.internal.magazine.Stripes;

/**
 * The {@link ThreadCache}s of one pool: a private one per platform thread that used it (core's
 * {@link org.slabmag.internal.magazine.ThreadCaches} registry with no warm-up), and core's {@link Stripes}, caches
 * without an owner behind try-locks, for virtual threads, which never get a private cache (thousands of short-lived
 * virtual threads would otherwise each register one, strand idle objects in it and lengthen every steal scan).
 *
 * <p>{@link #current()} finds the calling platform thread's cache in a slot table indexed by thread id, checking
 * the cache's owner, and falls back to a {@link ThreadLocal}; for a virtual thread it returns null, and the caller
 * uses {@link #stripes()}. Every private cache is registered, so that other threads can look for idle entries to
 * steal ({@link #snapshot()}, which lists the stripes' caches too). The caches of threads that have terminated are
 * handed to the pool (to move their magazines to the depot) and forgotten when the registry has doubled since the
 * last scan (O(1) amortised registration) and when the pool asks. The stripes are made on first use.
 *
 * <p>Thread-safety: all methods are thread-safe. Memory effects: a cache handed over belongs to a thread
 * observed terminated, so everything its owner did happens-before the receiver's use of it (JLS 17.4.4); a
 * stripe's lock hands its cache from one holder to the next (see {@link Stripes}).
 *
 * @param <T> the type of pooled object
 */
public final class ThreadCaches<T> {
    private final org.slabmag.internal.magazine.ThreadCaches<ThreadCache<T>> registry;
    private final int magazineCapacity;
    /** Made on first use by a virtual thread; null until then. */
    private volatile Stripes<ThreadCache<T>> stripes;
    /** The caches of {@link #stripes}, for {@link #snapshot()}; empty until they are made. */
    private volatile ThreadCache<T>[] stripeCaches = newArray(0);

    /**
     * Creates an empty registry; caches and stripes are made on first use.
     *
     * @param magazineCapacity the capacity of each magazine of a new cache
     * @param onTerminated     receives each cache whose thread has terminated, once, after it has been forgotten
     */
    public ThreadCaches(final int magazineCapacity, final Consumer<ThreadCache<T>> onTerminated) {
        this.magazineCapacity = magazineCapacity;
        this.registry = new org.slabmag.internal.magazine.ThreadCaches<>(
                t -> new ThreadCache<>(t, magazineCapacity), 0, onTerminated);
    }

    @SuppressWarnings("unchecked")
    private static <T> ThreadCache<T>[] newArray(final int n) {
        return (ThreadCache<T>[]) new ThreadCache<?>[n];
    }

    /** {@return the stripes shared by virtual threads, made on first use} */
    public Stripes<ThreadCache<T>> stripes() {
        final Stripes<ThreadCache<T>> s = stripes;
        return s != null ? s : makeStripes();
    }

    private synchronized Stripes<ThreadCache<T>> makeStripes() {
        if (stripes == null) {
            final List<ThreadCache<T>> made = new ArrayList<>();
            final Stripes<ThreadCache<T>> s = new Stripes<>(i -> {
                final ThreadCache<T> c = new ThreadCache<>(null, magazineCapacity);
                made.add(c);
                return c;
            });
            stripeCaches = made.toArray(newArray(0));
            stripes = s;
        }
        return stripes;
    }

    /**
     * Runs {@code action} on the cache of every stripe free now (if the stripes were made), under its lock.
     *
     * @param action what to do with each cache
     */
    public void forEachFreeStripe(final Consumer<ThreadCache<T>> action) {
        final Stripes<ThreadCache<T>> s = stripes;
        if (s != null) {
            s.forEachFree(null, action);
        }
    }

    /** {@return the private caches registered now (the stripes not included)} */
    public int registered() {
        return registry.size();
    }

    /**
     * {@return the slot table, for a caller that keeps it in a final field of its own and looks caches up with
     * {@link #find}, one dependent load fewer than {@link #current()}; must not be modified}
     */
    public MagazineRack<?>[] slotTable() {
        return registry.slotTable();
    }

    /**
     * Looks the calling thread's cache up in a slot table, without the fallback of {@link #current()}.
     *
     * @param <T>   the type of pooled object
     * @param table a {@link #slotTable()}
     * @param t     the calling thread
     * @return the calling thread's cache if it is in its slot, else null (then use {@link #current()})
     */
    public static <T> ThreadCache<T> find(final MagazineRack<?>[] table, final Thread t) {
        return org.slabmag.internal.magazine.ThreadCaches.find(table, t);
    }

    /** {@return the calling platform thread's cache, created on first use; null for a virtual thread} */
    public ThreadCache<T> current() {
        final Thread t = Thread.currentThread();
        final ThreadCache<T> c = registry.find(t);
        return c != null ? c : registry.privateCache(t);
    }

    /**
     * {@return every registered cache now, then the stripes' caches: a fresh array of racy hints (a cache may retire
     * meanwhile, a stripe's cache may be in use)}
     */
    @SuppressWarnings("unchecked")
    public ThreadCache<T>[] snapshot() {
        final MagazineRack<?>[] all = registry.snapshot();
        final ThreadCache<T>[] shared = stripeCaches;
        int n = 0;
        final ThreadCache<T>[] copy = newArray(all.length + shared.length);
        for (final MagazineRack<?> c : all) {
            if (c != null) {
                copy[n++] = (ThreadCache<T>) c;
            }
        }
        System.arraycopy(shared, 0, copy, n, shared.length);
        return Arrays.copyOf(copy, n + shared.length);
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
