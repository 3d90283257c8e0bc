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
 * exception rather than accepted. Everything else is as in {@link SlabAllocator}: blocks above the slab
 * classes, allocators without thread caches, and hardened allocators go through the checked methods;
 * statistics count these calls; calls after close throw {@link IllegalStateException}.
 *
 * <p>Thread-safe, with the memory effects of {@link SlabAllocator}.
 */
public final class UncheckedBlocks {
    private static volatile Function<SlabAllocator, MagazineLayer> layers;

    private final SlabAllocator allocator;
    /** Null when the allocator has no thread caches or is hardened: then every call is checked. */
    private final MagazineLayer magazines;

    private UncheckedBlocks(SlabAllocator allocator, MagazineLayer magazines) {
        this.allocator = allocator;
        this.magazines = allocator.isHardened() ? null : magazines;
    }

    /**
     * The unchecked entry points of {@code allocator}. (An instance exists, so its class was
     * initialized and the accessor is registered.)
     */
    public static UncheckedBlocks of(SlabAllocator allocator) {
        return new UncheckedBlocks(allocator, layers.apply(allocator));
    }

    /**
     * Called once, by {@link SlabAllocator}'s class initializer, with the way to reach an allocator's
     * magazine layer (null when it has no thread caches).
     *
     * @throws IllegalStateException on a second call
     */
    public static synchronized void registerLayerAccess(Function<SlabAllocator, MagazineLayer> access) {
        if (layers != null) {
            throw new IllegalStateException("layer access already registered");
        }
        layers = access;
    }

    /** Like {@link SlabAllocator#allocate(int)}, without marking a small block live. */
    public long allocate(int size) {
        int c = size > 0 ? SizeClasses.classOf(size) : -1;
        if (c < 0 || magazines == null) {
            return allocator.allocate(size);
        }
        return magazines.allocateUnchecked(c, size);
    }

    /** Frees a block from {@link #allocate(int)} of the same {@code size}, trusting both. */
    public void free(long address, int size) {
        int c = size > 0 ? SizeClasses.classOf(size) : -1;
        if (c < 0 || magazines == null) {
            allocator.free(address, size);
            return;
        }
        magazines.freeUnchecked(address, c, size);
    }
}
