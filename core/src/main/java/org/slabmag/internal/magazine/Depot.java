package org.slabmag.internal.magazine;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.jctools.queues.atomic.MpmcAtomicArrayQueue;

/**
 * The depot between threads (Bonwick and Adams): full and empty magazines exchanged through two
 * bounded JCTools MPMC queues, so that no lock is taken when one thread's frees feed another
 * thread's allocations.
 *
 * <p><b>Memory effects.</b> {@code offer} is a release and {@code poll} an acquire of the queue slot,
 * so everything a thread did before offering a magazine (filling it, and writing to what its rounds
 * refer to) happens-before everything the thread that polls it does.
 *
 * <p><b>Working-set reclaim.</b> {@link #reclaimUnused} gives back the full magazines nobody needed
 * since its last call: the lowest number of full magazines the depot held in between, so an idle
 * depot drains to nothing.
 *
 * <p>Thread-safe and lock-free. The pool uses it as it is; the allocator's {@code ClassDepot} adds a size
 * class and magazine growth.
 *
 * @param <M> the type of magazine
 */
public class Depot<M extends Magazine> {
    private final MpmcAtomicArrayQueue<M> full;
    private final MpmcAtomicArrayQueue<M> empty;
    private final AtomicLong fullRounds = new AtomicLong();
    private final AtomicInteger lowWater = new AtomicInteger();

    /**
     * An empty depot: two bounded queues, of full and of empty magazines.
     *
     * @param magazines the magazines each queue holds: a power of two, at least 2
     * @throws IllegalArgumentException if {@code magazines} is not a power of two of at least 2
     */
    public Depot(int magazines) {
        if (magazines < 2 || Integer.bitCount(magazines) != 1) {
            throw new IllegalArgumentException("magazines must be a power of two >= 2: " + magazines);
        }
        this.full = new MpmcAtomicArrayQueue<>(magazines);
        this.empty = new MpmcAtomicArrayQueue<>(magazines);
    }

    /** {@return a full (non-empty) magazine, now the caller's, or null} */
    public final M pollFull() {
        M m = full.poll();
        if (m != null) {
            fullRounds.addAndGet(-m.size);
            int left = full.size();
            if (left < lowWater.get()) {
                lowWater.accumulateAndGet(left, Math::min);
            }
        }
        return m;
    }

    /**
     * Puts a full magazine into the depot for any cache to take.
     *
     * @param m a non-empty magazine the caller gives up
     * @return false if the queue is full: the caller keeps {@code m}
     */
    public final boolean offerFull(M m) {
        int n = m.size;
        fullRounds.addAndGet(n);
        if (full.offer(m)) {
            return true;
        }
        fullRounds.addAndGet(-n);
        return false;
    }

    /** {@return an empty magazine kept for reuse, or null} */
    public final M pollEmpty() {
        return empty.poll();
    }

    /**
     * Keeps an empty magazine for reuse.
     *
     * @param m an empty magazine to keep for reuse; dropped if the queue is full
     */
    public final void offerEmpty(M m) {
        empty.offer(m);
    }

    /** {@return rounds held in full magazines here (racy when not quiescent)} */
    public final long cachedRounds() {
        return fullRounds.get();
    }

    /**
     * Gives the full magazines unused since the last call to {@code giveBack} (working-set reclaim).
     *
     * @param giveBack receives each magazine, now the caller's
     */
    public final void reclaimUnused(Consumer<? super M> giveBack) {
        int unused = lowWater.get();
        for (int i = 0; i < unused; i++) {
            M m = pollFull();
            if (m == null) {
                break;
            }
            giveBack.accept(m);
        }
        lowWater.set(full.size());
    }

    /**
     * Gives every full magazine to {@code giveBack} and forgets the empty ones.
     *
     * @param giveBack receives each magazine, now the caller's
     */
    public final void flush(Consumer<? super M> giveBack) {
        M m;
        while ((m = pollFull()) != null) {
            giveBack.accept(m);
        }
        empty.clear();
        lowWater.set(0);
    }
}
