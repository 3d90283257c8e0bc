package org.slabmag;

/**
 * Thrown when an allocation would take the memory reserved by a {@link SlabAllocator} past its
 * {@code maxMemory} limit, or when the operating system refuses more memory. The allocator stays
 * usable: after frees it serves again.
 */
public final class SlabOutOfMemoryError extends OutOfMemoryError {
    private static final long serialVersionUID = 1L;

    private final long limit;
    private final long reserved;
    private final long requested;

    /**
     * @param requested bytes the failed call needed to reserve
     * @param limit     the allocator's {@code maxMemory}
     * @param reserved  bytes reserved from the operating system when it failed
     * @param used      bytes in live blocks when it failed
     */
    public SlabOutOfMemoryError(long requested, long limit, long reserved, long used) {
        super("slabmag: cannot reserve " + requested + " more bytes: limit " + limit + " bytes, "
            + reserved + " reserved, " + used + " in live blocks");
        this.limit = limit;
        this.reserved = reserved;
        this.requested = requested;
    }

    /** The allocator's {@code maxMemory}. */
    public long limit() {
        return limit;
    }

    /** Bytes reserved from the operating system when the allocation failed. */
    public long reserved() {
        return reserved;
    }

    /** Bytes the failed allocation needed to reserve. */
    public long requested() {
        return requested;
    }
}
