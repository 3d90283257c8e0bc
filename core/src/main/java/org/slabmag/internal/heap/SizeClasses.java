package org.slabmag.internal.heap;

import org.slabmag.internal.memory.NativeMemory;

/**
 * The size classes served by slabs, and the geometry of their slabs.
 *
 * <p>Classes are 16 bytes apart up to 128 bytes (16, 32, ..., 128), then four per doubling up to
 * {@link #MAX_SLAB_BLOCK} (160, 192, 224, 256, 320, ..., 49152, 57344, 65536): 44 classes. Worst-case
 * internal waste: at most 15 bytes for requests up to 128 bytes; above that a request of
 * {@code 2^n + 1} bytes gets a block of {@code 1.25 * 2^n}, so at most 20% of the block (25% of the
 * request) is slack, and on average about 10%. Requests above {@link #MAX_SLAB_BLOCK} get whole pages:
 * a run of the page allocator ({@link PageRuns}) or dedicated memory.
 *
 * <p>A block of a class is aligned to the largest power of two dividing its size, at most
 * {@link #PAGE_SIZE} and at least 16, because slabs start on page boundaries. Power-of-two classes
 * are therefore naturally aligned.
 *
 * <p>Slab size: the smallest power-of-two number of pages holding at least 8 blocks (4 for blocks
 * above 4 KiB) whose unused tail is at most 1/16 of the slab.
 *
 * <p>Immutable and thread-safe; all lookups are O(1) and allocation-free.
 */
public final class SizeClasses {
    /** The unit of the page allocator and the alignment of every slab. */
    public static final int PAGE_SIZE = NativeMemory.PAGE_SIZE;
    /** log2 of {@link #PAGE_SIZE}. */
    public static final int PAGE_SHIFT = 12;
    /** The largest block a slab serves. */
    public static final int MAX_SLAB_BLOCK = 65536;
    /** Number of slab size classes. */
    public static final int COUNT = 44;
    /** Division by a block size is a multiply by {@code ceil(2^RECIPROCAL_SHIFT / blockSize)}. */
    static final int RECIPROCAL_SHIFT = 40;

    private static final int SMALL_CLASSES = 8;
    private static final int SMALL_MAX = 128;

    private static final int[] BLOCK_SIZE = new int[COUNT];
    private static final int[] SLAB_PAGES = new int[COUNT];
    private static final long[] RECIPROCAL = new long[COUNT];

    static {
        for (int c = 0; c < COUNT; c++) {
            int block = computeBlockSize(c);
            BLOCK_SIZE[c] = block;
            SLAB_PAGES[c] = computeSlabPages(block);
            RECIPROCAL[c] = ((1L << RECIPROCAL_SHIFT) + block - 1) / block;
        }
    }

    private SizeClasses() {
    }

    /**
     * The class serving {@code size} bytes, or -1 when {@code size > MAX_SLAB_BLOCK}.
     *
     * @param size a request size, at least 1
     * @return the class index in {@code [0, COUNT)}, or -1
     */
    public static int classOf(int size) {
        if (size <= SMALL_MAX) {
            return (size - 1) >>> 4;
        }
        if (size > MAX_SLAB_BLOCK) {
            return -1;
        }
        int m = size - 1;
        int n = 31 - Integer.numberOfLeadingZeros(m);
        return SMALL_CLASSES + ((n - 7) << 2) + ((m >>> (n - 2)) & 3);
    }

    /**
     * Block size of class {@code c}.
     *
     * @param c the size class, from 0 to {@link #COUNT} - 1
     * @return the bytes per block, from 16 to {@link #MAX_SLAB_BLOCK}
     */
    public static int blockSize(int c) {
        return BLOCK_SIZE[c];
    }

    /**
     * Pages in one slab of class {@code c} (a power of two).
     *
     * @param c the size class, from 0 to {@link #COUNT} - 1
     * @return the number of 4 KiB pages, a power of two
     */
    public static int slabPages(int c) {
        return SLAB_PAGES[c];
    }

    /**
     * Blocks in one slab of class {@code c}.
     *
     * @param c the size class, from 0 to {@link #COUNT} - 1
     * @return the number of whole blocks a slab holds, at least 1; the tail left over stays unused
     */
    public static int blocksPerSlab(int c) {
        return (SLAB_PAGES[c] << PAGE_SHIFT) / BLOCK_SIZE[c];
    }

    /**
     * {@code offset / blockSize(c)} for {@code 0 <= offset < slab size}, without a division.
     * Exact because {@code offset * blockSize < 2^RECIPROCAL_SHIFT} for every slab (at most 2^20
     * bytes) and block (at most 2^16 bytes).
     */
    static int blockIndex(int c, int offset) {
        return (int) divide(offset, RECIPROCAL[c]);
    }

    /** {@code offset / blockSize} given the block size's {@link #reciprocal}; see {@link #blockIndex}. */
    static long divide(long offset, long reciprocal) {
        return (offset * reciprocal) >>> RECIPROCAL_SHIFT;
    }

    /** {@code ceil(2^RECIPROCAL_SHIFT / blockSize(c))}, the multiplier of {@link #blockIndex}. */
    static long reciprocal(int c) {
        return RECIPROCAL[c];
    }

    /**
     * The largest slab of any class, in bytes; chunks must be at least this large.
     *
     * @return the bytes of the largest slab, a power of two
     */
    public static int maxSlabBytes() {
        int max = 0;
        for (int pages : SLAB_PAGES) {
            max = Math.max(max, pages << PAGE_SHIFT);
        }
        return max;
    }

    private static int computeBlockSize(int c) {
        if (c < SMALL_CLASSES) {
            return (c + 1) << 4;
        }
        int n = 7 + ((c - SMALL_CLASSES) >>> 2);
        int step = (c - SMALL_CLASSES) & 3;
        return (1 << n) + ((step + 1) << (n - 2));
    }

    private static int computeSlabPages(int block) {
        int minBlocks = block <= PAGE_SIZE ? 8 : 4;
        for (int pages = 1; ; pages <<= 1) {
            int bytes = pages << PAGE_SHIFT;
            int blocks = bytes / block;
            if (blocks >= minBlocks && bytes - blocks * block <= bytes >>> 4) {
                return pages;
            }
        }
    }
}
