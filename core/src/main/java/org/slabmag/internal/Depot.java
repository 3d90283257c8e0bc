package org.slabmag.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.jctools.queues.atomic.MpmcAtomicArrayQueue;

/**
 * The depot of one size class: full and empty magazines exchanged between threads through two
 * bounded JCTools MPMC queues, so that no lock is taken when one thread's frees feed another
 * thread's allocations.
 *
 * <p><b>Memory effects.</b> {@code offer} is a release and {@code poll} an acquire of the queue slot,
 * so everything a thread did before offering a magazine (filling it, and writing to the blocks whose
 * addresses it holds before freeing them) happens-before everything the thread that polls it does.
 *
 * <p><b>Bounds.</b> Each queue holds {@code depotBytes} worth of magazines of the initial size, rounded
 * down to a power of two, but at least {@value #MIN_MAGAZINES} and at most 64; a full magazine the
 * depot cannot take goes back to the heap in one batch. The floor lets a producer thread and a
 * consumer thread of large blocks (few rounds per magazine) exchange through the depot without a
 * trip to the heap lock at every magazine (Netty transfer at 64 KiB: about 19 to 34 million buffers
 * per second with 8 rounds and 4 magazines, against 4 rounds and 2 magazines).
 *
 * <p><b>Working-set reclaim.</b> Every {@code reclaimNanos} the depot gives back the full magazines
 * nobody needed: the lowest number of full magazines it held during the interval (Bonwick and
 * Adams), so an idle depot drains to nothing.
 *
 * <p><b>Magazine size.</b> New magazines get {@link #rounds()} rounds: initially
 * {@code clamp(magazineBytes / blockSize, 8, 128)}; it doubles, up to 4 times the initial value,
 * each time 8 more threads than before found the heap lock taken when they came for this class.
 *
 * <p>Thread-safe and lock-free, apart from the batches it hands to the {@link LockedHeap}.
 */
final class Depot {
    static final int MIN_ROUNDS = 8;
    static final int MIN_MAGAZINES = 4;
    static final int MAX_INITIAL_ROUNDS = 128;
    static final int GROWTH = 4;
    static final int CONTENTION_PER_GROWTH = 8;

    final int sizeClass;
    private final int blockSize;
    private final MpmcAtomicArrayQueue<Magazine> full;
    private final MpmcAtomicArrayQueue<Magazine> empty;
    private final int maxRounds;
    private final AtomicLong fullRounds = new AtomicLong();
    private final AtomicInteger lowWater = new AtomicInteger();
    private volatile int rounds;
    private volatile int contentionSeen;

    Depot(int sizeClass, int magazineBytes, int depotBytes) {
        this.sizeClass = sizeClass;
        this.blockSize = SizeClasses.blockSize(sizeClass);
        int initial = Math.max(MIN_ROUNDS, Math.min(MAX_INITIAL_ROUNDS, magazineBytes / blockSize));
        this.rounds = initial;
        this.maxRounds = initial * GROWTH;
        long magazineFootprint = (long) initial * blockSize;
        // a power of two: JCTools rounds a queue's capacity up to one, which could pass depotBytes
        int capacity = Integer.highestOneBit((int) Math.max(MIN_MAGAZINES, Math.min(64, depotBytes / magazineFootprint)));
        this.full = new MpmcAtomicArrayQueue<>(capacity);
        this.empty = new MpmcAtomicArrayQueue<>(capacity);
    }

    /** Rounds of magazines made now for this class. */
    int rounds() {
        return rounds;
    }

    /** The most rounds a magazine of this class can have. */
    int maxRounds() {
        return maxRounds;
    }

    Magazine pollFull() {
        Magazine m = full.poll();
        if (m != null) {
            fullRounds.addAndGet(-m.size);
            int left = full.size();
            if (left < lowWater.get()) {
                lowWater.accumulateAndGet(left, Math::min);
            }
        }
        return m;
    }

    boolean offerFull(Magazine m) {
        fullRounds.addAndGet(m.size);
        if (full.offer(m)) {
            return true;
        }
        fullRounds.addAndGet(-m.size);
        return false;
    }

    /** An empty magazine of the current size: recycled from the queue, or new. */
    Magazine takeEmpty() {
        Magazine m = empty.poll();
        return m != null && m.capacity() >= rounds ? m : new Magazine(rounds);
    }

    void offerEmpty(Magazine m) {
        if (m != Magazine.NONE && m.capacity() >= rounds) {
            empty.offer(m);
        }
    }

    /** Rounds held in full magazines in the depot (racy when not quiescent). */
    long cachedRounds() {
        return fullRounds.get();
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

    /** Gives the full magazines unused since the last call back to the heap (working-set reclaim). */
    void reclaimUnused(LockedHeap heap) {
        int unused = lowWater.get();
        for (int i = 0; i < unused; i++) {
            Magazine m = pollFull();
            if (m == null) {
                break;
            }
            giveBack(heap, m);
        }
        lowWater.set(full.size());
    }

    /** Gives every full magazine back to the heap. */
    void flush(LockedHeap heap) {
        Magazine m;
        while ((m = pollFull()) != null) {
            giveBack(heap, m);
        }
        empty.clear();
        lowWater.set(0);
    }

    private void giveBack(LockedHeap heap, Magazine m) {
        heap.drain(sizeClass, m);
        offerEmpty(m);
    }

    int blockSize() {
        return blockSize;
    }
}
