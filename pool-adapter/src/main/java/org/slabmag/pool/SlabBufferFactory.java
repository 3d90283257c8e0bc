package org.slabmag.pool;

import org.agrona.MutableDirectBuffer;
import org.apache.commons.pool2.DestroyMode;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.PooledObjectFactory;
import org.slabmag.SlabAllocator;

/**
 * A {@link PooledObjectFactory} of {@link MutableDirectBuffer}s of one capacity, each over its own block of a
 * {@link SlabAllocator} (see {@link SlabPooledBuffer}), for {@code GenericObjectPool} or
 * {@link MagazineObjectPool}.
 *
 * <p>Lifecycle: {@code makeObject} allocates a block (and zeroes it if so configured); {@code destroyObject}
 * frees it exactly once and leaves the buffer zero-length, so a stale reference cannot write into memory that was
 * handed out again; {@code validateObject} checks that the buffer still spans its block; {@code passivateObject}
 * zeroes the block if so configured (and fails for a buffer re-wrapped over other memory, so that the pool
 * destroys it); {@code activateObject} does nothing. No call leaves memory allocated when it throws, and a buffer
 * the pool drops for any reason (eviction, {@code clear}, {@code invalidateObject}, {@code close}, a failed
 * validation or passivation) is freed when the pool destroys it.
 *
 * <p>After the allocator was closed: {@code makeObject} throws {@link IllegalStateException}; buffers already
 * made keep their memory, and {@code destroyObject} still frees it (see {@link SlabPooledBuffer#free()}), so a
 * pool closed after its allocator neither throws nor leaks.
 *
 * <p>Thread-safe; the allocator's memory effects apply (writes before {@code free} happen-before the reuse).
 */
public final class SlabBufferFactory implements PooledObjectFactory<MutableDirectBuffer> {
    private final SlabAllocator allocator;
    private final int capacity;
    private final boolean zeroed;

    /**
     * Creates a factory of buffers of one capacity over blocks of {@code allocator}.
     *
     * @param allocator       the allocator the buffers' memory comes from
     * @param capacity        the capacity of every buffer, at least 1
     * @param zeroed          whether buffers are lent zeroed: zeroed when made and when passivated
     * @throws IllegalArgumentException if {@code capacity < 1}
     */
    public SlabBufferFactory(final SlabAllocator allocator, final int capacity, final boolean zeroed) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        if (allocator == null) {
            throw new NullPointerException("allocator");
        }
        this.allocator = allocator;
        this.capacity = capacity;
        this.zeroed = zeroed;
    }

    /** {@return the capacity of every buffer} */
    public int capacity() {
        return capacity;
    }

    @Override
    public PooledObject<MutableDirectBuffer> makeObject() {
        final SlabPooledBuffer b = SlabPooledBuffer.allocate(allocator, capacity);
        if (zeroed) {
            b.zero();
        }
        return b;
    }

    @Override
    public void destroyObject(final PooledObject<MutableDirectBuffer> p) {
        SlabPooledBuffer.of(p).free();
    }

    @Override
    public void destroyObject(final PooledObject<MutableDirectBuffer> p, final DestroyMode mode) {
        destroyObject(p);
    }

    @Override
    public boolean validateObject(final PooledObject<MutableDirectBuffer> p) {
        final SlabPooledBuffer b = SlabPooledBuffer.of(p);
        return b.capacity() == capacity && b.isBacked();
    }

    @Override
    public void activateObject(final PooledObject<MutableDirectBuffer> p) {
        // A buffer needs no activation: it is usable as soon as it is made.
    }

    @Override
    public void passivateObject(final PooledObject<MutableDirectBuffer> p) {
        if (zeroed) {
            SlabPooledBuffer.of(p).zero();
        }
    }

    @Override
    public String toString() {
        return "SlabBufferFactory[capacity=" + capacity + ", zeroed=" + zeroed + ']';
    }
}
