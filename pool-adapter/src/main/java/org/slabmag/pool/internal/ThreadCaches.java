package org.slabmag.pool.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The {@link ThreadCache}s of one pool, one per thread that used it.
 *
 * <p>{@link #current()} finds the calling thread's cache in a small table indexed by thread id, checking the
 * cache's owner; a thread whose slot is taken by another thread falls back to a {@link ThreadLocal}. (The table
 * spares the hot path a {@code ThreadLocal} lookup, which costs several dependent loads and a weak-reference read
 * barrier.) Every cache is also listed in a copy-on-write array, {@link #snapshot()}, so that other threads can
 * look for idle entries to steal. The caches of threads that have terminated are handed to the pool (to move their
 * magazines to the depot) and forgotten whenever a new thread registers, and when the pool asks, so that threads
 * coming and going do not make the list grow.
 *
 * <p>Thread-safety: all methods are thread-safe. The slot table is read and written without synchronization:
 * a thread uses a slot only if it holds a cache whose final {@code owner} is that very thread, and such a cache
 * was created and installed by the thread itself. Registration and {@link #reclaimTerminated()} take a lock, which
 * is released before caches are handed over. Memory effects: a cache handed over belongs to a thread observed
 * terminated, so everything its owner did happens-before the receiver's use of it (JLS 17.4.4).
 *
 * @param <T> the type of pooled object
 */
public final class ThreadCaches<T> {
    private static final int SLOTS = 256;

    private final int magazineCapacity;
    private final Consumer<ThreadCache<T>> onTerminated;
    private final ThreadCache<T>[] slots = newArray(SLOTS);
    private final ThreadLocal<ThreadCache<T>> fallback = ThreadLocal.withInitial(this::register);
    private final ReentrantLock lock = new ReentrantLock();
    private volatile ThreadCache<T>[] all = newArray(0);

    /**
     * @param magazineCapacity the capacity of each magazine of a new cache
     * @param onTerminated     receives each cache whose thread has terminated, once, after it has been forgotten
     */
    public ThreadCaches(final int magazineCapacity, final Consumer<ThreadCache<T>> onTerminated) {
        this.magazineCapacity = magazineCapacity;
        this.onTerminated = onTerminated;
    }

    @SuppressWarnings("unchecked")
    private static <T> ThreadCache<T>[] newArray(final int length) {
        return (ThreadCache<T>[]) new ThreadCache<?>[length];
    }

    private static int slot(final Thread t) {
        return (int) t.getId() & SLOTS - 1;
    }

    /**
     * @return the slot table, for a caller that keeps it in a final field of its own and looks caches up with
     *         {@link #find}, one dependent load fewer than {@link #current()}; must not be modified
     */
    public ThreadCache<T>[] slotTable() {
        return slots;
    }

    /**
     * @param <T>   the type of pooled object
     * @param table a {@link #slotTable()}
     * @param t     the calling thread
     * @return the calling thread's cache if it is in its slot, else null (then use {@link #current()})
     */
    public static <T> ThreadCache<T> find(final ThreadCache<T>[] table, final Thread t) {
        final ThreadCache<T> c = table[slot(t)];
        return c != null && c.owner() == t ? c : null;
    }

    /** @return the calling thread's cache, created on first use */
    public ThreadCache<T> current() {
        final Thread t = Thread.currentThread();
        final ThreadCache<T> c = find(slots, t);
        return c != null ? c : currentSlow(t);
    }

    private ThreadCache<T> currentSlow(final Thread t) {
        final ThreadCache<T> c = fallback.get();
        final int i = slot(t);
        if (slots[i] == null) {
            slots[i] = c;
        }
        return c;
    }

    private ThreadCache<T> register() {
        final ThreadCache<T> cache = new ThreadCache<>(Thread.currentThread(), magazineCapacity);
        lock.lock();
        try {
            final ThreadCache<T>[] old = all;
            final ThreadCache<T>[] grown = newArray(old.length + 1);
            System.arraycopy(old, 0, grown, 0, old.length);
            grown[old.length] = cache;
            all = grown;
        } finally {
            lock.unlock();
        }
        reclaimTerminated();
        return cache;
    }

    /** @return every registered cache; the array must not be modified */
    public ThreadCache<T>[] snapshot() {
        return all;
    }

    /**
     * Forgets the caches of terminated threads and hands each to the {@code onTerminated} consumer.
     *
     * @return whether any registered thread had terminated
     */
    public boolean reclaimTerminated() {
        boolean any = false;
        for (final ThreadCache<T> c : all) {
            if (!c.owner().isAlive()) {
                any = true;
                break;
            }
        }
        if (!any) {
            return false;
        }
        final List<ThreadCache<T>> dead = new ArrayList<>();
        lock.lock();
        try {
            final ThreadCache<T>[] old = all;
            final List<ThreadCache<T>> alive = new ArrayList<>(old.length);
            for (final ThreadCache<T> c : old) {
                if (c.owner().isAlive()) {
                    alive.add(c);
                } else {
                    dead.add(c);
                    final int i = slot(c.owner());
                    if (slots[i] == c) {
                        slots[i] = null;
                    }
                }
            }
            all = alive.toArray(newArray(alive.size()));
        } finally {
            lock.unlock();
        }
        dead.forEach(onTerminated);
        return !dead.isEmpty();
    }
}
