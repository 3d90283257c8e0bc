package org.slabmag.internal;

import java.util.Comparator;
import java.util.TreeSet;

import org.slabmag.SlabOutOfMemoryError;

/**
 * The slabs of one size class.
 *
 * <p>Slabs with at least one free block are kept ordered by their first page id (region, then page):
 * blocks are always taken from the slab of the lowest chunk, lowest page first, so live data packs
 * into the low chunks and the high ones drain and go back to the OS (jemalloc and mimalloc likewise
 * prefer old, low slabs). Full slabs are in no set and rejoin it when a block comes back. A slab that
 * becomes empty leaves the set: the first is kept as a spare (so a class that oscillates around a
 * slab boundary does not churn the buddy allocator), any other goes back to the buddy allocator at
 * once. {@link #trim} returns the spare too, and {@link #decay} returns it once it stayed unused from
 * one decay to the next.
 *
 * <p>Not thread-safe: guarded by the heap lock.
 */
final class SlabCache {
    final int sizeClass;
    final int blockSize;
    private final Heap heap;
    /** Slabs with a free block (and not empty), by first page id. */
    private final TreeSet<Slab> partial = new TreeSet<>(Comparator.comparingInt(slab -> slab.page));
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
     * @throws SlabOutOfMemoryError when not even one block can be had
     */
    int take(long[] dst, Slab[] owners, int off, int n) {
        int got = 0;
        while (got < n) {
            Slab s = partial.isEmpty() ? null : partial.first();
            if (s == null) {
                s = spare;
                if (s != null) {
                    spare = null;
                    spareUsed = true;
                } else {
                    try {
                        s = heap.newSlab(sizeClass);
                    } catch (SlabOutOfMemoryError e) {
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

    private void link(Slab s) {
        partial.add(s);
    }

    private void unlink(Slab s) {
        partial.remove(s);
    }
}
