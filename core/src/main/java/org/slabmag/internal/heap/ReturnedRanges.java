package org.slabmag.internal.heap;

/**
 * The last {@value #CAPACITY} address ranges the heap returned to the OS (released chunks, freed huge
 * blocks), so that a second free of a block in one is reported as a double free rather than as a foreign
 * address, as long as the OS does not hand the range to this heap again (then it is forgotten).
 *
 * <p>Not thread-safe: guarded by the heap lock.
 */
final class ReturnedRanges {
    static final int CAPACITY = 64;
    private final long[] start = new long[CAPACITY];
    private final long[] end = new long[CAPACITY];
    private int next;

    /** Remembers {@code [from, to)}, just returned to the OS; the oldest range is forgotten. */
    void remember(long from, long to) {
        start[next] = from;
        end[next] = to;
        next = (next + 1) % CAPACITY;
    }

    /** Forgets every remembered range that overlaps {@code [from, to)}, which the OS gave this heap again. */
    void forget(long from, long to) {
        for (int i = 0; i < CAPACITY; i++) {
            if (start[i] < to && from < end[i]) {
                start[i] = 0;
                end[i] = 0;
            }
        }
    }

    /** Whether {@code address} lies in a remembered range. */
    boolean contains(long address) {
        for (int i = 0; i < CAPACITY; i++) {
            if (address >= start[i] && address < end[i]) {
                return true;
            }
        }
        return false;
    }
}
