package org.slabmag.internal.heap;

import java.util.Arrays;

/**
 * What each chunk (page allocator region) did between two decay steps, to decide what goes back to the OS: a free
 * chunk no page was taken from during a whole step is released; a kept chunk whose pages were freed in an
 * earlier step, and taken from since by nobody, gives its free pages back ({@code madvise}; which pages
 * are given back is {@link ReleasedPages}'s record).
 *
 * <p>Not thread-safe: guarded by the heap lock.
 */
final class RegionDecay {
    /** {@link #step}: nothing to do. */
    static final int KEEP = 0;
    /** {@link #step}: the chunk is free and was unused for a whole step: release it. */
    static final int RELEASE_CHUNK = 1;
    /** {@link #step}: give the chunk's free pages back. */
    static final int RELEASE_PAGES = 2;

    /** Per region: pages were taken from it since the last step. */
    private boolean[] used = new boolean[4];
    /** Per region: pages were freed since the last step. */
    private boolean[] freed = new boolean[4];
    /** Per region: pages freed in an earlier step wait to be given back to the OS. */
    private boolean[] pending = new boolean[4];

    /** Makes room for region ids below {@code regions}. */
    void ensureCapacity(int regions) {
        if (regions > used.length) {
            int n = Math.max(regions, used.length * 2);
            used = Arrays.copyOf(used, n);
            freed = Arrays.copyOf(freed, n);
            pending = Arrays.copyOf(pending, n);
        }
    }

    /** Pages of {@code region} were taken. */
    void pagesTaken(int region) {
        used[region] = true;
    }

    void pagesFreed(int region) {
        freed[region] = true;
    }

    /** The region's chunk went back to the OS. */
    void chunkRemoved(int region) {
        freed[region] = false;
        pending[region] = false;
    }

    /**
     * One decay step for {@code region}, whose chunk is present: what to do with it ({@link #KEEP},
     * {@link #RELEASE_CHUNK}, {@link #RELEASE_PAGES}); then a new step starts for it.
     *
     * @param free whether the chunk has no page taken
     */
    int step(int region, boolean free) {
        int action = KEEP;
        if (!used[region] && free) {
            action = RELEASE_CHUNK;
        } else if (pending[region] && !used[region]) {
            action = RELEASE_PAGES;
            pending[region] = false;
        }
        endStep(region);
        return action;
    }

    /** Starts a new step for a region without a chunk. */
    void endStep(int region) {
        pending[region] |= freed[region];
        freed[region] = false;
        used[region] = false;
    }
}
