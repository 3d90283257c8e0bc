package org.slabmag.internal;

/**
 * One allocator's decay, run by the {@link Reclaimer} every half decay time: dead threads' caches,
 * idle shared stripes and the depots' unneeded magazines go back to the heap, private caches idle for
 * two runs are asked to follow, and the heap returns spare slabs and free chunks that stayed unused
 * since the previous run. Memory unused for a decay time is thus back with the operating system
 * within about one decay time more, with no call into the allocator.
 *
 * <p>Only the allocator holds this object strongly; the reclaimer holds it weakly.
 *
 * <p>Thread-safe: {@link #run()} takes the locks the work needs; {@link #cancel()} may be called from
 * any thread.
 */
public final class MemoryDecay implements Reclaimer.Task {
    private final LockedHeap heap;
    /** Null when the allocator has no thread caches. */
    private final MagazineLayer magazines;
    private volatile boolean cancelled;

    public MemoryDecay(LockedHeap heap, MagazineLayer magazines) {
        this.heap = heap;
        this.magazines = magazines;
    }

    @Override
    public boolean run() {
        if (cancelled) {
            return false;
        }
        if (magazines != null) {
            magazines.decay();
        }
        heap.decay();
        return !cancelled;
    }

    /** Stops the work: the allocator is closing. */
    public void cancel() {
        cancelled = true;
    }
}
