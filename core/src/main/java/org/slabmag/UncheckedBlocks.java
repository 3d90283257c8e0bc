package org.slabmag;

import org.slabmag.internal.heap.Heap;
import org.slabmag.internal.heap.MemoryLimitExceeded;
import org.slabmag.internal.heap.SizeClasses;
import org.slabmag.internal.magazine.MagazineLayer;

/**
 * <b>Internal API for slabmag's own adapters; not for applications, and free to change.</b>
 * Allocation and free without the per-block checks of {@link SlabAllocator#free}, for owners that
 * carry the address and size of their block and free it exactly once (a Netty buffer: its reference
 * count guarantees it). A wrong address or size, or a second free, corrupts the heap; user code must
 * call {@link SlabAllocator}.
 *
 * <p>What it skips, for blocks of the slab classes of an allocator with thread caches that is not
 * hardened: on free, finding the chunk and slab of the address, checking class, block start and state
 * byte; on allocation, marking the state byte. The state byte of such a block in an adapter's hands
 * therefore keeps saying "not in a user's hands", so a user's checked {@link SlabAllocator#free} of it
 * is refused with an exception. Larger blocks, allocators without thread caches and hardened
 * allocators go through the checked code (statistics count these calls); for those blocks a user's
 * {@code free} of adapter-owned memory is <em>not</em> detected, as for any block freed by its owner.
 *
 * <p><b>After close.</b> {@link #allocate} throws {@link IllegalStateException}, as
 * {@link SlabAllocator} does. {@link #free} does not: a buffer released after its allocator was closed
 * gives its block back to the closed heap, which returns the block's chunk to the OS once nothing else
 * in it is held (see {@link SlabAllocator#close()}), so it neither throws nor leaks. {@link #usableSize}
 * keeps answering, so that live buffers keep working. {@link #freeChecked} serves adapters whose blocks
 * come from the checked {@link SlabAllocator#allocate(int)} the same way.
 *
 * <p>Lives in the API package, reaching the allocator's package-private parts, so that no public
 * hook exposes them. Thread-safe, with the memory effects of {@link SlabAllocator}.
 */
public final class UncheckedBlocks {
    private final SlabAllocator allocator;
    /** Null when the allocator has no thread caches or is hardened: then every call is checked. */
    private final MagazineLayer unchecked;

    private UncheckedBlocks(SlabAllocator allocator) {
        this.allocator = allocator;
        this.unchecked = allocator.isHardened() ? null : allocator.magazines;
    }

    /**
     * @param allocator an allocator
     * @return its unchecked entry points
     */
    public static UncheckedBlocks of(SlabAllocator allocator) {
        return new UncheckedBlocks(allocator);
    }

    /**
     * Like {@link SlabAllocator#allocate(int)}, without marking a small block live.
     *
     * @param size bytes, at least 1
     * @return the block's address
     * @throws IllegalArgumentException if {@code size <= 0}
     * @throws SlabOutOfMemoryError     if the memory limit would be passed
     * @throws IllegalStateException    after close
     */
    public long allocate(int size) {
        int c = size > 0 ? SizeClasses.classOf(size) : -1;
        if (c < 0 || unchecked == null) {
            return allocator.allocate(size);
        }
        try {
            return unchecked.allocateUnchecked(c, size);
        } catch (MemoryLimitExceeded e) {
            allocator.relieveMemoryPressure();
            try {
                return unchecked.allocateUnchecked(c, size);
            } catch (MemoryLimitExceeded again) {
                throw allocator.outOfMemory(again);
            }
        }
    }

    /**
     * Frees a block from {@link #allocate(int)} of the same {@code size}, trusting both; also after
     * close (see the class comment).
     *
     * @param address the block
     * @param size    the size passed to {@link #allocate(int)}
     * @throws IllegalArgumentException if {@code size <= 0}, or, where the call is checked, if the
     *                                  address is not a live block of that size
     */
    public void free(long address, int size) {
        int c = size > 0 ? SizeClasses.classOf(size) : -1;
        if (c < 0 || unchecked == null) {
            freeChecked(address, c, size);
            return;
        }
        unchecked.freeUnchecked(address, c, size);
    }

    /**
     * {@link SlabAllocator#free(long, int)} with all its checks, for a block from
     * {@link SlabAllocator#allocate(int)} that an adapter owns (a pooled buffer of the pool adapter): the
     * same exceptions for bad addresses and double frees, but after close the block goes back to the
     * closed heap instead of the call throwing {@link IllegalStateException}.
     *
     * @param address the block
     * @param size    the size passed to {@link SlabAllocator#allocate(int)}
     * @throws IllegalArgumentException if {@code size <= 0} or the address is not a live block of that size
     * @throws IllegalStateException    on a detected double free
     */
    public void freeChecked(long address, int size) {
        freeChecked(address, size > 0 ? SizeClasses.classOf(size) : -1, size);
    }

    /**
     * Like {@link SlabAllocator#usableSize(int)}, also after close.
     *
     * @param size bytes, at least 1
     * @return the bytes really reserved for that request
     * @throws IllegalArgumentException if {@code size <= 0}
     */
    public int usableSize(int size) {
        checkSize(size);
        int c = SizeClasses.classOf(size);
        if (c >= 0) {
            return SizeClasses.blockSize(c);
        }
        return (int) Math.min(Integer.MAX_VALUE, Heap.largeUsableSize(size, allocator.chunkSize()));
    }

    /** The checked free of {@link SlabAllocator#free(long, int)}, minus its closed check. */
    private void freeChecked(long address, int c, int size) {
        checkSize(size);
        if (c < 0) {
            allocator.heap.freeLarge(address, size, size);
        } else if (allocator.magazines != null && !allocator.rawHeap.isClosedPlain()) {
            allocator.magazines.free(address, c, size);
        } else {
            if (allocator.magazines != null) {
                allocator.magazines.closedCall(); // gives the caller's magazines back to the closed heap
            }
            allocator.heap.freeSmall(address, c, size);
        }
    }

    private static void checkSize(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive: " + size);
        }
    }
}
