/**
 * Apache Commons Pool 2 support for slabmag.
 *
 * <ul>
 * <li>{@link org.slabmag.pool.SlabBufferFactory} and {@link org.slabmag.pool.SlabBufferKeyedFactory}: factories of
 * Agrona {@code MutableDirectBuffer}s whose memory comes from a {@link org.slabmag.SlabAllocator}, for
 * {@code GenericObjectPool}, {@code GenericKeyedObjectPool} or {@link org.slabmag.pool.MagazineObjectPool}.</li>
 * <li>{@link org.slabmag.pool.MagazineObjectPool}: an {@code ObjectPool} of any objects built on the allocator's
 * own scheme of per-thread magazines and a lock-free depot (Bonwick &amp; Adams 2001), configured by
 * {@link org.slabmag.pool.MagazineObjectPoolConfig}.</li>
 * </ul>
 *
 * <p>There is no keyed magazine pool: a keyed pool's limits span keys ({@code maxTotal} across all keys, idle
 * objects of one key destroyed to make room for another), which per-key magazine pools cannot enforce without a
 * shared counter on the hot path. Use {@code GenericKeyedObjectPool} with {@link
 * org.slabmag.pool.SlabBufferKeyedFactory}, or one {@code MagazineObjectPool} per key when per-key limits
 * suffice.
 */
package org.slabmag.pool;
