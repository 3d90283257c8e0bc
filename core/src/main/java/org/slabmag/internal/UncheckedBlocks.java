package org.slabmag.internal;

import java.util.function.Function;

import org.slabmag.SlabAllocator;

/**
 * Allocation and free without the per-block checks of {@link SlabAllocator#free}, for slabmag's own
 * adapters (the Netty buffer), whose buffer objects carry the address and size of their block and free
 * it exactly once: their reference count guarantees it. <b>Not API.</b> A wrong address or size, or a
 * second free, corrupts the heap; user code must call {@link SlabAllocator}.
 *
 * <p>What it skips, for blocks of the slab classes with thread caches on: on free, finding the chunk and
 * slab of the address, checking class, block start and state byte; on allocation, marking the state
 * byte. The state byte of a block in an adapter's hands therefore keeps saying "not in a user's hands",
 * so a checked {@link SlabAllocator#free} of it (a user freeing memory a buffer owns) is refused with an
 * exception rather than accepted. Blocks above the slab classes, allocators without thread caches, and
 * hardened allocators go through the checked code; statistics count these calls.
 *
 * <p><b>After close.</b> {@link #allocate} throws {@link IllegalStateException}, as
 * {@link SlabAllocator} does. {@link #free} does not: a buffer released after its allocator was closed
 * gives its block back to the closed heap, which returns the block's chunk to the OS once nothing else
 * in it is held (see {@link SlabAllocator#close()}), so it neither throws nor leaks. {@link #usableSize}
 * keeps answering, so that live buffers keep working. {@link #freeChecked} serves adapters whose blocks
 * come from the checked {@link SlabAllocator#allocate(int)} the same way.
 *
 * <p>Thread-safe, with the memory effects of {@link SlabAllocator}.
 */
public final class UncheckedBlocks {
    private static volatile Access access;

    private final SlabAllocator allocator;
    /** Null when the allocator has no thread caches or is hardened: then every call is checked. */
    private final MagazineLayer magazines;
    /** The allocator's magazine layer, or null when it has no thread caches. */
    private final MagazineLayer layer;
    private final LockedHeap heap;

    private UncheckedBlocks(SlabAllocator allocator, MagazineLayer layer, LockedHeap heap) {
        this.allocator = allocator;
        this.layer = layer;
        this.magazines = allocator.isHardened() ? null : layer;
        this.heap = heap;
    }

    /**
     * The unchecked entry points of {@code allocator}. (An instance exists, so its class was
     * initialized and the accessors are registered.)
     */
    public static UncheckedBlocks of(SlabAllocator allocator) {
        Access a = access;
        return new UncheckedBlocks(allocator, a.layers.apply(allocator), a.heaps.apply(allocator));
    }

    /**
     * Called once, by {@link SlabAllocator}'s class initializer, with the ways to reach an allocator's
     * magazine layer (null when it has no thread caches) and its heap.
     *
     * @throws IllegalStateException on a second call
     */
    public static synchronized void registerAccess(Function<SlabAllocator, MagazineLayer> layers,
                                                   Function<SlabAllocator, LockedHeap> heaps) {
        if (access != null) {
            throw new IllegalStateException("allocator access already registered");
        }
        access = new Access(layers, heaps);
    }

    /** Like {@link SlabAllocator#allocate(int)}, without marking a small block live. */
    public long allocate(int size) {
        int c = size > 0 ? SizeClasses.classOf(size) : -1;
        if (c < 0 || magazines == null) {
            return allocator.allocate(size);
        }
        return magazines.allocateUnchecked(c, size);
    }

    /**
     * Frees a block from {@link #allocate(int)} of the same {@code size}, trusting both; also after
     * close (see the class comment).
     */
    public void free(long address, int size) {
        int c = size > 0 ? SizeClasses.classOf(size) : -1;
        if (c < 0 || magazines == null) {
            freeChecked(address, c, size);
            return;
        }
        magazines.freeUnchecked(address, c, size);
    }

    /**
     * {@link SlabAllocator#free(long, int)} with all its checks, for a block from
     * {@link SlabAllocator#allocate(int)} that an adapter owns (a pooled buffer of the pool adapter): the
     * same exceptions for bad addresses and double frees, but after close the block goes back to the
     * closed heap instead of the call throwing {@link IllegalStateException}.
     */
    public void freeChecked(long address, int size) {
        freeChecked(address, size > 0 ? SizeClasses.classOf(size) : -1, size);
    }

    /**
     * Like {@link SlabAllocator#usableSize(int)}, also after close.
     *
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
            heap.freeLarge(address, size, size);
        } else if (layer != null) {
            layer.freeChecked(address, c, size);
        } else {
            heap.freeSmall(address, c, size);
        }
    }

    private static void checkSize(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive: " + size);
        }
    }

    /** How to reach an allocator's internals. */
    private static final class Access {
        final Function<SlabAllocator, MagazineLayer> layers;
        final Function<SlabAllocator, LockedHeap> heaps;

        Access(Function<SlabAllocator, MagazineLayer> layers, Function<SlabAllocator, LockedHeap> heaps) {
            this.layers = layers;
            this.heaps = heaps;
        }
    }
}
