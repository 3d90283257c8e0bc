package org.slabmag.internal.heap;

import java.util.Arrays;

/**
 * The page allocator of the heap: runs of any number of whole pages, in regions of {@code 2^maxOrder} pages (one
 * region per chunk), with best-fit placement and immediate coalescing of free neighbours, as jemalloc's extents
 * and Netty's {@code PoolChunk} runs do. Serves the slabs ({@code 2^k} pages each) and the blocks above the slab
 * classes (exactly the pages they need).
 *
 * <p><b>Why not a buddy allocator.</b> A binary buddy allocator rounds every run up to {@code 2^k} pages (a
 * 65 KiB block took 128 KiB; 39% more bytes for sizes spread evenly on a log scale), and giving the unused tail
 * back ({@code alloc_pages_exact}) does not help: the tail's aligned pieces are too short for any later run of
 * the same size range, which again needs an aligned {@code 2^k} block, and slabs placed in tails keep freed runs
 * from coalescing (measured: more reserved than with the rounding). Runs here need no alignment beyond the page,
 * so a freed run's pages serve the next run that fits in them.
 *
 * <p><b>Names.</b> Pages are named by a global page id: {@code region << maxOrder | pageInRegion}. Every page of
 * a present region belongs to exactly one run, free or taken; the first run of a region starts at its first page.
 * All state is out of band (nothing is written into the managed memory): per page a state byte and a length,
 * meaningful only at the ends of runs (boundary tags):
 * <pre>
 *   FREE_HEAD   first page of a free run; length = its pages; linked in the list of (its region, its bin)
 *   FREE_TAIL   last page of a free run of two pages or more; length = its pages
 *   TAKEN       first page of a taken run; length = its pages
 *   0           any other page
 * </pre>
 * so that a freed run finds its free neighbours in O(1): the page before it is a free run's tail (or one-page
 * head), the page after it a free run's head.
 *
 * <p><b>Bins.</b> Free runs are kept in doubly-linked lists per region and bin: one bin per length up to 15
 * pages, then eight per doubling (lengths {@code [16, 18), [18, 20), ..., [30, 32), [32, 36), ...}), so runs of
 * one bin differ by less than 12.5%. Per bin a bitset over regions marks the non-empty lists, and a bitset over
 * bins marks the bins with a free run in any region.
 *
 * <p><b>Placement: best fit, then lowest region</b> (jemalloc's policy for extents: the smallest size class that
 * fits, lowest address first). A run comes from the smallest bin holding a free run long enough, and among the
 * regions with such a run from the lowest-numbered one; entirely free chunks are thus used last and stay free to
 * go back to the OS. Runs of the bins above the request's bin are all long enough; runs of its own bin may be
 * shorter, so at most {@value #SCAN_LIMIT} of them are looked at (all of them only when no longer bin has a run,
 * before the heap would reserve a chunk). Runs of up to {@value #LOW_END_MAX} pages (64 KiB: the slabs of the
 * classes up to 12 KiB, and of 16 KiB) are cut from the low end of the free run, longer runs (large blocks, slabs
 * of larger blocks) from its high end, so that short and long runs grow from opposite ends of free space and a
 * long run, when freed, more often finds free neighbours to merge with. Allocation costs
 * {@code (bins + regions) / 64} word reads plus that bounded scan; a free is O(1); neither depends on the number
 * of free runs.
 *
 * <p>Measured on the churn of {@code FootprintBenchmark} (20,000 live buffers, 1% of them 64 KiB to 1 MiB; peak
 * reserved/live, mean over six seeds of the request sequence): 1.46 with this placement, 1.50 with every run cut
 * from the low end, 1.55 with the lowest region first and best fit only inside it, 1.76 with the buddy allocator
 * this class replaced. Rounding long runs up to eight size classes per doubling, or a larger chunk, did not help.
 *
 * <p>Invariants: {@code state[p] == FREE_HEAD} if and only if {@code p} is in the list of (its region, the bin of
 * {@code length[p]}); bit {@code r} of {@code nonEmpty[b]} is set if and only if that list of region {@code r} is
 * non-empty, and {@code regionsWithBin[b]} counts those bits; bit {@code b} of {@code binsWithRuns} is set if and
 * only if that count is not 0; two free runs are never adjacent (they are merged at once), so a region is entirely
 * free if and only if its first page heads a free run of {@code 2^maxOrder} pages.
 *
 * <p>Not thread-safe: guarded by the heap lock.
 */
