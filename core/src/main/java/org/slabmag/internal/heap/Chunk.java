package org.slabmag.internal.heap;

import org.slabmag.internal.event.SlabEvents;
import org.slabmag.internal.memory.NativeMemory;

/**
 * One region of native memory that the page allocator ({@link PageRuns}) divides into runs of pages.
 *
 * <p>The usable region is {@code size} bytes aligned to {@code size} (a power of two), so the chunk
 * of any address is found by {@code address >>> log2(size)} ({@link ChunkMap}). To get that
 * alignment the chunk reserves {@link #reservationBytes(int)} bytes of address space: at least
 * {@code 2 * size}, and at least {@link NativeMemory#ALWAYS_MAPPED} so that glibc serves it with its
 * own {@code mmap} and gives it back with {@code munmap} when it is released (see there). The
 * operating system commits only the pages that are touched, so the unused part costs address space,
 * not resident memory. {@link #size} is what {@code totalBytes()} counts.
 *
 * <p>{@link #slabs} maps each page to the {@link Slab} covering it, or null. It is written under the
 * heap lock before any block of the slab is handed out, and read without the lock on free: a
 * thread that legitimately frees a block received it through a happens-before chain that starts
 * after that write, so it sees the slab.
 */
public final class Chunk {
    /** {@link #frame} of a chunk that went back to the OS, and of {@link #NONE}: no address maps to it. */
    static final long NO_FRAME = -1L;
    /** A placeholder that contains no address, for caches of "the last chunk used". */
    public static final Chunk NONE = new Chunk();

    final long reservedAddress;
    final long address;
    final int size;
    /** Index of this chunk's region in the page allocator. */
    final int region;
    /**
     * {@code address >>> log2(size)}: the key in {@link ChunkMap}; {@link #NO_FRAME} once the chunk
     * went back to the OS. Written under the heap lock; a thread that legitimately frees a block of a
     * chunk reserved later at the same address saw this write (through the happens-before chain that
     * gave it the block), so a cached reference to the old chunk no longer matches its address.
     */
    long frame;
    final Slab[] slabs;

    private Chunk(long reservedAddress, long address, int size, int region) {
        this.reservedAddress = reservedAddress;
        this.address = address;
        this.size = size;
        this.region = region;
        this.frame = address >>> Integer.numberOfTrailingZeros(size);
        this.slabs = new Slab[size >>> SizeClasses.PAGE_SHIFT];
    }

    private Chunk() {
        this.reservedAddress = 0;
        this.address = 0;
        this.size = 0;
        this.region = -1;
        this.frame = NO_FRAME;
        this.slabs = new Slab[0];
    }

    /**
     * Bytes reserved for a chunk of {@code size}: enough for {@code size} bytes aligned to
     * {@code size}, and never less than {@link NativeMemory#ALWAYS_MAPPED}.
     */
    static long reservationBytes(int size) {
        return Math.max(2L * size, NativeMemory.ALWAYS_MAPPED);
    }

    static Chunk reserve(int size, int region) {
        long reserved = NativeMemory.reserve(reservationBytes(size));
        long aligned = (reserved + size - 1) & -(long) size;
        SlabEvents.chunkReserved(aligned, size);
        return new Chunk(reserved, aligned, size, region);
    }

    /** Returns the memory to the OS; the chunk no longer matches any frame. Under the heap lock. */
    void release() {
        frame = NO_FRAME;
        NativeMemory.release(reservedAddress);
        SlabEvents.chunkReleased(address, size);
    }

    /**
     * The chunk's frame number, the key {@link ChunkMap} finds it by.
     *
     * @return {@code address >>> log2(size)}, or {@link #NO_FRAME} once the chunk went back to the OS
     *         (a plain read: see {@link #frame})
     */
    public long frame() {
        return frame;
    }

    boolean contains(long addr) {
        return addr - address >= 0 && addr - address < size;
    }

    /** The page index inside this chunk of an address it contains. */
    int pageOf(long addr) {
        return (int) ((addr - address) >>> SizeClasses.PAGE_SHIFT);
    }
}
