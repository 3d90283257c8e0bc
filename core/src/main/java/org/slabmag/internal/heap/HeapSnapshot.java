package org.slabmag.internal.heap;

/**
 * The heap's counters at one instant, taken under the heap lock.
 *
 * @param reservedBytes     bytes reserved from the OS (chunks and huge blocks)
 * @param residentBytes     reserved bytes not given back to the OS page by page (an upper bound)
 * @param chunks            chunks reserved
 * @param hugeBlocks        live dedicated (huge) allocations
 * @param takenBytes        bytes handed out by the heap, to users or to magazines
 * @param largeBytes        bytes in live page runs and huge blocks (never cached in magazines)
 * @param allocations       allocations served by the heap directly (not through magazines)
 * @param deallocations     frees served by the heap directly
 * @param requestedBytes    requested bytes of live blocks allocated directly, minus those freed directly
 * @param slabsPerClass     slabs per size class
 * @param blocksPerClass    blocks in those slabs
 * @param takenPerClass     blocks out of those slabs (users and magazines)
 */
public record HeapSnapshot(long reservedBytes, long residentBytes, int chunks, int hugeBlocks, long takenBytes,
                           long largeBytes, long allocations, long deallocations, long requestedBytes,
                           int[] slabsPerClass, long[] blocksPerClass, long[] takenPerClass) {
}