final class PageRuns {
    static final int NONE = -1;
    /** Runs of the request's own bin (which may be too short) looked at per allocation, at most. */
    static final int SCAN_LIMIT = 16;
    /** Runs of up to this many pages are cut from the low end of a free run, longer ones from its high end. */
    static final int LOW_END_MAX = 16;
    private static final byte FREE_HEAD = 1;
    private static final byte FREE_TAIL = 2;
    private static final byte TAKEN = 3;
    /** Lengths below this have a bin each. */
    private static final int EXACT_BINS = 15;

    private final int maxOrder;
    private final int regionPages;
    private final int bins;
    /** Head of the free list of (region, bin) at {@code region * bins + bin}. */
    private int[] heads = new int[0];
    /** Per bin, a bitset over regions: which have a free run of that bin. */
    private final long[][] nonEmpty;
    /** Per bin, how many regions have a free run of that bin. */
    private final int[] regionsWithBin;
    /** A bitset over bins: which have a free run in any region. */
    private final long[] binsWithRuns;
    private byte[] state = new byte[0];
    private int[] length = new int[0];
    private int[] next = new int[0];
    private int[] prev = new int[0];
    private long freePages;
    private int freeRuns;
    private int freeRegions;

    /**
     * A page allocator without regions; {@link #addRegion} adds them.
     *
     * @param maxOrder log2 of the pages per region, from 0 to 24
     */
    PageRuns(int maxOrder) {
        if (maxOrder < 0 || maxOrder > 24) {
            throw new IllegalArgumentException("maxOrder out of range: " + maxOrder);
        }
        this.maxOrder = maxOrder;
        this.regionPages = 1 << maxOrder;
        this.bins = binOf(regionPages) + 1;
        this.nonEmpty = new long[bins][1];
        this.regionsWithBin = new int[bins];
        this.binsWithRuns = new long[(bins + 63) >>> 6];
    }

    int maxOrder() {
        return maxOrder;
    }

    /**
     * The bin of free runs of {@code pages} pages: one per length below 16, then eight per doubling.
     *
     * @param pages at least 1
     * @return the bin, from 0
     */
    static int binOf(int pages) {
        if (pages <= EXACT_BINS) {
            return pages - 1;
        }
        int lg = 31 - Integer.numberOfLeadingZeros(pages); // >= 4
        return EXACT_BINS + ((lg - 4) << 3) + ((pages >>> (lg - 3)) & 7);
    }

    /**
     * The shortest length of bin {@code bin}: {@code binOf(binStart(b)) == b}, and every length of the bin is
     * below {@code binStart(b + 1)}.
     *
     * @param bin a bin, from 0
     * @return its shortest run length in pages
     */
    static int binStart(int bin) {
        if (bin < EXACT_BINS) {
            return bin + 1;
        }
        int lg = 4 + ((bin - EXACT_BINS) >>> 3);
        int sub = (bin - EXACT_BINS) & 7;
        return (8 + sub) << (lg - 3);
    }

    /** Adds region {@code region} (pages {@code region << maxOrder ...}) as one free run. */
    void addRegion(int region) {
        int base = region << maxOrder;
        int end = base + regionPages;
        if (end > state.length) {
            int capacity = Math.max(end, state.length * 2);
            state = Arrays.copyOf(state, capacity);
            length = Arrays.copyOf(length, capacity);
            next = Arrays.copyOf(next, capacity);
            prev = Arrays.copyOf(prev, capacity);
        }
        if ((region + 1) * bins > heads.length) {
            int old = heads.length;
            heads = Arrays.copyOf(heads, Math.max((region + 1) * bins, old * 2));
            Arrays.fill(heads, old, heads.length, NONE);
            int words = (heads.length / bins + 63) >>> 6;
            for (int b = 0; b < bins; b++) {
                if (nonEmpty[b].length < words) {
                    nonEmpty[b] = Arrays.copyOf(nonEmpty[b], words);
                }
            }
        }
        link(base, regionPages);
    }

