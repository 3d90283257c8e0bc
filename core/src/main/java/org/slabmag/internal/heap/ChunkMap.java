package org.slabmag.internal.heap;

/**
 * Finds the {@link Chunk} containing an address, without a lock.
 *
 * <p>An open-addressing hash table keyed by {@link Chunk#frame}, rebuilt copy-on-write on every
 * {@link #add} and {@link #remove} (chunks come and go rarely, and those calls hold the heap lock).
 * The table is published through a volatile field: a reader that sees a table sees every chunk in
 * it fully constructed. A reader racing with a removal may still find the removed chunk; callers
 * only trust what it says about blocks they own (see {@link Chunk#slabs}).
 *
 * <p>{@link #find} is O(1) expected: load factor at most 1/2, linear probing.
 */
final class ChunkMap {
    private final int shift;
    private volatile Chunk[] table = new Chunk[2];
    private int count;

    ChunkMap(int chunkSize) {
        this.shift = Integer.numberOfTrailingZeros(chunkSize);
    }

    Chunk find(long address) {
        Chunk[] t = table;
        long frame = address >>> shift;
        int mask = t.length - 1;
        int i = hash(frame) & mask;
        Chunk c;
        while ((c = t[i]) != null) {
            if (c.frame == frame) {
                return c;
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    /** Adds a chunk; the caller holds the heap lock. */
    void add(Chunk chunk) {
        count++;
        rebuild(chunk, null);
    }

    /** Removes a chunk; the caller holds the heap lock. */
    void remove(Chunk chunk) {
        count--;
        rebuild(null, chunk);
    }

    private void rebuild(Chunk added, Chunk removed) {
        Chunk[] old = table;
        int capacity = Integer.highestOneBit(Math.max(2, count * 2 - 1)) << 1;
        Chunk[] t = new Chunk[capacity];
        for (Chunk c : old) {
            if (c != null && c != removed) {
                insert(t, c);
            }
        }
        if (added != null) {
            insert(t, added);
        }
        table = t;
    }

    private static void insert(Chunk[] t, Chunk c) {
        int mask = t.length - 1;
        int i = hash(c.frame) & mask;
        while (t[i] != null) {
            i = (i + 1) & mask;
        }
        t[i] = c;
    }

    private static int hash(long frame) {
        return (int) ((frame * 0x9E3779B97F4A7C15L) >>> 32);
    }
}
