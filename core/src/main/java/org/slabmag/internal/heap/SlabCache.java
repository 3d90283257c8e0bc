package org.slabmag.internal.heap;

import java.util.Arrays;


/**
 * The slabs of one size class.
 *
 * <p>Slabs with at least one free block are on one doubly-linked list per chunk (region), and a bitset
 * marks the regions whose list is not empty: blocks are always taken from a slab of the lowest chunk
 * that has one (the most recently refilled of it first), so live data packs into the low chunks and
 * the high ones drain and go back to the OS (jemalloc and mimalloc likewise prefer old, low slabs).
 * Linking and unlinking are O(1); finding the lowest region reads at most {@code regions / 64} words.
 * Full slabs are in no set and rejoin it when a block comes back. A slab that
 * becomes empty leaves the set: the first is kept as a spare (so a class that oscillates around a
 * slab boundary does not churn the page allocator), any other goes back to the page allocator at
 * once. {@link #trim} returns the spare too, and {@link #decay} returns it once it stayed unused from
 * one decay to the next.
 *
 * <p>Not thread-safe: guarded by the heap lock.
 */
final class SlabCache {
    final int sizeClass;
    final int blockSize;
    private final Heap heap;
    /** Per region, the head of its list of partial slabs, or null. */
    private Slab[] heads = new Slab[4];
    /** Bit {@code r}: region {@code r}'s list is not empty. */
    private long[] nonEmpty = new long[1];
    private Slab spare;
    /** Whether the spare was taken or set since the last {@link #decay()}. */
    private boolean spareUsed;
    private int slabs;
    private long takenBlocks;

    SlabCache(int sizeClass, Heap heap) {
        this.sizeClass = sizeClass;
        this.blockSize = SizeClasses.blockSize(sizeClass);
        this.heap = heap;
    }

    /**
     * Takes up to {@code n} blocks into {@code dst[off...]} (and their slabs into {@code owners},
     * unless null), making slabs as needed.
     *
     * @return at least 1 and at most {@code n}: fewer only when memory ran out part way
     * @throws MemoryLimitExceeded when not even one block can be had
     */
    int take(long[] dst, Slab[] owners, int off, int n) {
        int got = 0;
        while (got < n) {
            Slab s = lowestPartial();
            if (s == null) {
                s = spare;
                if (s != null) {
                    spare = null;
                    spareUsed = true;
                } else {
                    try {
                        s = heap.newSlab(sizeClass);
                    } catch (MemoryLimitExceeded e) {
                        if (got == 0) {
                            throw e;
                        }
                        break;
                    }
                    slabs++;
                }
                link(s);
            }
            got += s.take(dst, owners, off + got, n - got);
            if (s.isFull()) {
                unlink(s);
            }
        }
        takenBlocks += got;
        return got;
    }

    /**
     * Puts back block {@code index} of {@code slab}.
     *
     * @throws IllegalStateException if the block was not taken (double free)
     */
    void giveBack(Slab slab, int index) {
        boolean wasFull = slab.isFull();
        if (!slab.giveBack(index)) {
            throw new IllegalStateException("double free of block 0x" + Long.toHexString(slab.addressOf(index))
                + " (" + blockSize + "-byte class): it is not allocated");
        }
        takenBlocks--;
        if (wasFull) {
            link(slab);
        }
        if (slab.isEmpty()) {
            unlink(slab);
            if (spare == null) {
                spare = slab;
                spareUsed = true;
            } else {
                slabs--;
                heap.releaseSlab(slab);
            }
        }
    }

    /** Returns the spare slab, if any. */
    void trim() {
        if (spare != null) {
            Slab s = spare;
            spare = null;
            slabs--;
            heap.releaseSlab(s);
        }
    }

    /** Returns the spare slab if it was not used since the last call. */
    void decay() {
        if (!spareUsed) {
            trim();
        }
        spareUsed = false;
    }

    int slabs() {
        return slabs;
    }

    long takenBlocks() {
        return takenBlocks;
    }

    long totalBlocks() {
        return (long) slabs * SizeClasses.blocksPerSlab(sizeClass);
    }

    /** A partial slab of the lowest region that has one, or null. */
    private Slab lowestPartial() {
        for (int w = 0; w < nonEmpty.length; w++) {
            long word = nonEmpty[w];
            if (word != 0) {
                return heads[(w << 6) + Long.numberOfTrailingZeros(word)];
            }
        }
        return null;
    }

    private void link(Slab s) {
        int r = s.chunk.region;
        if (r >= heads.length) {
            heads = Arrays.copyOf(heads, Math.max(r + 1, heads.length * 2));
            nonEmpty = Arrays.copyOf(nonEmpty, (heads.length + 63) >>> 6);
        }
        Slab head = heads[r];
        s.prev = null;
        s.next = head;
        if (head != null) {
            head.prev = s;
        }
        heads[r] = s;
        nonEmpty[r >>> 6] |= 1L << r;
        s.listed = true;
    }

    private void unlink(Slab s) {
        if (!s.listed) {
            return;
        }
        int r = s.chunk.region;
        if (s.prev == null) {
            heads[r] = s.next;
            if (s.next == null) {
                nonEmpty[r >>> 6] &= ~(1L << r);
            }
        } else {
            s.prev.next = s.next;
        }
        if (s.next != null) {
            s.next.prev = s.prev;
        }
        s.prev = null;
        s.next = null;
        s.listed = false;
    }
}
