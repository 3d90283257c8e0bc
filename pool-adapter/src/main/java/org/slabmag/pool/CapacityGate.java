package org.slabmag.pool;

/**
 * Decides whether a {@link MagazineObjectPool} may create an object, in place of its own {@code maxTotal}, so that
 * pools sharing one gate share one limit ({@link MagazineKeyedObjectPool}'s {@code maxTotal} across keys).
 * Implementations must be thread-safe and must not block: {@link #reserve()} may be called while the pool holds
 * its lock.
 */
interface CapacityGate {
    /**
     * Asks for room for one more object.
     *
     * @return true if the pool may create one; the pool then calls {@link #release()} once when that object is
     *         destroyed, or when its creation fails
     */
    boolean reserve();

    /** Gives back the room of one object that {@link #reserve()} granted. */
    void release();
}
