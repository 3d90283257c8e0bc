package org.slabmag;

/**
 * Statistics of one slab size class, part of an {@link AllocatorStats} snapshot. Immutable.
 */
public final class SizeClassStats {
    private final int blockSize;
    private final int slabs;
    private final long blocksTotal;
    private final long blocksUsed;
    private final long blocksCached;
    private final int magazineRounds;

    SizeClassStats(int blockSize, int slabs, long blocksTotal, long blocksUsed, long blocksCached, int magazineRounds) {
        this.blockSize = blockSize;
        this.slabs = slabs;
        this.blocksTotal = blocksTotal;
        this.blocksUsed = blocksUsed;
        this.blocksCached = blocksCached;
        this.magazineRounds = magazineRounds;
    }

    /**
     * Bytes per block of this class.
     *
     * @return the block size, from 16 up to 65536 (64 KiB)
     */
    public int blockSize() {
        return blockSize;
    }

    /**
     * Slabs of this class.
     *
     * @return the number of slabs of this class the heap holds now, {@code >= 0}
     */
    public int slabs() {
        return slabs;
    }

    /**
     * Blocks in those slabs.
     *
     * @return the blocks the slabs of this class are cut into, used, cached or free
     */
    public long blocksTotal() {
        return blocksTotal;
    }

    /**
     * Blocks in users' hands.
     *
     * @return the live blocks of this class, at most {@link #blocksTotal()} in an exact snapshot
     */
    public long blocksUsed() {
        return blocksUsed;
    }

    /**
     * Blocks in magazines and the depot.
     *
     * @return the free blocks of this class cached as rounds; 0 without thread caches
     */
    public long blocksCached() {
        return blocksCached;
    }

    /**
     * Rounds of the magazines made now for this class (grows under contention); 0 without thread caches.
     *
     * @return the capacity, in rounds (blocks), of a magazine made now for this class; 0 without thread caches
     */
    public int magazineRounds() {
        return magazineRounds;
    }

    @Override
    public String toString() {
        return blockSize + "B: slabs=" + slabs + " blocks=" + blocksUsed + " used/" + blocksCached + " cached/"
            + blocksTotal + " total, magazine=" + magazineRounds;
    }
}
