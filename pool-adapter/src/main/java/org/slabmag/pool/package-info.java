/**
 * Apache Commons Pool 2 support for slabmag.
 *
 * <ul>
 * <li>{@link org.slabmag.pool.SlabBufferFactory} and {@link org.slabmag.pool.SlabBufferKeyedFactory}: factories of
 * Agrona {@code MutableDirectBuffer}s whose memory comes from a {@link org.slabmag.SlabAllocator}, for
 * {@code GenericObjectPool}, {@code GenericKeyedObjectPool} or the pools below.</li>
 * <li>{@link org.slabmag.pool.MagazineObjectPool}: an {@code ObjectPool} of any objects built on the allocator's
 * own scheme of per-thread magazines and a lock-free depot (Bonwick &amp; Adams 2001), configured by
 * {@link org.slabmag.pool.MagazineObjectPoolConfig} with {@code GenericObjectPoolConfig}'s names.</li>
 * <li>{@link org.slabmag.pool.MagazineKeyedObjectPool}: a {@code KeyedObjectPool} made of one magazine pool per
 * key behind a shared capacity gate for {@code maxTotal}, with one evictor for all keys, configured by
 * {@link org.slabmag.pool.MagazineKeyedObjectPoolConfig} with {@code GenericKeyedObjectPoolConfig}'s names.</li>
 * </ul>
 *
 * <p>Both pools register MXBeans where the Commons Pool pools register theirs, and run their evictors and
 * abandoned-object removal on core's shared maintenance thread.
 */
package org.slabmag.pool;
