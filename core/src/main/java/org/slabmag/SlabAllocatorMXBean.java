package org.slabmag;

import java.util.List;

/**
 * The management interface of a {@link SlabAllocator}, registered by default in the platform MBean server under
 * {@code org.slabmag:type=SlabAllocator,name=<name>} (see {@link SlabAllocatorBuilder#jmxName(String)} and
 * {@link SlabAllocatorBuilder#jmx(boolean)}) and unregistered by {@link SlabAllocator#close()}.
 *
 * <p>Each attribute read takes its own {@link SlabAllocator#stats()} snapshot, so attributes read one by one
 * (as JConsole does) may come from different moments; {@link #getSizeClasses()} is one snapshot. Figures are as
 * documented on {@link AllocatorStats}. A read that races with {@link SlabAllocator#close()} returns zeros (and
 * an empty array) rather than failing; once closed the MBean is no longer registered.
 *
 * <p>Thread-safe, like the allocator.
 */
public interface SlabAllocatorMXBean {
    /** {@return the {@code name} key of the ObjectName: the builder's {@code jmxName}, or {@code slabmag-N}} */
    String getName();

    /** {@return {@link AllocatorStats#totalBytes()}: bytes reserved from the operating system} */
    long getTotalBytes();

    /** {@return {@link AllocatorStats#residentBytes()}: reserved bytes not given back page by page} */
    long getResidentBytes();

    /** {@return {@link AllocatorStats#usedBytes()}: bytes of live blocks by usable size} */
    long getUsedBytes();

    /** {@return {@link AllocatorStats#requestedBytes()}: bytes of live blocks as requested} */
    long getRequestedBytes();

    /** {@return {@link AllocatorStats#cachedBytes()}: bytes of free blocks in magazines and depots} */
    long getCachedBytes();

    /** {@return {@link AllocatorStats#availableBytes()}: reserved bytes neither used nor cached} */
    long getAvailableBytes();

    /** {@return {@link AllocatorStats#chunks()}: chunks reserved now} */
    int getChunks();

    /** {@return {@link AllocatorStats#hugeBlocks()}: live dedicated allocations} */
    int getHugeBlocks();

    /** {@return {@link AllocatorStats#threadCaches()}: threads holding private magazines} */
    int getThreadCaches();

    /** {@return {@link AllocatorStats#allocations()}: blocks handed out since creation} */
    long getAllocations();

    /** {@return {@link AllocatorStats#deallocations()}: blocks taken back since creation} */
    long getDeallocations();

    /** {@return {@link AllocatorStats#fragmentation()}, from 0 to 1} */
    double getFragmentation();

    /** {@return {@link SlabAllocator#maxMemory()} ({@link Long#MAX_VALUE}: no limit)} */
    long getMaxMemory();

    /** {@return {@link SlabAllocator#chunkSize()}: bytes per chunk, a power of two} */
    int getChunkSize();

    /** {@return {@link SlabAllocator#isHardened()}: whether racing double frees are caught too} */
    boolean isHardened();

    /**
     * Per slab size class, smallest first; a JMX client sees an array of composite data with the items
     * {@code blockSize}, {@code slabs}, {@code blocksTotal}, {@code blocksUsed}, {@code blocksCached} and
     * {@code magazineRounds}.
     *
     * @return one element per size class, all from one snapshot; empty once the allocator is closed
     */
    List<SizeClass> getSizeClasses();

    /**
     * {@link SlabAllocator#trim()}, run on the calling (JMX) thread: its own magazines are empty, so this returns
     * the depots, the caches of ended threads and free chunks. Does nothing once the allocator is closed.
     */
    void trim();

    /**
     * One size class in {@link #getSizeClasses()}: the figures of a {@link SizeClassStats}, as a record so that
     * the MXBean mapping turns it into composite data (and a proxy back into this record).
     *
     * @param blockSize      bytes per block
     * @param slabs          slabs of this class
     * @param blocksTotal    blocks in those slabs
     * @param blocksUsed     blocks in users' hands
     * @param blocksCached   blocks in magazines and depots
     * @param magazineRounds rounds per magazine made now for this class
     */
    record SizeClass(int blockSize, int slabs, long blocksTotal, long blocksUsed, long blocksCached,
                     int magazineRounds) {
        static SizeClass of(SizeClassStats s) {
            return new SizeClass(s.blockSize(), s.slabs(), s.blocksTotal(), s.blocksUsed(), s.blocksCached(),
                s.magazineRounds());
        }
    }
}
