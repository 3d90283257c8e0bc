package org.slabmag.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A run of pages cut into equal blocks of one size class.
 *
 * <p>Which blocks are out of the slab (in a magazine, the depot, or a user's hands) is an out-of-band
 * bitmap ({@code takenBits}), so nothing is written into free blocks and a write after free cannot
 * corrupt the allocator's state. Taking blocks scans bitmap words from a hint (the lowest word that
 * may have a free bit): at most {@code capacity / 64} words, and batch takes amortize the scan.
 *
 * <p>In hardened mode {@code liveBits} additionally records which blocks are in a user's hands. It is
 * updated with atomic read-modify-writes (volatile {@code getAndBitwiseOr/And}) from any thread (allocation and free through magazines),
 * so a second free of the same block is seen at once, whatever thread makes it.
 *
 * <p>Fields other than {@code liveBits} are guarded by the heap lock; the final fields are safe to
 * read from any thread that found the slab through {@link Chunk#slabs}.
 */
final class Slab {
    final Chunk chunk;
    /** Global page id of the first page (the buddy block). */
    final int page;
    final int order;
    final long address;
    final int sizeClass;
    final int blockSize;
    final int capacity;
    /** Bytes covered by blocks: {@code capacity * blockSize}. */
    private final long span;
    /** {@code ceil(2^40 / blockSize)}: see {@link SizeClasses#blockIndex}. */
    private final long reciprocal;
    private final long[] takenBits;
    private static final VarHandle LIVE = MethodHandles.arrayElementVarHandle(long[].class);
    private final long[] liveBits;
    private int taken;
    private int hint;

    /** Links in the owning {@link SlabCache}'s list of slabs with free blocks. */
    Slab prev;
    Slab next;
    boolean listed;

    Slab(Chunk chunk, int page, int order, long address, int sizeClass, boolean hardened) {
        this.chunk = chunk;
        this.page = page;
        this.order = order;
        this.address = address;
        this.sizeClass = sizeClass;
        this.blockSize = SizeClasses.blockSize(sizeClass);
        this.capacity = SizeClasses.blocksPerSlab(sizeClass);
        this.span = (long) capacity * blockSize;
        this.reciprocal = SizeClasses.reciprocal(sizeClass);
        int words = (capacity + 63) >>> 6;
        this.takenBits = new long[words];
        this.liveBits = hardened ? new long[words] : null;
        int tail = capacity & 63;
        if (tail != 0) {
            takenBits[words - 1] = -1L << tail;
        }
    }

    int taken() {
        return taken;
    }

    boolean isFull() {
        return taken == capacity;
    }

    boolean isEmpty() {
        return taken == 0;
    }

    /**
     * The index of the block starting at {@code addr}, or -1 if {@code addr} is not the start of a
     * block of this slab.
     */
    int indexOf(long addr) {
        long offset = addr - address;
        if (offset < 0 || offset >= span) {
            return -1;
        }
        long index = (offset * reciprocal) >>> SizeClasses.RECIPROCAL_SHIFT;
        return index * blockSize == offset ? (int) index : -1;
    }

    long addressOf(int index) {
        return address + (long) index * blockSize;
    }

    /**
     * Takes up to {@code n} free blocks into {@code dst[off...]}.
     *
     * @return how many were taken
     */
    int take(long[] dst, int off, int n) {
        int got = 0;
        long[] bits = takenBits;
        for (int w = hint; w < bits.length && got < n; w++) {
            long word = bits[w];
            while (word != -1L && got < n) {
                int bit = Long.numberOfTrailingZeros(~word);
                word |= 1L << bit;
                dst[off + got++] = address + (long) ((w << 6) + bit) * blockSize;
            }
            bits[w] = word;
            hint = word == -1L ? w + 1 : w;
        }
        taken += got;
        return got;
    }

    /**
     * Puts back the block at {@code index}.
     *
     * @return false if the block was not taken (a double free that escaped the magazines)
     */
    boolean giveBack(int index) {
        int w = index >>> 6;
        long mask = 1L << index;
        long word = takenBits[w];
        if ((word & mask) == 0) {
            return false;
        }
        takenBits[w] = word & ~mask;
        taken--;
        if (w < hint) {
            hint = w;
        }
        return true;
    }

    /**
     * Whether the block at {@code index} is out of the slab, read without the heap lock. Exact for a
     * block the caller legitimately holds (its bit was set before it was handed out and stays set);
     * for any other block a best-effort answer, used to refuse frees of blocks that are in the slab.
     */
    boolean isTaken(int index) {
        return ((long) LIVE.getOpaque(takenBits, index >>> 6) & (1L << index)) != 0;
    }

    /** Whether this slab tracks blocks in users' hands (hardened mode). */
    boolean hardened() {
        return liveBits != null;
    }

    /**
     * Hardened mode: records that the block at {@code index} is handed to a user.
     *
     * @return false if it already was (a block about to be handed out twice)
     */
    boolean markLive(int index) {
        long mask = 1L << index;
        return ((long) LIVE.getAndBitwiseOr(liveBits, index >>> 6, mask) & mask) == 0;
    }

    /**
     * Hardened mode: records that the user gave back the block at {@code index}.
     *
     * @return false if it was not in a user's hands (a double free)
     */
    boolean markFreed(int index) {
        long mask = 1L << index;
        return ((long) LIVE.getAndBitwiseAnd(liveBits, index >>> 6, ~mask) & mask) != 0;
    }
}
