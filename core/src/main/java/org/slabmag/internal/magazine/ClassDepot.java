package org.slabmag.internal.magazine;

import org.slabmag.internal.heap.LockedHeap;
import org.slabmag.internal.heap.SizeClasses;

/**
 * The allocator's depot of one size class: a {@link Depot} of {@link AddressMagazine}s that also sets
 * how many rounds new magazines of the class get.
 *
 * <p><b>Bounds.</b> Each queue holds {@code depotBytes} worth of magazines of the initial size, rounded
 * down to a power of two, but at least {@value #MIN_MAGAZINES} and at most 64; a full magazine the
 * depot cannot take goes back to the heap in one batch. The floor lets a producer thread and a
 * consumer thread of large blocks (few rounds per magazine) exchange through the depot without a
 * trip to the heap lock at every magazine (Netty transfer at 64 KiB: about 19 to 34 million buffers
 * per second with 8 rounds and 4 magazines, against 4 rounds and 2 magazines).
 *
 * <p><b>Magazine size.</b> New magazines get {@link #rounds()} rounds: initially
 * {@code clamp(magazineBytes / blockSize, 8, 128)}; it doubles, up to 4 times the initial value,
 * each time 8 more threads than before found the heap lock taken when they came for this class.
 *
 * <p>Thread-safe and lock-free.
 */
final class ClassDepot extends Depot<AddressMagazine> {
    static final int MIN_ROUNDS = 8;
    static final int MIN_MAGAZINES = 4;
    static final int MAX_INITIAL_ROUNDS = 128;
    static final int GROWTH = 4;
    static final int CONTENTION_PER_GROWTH = 8;

    final int sizeClass;
    private final int maxRounds;
    private volatile int rounds;
    private volatile int contentionSeen;

    ClassDepot(int sizeClass, int magazineBytes, int depotBytes) {
        super(capacity(sizeClass, magazineBytes, depotBytes));
        this.sizeClass = sizeClass;
        this.rounds = initialRounds(sizeClass, magazineBytes);
        this.maxRounds = rounds * GROWTH;
    }

    private static int initialRounds(int sizeClass, int magazineBytes) {
        return Math.max(MIN_ROUNDS, Math.min(MAX_INITIAL_ROUNDS, magazineBytes / SizeClasses.blockSize(sizeClass)));
    }

    /** A power of two: JCTools rounds a queue's capacity up to one, which could pass depotBytes. */
    private static int capacity(int sizeClass, int magazineBytes, int depotBytes) {
        long footprint = (long) initialRounds(sizeClass, magazineBytes) * SizeClasses.blockSize(sizeClass);
        return Integer.highestOneBit((int) Math.max(MIN_MAGAZINES, Math.min(64, depotBytes / footprint)));
    }

    /** Rounds of magazines made now for this class. */
    int rounds() {
        return rounds;
    }

    /** The most rounds a magazine of this class can have. */
    int maxRounds() {
        return maxRounds;
    }

    /** An empty magazine of the current size: recycled, or new. */
    AddressMagazine takeEmpty() {
        AddressMagazine m = pollEmpty();
        return m != null && m.capacity >= rounds ? m : new AddressMagazine(rounds);
    }

    /** Keeps an empty magazine for reuse unless it is the placeholder or smaller than new ones. */
    void recycle(AddressMagazine m) {
        if (m != AddressMagazine.NONE && m.capacity >= rounds) {
            offerEmpty(m);
        }
    }

    /** Grows magazines if the heap lock was contended for this class since the last growth. */
    void adapt(LockedHeap heap) {
        int seen = heap.contention(sizeClass);
        int r = rounds;
        if (r < maxRounds && seen - contentionSeen >= CONTENTION_PER_GROWTH) {
            contentionSeen = seen;
            rounds = Math.min(maxRounds, r * 2);
        }
    }
}
