package org.slabmag.netty;

import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.buffer.UnpooledUnsafeHeapByteBuf;
import io.netty.util.internal.PlatformDependent;
import org.slabmag.AllocatorStats;
import org.slabmag.SlabAllocator;
import org.slabmag.UncheckedBlocks;

/**
 * A Netty {@link io.netty.buffer.ByteBufAllocator} whose direct buffers live in a {@link SlabAllocator}.
 *
 * <p><b>Direct buffers</b> take one block of the slab allocator each, sized to the requested capacity
 * (a capacity of 0 takes a 1-byte request). The block's size-class slack is usable for growth without
 * copying ({@code maxFastWritableBytes()}); growing past it moves the content to a new block. Releasing
 * the last reference returns the block to the allocator from whatever thread releases it, which is as
 * cheap as a release on the allocating thread (per-thread magazines). A buffer frees its block exactly
 * once, guarded by its reference count, so it skips the slab allocator's per-free address checks
 * ({@link org.slabmag.UncheckedBlocks}), and a user's {@link SlabAllocator#free} of memory a live buffer
 * owns is refused, at every size and in every mode (a hardened slab allocator, or one without thread caches,
 * checks the buffers' own frees too). Buffers pass through
 * {@code toLeakAwareBuffer}, so Netty's {@link io.netty.util.ResourceLeakDetector} covers them. Memory
 * access does not depend on Netty's {@code sun.misc.Unsafe} support, so {@code hasMemoryAddress()} is true
 * on JDK 25 too. A JVM using it needs {@code --add-opens java.base/jdk.internal.misc=ALL-UNNAMED}.
 *
 * <p><b>Heap buffers</b> are Netty's unpooled heap buffers ({@link UnpooledUnsafeHeapByteBuf} when Netty
 * has {@code sun.misc.Unsafe}, else {@link UnpooledHeapByteBuf}), counted in
 * {@link SlabByteBufAllocatorMetric#usedHeapMemory()}. Pooling heap arrays is left to the garbage
 * collector.
 *
 * <p><b>Ownership:</b> an allocator made by {@link #SlabByteBufAllocator(boolean)} creates its own
 * {@link SlabAllocator} with default settings and keeps it for the life of the JVM. To bound memory or
 * to close the slab allocator, build one and pass it to {@link #SlabByteBufAllocator(SlabAllocator,
 * boolean)}; the caller then owns it. Over the slab allocator's memory limit allocation throws
 * {@link org.slabmag.SlabOutOfMemoryError}, an {@link OutOfMemoryError}.
 *
 * <p><b>After the slab allocator is closed</b> (also while closing races other threads): new direct
 * buffers, growing a direct buffer past its block, {@link #stats()}, {@link #trim()} and the metric's
 * {@code usedDirectMemory()} throw {@link IllegalStateException}; heap buffers are unaffected. Direct
 * buffers still live keep their memory, which the closed slab allocator does not unmap, and work as
 * before; releasing one gives its block back without an exception, and the slab allocator returns each
 * chunk to the OS when its last block comes back.
 *
 * <p><b>Thread safety and memory effects:</b> all methods are thread-safe; buffers follow Netty's rules
 * (access from one thread at a time, reference counting from any). Everything written to a direct
 * buffer before its last release happens-before the allocation that hands the same memory out again, on
 * any thread.
 */
public final class SlabByteBufAllocator extends AbstractByteBufAllocator implements ByteBufAllocatorMetricProvider {
    /**
     * A shared allocator over its own default {@link SlabAllocator}, preferring direct buffers unless
     * {@code -Dio.netty.noPreferDirect=true}.
     */
    public static final SlabByteBufAllocator DEFAULT =
        new SlabByteBufAllocator(!PlatformDependent.isExplicitNoPreferDirect());

    private final SlabAllocator slab;
    /**
     * The slab allocator without its per-block checks: each buffer frees its block exactly once (its
     * reference count guarantees it), with the address and size it was given.
     */
    private final UncheckedBlocks blocks;
    private final LongAdder heapBytes = new LongAdder();
    private final SlabByteBufAllocatorMetric metric;

    /** An allocator over a new default {@link SlabAllocator}, preferring direct buffers. */
    public SlabByteBufAllocator() {
        this(true);
    }

    /**
     * An allocator over a new default {@link SlabAllocator}.
     *
     * @param preferDirect whether {@code buffer()} and {@code ioBuffer()} return direct buffers (as in
     *                     Netty's allocators, only where Netty can free direct buffers reliably)
     */
    public SlabByteBufAllocator(boolean preferDirect) {
        this(SlabAllocator.create(), preferDirect);
    }

