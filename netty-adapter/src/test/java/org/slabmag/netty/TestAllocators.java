package org.slabmag.netty;

import org.slabmag.SlabAllocator;

/** Allocators shared by the tests of this module. */
final class TestAllocators {
    /** One allocator for the contract suites, over its own slab allocator. */
    static final SlabByteBufAllocator SHARED = new SlabByteBufAllocator(SlabAllocator.create(), true);

    private TestAllocators() {
    }
}
