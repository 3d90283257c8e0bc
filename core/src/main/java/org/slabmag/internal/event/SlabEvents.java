package org.slabmag.internal.event;

/**
 * The one entry point for emitting slabmag's JFR events: each method is a single static call at its hook,
 * returns at once when its event is not enabled, and otherwise commits one instant event.
 *
 * <p>Thread-safe; takes no lock and allocates nothing when the event is off (the event object is scalar-replaced
 * once compiled, and the hooks sit on slow paths anyway). Safe under the heap lock: it never calls back into the
 * allocator.
 */
public final class SlabEvents {
    private SlabEvents() {
    }

    /**
     * A chunk of {@code bytes} at {@code address} was reserved from the operating system.
     *
     * @param address the chunk's address, aligned to the chunk size
     * @param bytes   the chunk size
     */
    public static void chunkReserved(long address, long bytes) {
        ChunkReservedEvent e = new ChunkReservedEvent();
        if (e.isEnabled()) {
            e.address = address;
            e.bytes = bytes;
            e.commit();
        }
    }

    /**
     * A chunk went back to the operating system; also a {@link #pagesReleased} of its bytes.
     *
     * @param address the chunk's address
     * @param bytes   the chunk size
     */
    public static void chunkReleased(long address, long bytes) {
        ChunkReleasedEvent e = new ChunkReleasedEvent();
        if (e.isEnabled()) {
            e.address = address;
            e.bytes = bytes;
            e.commit();
        }
        pagesReleased(address, bytes);
    }

    /**
     * Pages of native memory were given back to the operating system: a chunk or huge block released (emitted by
     * {@link #chunkReleased} and {@link #hugeBlockFreed}), or unused pages of a kept chunk decommitted (for the
     * caller that does that to emit).
     *
     * @param address the address of the chunk or huge block released, or of the kept chunk whose pages went back
     * @param bytes   how many bytes went back, a multiple of the page size
     */
    public static void pagesReleased(long address, long bytes) {
        PagesReleasedEvent e = new PagesReleasedEvent();
        if (e.isEnabled()) {
            e.address = address;
            e.bytes = bytes;
            e.commit();
        }
    }

    /**
     * A huge block of {@code bytes} (page-rounded) at {@code address} was given dedicated memory.
     *
     * @param address the block's address, page-aligned
     * @param bytes   the reserved bytes, page-rounded
     */
    public static void hugeBlockAllocated(long address, long bytes) {
        HugeBlockAllocatedEvent e = new HugeBlockAllocatedEvent();
        if (e.isEnabled()) {
            e.address = address;
            e.bytes = bytes;
            e.commit();
        }
    }

    /**
     * A huge block went back to the operating system; also a {@link #pagesReleased} of its bytes.
     *
     * @param address the block's address
     * @param bytes   the reserved bytes, page-rounded
     */
    public static void hugeBlockFreed(long address, long bytes) {
        HugeBlockFreedEvent e = new HugeBlockFreedEvent();
        if (e.isEnabled()) {
            e.address = address;
            e.bytes = bytes;
            e.commit();
        }
        pagesReleased(address, bytes);
    }

    /**
     * A trim of the heap ran, from {@code reservedBefore} to {@code reservedAfter} reserved bytes.
     *
     * @param reservedBefore bytes reserved from the OS before the trim
     * @param reservedAfter  bytes reserved after it, {@code <= reservedBefore}
     */
    public static void trimmed(long reservedBefore, long reservedAfter) {
        TrimEvent e = new TrimEvent();
        if (e.isEnabled()) {
            e.bytes = reservedBefore - reservedAfter;
            e.reservedAfter = reservedAfter;
            e.commit();
        }
    }

    /**
     * A reservation of {@code requested} bytes was refused: {@code usage} reserved, {@code limit} allowed.
     *
     * @param requested bytes the refused reservation needed
     * @param limit     the allocator's {@code maxMemory}
     * @param usage     bytes reserved from the OS at that moment
     */
    public static void memoryLimitReached(long requested, long limit, long usage) {
        MemoryLimitReachedEvent e = new MemoryLimitReachedEvent();
        if (e.isEnabled()) {
            e.requested = requested;
            e.limit = limit;
            e.usage = usage;
            e.commit();
        }
    }

    /**
     * Whether {@link #threadCacheReclaimed} would record anything: the caller computes the bytes, a loop over
     * the cache's magazines, only then.
     *
     * @return true if a recording has the {@code org.slabmag.ThreadCacheReclaimed} event on
     */
    public static boolean threadCacheReclaimedEnabled() {
        return new ThreadCacheReclaimedEvent().isEnabled();
    }

    /**
     * The magazines of {@code owner}, holding {@code bytes} of free blocks, went back to the depot or heap.
     *
     * @param owner the thread the cache belonged to, alive or ended; not null
     * @param bytes the bytes of free blocks its magazines held
     */
    public static void threadCacheReclaimed(Thread owner, long bytes) {
        ThreadCacheReclaimedEvent e = new ThreadCacheReclaimedEvent();
        if (e.isEnabled()) {
            e.bytes = bytes;
            e.threadName = owner.getName();
            e.threadEnded = !owner.isAlive();
            e.commit();
        }
    }
}
