/**
 * The heap: chunks of native memory, a page allocator over their pages, slabs of one size class, huge
 * blocks, and the lock in front of them; <b>not an API</b>.
 *
 * <ul>
 *   <li>{@link org.slabmag.internal.heap.SizeClasses}: request size to size class, O(1).</li>
 *   <li>{@link org.slabmag.internal.heap.Chunk} and {@link org.slabmag.internal.heap.ChunkMap}: a chunk is aligned
 *       to its size, so an address maps to its chunk, page and slab without a lock.</li>
 *   <li>{@link org.slabmag.internal.heap.PageRuns}: runs of whole pages over all chunks, best fit, coalesced at
 *       once.</li>
 *   <li>{@link org.slabmag.internal.heap.Slab} and {@link org.slabmag.internal.heap.SlabCache}: blocks of one
 *       class, with an out-of-band bitmap and a state byte per block; new blocks come from the lowest chunk's
 *       partial slabs first.</li>
 *   <li>{@link org.slabmag.internal.heap.Heap}: the whole, unsynchronized; {@link
 *       org.slabmag.internal.heap.LockedHeap}: the heap behind one lock, with batch entry points.</li>
 *   <li>{@link org.slabmag.internal.heap.MemoryLimitExceeded}: the signal that a request would pass
 *       {@code maxMemory}; the allocator's memory-pressure policy above catches it.</li>
 * </ul>
 *
 * <p><b>Ownership.</b> Everything here is guarded by the {@code LockedHeap}'s lock, except what a class comment
 * names as lock-free: {@code ChunkMap} lookups, {@code Chunk.slabs} reads and slab state bytes, which a thread
 * reads only for blocks it received through a happens-before chain that starts after the heap wrote them. The
 * heap's API takes and gives back blocks in arrays; it knows no magazine, cache or thread.
 *
 * <p><b>Closing.</b> {@code Heap}'s closed flag is the allocator's one closed flag: written under the lock
 * with release semantics, read under the lock by the heap, and plainly by the fast paths above, which may miss
 * a racing close safely because only the heap hands memory out.
 *
 * <p><b>Memory effects.</b> Lock: what a thread wrote to a block before giving it back here happens-before the
 * call that hands the block out again.
 */
package org.slabmag.internal.heap;
