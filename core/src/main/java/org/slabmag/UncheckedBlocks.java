package org.slabmag;

import org.slabmag.internal.heap.Heap;
import org.slabmag.internal.heap.MemoryLimitExceeded;
import org.slabmag.internal.heap.SizeClasses;
import org.slabmag.internal.magazine.MagazineLayer;

/**
 * <b>Internal API for slabmag's own adapters; not for applications, and free to change.</b> Memory for
 * blocks an adapter owns: a Netty buffer of {@code slabmag-netty}, a pooled buffer of {@code slabmag-pool}.
 *
 * <p><b>Two ways.</b> {@link #allocate}/{@link #free} serve owners that carry the address and size of their
 * block and free it exactly once (a Netty buffer: its reference count guarantees it). For blocks of the slab
 * classes of an allocator with thread caches that is not hardened they skip the per-block checks: on free,
 * finding the chunk and slab of the address, checking class, block start and state; on allocation, marking
 * the state. A wrong address or size, or a second free, corrupts the heap. Everywhere else (larger blocks, no
 * thread caches, hardened mode) they take the checked way. {@link #allocateChecked}/{@link #freeChecked}
 * always take the checked way, which detects a bad address or a double free with the exceptions of
 * {@link SlabAllocator#free}.
 *
 * <p><b>Adapter memory is refused to users, at every size and in every mode.</b> A block taken without a
 * state mark keeps saying "not in a user's hands"; a block taken the checked way is marked "owned by an
 * adapter" (for slab classes in the block's state byte, for larger blocks in the heap's record of the
 * block). Either way a user's {@link SlabAllocator#free} of an adapter's block throws
 * {@link IllegalArgumentException} (or {@link IllegalStateException} for an unmarked block, which then looks
 * freed) and changes nothing, so no second owner can get the buffer's memory.
 *
 * <p><b>After close.</b> The allocations throw {@link IllegalStateException}, as {@link SlabAllocator} does.
 * The frees do not: a buffer released after its allocator was closed gives its block back to the closed
 * heap, which returns the block's chunk to the OS once nothing else in it is held (see
 * {@link SlabAllocator#close()}), so it neither throws nor leaks. {@link #usableSize} keeps answering, so that
 * live buffers keep working.
 *
 * <p>Lives in the API package and reaches the allocator's package-private parts, so that no public hook
 * exposes them. Thread-safe, with the memory effects of {@link SlabAllocator}.
 */
public final class UncheckedBlocks {
    private final SlabAllocator allocator;
    /** The allocator's magazine layer when small blocks skip the checks (thread caches on, not hardened), else null. */
    private final MagazineLayer unchecked;

    private UncheckedBlocks(SlabAllocator allocator) {
        this.allocator = allocator;
        this.unchecked = allocator.isHardened() ? null : allocator.magazines;
    }

    /**
     * The adapter entry points of an allocator.
     *
     * @param allocator an allocator, not null
     * @return a new view of {@code allocator}'s adapter entry points
     */
    public static UncheckedBlocks of(SlabAllocator allocator) {
        return new UncheckedBlocks(allocator);
    }

    /**
     * Allocates a block for an owner that frees it once with {@link #free}; unchecked where that is faster.
     *
     * @param size bytes, at least 1
     * @return the block's address
     * @throws IllegalArgumentException if {@code size <= 0}
     * @throws SlabOutOfMemoryError     if the memory limit would be passed
     * @throws IllegalStateException    after close
     */
    public long allocate(int size) {
        MagazineLayer layer = unchecked;
        int c = size > 0 ? SizeClasses.classOf(size) : -1;
        if (layer == null || c < 0) {
            return allocate(size, SlabAllocator.ADAPTER_CHECKED);
        }
        try {
            return layer.allocateUnchecked(c, size); // checks the closed flag itself
        } catch (MemoryLimitExceeded e) {
            return allocator.allocateSmallUnderPressure(c, size, SlabAllocator.ADAPTER_UNCHECKED);
        }
    }

    /**
     * Allocates a block marked as an adapter's, for {@link #freeChecked}.
     *
     * @param size bytes, at least 1
     * @return the block's address
     * @throws IllegalArgumentException if {@code size <= 0}
     * @throws SlabOutOfMemoryError     if the memory limit would be passed
     * @throws IllegalStateException    after close
     */
    public long allocateChecked(int size) {
        return allocate(size, SlabAllocator.ADAPTER_CHECKED);
    }

    private long allocate(int size, int holder) {
        checkSize(size);
        if (allocator.rawHeap.isClosedPlain()) {
            throw closed();
        }
        int c = SizeClasses.classOf(size);
        if (c >= 0) {
            return allocator.allocateSmall(c, size, holder);
        }
        return allocator.allocateLarge(size, size, true);
    }

    /**
     * Frees a block from {@link #allocate(int)} of the same {@code size}, trusting both where the allocation
     * was unchecked; also after close (see the class comment).
     *
     * @param address the block
     * @param size    the size passed to {@link #allocate(int)}
     * @throws IllegalArgumentException if {@code size <= 0}, or, where the call is checked, if the address is
     *                                  not an adapter's block of that size
     * @throws IllegalStateException    where the call is checked, on a double free
     */
    public void free(long address, int size) {
        MagazineLayer layer = unchecked;
        int c = size > 0 ? SizeClasses.classOf(size) : -1;
        if (layer != null && c >= 0) {
            layer.freeUnchecked(address, c, size);
        } else {
            checkSize(size);
            freeChecked(address, c, size);
        }
    }

    /**
     * Frees a block from {@link #allocateChecked(int)}, with every check of {@link SlabAllocator#free}; after
     * close the block goes back to the closed heap instead of the call throwing.
     *
     * @param address the block
     * @param size    the size passed to {@link #allocateChecked(int)}
     * @throws IllegalArgumentException if {@code size <= 0} or the address is not an adapter's block of that size
     * @throws IllegalStateException    on a detected double free
     */
    public void freeChecked(long address, int size) {
        checkSize(size);
        freeChecked(address, SizeClasses.classOf(size), size);
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
        return (int) Math.min(Integer.MAX_VALUE, Heap.largeUsableSize(size));
    }

    private void freeChecked(long address, int c, int size) {
        if (c < 0) {
            allocator.heap.freeLarge(address, size, size, true);
        } else if (allocator.magazines == null) {
            allocator.heap.freeSmall(address, c, size, true);
        } else if (!allocator.rawHeap.isClosedPlain()) {
            allocator.magazines.freeOwned(address, c, size);
        } else {
            allocator.magazines.closedCall(); // gives the caller's magazines back to the closed heap
            allocator.heap.freeSmall(address, c, size, true);
        }
    }

    private IllegalStateException closed() {
        return allocator.magazines != null ? allocator.magazines.closedCall()
            : new IllegalStateException("this SlabAllocator is closed");
    }

    private static void checkSize(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive: " + size);
        }
    }
}