    /**
     * Removes region {@code region} if it is entirely free.
     *
     * @return true if the region was free and is now gone
     */
    boolean removeRegionIfFree(int region) {
        if (!isRegionFree(region)) {
            return false;
        }
        unlink(region << maxOrder, regionPages);
        return true;
    }

    /** True if region {@code region} is one free run. */
    boolean isRegionFree(int region) {
        int base = region << maxOrder;
        return base < state.length && state[base] == FREE_HEAD && length[base] == regionPages;
    }

    /**
     * Allocates a run of exactly {@code pages} pages (see the class comment for where).
     *
     * @param pages from 1 to {@code 2^maxOrder}
     * @return its first page id, or {@link #NONE} when no free run is long enough
     */
    int allocate(int pages) {
        int page = bestFit(pages);
        if (page == NONE) {
            return NONE;
        }
        int runPages = length[page];
        unlink(page, runPages);
        if (runPages > pages) { // the run was maximal: the rest has no free neighbour
            if (pages <= LOW_END_MAX) {
                link(page + pages, runPages - pages);
            } else {
                link(page, runPages - pages);
                page += runPages - pages;
            }
        }
        state[page] = TAKEN;
        length[page] = pages;
        return page;
    }

    /** The first page of a free run of at least {@code pages} pages, by best fit then lowest region, or NONE. */
    private int bestFit(int pages) {
        int bin = binOf(pages);
        boolean exact = binStart(bin) == pages;
        if (!exact) { // runs of this bin may be too short
            int page = fitInBin(bin, pages, SCAN_LIMIT);
            if (page != NONE) {
                return page;
            }
        }
        int b = firstBinWithRuns(exact ? bin : bin + 1);
        if (b != NONE) {
            return heads[lowestRegion(b, 0) * bins + b];
        }
        // the last resort before the caller reserves a chunk: every run of the bin
        return exact ? NONE : fitInBin(bin, pages, Integer.MAX_VALUE);
    }

    /**
     * A free run of at least {@code pages} pages in bin {@code bin}, lowest region first, looking at no more than
     * {@code budget} runs; or {@link #NONE}.
     */
    private int fitInBin(int bin, int pages, int budget) {
        for (int r = lowestRegion(bin, 0); r != NONE; r = lowestRegion(bin, r + 1)) {
            for (int p = heads[r * bins + bin]; p != NONE; p = next[p]) {
                if (length[p] >= pages) {
                    return p;
                }
                if (--budget <= 0) {
                    return NONE;
                }
            }
        }
        return NONE;
    }

    /**
     * Frees the run whose first page is {@code page}, which the caller has checked with {@link #takenPages(int)},
     * and merges it with its free neighbours. O(1).
     *
     * @return true if its region is now entirely free
     */
    boolean free(int page) {
        int start = page;
        int own = length[page];
        int pages = own;
        state[page] = 0;
        int base = page & -regionPages;
        if (page != base) {
            byte before = state[page - 1];
            if (before == FREE_TAIL || before == FREE_HEAD) { // a free head just before a taken run has one page
                int left = length[page - 1];
                start = page - left;
                unlink(start, left);
                pages += left;
            }
        }
        int end = page + own;
        if (end != base + regionPages && state[end] == FREE_HEAD) {
            int right = length[end];
            unlink(end, right);
            pages += right;
        }
        link(start, pages);
        return pages == regionPages;
    }

    /**
     * The pages of the taken run whose first page is {@code page}.
     *
     * @param page any int
     * @return the run's pages, or {@link #NONE} if no taken run starts at {@code page}
     */
    int takenPages(int page) {
        if (page < 0 || page >= state.length || state[page] != TAKEN) {
            return NONE;
        }
        return length[page];
    }

