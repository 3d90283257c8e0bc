package org.slabmag.internal.heap;

/**
 * The heap could not reserve the memory a request needed: {@code maxMemory} would be passed, or the
 * operating system refused. Internal: the allocator's memory-pressure policy catches it, gives back
 * what callers can reach and retries once; the public API turns a second failure into
 * {@code org.slabmag.SlabOutOfMemoryError} with the same figures.
 *
 * <p>Carries no stack trace (it is a signal between layers, not a report) and is immutable.
 */
public final class MemoryLimitExceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long requested;
    private final long limit;
    private final long reserved;
    private final long resident;
    private final long used;
    private final long cached;

    /**
     * A failure whose used bytes still include the cached ones ({@link #cached()} is -1).
     *
     * @param requested bytes the failed call needed to reserve
     * @param limit     the heap's {@code maxMemory}
     * @param reserved  bytes reserved from the operating system when it failed
     * @param resident  of those, bytes not given back page by page: what {@code maxMemory} bounds
     * @param used      bytes of blocks out of the heap (in users' hands or cached)
     */
    public MemoryLimitExceeded(long requested, long limit, long reserved, long resident, long used) {
        this(requested, limit, reserved, resident, used, -1);
    }

    private MemoryLimitExceeded(long requested, long limit, long reserved, long resident, long used, long cached) {
        super("cannot reserve " + requested + " more bytes: limit " + limit, null, false, false);
        this.requested = requested;
        this.limit = limit;
        this.reserved = reserved;
        this.resident = resident;
        this.used = used;
        this.cached = cached;
    }

    /**
     * The same failure with {@code cached} of its used bytes told apart as free blocks still cached.
     *
     * @param cached bytes of free blocks in magazines nobody could give back
     * @return a new instance; {@link #used()} no longer counts the cached bytes
     */
    public MemoryLimitExceeded withCached(long cached) {
        return new MemoryLimitExceeded(requested, limit, reserved, resident, used - cached, cached);
    }

    /** {@return bytes the failed call needed to reserve} */
    public long requested() {
        return requested;
    }

    /** {@return the heap's {@code maxMemory}} */
    public long limit() {
        return limit;
    }

    /** {@return bytes reserved from the operating system when it failed} */
    public long reserved() {
        return reserved;
    }

    /** {@return of the reserved bytes, those not given back page by page, which {@code maxMemory} bounds} */
    public long resident() {
        return resident;
    }

    /** {@return bytes in users' hands, or of all blocks out of the heap when {@link #cached()} is -1} */
    public long used() {
        return used;
    }

    /** {@return bytes of free blocks still cached, or -1 if not told apart} */
    public long cached() {
        return cached;
    }
}
