/**
 * The magazine layer (Bonwick and Adams, "Magazines and Vmem", 2001), written once for the allocator and for
 * the pool adapter; <b>not an API</b>.
 *
 * <h2>The shared parts</h2>
 * <ul>
 *   <li>{@link org.slabmag.internal.magazine.Magazine}: a bounded stack of rounds, its count padded; round
 *       storage is specialised where speed needs it: {@link org.slabmag.internal.magazine.AddressMagazine}
 *       ({@code long} addresses and their slabs, the allocator) and
 *       {@link org.slabmag.internal.magazine.ReferenceMagazine} (references, the pool).</li>
 *   <li>{@link org.slabmag.internal.magazine.MagazineRack}: a cache's loaded and previous magazine per slot, and
 *       the exchange rules between them ({@code swapForRounds}, {@code swapForRoom}, {@code rotate}).</li>
 *   <li>{@link org.slabmag.internal.magazine.Depot}: the lock-free exchange of full and empty magazines between
 *       caches, with working-set reclaim.</li>
 *   <li>{@link org.slabmag.internal.magazine.ThreadCaches}: who gets a private cache (platform threads after a
 *       warm-up; never virtual threads), how a thread finds its own (slot table, then a {@code ThreadLocal}),
 *       and the registry that takes back dead threads' caches, O(1) amortised.</li>
 *   <li>{@link org.slabmag.internal.magazine.Stripes}: caches shared by the threads without a private one,
 *       each behind a try-lock.</li>
 * </ul>
 *
 * <h2>The allocator's specialisation</h2>
 * {@link org.slabmag.internal.magazine.ThreadCache} (the allocator's fast path, in one file),
 * {@link org.slabmag.internal.magazine.ClassDepot} (a depot per size class that grows its magazines under
 * heap-lock contention) and {@link org.slabmag.internal.magazine.MagazineLayer} (the whole, in front of the
 * {@code LockedHeap}). The pool adapter's specialisation lives in {@code org.slabmag.pool.internal}; the pool's
 * claim-by-CAS of idle objects stays there.
 *
 * <h2>Ownership rules</h2>
 * <ul>
 *   <li>A magazine is owned by one thread at a time: the owner of the cache that holds it, the holder of a
 *       stripe's lock, or the thread that polled it from a depot. Only the owner writes it.</li>
 *   <li>A private cache is written only by its owner thread. Another thread may read it racily (statistics, a
 *       pool's search for idle objects, whose hits are confirmed by CAS) and takes it over only after
 *       {@code owner.isAlive()} returned false.</li>
 *   <li>A live owner gives its magazines back itself, at its next trip to the depot after the layer asked;
 *       nobody robs a live thread's private magazines.</li>
 * </ul>
 *
 * <h2>Memory effects</h2>
 * Rounds move between threads only inside a magazine passed through a depot queue (release on offer, acquire
 * on poll), under a stripe's lock, or under the heap lock; so everything a thread wrote to a block, or an
 * object, before putting it into a magazine happens-before everything the thread that takes it out does.
 */
package org.slabmag.internal.magazine;
