package org.slabmag.pool;

import org.agrona.MutableDirectBuffer;
import org.apache.commons.pool2.DestroyMode;
import org.apache.commons.pool2.KeyedPooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.slabmag.SlabAllocator;

/**
 * A {@link KeyedPooledObjectFactory} of {@link MutableDirectBuffer}s keyed by capacity in bytes, each over its own
 * block of a {@link SlabAllocator} (see {@link SlabPooledBuffer}), for {@code GenericKeyedObjectPool}. The
 * lifecycle is that of {@link SlabBufferFactory}, with the key as the capacity; validation also checks that the
 * buffer's capacity matches its key.
 *
 * <p>After the allocator was closed: {@code makeObject} throws {@link IllegalStateException}; buffers already
 * made keep their memory, and {@code destroyObject} still frees it (see {@link SlabPooledBuffer#free()}), so a
 * pool closed after its allocator neither throws nor leaks.
 *
 * <p>Thread-safe; the allocator's memory effects apply (writes before {@code free} happen-before the reuse).
 */
public final class SlabBufferKeyedFactory implements KeyedPooledObjectFactory<Integer, MutableDirectBuffer> {
    private final SlabAllocator allocator;
    private final boolean zeroed;

    /**
     * Creates a factory of buffers of the key's capacity over blocks of {@code allocator}.
     *
     * @param allocator the allocator the buffers' memory comes from
     * @param zeroed    whether buffers are lent zeroed: zeroed when made and when passivated
     */
    public SlabBufferKeyedFactory(final SlabAllocator allocator, final boolean zeroed) {
        if (allocator == null) {
            throw new NullPointerException("allocator");
        }
        this.allocator = allocator;
        this.zeroed = zeroed;
    }

    /**
     * @throws IllegalArgumentException if {@code capacity < 1}
     */
    @Override
    public PooledObject<MutableDirectBuffer> makeObject(final Integer capacity) {
        final SlabPooledBuffer b = SlabPooledBuffer.allocate(allocator, capacity);
        if (zeroed) {
            b.zero();
        }
        return b;
    }

    @Override
    public void destroyObject(final Integer capacity, final PooledObject<MutableDirectBuffer> p) {
        SlabPooledBuffer.of(p).free();
    }

    @Override
    public void destroyObject(final Integer capacity, final PooledObject<MutableDirectBuffer> p,
                              final DestroyMode mode) {
        destroyObject(capacity, p);
    }

    @Override
    public boolean validateObject(final Integer capacity, final PooledObject<MutableDirectBuffer> p) {
        final SlabPooledBuffer b = SlabPooledBuffer.of(p);
        return b.capacity() == capacity && b.isBacked();
    }

    @Override
    public void activateObject(final Integer capacity, final PooledObject<MutableDirectBuffer> p) {
        // A buffer needs no activation: it is usable as soon as it is made.
    }

    @Override
    public void passivateObject(final Integer capacity, final PooledObject<MutableDirectBuffer> p) {
        if (zeroed) {
            SlabPooledBuffer.of(p).zero();
        }
    }

    @Override
    public String toString() {
        return "SlabBufferKeyedFactory[zeroed=" + zeroed + ']';
    }
}