    /**
     * Whether {@code page} lies in a free run of a present region. Walks the region's runs from its first page:
     * O(runs in the region), for error reports, not for the allocation paths.
     *
     * @param page any int
     * @return true if the page is free
     */
    boolean isFree(int page) {
        if (page < 0 || page >= state.length) {
            return false;
        }
        int p = page & -regionPages;
        while (true) {
            byte s = state[p];
            if (s != FREE_HEAD && s != TAKEN) {
                return false; // no region there
            }
            if (page < p + length[p]) {
                return s == FREE_HEAD;
            }
            p += length[p];
        }
    }

    /** Receives a free run: its first global page id and its pages. */
    interface FreeRunVisitor {
        void visit(int page, int pages);
    }

    /** Calls {@code visitor} for every free run of {@code region}, in address order. O(runs in the region). */
    void forEachFreeRun(int region, FreeRunVisitor visitor) {
        int base = region << maxOrder;
        if (base >= state.length) {
            return;
        }
        for (int p = base; p < base + regionPages; p += length[p]) {
            byte s = state[p];
            if (s == FREE_HEAD) {
                visitor.visit(p, length[p]);
            } else if (s != TAKEN) {
                return; // no region there
            }
        }
    }

    /** Free pages in all regions. */
    long freePages() {
        return freePages;
    }

    /** Free runs in all regions (entirely free regions included). */
    int freeRuns() {
        return freeRuns;
    }

    /** Regions that are entirely free. */
    int freeRegions() {
        return freeRegions;
    }

    /** The first bin from {@code from} on that has a free run in some region, or {@link #NONE}. */
    private int firstBinWithRuns(int from) {
        for (int w = from >>> 6; w < binsWithRuns.length; w++) {
            long word = binsWithRuns[w];
            if (w == from >>> 6) {
                word &= -1L << from; // the shift count is taken mod 64
            }
            if (word != 0) {
                return (w << 6) + Long.numberOfTrailingZeros(word);
            }
        }
        return NONE;
    }

    /** The lowest region from {@code from} on with a free run of bin {@code bin}, or {@link #NONE}. */
    private int lowestRegion(int bin, int from) {
        long[] bits = nonEmpty[bin];
        for (int w = from >>> 6; w < bits.length; w++) {
            long word = bits[w];
            if (w == from >>> 6) {
                word &= -1L << from; // the shift count is taken mod 64
            }
            if (word != 0) {
                return (w << 6) + Long.numberOfTrailingZeros(word);
            }
        }
        return NONE;
    }

    /** Makes {@code [page, page + pages)} one free run: tags, list, counters. */
    private void link(int page, int pages) {
        state[page] = FREE_HEAD;
        length[page] = pages;
        if (pages > 1) {
            state[page + pages - 1] = FREE_TAIL;
            length[page + pages - 1] = pages;
        }
        int region = page >>> maxOrder;
        int bin = binOf(pages);
        int slot = region * bins + bin;
        int head = heads[slot];
        prev[page] = NONE;
        next[page] = head;
        if (head != NONE) {
            prev[head] = page;
        } else {
            nonEmpty[bin][region >>> 6] |= 1L << region;
            if (regionsWithBin[bin]++ == 0) {
                binsWithRuns[bin >>> 6] |= 1L << bin;
            }
        }
        heads[slot] = page;
        freePages += pages;
        freeRuns++;
        if (pages == regionPages) {
            freeRegions++;
        }
    }

    /** Takes the free run {@code [page, page + pages)} out of its list and clears its tags. */
    private void unlink(int page, int pages) {
        int n = next[page];
        int p = prev[page];
        if (p == NONE) {
            int region = page >>> maxOrder;
            int bin = binOf(pages);
            heads[region * bins + bin] = n;
            if (n == NONE) {
                nonEmpty[bin][region >>> 6] &= ~(1L << region);
                if (--regionsWithBin[bin] == 0) {
                    binsWithRuns[bin >>> 6] &= ~(1L << bin);
                }
            }
        } else {
            next[p] = n;
        }
        if (n != NONE) {
            prev[n] = p;
        }
        state[page] = 0;
        state[page + pages - 1] = 0;
        freePages -= pages;
        freeRuns--;
        if (pages == regionPages) {
            freeRegions--;
        }
    }
}
