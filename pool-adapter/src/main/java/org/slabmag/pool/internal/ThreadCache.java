package org.slabmag.pool.internal;

/**
 * One thread's pair of magazines, loaded and previous (Bonwick &amp; Adams), with their exchange rules, and the
 * entry the thread most recently lent. The rules: take from the loaded magazine, else swap in the previous one if
 * it holds entries; put into the loaded magazine, else swap in the previous one if it is empty. When both are empty
 * (take) or both full (put) the caller exchanges a magazine with the depot through {@link #reload} or
 * {@link #unload}.
 *
 * <p>Not thread-safe: only the owning thread calls the mutating methods. After the owner has terminated, a thread
 * that observed {@code !owner().isAlive()} (which happens-after everything the owner did, JLS 17.4.4) may take the
 * magazines over with {@link #loaded()} and {@link #previous()}. Any thread may read {@link #loaded()} and
 * {@link #previous()} racily to look for idle entries to steal; see {@link Magazine}.
 *
 * @param <T> the type of pooled object
 */
public final class ThreadCache<T> extends ThreadCounters {
    private final Thread owner;
    private Magazine<T> loaded;
    private Magazine<T> previous;
    private PoolEntry<T> lastLoan;

    /**
     * @param owner    the thread this cache belongs to
     * @param capacity the capacity of each magazine
     */
    public ThreadCache(final Thread owner, final int capacity) {
        this.owner = owner;
        this.loaded = new Magazine<>(capacity);
        this.previous = new Magazine<>(capacity);
    }

    /** @return the owning thread */
    public Thread owner() {
        return owner;
    }

    /** @return the loaded magazine (a racy read when called by another thread) */
    public Magazine<T> loaded() {
        return loaded;
    }

    /** @return the previous magazine (a racy read when called by another thread) */
    public Magazine<T> previous() {
        return previous;
    }

    /** @return an entry now on loan to the caller, or null when both magazines are empty */
    public PoolEntry<T> take() {
        final PoolEntry<T> e = loaded.takeLoanable();
        if (e != null) {
            return e;
        }
        if (previous.isEmpty()) {
            return null;
        }
        swap();
        return loaded.takeLoanable();
    }

    /**
     * @return the entry most recently {@linkplain #lent(PoolEntry) lent} by the owner, a hint that spares the
     *         identity lookup when an object comes back to the thread that borrowed it; possibly stale (it keeps
     *         one retired object reachable until the owner's next loan) or null
     */
    public PoolEntry<T> lastLoan() {
        return lastLoan;
    }

    /** @param entry an entry the owner just lent */
    public void lent(final PoolEntry<T> entry) {
        lastLoan = entry;
    }

    /**
     * @param entry an entry the caller owns, on its way to idle
     * @return false when both magazines are full
     */
    public boolean put(final PoolEntry<T> entry) {
        if (loaded.offer(entry)) {
            return true;
        }
        if (!previous.isEmpty()) {
            return false;
        }
        swap();
        return loaded.offer(entry);
    }

    /**
     * Installs a loaded magazine when both are empty.
     *
     * @param full  a non-empty magazine from the depot
     * @return the empty magazine displaced, for the depot's empty list
     */
    public Magazine<T> reload(final Magazine<T> full) {
        final Magazine<T> displaced = previous;
        previous = loaded;
        loaded = full;
        return displaced;
    }

    /**
     * Installs an empty magazine when both are full.
     *
     * @param fresh an empty magazine
     * @return the full magazine displaced, for the depot
     */
    public Magazine<T> unload(final Magazine<T> fresh) {
        final Magazine<T> displaced = previous;
        previous = loaded;
        loaded = fresh;
        return displaced;
    }

    /** Drops every reference held; the entries are unaffected. */
    public void clear() {
        loaded.clear();
        previous.clear();
    }

    private void swap() {
        final Magazine<T> m = loaded;
        loaded = previous;
        previous = m;
    }
}
