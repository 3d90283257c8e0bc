package org.slabmag.internal;

import java.util.concurrent.locks.ReentrantLock;

import org.slabmag.internal.heap.LockedHeap;
import org.slabmag.internal.magazine.MagazineLayer;

/**
 * One allocator's decay, run by the {@link Reclaimer} every half decay time: dead threads' caches,
 * idle shared stripes and the depots' unneeded magazines go back to the heap, private caches idle for
 * two runs are asked to follow, and the heap returns spare slabs and free chunks that stayed unused
 * since the previous run. Memory unused for a decay time is thus back with the operating system
 * within about one decay time more, with no call into the allocator.
 *
 * <p>Only the allocator holds this object strongly; the reclaimer holds it weakly.
 *
 * <p>Thread-safe: {@link #run()} takes the locks the work needs, inside this object's own lock, which
 * {@link #pause()} takes too so that a statistics snapshot of a quiescent allocator is not torn by a
 * decay step moving blocks between caches and heap; {@link #cancel()} may be called from any thread.
 */
public final class MemoryDecay implements Reclaimer.Task {
    private final LockedHeap heap;
    /** Null when the allocator has no thread caches. */
    private final MagazineLayer magazines;
    private volatile boolean cancelled;
    private final ReentrantLock lock = new ReentrantLock();

    /**
     * The decay step of one allocator; the caller registers it with the {@link Reclaimer}.
     *
     * @param heap      the allocator's heap, not null
     * @param magazines the allocator's magazine layer, or null without thread caches
     */
    public MemoryDecay(LockedHeap heap, MagazineLayer magazines) {
        this.heap = heap;
        this.magazines = magazines;
    }

    @Override
    public boolean run() {
        lock.lock();
        try {
            if (cancelled) {
                return false;
            }
            if (magazines != null) {
                magazines.decay();
            }
            heap.decay();
            return !cancelled;
        } finally {
            lock.unlock();
        }
    }

    /** Keeps decay steps from running until {@link #resume()}; may be held by one thread at a time. */
    public void pause() {
        lock.lock();
    }

    /** Lets decay steps run again after {@link #pause()}. */
    public void resume() {
        lock.unlock();
    }

    /** Stops the work: the allocator is closing. */
    public void cancel() {
        cancelled = true;
    }
}
