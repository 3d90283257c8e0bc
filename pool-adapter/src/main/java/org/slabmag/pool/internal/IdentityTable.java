package org.slabmag.pool.internal;

import java.util.function.Consumer;

/**
 * The entries of a pool, found by the identity of their objects: open addressing with linear probing over
 * {@link System#identityHashCode}, tombstones for removals, rebuilt when live plus dead slots exceed half the
 * capacity.
 *
 * <p>Thread-safety: {@link #find}, {@link #forEach} and {@link #size} are lock-free and may run concurrently with
 * anything; {@link #insert} and {@link #remove} must be serialized by the caller (the pool's lock). Readers never
 * see a slot move: removal leaves a tombstone, and a rebuild publishes a complete new array through a volatile
 * write. Memory effects: an insertion happens-before a {@code find} that observes it through the same array or a
 * later one; a reader that has happens-before with the insertion (for instance because it got the object from the
 * pool) always finds the entry until it is removed.
 *
 * @param <T> the type of pooled object
 */
public final class IdentityTable<T> {
    private static final Object TOMBSTONE = new Object();
    private static final int MIN_CAPACITY = 16;

    private volatile Object[] slots = new Object[MIN_CAPACITY];
    private int live;
    private int used;

    /** Creates an empty table of the minimum capacity. */
    public IdentityTable() {
    }

    private static int home(final Object object, final int mask) {
        return (System.identityHashCode(object) * 0x9E3779B9) >>> 7 & mask;
    }

    /**
     * Looks up the entry of an object by identity; lock-free.
     *
     * @param object any object, may be null
     * @return the entry of {@code object}, or null if it is not in the table
     */
    @SuppressWarnings("unchecked")
    public PoolEntry<T> find(final Object object) {
        final Object[] s = slots;
        final int mask = s.length - 1;
        for (int i = home(object, mask);; i = i + 1 & mask) {
            final Object slot = s[i];
            if (slot == null) {
                return null;
            }
            if (slot != TOMBSTONE && ((PoolEntry<T>) slot).object == object) {
                return (PoolEntry<T>) slot;
            }
        }
    }

    /**
     * Adds an entry; the caller holds the pool's lock.
     *
     * @param entry the entry
     * @return false (and no change) if an entry for the same object is present
     */
    public boolean insert(final PoolEntry<T> entry) {
        if (find(entry.object) != null) {
            return false;
        }
        if ((used + 1) * 2 > slots.length) {
            rebuild((live + 1) * 4);
        }
        final Object[] s = slots;
        final int mask = s.length - 1;
        int i = home(entry.object, mask);
        while (s[i] != null && s[i] != TOMBSTONE) {
            i = i + 1 & mask;
        }
        if (s[i] == null) {
            used++;
        }
        s[i] = entry;
        live++;
        return true;
    }

    /**
     * Removes an entry; the caller holds the pool's lock.
     *
     * @param entry the entry
     * @return false if it was not present
     */
    public boolean remove(final PoolEntry<T> entry) {
        final Object[] s = slots;
        final int mask = s.length - 1;
        for (int i = home(entry.object, mask);; i = i + 1 & mask) {
            final Object slot = s[i];
            if (slot == null) {
                return false;
            }
            if (slot == entry) {
                s[i] = TOMBSTONE;
                live--;
                if (live * 8 < s.length && s.length > MIN_CAPACITY) {
                    rebuild(live * 4);
                }
                return true;
            }
        }
    }

    /** {@return the number of entries; exact when no insertion or removal is in progress} */
    public int size() {
        int n = 0;
        for (final Object slot : slots) {
            if (slot != null && slot != TOMBSTONE) {
                n++;
            }
        }
        return n;
    }

    /**
     * Visits every entry present in one snapshot of the table.
     *
     * @param visitor receives each entry
     */
    @SuppressWarnings("unchecked")
    public void forEach(final Consumer<PoolEntry<T>> visitor) {
        for (final Object slot : slots) {
            if (slot != null && slot != TOMBSTONE) {
                visitor.accept((PoolEntry<T>) slot);
            }
        }
    }

    private void rebuild(final int minCapacity) {
        int capacity = MIN_CAPACITY;
        while (capacity < minCapacity) {
            capacity <<= 1;
        }
        final Object[] old = slots;
        final Object[] s = new Object[capacity];
        final int mask = capacity - 1;
        for (final Object slot : old) {
            if (slot != null && slot != TOMBSTONE) {
                int i = home(((PoolEntry<?>) slot).object, mask);
                while (s[i] != null) {
                    i = i + 1 & mask;
                }
                s[i] = slot;
            }
        }
        used = live;
        slots = s;
    }
}
