package org.slabmag.internal.heap;

import java.util.Arrays;

/**
 * A binary buddy allocator over pages, in regions of {@code 2^maxOrder} pages (one region per
 * chunk).
 *
 * <p>Pages are named by a global page id: {@code region << maxOrder | pageInRegion}. A block of order
 * {@code k} is {@code 2^k} pages starting at a page id that is a multiple of {@code 2^k}; its buddy
 * starts at {@code id ^ (1 << k)}. All state is out of band (nothing is written into the managed
 * memory): per page one state byte, meaningful only at the first page of a block:
 * <pre>
 *   0                      not the head of a block (interior page, or unused region)
 *   FREE  | order (0x40)   head of a free block of that order, linked in freeLists[order]
 *   TAKEN | order (0x80)   head of an allocated block of that order
 * </pre>
 * and {@code next}/{@code prev} links of doubly-linked free lists, one per region and order, so a
 * buddy is unlinked in O(1) when it coalesces.
 *
 * <p><b>Placement: lowest region first.</b> Allocation takes a block from the lowest-numbered region
 * that has a free block of a large enough order (address-ordered first fit at region granularity).
 * Live memory thus packs into the low regions and the high ones drain, so that entirely free chunks
 * appear and can go back to the OS even while some blocks stay cached; with plain LIFO lists every
 * chunk kept a few stragglers. Per order a bitset over regions marks the non-empty lists, so the
 * search costs {@code (maxOrder + 1) * regions / 64} word reads at worst, and allocation and free do
 * not depend on the number of free blocks.
 *
 * <p>Invariants: {@code state[p] == FREE|k} if and only if {@code p} is in the list of (its region,
 * {@code k}); bit {@code r} of {@code nonEmpty[k]} is set if and only if that list of region {@code r}
 * is non-empty; two free buddies of the same order never coexist (they are merged at once).
 *
 * <p>Not thread-safe: guarded by the heap lock.
 */
final class BuddyAllocator {
    static final int NONE = -1;
    private static final byte FREE = 0x40;
    private static final byte TAKEN = (byte) 0x80;
    private static final int ORDER_MASK = 0x3f;

    private final int maxOrder;
    private final int orders;
    /** Head of the free list of (region, order) at {@code region * orders + order}. */
    private int[] heads = new int[0];
    /** Per order, a bitset over regions: which have a free block of exactly that order. */
    private final long[][] nonEmpty;
    private final int[] freeBlocks;
    private byte[] state = new byte[0];
    private int[] next = new int[0];
    private int[] prev = new int[0];
    private long freePages;

    BuddyAllocator(int maxOrder) {
        if (maxOrder < 0 || maxOrder > 24) {
            throw new IllegalArgumentException("maxOrder out of range: " + maxOrder);
        }
        this.maxOrder = maxOrder;
        this.orders = maxOrder + 1;
        this.freeBlocks = new int[orders];
        this.nonEmpty = new long[orders][1];
    }

    int maxOrder() {
        return maxOrder;
    }

    /** Adds region {@code region} (pages {@code region << maxOrder ...}) as one free block. */
    void addRegion(int region) {
        int base = region << maxOrder;
        int end = base + (1 << maxOrder);
        if (end > state.length) {
            int capacity = Math.max(end, state.length * 2);
            state = Arrays.copyOf(state, capacity);
            next = Arrays.copyOf(next, capacity);
            prev = Arrays.copyOf(prev, capacity);
        }
        if ((region + 1) * orders > heads.length) {
            int old = heads.length;
            heads = Arrays.copyOf(heads, Math.max((region + 1) * orders, old * 2));
            Arrays.fill(heads, old, heads.length, NONE);
            int words = (heads.length / orders + 63) >>> 6;
            for (int k = 0; k < orders; k++) {
                if (nonEmpty[k].length < words) {
                    nonEmpty[k] = Arrays.copyOf(nonEmpty[k], words);
                }
            }
        }
        push(base, maxOrder);
        freePages += 1L << maxOrder;
    }

    /**
     * Removes region {@code region} if it is entirely free.
     *
     * @return true if the region was free and is now gone
     */
    boolean removeRegionIfFree(int region) {
        int base = region << maxOrder;
        if (!isFreeHead(base, maxOrder)) {
            return false;
        }
        unlink(base, maxOrder);
        freePages -= 1L << maxOrder;
        return true;
    }

    /** True if region {@code region} is one free block. */
    boolean isRegionFree(int region) {
        return isFreeHead(region << maxOrder, maxOrder);
    }

