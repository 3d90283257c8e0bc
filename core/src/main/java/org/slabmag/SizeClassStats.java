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

    /** Bytes per block of this class. */
    public int blockSize() {
        return blockSize;
    }

    /** Slabs of this class. */
    public int slabs() {
        return slabs;
    }

    /** Blocks in those slabs. */
    public long blocksTotal() {
        return blocksTotal;
    }

    /** Blocks in users' hands. */
    public long blocksUsed() {
        return blocksUsed;
    }

    /** Blocks in magazines and the depot. */
    public long blocksCached() {
        return blocksCached;
    }

    /** Rounds of the magazines made now for this class (grows under contention); 0 without thread caches. */
    public int magazineRounds() {
        return magazineRounds;
    }

    @Override
    public String toString() {
        return blockSize + "B: slabs=" + slabs + " blocks=" + blocksUsed + " used/" + blocksCached + " cached/"
            + blocksTotal + " total, magazine=" + magazineRounds;
    }
}
