/**
 * slabmag's internals, in layers; <b>not an API</b>: nothing here is for applications, and any of it may
 * change in any release. The public API is {@link org.slabmag}; slabmag's own adapters reach the unchecked
 * fast path through {@link org.slabmag.UncheckedBlocks} only.
 *
 * <h2>Layers, lowest first</h2>
 * <ol>
 *   <li>{@link org.slabmag.internal.memory}: native memory from the operating system (reserve, release, give
 *       pages back). The only code that touches {@code Unsafe} or the FFM API.</li>
 *   <li>{@link org.slabmag.internal.heap}: the heap: chunks, the page allocator over their pages, slabs of one
 *       size class, huge blocks, and the lock in front of it all. Knows nothing above it.</li>
 *   <li>{@link org.slabmag.internal.magazine}: the magazine layer: magazines, depots, the exchange rules between
 *       a cache's loaded and previous magazine, the thread-cache registry and the shared stripes, written once
 *       and used by the allocator (rounds are block addresses) and by the pool adapter's
 *       {@code MagazineObjectPool} (rounds are object references).</li>
 *   <li>This package: what spans the layers: {@link org.slabmag.internal.Reclaimer}, the one daemon thread that
 *       runs every allocator's (and pool's) periodic maintenance, and {@link org.slabmag.internal.MemoryDecay},
 *       an allocator's decay step. {@link org.slabmag.internal.event} holds the JFR events any layer emits.</li>
 * </ol>
 * A package depends only on packages below it (and on {@code event}); no package depends on
 * {@link org.slabmag}, so the API package sits on top without a cycle.
 *
 * <h2>Vocabulary, used the same way in every layer</h2>
 * <ul>
 *   <li><b>Chunk</b>: a region of native memory aligned to its size; <b>page</b>: 4 KiB of a chunk;
 *       <b>slab</b>: a run of pages cut into blocks of one <b>size class</b>; <b>block</b>: what a user
 *       holds.</li>
 *   <li><b>Round</b>: one entry of a magazine (a free block's address, or an idle object's reference);
 *       <b>magazine</b>: a bounded stack of rounds; <b>loaded</b>/<b>previous</b>: a cache's two magazines of
 *       one slot; <b>depot</b>: the lock-free exchange of full and empty magazines between caches;
 *       <b>cache</b>: one thread's magazines (private) or one stripe's (shared).</li>
 *   <li><b>Give back</b>: move cached memory one layer down (magazine to heap, free chunk to the OS);
 *       <b>decay</b>: give back what stayed unused for a decay time; <b>trim</b>: give back now.</li>
 * </ul>
 *
 * <h2>Ordering vocabulary, as in JCTools</h2>
 * Javadoc states every memory-ordering claim with these words: <em>plain</em> (no ordering; safe only for the
 * owner, or for a racy read whose result is checked), <em>release</em>/<em>acquire</em> (a store that
 * publishes everything before it to the thread whose load sees it: a depot queue's offer and poll, a
 * {@code setRelease}/{@code getAcquire}), <em>volatile</em> (sequentially consistent), <em>CAS</em>, and
 * <em>lock</em> (everything before an unlock happens-before everything after the next lock of the same lock).
 * {@code Thread.isAlive() == false} happens-after everything that thread did (JLS 17.4.4): the registry relies
 * on it to take over dead threads' caches.
 *
 * <h2>Padding</h2>
 * One convention: a field written on every call by its owner and read by other threads (a magazine's count of
 * rounds, a thread cache's counters) sits between two abstract classes of eight {@code long}s
 * ({@code ...L0Pad}, then the fields, then {@code ...L1Pad}), so no other object's hot field shares its cache
 * line (JCTools' layout).
 */
package org.slabmag.internal;