    /**
     * Allocates a block of {@code 2^order} pages.
     *
     * @return its first page id, or {@link #NONE} when no free block is large enough
     */
    int allocate(int order) {
        int bestRegion = Integer.MAX_VALUE;
        int k = NONE;
        for (int j = order; j <= maxOrder; j++) {
            int r = lowestRegion(j, bestRegion);
            if (r < bestRegion) {
                bestRegion = r;
                k = j;
            }
        }
        if (k == NONE) {
            return NONE;
        }
        int page = heads[bestRegion * orders + k];
        unlink(page, k);
        while (k > order) {
            k--;
            push(page + (1 << k), k);
        }
        state[page] = (byte) (TAKEN | order);
        freePages -= 1L << order;
        return page;
    }

    /**
     * Frees the block at {@code page} of {@code order}, which the caller has checked with
     * {@link #takenOrder(int)}, and merges it with free buddies.
     *
     * @return the order of the free block that now contains it ({@code maxOrder}: the region is free)
     */
    int free(int page, int order) {
        state[page] = 0;
        freePages += 1L << order;
        int p = page;
        int k = order;
        while (k < maxOrder) {
            int buddy = p ^ (1 << k);
            if (!isFreeHead(buddy, k)) {
                break;
            }
            unlink(buddy, k);
            p = Math.min(p, buddy);
            k++;
        }
        push(p, k);
        return k;
    }

    /** The order of the allocated block whose first page is {@code page}, or {@link #NONE}. */
    int takenOrder(int page) {
        if (page < 0 || page >= state.length) {
            return NONE;
        }
        byte s = state[page];
        return (s & TAKEN) != 0 ? s & ORDER_MASK : NONE;
    }

    /**
     * Whether {@code page} lies in a free block: walks up the orders to the block containing it,
     * O(maxOrder).
     */
    boolean isFree(int page) {
        if (page < 0 || page >= state.length) {
            return false;
        }
        for (int k = 0; k <= maxOrder; k++) {
            int head = page & -(1 << k);
            byte s = state[head];
            if (s != 0 && (s & ORDER_MASK) >= k) {
                return (s & FREE) != 0;
            }
        }
        return false;
    }

    /** Receives a free block: its first global page id and its order. */
    interface FreeBlockVisitor {
        void visit(int page, int order);
    }

    /** Calls {@code visitor} for every free block of {@code region} of order {@code minOrder} or more. */
    void forEachFreeBlock(int region, int minOrder, FreeBlockVisitor visitor) {
        for (int k = minOrder; k <= maxOrder; k++) {
            for (int page = heads[region * orders + k]; page != NONE; page = next[page]) {
                visitor.visit(page, k);
            }
        }
    }

    /** Free pages in all regions. */
    long freePages() {
        return freePages;
    }

    /** Number of free blocks of {@code order}. */
    int freeBlocks(int order) {
        return freeBlocks[order];
    }

    /** The lowest region below {@code limit} with a free block of exactly {@code order}, or MAX_VALUE. */
    private int lowestRegion(int order, int limit) {
        long[] bits = nonEmpty[order];
        int words = Math.min(bits.length, (int) (((long) limit + 63) >>> 6));
        for (int w = 0; w < words; w++) {
            long word = bits[w];
            if (word != 0) {
                int r = (w << 6) + Long.numberOfTrailingZeros(word);
                return r < limit ? r : Integer.MAX_VALUE;
            }
        }
        return Integer.MAX_VALUE;
    }

    private boolean isFreeHead(int page, int order) {
        return state[page] == (byte) (FREE | order);
    }

    private void push(int page, int order) {
        int region = page >>> maxOrder;
        int slot = region * orders + order;
        int head = heads[slot];
        state[page] = (byte) (FREE | order);
        prev[page] = NONE;
        next[page] = head;
        if (head != NONE) {
            prev[head] = page;
        } else {
            nonEmpty[order][region >>> 6] |= 1L << region;
        }
        heads[slot] = page;
        freeBlocks[order]++;
    }

    private void unlink(int page, int order) {
        int n = next[page];
        int p = prev[page];
        if (p == NONE) {
            int region = page >>> maxOrder;
            heads[region * orders + order] = n;
            if (n == NONE) {
                nonEmpty[order][region >>> 6] &= ~(1L << region);
            }
        } else {
            next[p] = n;
        }
        if (n != NONE) {
            prev[n] = p;
        }
        state[page] = 0;
        freeBlocks[order]--;
    }
}
