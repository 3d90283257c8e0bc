package org.slabmag;

/**
 * Thrown when an allocation would take the memory a {@link SlabAllocator} holds resident past its
 * {@code maxMemory} limit, or when the operating system refuses more memory. The allocator stays
 * usable: after frees it serves again. Resident bytes are the reserved bytes less the free pages given
 * back to the operating system (see {@link AllocatorStats#residentBytes()}).
 */
public final class SlabOutOfMemoryError extends OutOfMemoryError {
    private static final long serialVersionUID = 1L;

    private final long limit;
    private final long reserved;
    private final long resident;
    private final long requested;
    private final long used;
    private final long cached;

    /**
     * An error whose figures do not tell cached bytes from bytes in users' hands ({@link #cached()} is -1).
     *
     * @param requested bytes the failed call needed to reserve
     * @param limit     the allocator's {@code maxMemory}
     * @param reserved  bytes reserved from the operating system when it failed
     * @param used      bytes of blocks out of the heap when it failed (in users' hands or cached)
     */
    public SlabOutOfMemoryError(long requested, long limit, long reserved, long used) {
        this(requested, limit, reserved, reserved, used, -1, "slabmag: cannot reserve " + requested
            + " more bytes: limit " + limit + " bytes, " + reserved + " reserved, " + used
            + " in blocks out of the heap");
    }

    /**
     * An error that tells bytes in users' hands from bytes cached in magazines nobody could give back.
     *
     * @param requested bytes the failed call needed to reserve
     * @param limit     the allocator's {@code maxMemory}
     * @param reserved  bytes reserved from the operating system when it failed
     * @param used      bytes in users' hands when it failed
     * @param cached    bytes of free blocks still cached in magazines no thread could give back (the
     *                  private magazines of other live threads)
     */
    public SlabOutOfMemoryError(long requested, long limit, long reserved, long used, long cached) {
        this(requested, limit, reserved, reserved, used, cached);
    }

    /**
     * An error that also tells the resident bytes, which the limit bounds, from the reserved ones.
     *
     * @param requested bytes the failed call needed to reserve
     * @param limit     the allocator's {@code maxMemory}
     * @param reserved  bytes reserved from the operating system when it failed
     * @param resident  of those, bytes not given back to the operating system page by page
     * @param used      bytes in users' hands when it failed
     * @param cached    bytes of free blocks still cached in magazines no thread could give back (the
     *                  private magazines of other live threads)
     */
    public SlabOutOfMemoryError(long requested, long limit, long reserved, long resident, long used, long cached) {
        this(requested, limit, reserved, resident, used, cached, "slabmag: cannot reserve " + requested
            + " more bytes: limit " + limit + " bytes, " + resident + " resident of " + reserved + " reserved, "
            + used + " in users' hands, " + cached + " cached in other threads' magazines");
    }

    private SlabOutOfMemoryError(long requested, long limit, long reserved, long resident, long used, long cached,
                                 String message) {
        super(message);
        this.limit = limit;
        this.reserved = reserved;
        this.resident = resident;
        this.requested = requested;
        this.used = used;
        this.cached = cached;
    }

    /**
     * The allocator's {@code maxMemory}.
     *
     * @return the limit in bytes; {@link Long#MAX_VALUE} if none was set (the operating system refused)
     */
    public long limit() {
        return limit;
    }

    /**
     * Bytes reserved from the operating system when the allocation failed.
     *
     * @return the reserved bytes, chunks and dedicated blocks, at the failure
     */
    public long reserved() {
        return reserved;
    }

    /**
     * Of the reserved bytes, those resident when the allocation failed: not given back to the operating
     * system page by page. This is what {@code maxMemory} bounds.
     *
     * @return the resident bytes, at most {@link #reserved()}
     */
    public long resident() {
        return resident;
    }

    /**
     * Bytes the failed allocation needed to reserve.
     *
     * @return the bytes the call needed to reserve: a chunk, a page-rounded dedicated block, or the pages of
     *     a free block that had been given back to the operating system and would count as resident again
     */
    public long requested() {
        return requested;
    }

    /**
     * Bytes in users' hands when the allocation failed; where {@link #cached()} is -1, bytes of all
     * blocks out of the heap (in users' hands or cached).
     *
     * @return the bytes, {@code >= 0}
     */
    public long used() {
        return used;
    }

    /**
     * Bytes of free blocks cached in magazines that could not be given back, or -1 if not known.
     *
     * @return the cached bytes, {@code >= 0}, or -1 if not known
     */
    public long cached() {
        return cached;
    }
}
