package org.slabmag.testing;

import org.slabmag.SlabAllocator;
import org.slabmag.SlabAllocatorBuilder;
import org.slabmag.UncheckedBlocks;

/**
 * The one list of allocator variants that core's model-based and stress tests run over: each variant knows how
 * to build its allocator and how blocks are allocated and freed through it (a user's checked calls, or an
 * adapter's {@link UncheckedBlocks}).
 */
public enum AllocatorVariant {
    /** The default allocator (thread caches, not hardened), through the checked API: a user's blocks. */
    CHECKED(true, false, Path.USER),
    /** The default allocator through {@link UncheckedBlocks#allocate}/{@link UncheckedBlocks#free}. */
    ADAPTER_UNCHECKED(true, false, Path.ADAPTER_UNCHECKED),
    /** The default allocator through {@link UncheckedBlocks#allocateChecked}/{@link UncheckedBlocks#freeChecked}. */
    ADAPTER_CHECKED(true, false, Path.ADAPTER_CHECKED),
    /** Hardened mode, thread caches on, through the checked API. */
    HARDENED(true, true, Path.USER),
    /** No thread caches (every call takes the heap lock), through the checked API. */
    NO_THREAD_CACHES(false, false, Path.USER),
    /** Hardened mode without thread caches, through the checked API. */
    HARDENED_NO_THREAD_CACHES(false, true, Path.USER);

    /** Whose calls hand out and take back the blocks. */
    private enum Path {
        USER, ADAPTER_UNCHECKED, ADAPTER_CHECKED
    }

    private final boolean threadCaches;
    private final boolean hardened;
    private final Path path;

    AllocatorVariant(boolean threadCaches, boolean hardened, Path path) {
        this.threadCaches = threadCaches;
        this.hardened = hardened;
        this.path = path;
    }

    /**
     * @param builder a builder with the test's own settings
     * @return the same builder, set to this variant's mode
     */
    public SlabAllocatorBuilder configure(SlabAllocatorBuilder builder) {
        return builder.threadCaches(threadCaches).hardened(hardened);
    }

    /** @return a new allocator in this variant's mode, otherwise default */
    public SlabAllocator build() {
        return configure(SlabAllocator.builder()).build();
    }

    /** @return whether the blocks belong to an adapter: a user's {@link SlabAllocator#free} must refuse them */
    public boolean adapterOwned() {
        return path != Path.USER;
    }

    /** @return whether {@link Blocks#allocate(int, int)} with an alignment is available (the user's API only) */
    public boolean aligns() {
        return path == Path.USER;
    }

    /** @return whether {@link Blocks#free} detects a wrong address or size (false: it would corrupt the heap) */
    public boolean checksFrees() {
        return path != Path.ADAPTER_UNCHECKED;
    }

    /**
     * @param allocator an allocator built by {@link #build()} or {@link #configure}
     * @return the calls of this variant on it
     */
    public Blocks blocks(SlabAllocator allocator) {
        return new Blocks(allocator, path);
    }

    /** Allocation and free through one variant's calls. Thread-safe, as the allocator is. */
    public static final class Blocks {
        private final SlabAllocator allocator;
        private final UncheckedBlocks adapter;
        private final Path path;

        Blocks(SlabAllocator allocator, Path path) {
            this.allocator = allocator;
            this.adapter = UncheckedBlocks.of(allocator);
            this.path = path;
        }

        /** @return the allocator */
        public SlabAllocator allocator() {
            return allocator;
        }

        /** @param size bytes @return a block's address */
        public long allocate(int size) {
            return switch (path) {
                case USER -> allocator.allocate(size);
                case ADAPTER_UNCHECKED -> adapter.allocate(size);
                case ADAPTER_CHECKED -> adapter.allocateChecked(size);
            };
        }

        /**
         * @param size      bytes
         * @param alignment 0 for {@link #allocate(int)}, else a power of two (the user's API only)
         * @return a block's address
         */
        public long allocate(int size, int alignment) {
            if (alignment == 0) {
                return allocate(size);
            }
            if (path != Path.USER) {
                throw new UnsupportedOperationException("adapters allocate without alignment");
            }
            return allocator.allocate(size, alignment);
        }

        /** @param address a block of this variant @param size the size it was allocated with */
        public void free(long address, int size) {
            switch (path) {
                case USER -> allocator.free(address, size);
                case ADAPTER_UNCHECKED -> adapter.free(address, size);
                case ADAPTER_CHECKED -> adapter.freeChecked(address, size);
                default -> throw new AssertionError(path);
            }
        }

        /** @param address a block @param size its size @param alignment its alignment, 0 for none */
        public void free(long address, int size, int alignment) {
            if (alignment == 0) {
                free(address, size);
            } else {
                allocator.free(address, size, alignment);
            }
        }
    }
}
