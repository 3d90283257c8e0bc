package org.slabmag.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.slabmag.SlabAllocator;
import org.slabmag.UncheckedBlocks;

/**
 * A pooled {@link MutableDirectBuffer} of fixed capacity over one block of a {@link SlabAllocator}, as made by
 * {@link SlabBufferFactory} and {@link SlabBufferKeyedFactory}. It remembers the block it owns, so the block is
 * freed exactly once whatever the pool or the buffer's user did, even if the buffer was re-wrapped over other
 * memory ({@link MutableDirectBuffer} allows {@code wrap}); such a buffer fails validation and passivation.
 *
 * <p>After the allocator was closed a buffer keeps its block, which the closed allocator does not unmap, and
 * {@link #free()} still gives it back; only making new buffers fails ({@link IllegalStateException}).
 *
 * <p>Once freed, the buffer is wrapped over a zero-length region at address 0: a stale reference to it cannot
 * reach the block, which the allocator may already have handed to someone else. Any access then fails Agrona's
 * bounds check with {@link IndexOutOfBoundsException} (if bounds checks are disabled with
 * {@code agrona.disable.bounds.checks}, it faults at address 0 instead of writing into reused memory).
 *
 * <p>Thread-safety: {@link #free()} is atomic and idempotent. The buffer itself is not thread-safe; a stale
 * reference is guaranteed to see the zero-length region only on a thread that has happens-before with
 * {@link #free()} (as it has when the pool destroyed the buffer in response to that thread's call).
 */
public final class SlabPooledBuffer extends DefaultPooledObject<MutableDirectBuffer> {
    private static final VarHandle FREED;

    static {
        try {
            FREED = MethodHandles.lookup().findVarHandle(SlabPooledBuffer.class, "freed", boolean.class);
        } catch (final ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The allocator's free that also works after close (with every check of {@link SlabAllocator#free}). */
    private final UncheckedBlocks blocks;
    private final long address;
    private final int capacity;
    private volatile boolean freed;

    private SlabPooledBuffer(final SlabAllocator allocator, final long address, final int capacity) {
        super(new UnsafeBuffer(address, capacity));
        this.blocks = UncheckedBlocks.of(allocator);
        this.address = address;
        this.capacity = capacity;
    }

    /**
     * Allocates a block and wraps it; nothing stays allocated if wrapping fails.
     *
     * @param allocator the allocator
     * @param capacity  the buffer capacity in bytes, at least 1
     * @return the new buffer, not zeroed
     * @throws IllegalArgumentException         if {@code capacity < 1}
     * @throws org.slabmag.SlabOutOfMemoryError if the allocator's memory limit would be passed
     */
    public static SlabPooledBuffer allocate(final SlabAllocator allocator, final int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        final UncheckedBlocks blocks = UncheckedBlocks.of(allocator);
        final long address = blocks.allocateChecked(capacity);
        try {
            return new SlabPooledBuffer(allocator, address, capacity);
        } catch (final RuntimeException | Error e) {
            blocks.freeChecked(address, capacity);
            throw e;
        }
    }

    /**
     * @param p a pooled object made by a slab buffer factory
     * @return it, as this type
     * @throws IllegalArgumentException if it was made by something else
     */
    static SlabPooledBuffer of(final PooledObject<MutableDirectBuffer> p) {
        if (p instanceof SlabPooledBuffer) {
            return (SlabPooledBuffer) p;
        }
        throw new IllegalArgumentException("Not a slab buffer made by a slabmag factory: " + p);
    }

    /** {@return the native address of the block} */
    public long address() {
        return address;
    }

    /** {@return the buffer capacity in bytes (the size requested from the allocator)} */
    public int capacity() {
        return capacity;
    }

    /** {@return whether the buffer still spans exactly its block, which has not been freed} */
    public boolean isBacked() {
        final MutableDirectBuffer b = getObject();
        return !freed && b.addressOffset() == address && b.capacity() == capacity && b.byteArray() == null;
    }

    /**
     * Zeroes the whole block.
     *
     * @throws IllegalStateException if the buffer is not {@linkplain #isBacked() backed}
     */
    public void zero() {
        if (!isBacked()) {
            throw new IllegalStateException("Buffer no longer spans its slab block: " + getObject());
        }
        getObject().setMemory(0, capacity, (byte) 0);
    }

    /**
     * Makes the buffer zero-length and frees the block, once. Also after the allocator was closed: the
     * block then goes back to the closed allocator, which returns its chunk to the OS once nothing else in
     * it is held (see {@link SlabAllocator#close()}).
     *
     * @return false if it had already been freed
     */
    public boolean free() {
        if (!FREED.compareAndSet(this, false, true)) {
            return false;
        }
        getObject().wrap(0L, 0);
        blocks.freeChecked(address, capacity);
        return true;
    }

    @Override
    public String toString() {
        return "SlabPooledBuffer[address=0x" + Long.toHexString(address) + ", capacity=" + capacity
                + (freed ? ", freed]" : "]");
    }
}
