package org.slabmag.pool.internal;

import org.slabmag.internal.magazine.MagazineRack;

/**
 * One thread's pair of magazines, loaded and previous, with the exchange rules of core's
 * {@link MagazineRack} (one slot), and the entry the thread most recently lent. Taking pops from the loaded
 * magazine, else swaps in the previous one if it holds entries; putting pushes onto the loaded magazine,
 * else swaps in the previous one if it has room. When both are empty (take) or both full (put) the caller
 * exchanges a magazine with the depot through {@link #reload} or {@link #unload}.
 *
 * <p>Not thread-safe: only the owning thread calls the mutating methods (for a cache without an owner, a stripe
 * shared by virtual threads, only the holder of the stripe's lock). After the owner has terminated, a
 * thread that observed {@code !owner().isAlive()} (which happens-after everything the owner did, JLS
 * 17.4.4) may take the magazines over with {@link #loaded()} and {@link #previous()}. Any thread may read
 * {@link #loaded()} and {@link #previous()} racily to look for idle entries to steal; see {@link Magazine}.
 *
 * @param <T> the type of pooled object
 */
public final class ThreadCache<T> extends ThreadCounters<T> {
    private PoolEntry<T> lastLoan;

    /**
     * Creates a cache with two empty magazines.
     *
     * @param owner    the thread this cache belongs to, or null for a stripe's cache
     * @param capacity the capacity of each magazine
     */
    public ThreadCache(final Thread owner, final int capacity) {
        super(owner, new Magazine<>(capacity));
        rotate(0, new Magazine<>(capacity)); // two distinct magazines
    }

    /** {@return the loaded magazine (a racy read when called by another thread)} */
    public Magazine<T> loaded() {
        return loaded(0);
    }

    /** {@return the previous magazine (a racy read when called by another thread)} */
    public Magazine<T> previous() {
        return previous(0);
    }

    /** {@return an entry now on loan to the caller, or null when both magazines are empty} */
    public PoolEntry<T> take() {
        final PoolEntry<T> e = loaded(0).takeLoanable();
        if (e != null) {
            return e;
        }
        final Magazine<T> swapped = swapForRounds(0);
        return swapped == null ? null : swapped.takeLoanable();
    }

    /**
     * {@return the entry most recently {@linkplain #lent(PoolEntry) lent} by the owner, a hint that spares the
     * identity lookup when an object comes back to the thread that borrowed it; possibly stale (it keeps
     * one retired object reachable until the owner's next loan) or null}
     */
    public PoolEntry<T> lastLoan() {
        return lastLoan;
    }

    /**
     * Remembers the entry the owner just lent, as {@link #lastLoan()}.
     *
     * @param entry an entry the owner just lent
     */
    public void lent(final PoolEntry<T> entry) {
        lastLoan = entry;
    }

    /**
     * Puts an entry into the loaded magazine, else into the previous one swapped in if it has room.
     *
     * @param entry an entry the caller owns, on its way to idle
     * @return false when both magazines are full
     */
    public boolean put(final PoolEntry<T> entry) {
        if (loaded(0).offer(entry)) {
            return true;
        }
        final Magazine<T> swapped = swapForRoom(0);
        return swapped != null && swapped.offer(entry);
    }

    /**
     * Installs a loaded magazine when both are empty.
     *
     * @param full a non-empty magazine from the depot
     * @return the empty magazine displaced, for the depot's empty list
     */
    public Magazine<T> reload(final Magazine<T> full) {
        return rotate(0, full);
    }

    /**
     * Installs an empty magazine when both are full.
     *
     * @param fresh an empty magazine
     * @return the full magazine displaced, for the depot
     */
    public Magazine<T> unload(final Magazine<T> fresh) {
        return rotate(0, fresh);
    }

    /** Drops every reference held; the entries are unaffected. */
    public void clear() {
        loaded(0).clear();
        previous(0).clear();
    }
}
