package org.slabmag;

import java.util.List;
import java.util.Locale;

/**
 * A snapshot of a {@link SlabAllocator}'s memory. Immutable.
 *
 * <p>Exact when no call is in flight and every thread's calls happen-before {@link SlabAllocator#stats()}
 * (after {@code Thread.join}, or an executor's completion); taken during concurrent calls, each figure
 * is a recent value but the figures may disagree with each other.
 *
 * <p>Relations: {@code usedBytes + cachedBytes + availableBytes == totalBytes};
 * {@code requestedBytes <= usedBytes}.
 */
public final class AllocatorStats {
    private final long totalBytes;
    private final long residentBytes;
    private final long usedBytes;
    private final long requestedBytes;
    private final long cachedBytes;
    private final long allocations;
    private final long deallocations;
    private final int chunks;
    private final int hugeBlocks;
    private final int threadCaches;
    private final List<SizeClassStats> sizeClasses;

    AllocatorStats(long totalBytes, long residentBytes, long usedBytes, long requestedBytes, long cachedBytes,
                   long allocations, long deallocations, int chunks, int hugeBlocks, int threadCaches,
                   List<SizeClassStats> sizeClasses) {
        this.totalBytes = totalBytes;
        this.residentBytes = residentBytes;
        this.usedBytes = usedBytes;
        this.requestedBytes = requestedBytes;
        this.cachedBytes = cachedBytes;
        this.allocations = allocations;
        this.deallocations = deallocations;
        this.chunks = chunks;
        this.hugeBlocks = hugeBlocks;
        this.threadCaches = threadCaches;
        this.sizeClasses = List.copyOf(sizeClasses);
    }

    /**
     * Bytes reserved from the operating system: chunks and dedicated (huge) blocks.
     *
     * @return the reserved bytes, {@code >= 0}, at most twice the builder's {@code maxMemory} (which bounds
     *     {@link #residentBytes()})
     */
    public long totalBytes() {
        return totalBytes;
    }

    /**
     * Reserved bytes not given back to the operating system page by page: {@link #totalBytes()} less
     * the free pages of kept chunks that decay or the memory limit returned (with {@code madvise}, on
     * Linux) and that were not handed out since. What {@code maxMemory} bounds, and an upper bound on
     * what this allocator adds to the process's resident memory (pages of a chunk never touched count
     * too), unless transparent huge pages are set to {@code always}: the kernel's {@code khugepaged}
     * may then fill a given-back range with a huge page again. Equal to {@link #totalBytes()} where
     * pages cannot be given back one by one: off Linux, with {@code -Dslabmag.releasePages=false},
     * where no route to {@code madvise} links, or where the OS page is not 4 KiB.
     *
     * @return the reserved bytes still counted resident, between 0 and {@link #totalBytes()}
     */
    public long residentBytes() {
        return residentBytes;
    }

    /**
     * Bytes of live blocks, counted by usable (size-class) size.
     *
     * @return the bytes of blocks in users' hands, each counted by its block size (size class, or whole pages
     *         of a page run or dedicated block), {@code >= requestedBytes()}
     */
    public long usedBytes() {
        return usedBytes;
    }

    /**
     * Bytes of live blocks, counted as requested.
     *
     * @return the sum of the sizes passed to {@code allocate} for the blocks not yet freed, {@code >= 0}
     */
    public long requestedBytes() {
        return requestedBytes;
    }

    /**
     * Bytes of free blocks held in thread magazines and the depot.
     *
     * @return the cached bytes, counted by size class, {@code >= 0}; 0 without thread caches
     */
    public long cachedBytes() {
        return cachedBytes;
    }

    /**
     * Reserved bytes neither used nor cached: free slab blocks and free pages of chunks.
     *
     * @return {@code totalBytes() - usedBytes() - cachedBytes()}; may be off (even negative) in a snapshot
     *         taken during concurrent calls
     */
    public long availableBytes() {
        return totalBytes - usedBytes - cachedBytes;
    }

    /**
     * Allocations since creation.
     *
     * @return the number of blocks handed out, {@code >= deallocations()} in an exact snapshot
     */
    public long allocations() {
        return allocations;
    }

    /**
     * Frees since creation.
     *
     * @return the number of blocks taken back, {@code <= allocations()} in an exact snapshot
     */
    public long deallocations() {
        return deallocations;
    }

    /**
     * Chunks reserved now.
     *
     * @return the number of chunks held, in use or kept free until they decay; dedicated (huge) blocks not
     *         counted
     */
    public int chunks() {
        return chunks;
    }

    /**
     * Live dedicated allocations (requests above the chunk size).
     *
     * @return the number of huge blocks not yet freed, {@code >= 0}
     */
    public int hugeBlocks() {
        return hugeBlocks;
    }

    /**
     * Threads holding magazines now.
     *
     * @return the number of private thread caches registered, live threads' and dead threads' not yet taken
     *         back; 0 without thread caches
     */
    public int threadCaches() {
        return threadCaches;
    }

    /**
     * The share of reserved memory that holds no requested byte:
     * {@code 1 - requestedBytes / totalBytes}, or 0 when nothing is reserved. It adds up size-class
     * slack, cached blocks, free blocks of partly used slabs and free pages; {@code 1 / (1 - f)} is
     * the footprint ratio (reserved bytes per live requested byte).
     *
     * @return the fragmentation, from 0.0 (every reserved byte requested) up to, but excluding, 1.0
     */
    public double fragmentation() {
        if (totalBytes == 0) {
            return 0.0;
        }
        return Math.max(0.0, 1.0 - (double) requestedBytes / totalBytes);
    }

    /**
     * Per slab size class, smallest first.
     *
     * @return an unmodifiable list with one entry per slab size class, ordered by block size; never null
     */
    public List<SizeClassStats> sizeClasses() {
        return sizeClasses;
    }

    @Override
    public String toString() {
        return "AllocatorStats{total=" + totalBytes + ", resident=" + residentBytes + ", used=" + usedBytes
            + ", requested=" + requestedBytes + ", cached=" + cachedBytes + ", available=" + availableBytes()
            + ", allocations=" + allocations + ", deallocations=" + deallocations + ", chunks=" + chunks
            + ", hugeBlocks=" + hugeBlocks + ", threadCaches=" + threadCaches
            + String.format(Locale.ROOT, ", fragmentation=%.3f}", fragmentation());
    }
}