    /**
     * An allocator over {@code slab}, preferring direct buffers.
     *
     * @param slab the memory source; owned by the caller
     */
    public SlabByteBufAllocator(SlabAllocator slab) {
        this(slab, true);
    }

    /**
     * An allocator over {@code slab}.
     *
     * @param slab         the memory source; owned by the caller, who must not close it while buffers of
     *                     this allocator are live
     * @param preferDirect whether {@code buffer()} and {@code ioBuffer()} return direct buffers
     */
    public SlabByteBufAllocator(SlabAllocator slab, boolean preferDirect) {
        super(preferDirect);
        this.slab = Objects.requireNonNull(slab, "slab");
        this.blocks = UncheckedBlocks.of(slab);
        this.metric = new SlabByteBufAllocatorMetric(this);
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        int allocSize = SlabDirectByteBuf.requestSize(initialCapacity);
        long address = blocks.allocate(allocSize);
        return toLeakAwareBuffer(new SlabDirectByteBuf(this, address, allocSize, initialCapacity, maxCapacity));
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        ByteBuf buf = PlatformDependent.hasUnsafe()
            ? new CountedUnsafeHeapByteBuf(this, initialCapacity, maxCapacity)
            : new CountedHeapByteBuf(this, initialCapacity, maxCapacity);
        return toLeakAwareBuffer(buf);
    }

    /** Always true: direct buffers are pooled in the slab allocator. */
    @Override
    public boolean isDirectBufferPooled() {
        return true;
    }

    @Override
    public SlabByteBufAllocatorMetric metric() {
        return metric;
    }

    /**
     * A snapshot of the underlying slab allocator's statistics (which include its other users, if it is
     * shared).
     *
     * @return the slab allocator's statistics, as {@link SlabAllocator#stats()}
     * @throws IllegalStateException if the slab allocator is closed
     */
    public AllocatorStats stats() {
        return slab.stats();
    }

    /**
     * The slab allocator behind the direct buffers.
     *
     * @return the slab allocator this allocator was created with
     */
    public SlabAllocator slabAllocator() {
        return slab;
    }

    /**
     * Returns cached and empty memory of the slab allocator to the operating system
     * ({@link SlabAllocator#trim()}). Live buffers are unaffected.
     *
     * @throws IllegalStateException if the slab allocator is closed
     */
    public void trim() {
        slab.trim();
    }

    long allocateRegion(int size) {
        return blocks.allocate(size);
    }

    /** The usable size of a block of {@code size} bytes; also after the slab allocator was closed. */
    int regionSize(int size) {
        return blocks.usableSize(size);
    }

    void freeRegion(long address, int size) {
        blocks.free(address, size);
    }

    long usedHeapBytes() {
        return heapBytes.sum();
    }

    /** Netty's unpooled heap buffer, counted in {@link SlabByteBufAllocatorMetric#usedHeapMemory()}. */
    private static final class CountedHeapByteBuf extends UnpooledHeapByteBuf {
        CountedHeapByteBuf(SlabByteBufAllocator alloc, int initialCapacity, int maxCapacity) {
            super(alloc, initialCapacity, maxCapacity);
        }

        @Override
        protected byte[] allocateArray(int initialCapacity) {
            byte[] array = super.allocateArray(initialCapacity);
            ((SlabByteBufAllocator) alloc()).heapBytes.add(array.length);
            return array;
        }

        @Override
        protected void freeArray(byte[] array) {
            int length = array.length;
            super.freeArray(array);
            ((SlabByteBufAllocator) alloc()).heapBytes.add(-length);
        }
    }

    /** Netty's unsafe unpooled heap buffer, counted in {@link SlabByteBufAllocatorMetric#usedHeapMemory()}. */
    private static final class CountedUnsafeHeapByteBuf extends UnpooledUnsafeHeapByteBuf {
        CountedUnsafeHeapByteBuf(SlabByteBufAllocator alloc, int initialCapacity, int maxCapacity) {
            super(alloc, initialCapacity, maxCapacity);
        }

        @Override
        protected byte[] allocateArray(int initialCapacity) {
            byte[] array = super.allocateArray(initialCapacity);
            ((SlabByteBufAllocator) alloc()).heapBytes.add(array.length);
            return array;
        }

        @Override
        protected void freeArray(byte[] array) {
            int length = array.length;
            super.freeArray(array);
            ((SlabByteBufAllocator) alloc()).heapBytes.add(-length);
        }
    }
}
