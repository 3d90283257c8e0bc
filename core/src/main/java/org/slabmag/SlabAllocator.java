package org.slabmag;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.management.ObjectName;

import org.slabmag.internal.MemoryDecay;
import org.slabmag.internal.Reclaimer;
import org.slabmag.internal.heap.Heap;
import org.slabmag.internal.heap.HeapSnapshot;
import org.slabmag.internal.heap.LockedHeap;
import org.slabmag.internal.heap.MemoryLimitExceeded;
import org.slabmag.internal.heap.SizeClasses;
import org.slabmag.internal.magazine.MagazineLayer;
import org.slabmag.internal.memory.NativeMemory;

/**
 * A concurrent allocator of native (off-heap) memory.
 *
 * <p>Requests up to 64 KiB get a block of one of 44 size classes, carved from slabs; larger requests
 * up to the chunk size get a run of exactly the pages they need from a page allocator (best fit,
 * free neighbours merged at once); larger still get dedicated memory. Blocks of the slab classes
 * circulate through per-thread magazines and a lock-free depot, so the common
 * {@code allocate}/{@code free} takes no lock and no atomic instruction, and a free from another
 * thread costs the same as a local one. See {@link SlabAllocatorBuilder} for the knobs.
 *
 * <p><b>Alignment.</b> Every address is aligned to at least 16 bytes, and to the largest power of
 * two dividing its block size, up to 4096: blocks of power-of-two size are naturally aligned, blocks
 * above 64 KiB are page-aligned. {@link #allocate(int, int)} gives any power-of-two alignment up to
 * 4096.
 *
 * <p><b>Errors.</b> Sizes {@code <= 0} and bad alignments: {@link IllegalArgumentException}. A free of
 * an address this allocator did not hand out, of an interior address, or with a size of another
 * class, or of a block never handed out: {@link IllegalArgumentException}, and nothing changes. A
 * double free is rejected with {@link IllegalStateException} as long as the block was not handed out
 * again in between: always for blocks above 64 KiB while their pages are free; for smaller blocks
 * whenever the two frees are ordered by happens-before (each block carries a state byte, written
 * plainly), and in hardened mode also when two threads free the same block at the same moment (the
 * byte changes by compare-and-set). A double free whose slab has meanwhile gone back to the page
 * allocator is refused as an address that is no block ({@link IllegalArgumentException}). <b>Not
 * caught, in any mode:</b> a stale free made after the block was handed out again (to this or another
 * user) frees the new owner's block, whose memory may then be handed out again or returned to the OS
 * under it; catching it would need a quarantine of freed blocks, which slabmag does not have. Like any
 * raw address, a block must not be touched after it was freed: its memory may have gone back to the
 * OS ({@link #trim()}). Over {@code maxMemory}: {@link SlabOutOfMemoryError}, after which the
 * allocator still serves. Any call after {@link #close()} other than {@link #close()},
 * {@link #isClosed()} and the configuration getters ({@link #chunkSize()}, {@link #maxMemory()},
 * {@link #isHardened()}, {@link #hasThreadCaches()}): {@link IllegalStateException}.
 *
 * <p><b>Thread-safety and memory effects.</b> All methods are thread-safe, {@link #close()} included:
 * a call racing {@code close()} completes normally or throws {@link IllegalStateException}, and no
 * memory is returned to the OS while a user or a thread cache holds a block in it (see
 * {@link #close()}). Everything a thread wrote to a block before
 * {@code free} happens-before the {@code allocate} that hands the same block to another thread.
 *
 * <p><b>Memory held.</b> A platform thread that keeps allocating gets private magazines (after
 * {@link SlabAllocatorBuilder#threadCacheWarmUp(int) a warm-up} through shared ones); virtual threads
 * and threads warming up share striped magazines that any thread can reach. Memory freed and not
 * reused for the {@link SlabAllocatorBuilder#decay(java.time.Duration) decay time} (default 10 s) goes
 * back to the heap and the operating system by itself, through one shared daemon thread
 * ({@code slabmag-reclaimer}) that holds allocators weakly (their MBean, while registered, does
 * not): the blocks of threads that ended, of idle stripes and of the depot, then spare slabs and free
 * chunks. A live thread's private magazines go back
 * at its next trip to the depot after it was idle for a decay time; until then an idle thread holds at
 * most two magazines per class. Over the memory limit, every cache a thread can reach is given back
 * before {@link SlabOutOfMemoryError} is thrown, and its message tells bytes in users' hands from bytes
 * cached. {@link #trim()} gives back at once what the calling thread can reach.
 *
 * <p><b>Observability.</b> Each allocator registers a {@link SlabAllocatorMXBean} under
 * {@code org.slabmag:type=SlabAllocator,name=...} unless built with {@code jmx(false)}, until {@link #close()};
 * it emits {@code org.slabmag.*} JFR events on its slow paths when a recording enables them; and
 * {@code org.slabmag.metrics.SlabAllocatorMetrics} binds it to a Micrometer registry.
 */
public final class SlabAllocator implements AutoCloseable {
    /** A block in a user's hands: {@link #free} takes it back. */
    static final int USER = 0;
    /** A block an adapter holds without a state mark ({@link UncheckedBlocks}): a user's free is refused. */
    static final int ADAPTER_UNCHECKED = 1;
    /** A block an adapter holds, marked as such: a user's free is refused, the adapter's is checked. */
    static final int ADAPTER_CHECKED = 2;
    private static final int MAX_ALIGNMENT = SizeClasses.PAGE_SIZE;
    private static final int MIN_ALIGNMENT = 16;

    final LockedHeap heap;
    final Heap rawHeap;
    /** Null without thread caches. */
    final MagazineLayer magazines;
    /** Null when decay is off. */
    private final MemoryDecay decay;
    private final int chunkSize;
    private final long maxMemory;
    /** The registered MBean, or null (JMX off, or registration under a default name failed). */
    private final AllocatorMBean mbean;

    SlabAllocator(int chunkSize, long maxMemory, boolean hardened, boolean threadCaches, int magazineBytes,
                  int depotBytes, long reclaimNanos, long decayNanos, int warmUpCalls, boolean jmx,
                  String jmxName) {
        NativeMemory.ensureAccessible();
        this.chunkSize = chunkSize;
        this.maxMemory = maxMemory;
        this.rawHeap = new Heap(chunkSize, maxMemory, hardened);
        this.heap = new LockedHeap(rawHeap);
        this.magazines = threadCaches
            ? new MagazineLayer(heap, magazineBytes, depotBytes, reclaimNanos, warmUpCalls) : null;
        if (decayNanos > 0) {
            this.decay = new MemoryDecay(heap, magazines);
            Reclaimer.register(decay, Math.max(1, decayNanos / 2));
        } else {
            this.decay = null;
        }
        this.mbean = jmx ? AllocatorMBean.register(this, jmxName) : null; // last: the MBean may be read at once
    }

    /**
     * An allocator with the defaults: 4 MiB chunks, no memory limit, thread caches on, hardened mode
     * from the system property {@code slabmag.hardened}.
     *
     * @return a new open allocator with the defaults
     * @throws IllegalStateException if the JVM lacks {@code --add-opens java.base/jdk.internal.misc=ALL-UNNAMED}
     */
    public static SlabAllocator create() {
        return builder().build();
    }

    /**
     * A builder for an allocator with other settings.
     *
     * @return a new builder holding the defaults of {@link #create()}
     */
    public static SlabAllocatorBuilder builder() {
        return new SlabAllocatorBuilder();
    }

    /**
     * Allocates at least {@code size} bytes (see {@link #usableSize(int)}). The memory is not zeroed.
     *
     * @param size bytes, at least 1
     * @return the native address of the block
     * @throws IllegalArgumentException if {@code size <= 0}
     * @throws SlabOutOfMemoryError     if the memory limit would be passed
     * @throws IllegalStateException    after {@link #close()}
     */
    public long allocate(int size) {
        checkSize(size);
        checkOpen();
        int c = SizeClasses.classOf(size);
        if (c >= 0) {
            return allocateSmall(c, size, USER);
        }
        return allocateLarge(size, size, false);
    }

    /**
     * Allocates at least {@code size} bytes aligned to {@code alignment}. The memory is not zeroed.
     *
     * @param size      bytes, at least 1
     * @param alignment a power of two, at most 4096
     * @return the native address of the block, a multiple of {@code alignment}
     * @throws IllegalArgumentException if {@code size <= 0} or {@code alignment} is not a power of two
     *                                  up to 4096
     * @throws SlabOutOfMemoryError     if the memory limit would be passed
     * @throws IllegalStateException    after {@link #close()}
     */
    public long allocate(int size, int alignment) {
        checkSize(size);
        checkAlignment(alignment);
        checkOpen();
        long aligned = alignedSize(size, alignment);
        if (aligned <= SizeClasses.MAX_SLAB_BLOCK) {
            int c = SizeClasses.classOf((int) aligned);
            return allocateSmall(c, size, USER);
        }
        return allocateLarge(aligned, size, false);
    }

    /**
     * Frees a block.
     *
     * @param address an address returned by {@link #allocate(int)}
     * @param size    the size passed to that call
     * @throws IllegalArgumentException if {@code address} is not a live block of that size from this
     *                                  allocator (nothing is changed)
     * @throws IllegalStateException    on a detected double free, or after {@link #close()}
     */
    public void free(long address, int size) {
        checkSize(size);
        checkOpen();
        int c = SizeClasses.classOf(size);
        if (c >= 0) {
            freeSmall(address, c, size);
        } else {
            heap.freeLarge(address, size, size, false);
        }
    }

    /**
     * Frees a block from {@link #allocate(int, int)}; {@code size} and {@code alignment} as passed
     * there.
     *
     * @param address   an address returned by {@link #allocate(int, int)}
     * @param size      the size passed to that call
     * @param alignment the alignment passed to that call
     * @throws IllegalArgumentException if {@code address} is not a live block of that size and alignment from
     *                                  this allocator (nothing is changed)
     * @throws IllegalStateException    on a detected double free, or after {@link #close()}
     */
    public void free(long address, int size, int alignment) {
        checkSize(size);
        checkAlignment(alignment);
        checkOpen();
        long aligned = alignedSize(size, alignment);
        if (aligned <= SizeClasses.MAX_SLAB_BLOCK) {
            freeSmall(address, SizeClasses.classOf((int) aligned), size);
        } else {
            heap.freeLarge(address, aligned, size, false);
        }
    }

    /**
     * Bytes really reserved for a request of {@code size} bytes: the block size of its class, or above
     * 64 KiB the request rounded up to whole pages (a page run, or a dedicated block above the chunk size;
     * capped at {@link Integer#MAX_VALUE}). All of them may be used.
     *
     * @param size the requested bytes, at least 1
     * @return the usable bytes of a block for that request, {@code >= size}
     * @throws IllegalArgumentException if {@code size <= 0}
     * @throws IllegalStateException    after {@link #close()}
     */
    public int usableSize(int size) {
        checkSize(size);
        checkOpen();
        int c = SizeClasses.classOf(size);
        if (c >= 0) {
            return SizeClasses.blockSize(c);
        }
        return (int) Math.min(Integer.MAX_VALUE, Heap.largeUsableSize(size));
    }

    /**
     * A snapshot of memory and counters; see {@link AllocatorStats} for when it is exact.
     *
     * @return a new snapshot, never null
     * @throws IllegalStateException after {@link #close()}, also when racing it
     */
    public AllocatorStats stats() {
        checkOpen();
        long[] threadTotals = new long[3];
        long[] cachedRounds = new long[SizeClasses.COUNT];
        HeapSnapshot h;
        if (decay != null) {
            decay.pause(); // a decay step moving blocks from caches to the heap would tear the snapshot
        }
        try {
            if (magazines != null) {
                magazines.collect(threadTotals, cachedRounds);
            }
            h = heap.snapshot();
        } finally {
            if (decay != null) {
                decay.resume();
            }
        }
        long cachedBytes = 0;
        List<SizeClassStats> classes = new ArrayList<>(SizeClasses.COUNT);
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            int block = SizeClasses.blockSize(c);
            cachedBytes += cachedRounds[c] * block;
            classes.add(new SizeClassStats(block, h.slabsPerClass()[c], h.blocksPerClass()[c],
                h.takenPerClass()[c] - cachedRounds[c], cachedRounds[c],
                magazines != null ? magazines.magazineRounds(c) : 0));
        }
        return new AllocatorStats(h.reservedBytes(), h.residentBytes(), h.takenBytes() - cachedBytes,
            h.requestedBytes() + threadTotals[2], cachedBytes, h.allocations() + threadTotals[0],
            h.deallocations() + threadTotals[1], h.chunks(), h.hugeBlocks(),
            magazines != null ? magazines.threadCaches() : 0, classes);
    }

    /**
     * Returns memory to the operating system: the calling thread's magazines, the caches of threads
     * that ended and the depot go back to the heap, then empty slabs and chunks are released. Blocks
     * in the magazines of other live threads stay there.
     *
     * @throws IllegalStateException after {@link #close()}, also when racing it
     */
    public void trim() {
        checkOpen();
        if (magazines != null) {
            magazines.trim();
        }
        heap.trim();
    }

    /**
     * Closes the allocator: it unregisters its MBean, stops its decay, hands out nothing more, and returns to
     * the operating system all the memory nobody holds, now or as soon as the last holder lets go; it never
     * unmaps memory still in use, so closing is memory-safe whatever other threads are doing.
     *
     * <p>What happens at once: the heap stops handing out memory; the calling thread's magazines,
     * the caches of threads that ended and the depot go back to the heap; every spare slab and every
     * chunk with no block out of the heap are returned to the OS.
     *
     * <p>What stays mapped: every chunk holding a block that a user has not freed, or that sits in
     * the magazines of another live thread, and every huge block not freed. A block in a user's hands
     * stays readable and writable; a user's {@link #free} of it throws {@link IllegalStateException}
     * like every later call, so its chunk stays mapped until the JVM exits (free blocks before closing
     * to get their memory back). A block a Netty buffer of slabmag's adapter holds goes back when the
     * buffer is released, without an exception. Another thread's magazines go back when that thread
     * next calls this allocator (and gets {@link IllegalStateException}), or after it ended, when
     * some thread next calls. A chunk whose last block comes back is returned to the OS then.
     *
     * <p>Thread-safety: may race with any call. A racing call completes normally (with memory that
     * stays valid) or throws {@link IllegalStateException}. Calls ordered after {@code close()} by
     * happens-before (on the closing thread, or after synchronizing with it) throw
     * {@link IllegalStateException} (see the class comment for the exceptions); the closed check is a
     * plain read, so a thread not synchronized with the closing one may still be served from its own
     * magazines for a while, with memory that stays valid, but never gets memory from the heap.
     * Calling it again has no effect.
     */
    @Override
    public void close() {
        if (!heap.close()) {
            return;
        }
        if (decay != null) {
            decay.cancel();
        }
        if (mbean != null) {
            mbean.unregister();
        }
        if (magazines != null) {
            magazines.trim();
        }
    }

    /**
     * The chunk size.
     *
     * @return the bytes per chunk, a power of two from 1 MiB to 1 GiB
     */
    public int chunkSize() {
        return chunkSize;
    }

    /**
     * The memory limit.
     *
     * @return the limit on reserved bytes; {@link Long#MAX_VALUE} when unlimited
     */
    public long maxMemory() {
        return maxMemory;
    }

    /**
     * Whether double frees of small blocks racing on two threads are detected too (hardened mode).
     *
     * @return true if the state byte of a block changes by compare-and-set, false if by plain writes
     */
    public boolean isHardened() {
        return rawHeap.hardened();
    }

    /**
     * Whether per-thread magazines are on.
     *
     * @return true if calls go through magazines and the depot, false if every call takes the heap lock
     */
    public boolean hasThreadCaches() {
        return magazines != null;
    }

    /**
     * The most bytes of free blocks one thread's private magazines can hold: two magazines per size
     * class, each of the largest size its class may grow to (0 without thread caches). This bounds
     * what an idle live thread keeps until its next trip to the depot; see the class comment.
     *
     * @return the bound in bytes, {@code >= 0}
     */
    public long maxThreadCacheBytes() {
        return magazines != null ? magazines.privateCacheBound() : 0;
    }

    /**
     * The name of this allocator's {@link SlabAllocatorMXBean} in the platform MBean server; empty if JMX is off
     * for it, if registration under a default name failed, or after {@link #close()}.
     *
     * @return the registered name, or empty; never null
     */
    public Optional<ObjectName> objectName() {
        return mbean == null || isClosed() ? Optional.empty() : Optional.of(mbean.objectName());
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once {@link #close()} was called on any thread (an acquire read)
     */
    public boolean isClosed() {
        return rawHeap.isClosed();
    }

    private void freeSmall(long address, int c, int size) {
        if (magazines != null) {
            magazines.free(address, c, size);
        } else {
            heap.freeSmall(address, c, size, false);
        }
    }

    /**
     * A block of size class {@code c} for {@code holder} ({@link #USER}, {@link #ADAPTER_UNCHECKED} or
     * {@link #ADAPTER_CHECKED}), with the memory-pressure policy: one retry after
     * {@link #relieveMemoryPressure()}.
     */
    long allocateSmall(int c, int requested, int holder) {
        try {
            return takeSmall(c, requested, holder);
        } catch (MemoryLimitExceeded e) {
            return allocateSmallUnderPressure(c, requested, holder);
        }
    }

    /**
     * The second try of {@link #allocateSmall}, after the first failed: {@link #relieveMemoryPressure()}, then
     * once more, then {@link SlabOutOfMemoryError}.
     */
    long allocateSmallUnderPressure(int c, int requested, int holder) {
        relieveMemoryPressure();
        try {
            return takeSmall(c, requested, holder);
        } catch (MemoryLimitExceeded again) {
            throw outOfMemory(again);
        }
    }

    private long takeSmall(int c, int requested, int holder) {
        if (magazines == null) {
            return heap.allocateSmall(c, requested, holder != USER);
        }
        if (holder == USER) {
            return magazines.allocate(c, requested);
        }
        return holder == ADAPTER_UNCHECKED ? magazines.allocateUnchecked(c, requested)
            : magazines.allocateOwned(c, requested);
    }

    /**
     * A block above the slab classes, a page run or a dedicated mapping, for a user or an
     * adapter, with the memory-pressure policy.
     */
    long allocateLarge(long size, int requested, boolean adapter) {
        try {
            return heap.allocateLarge(size, requested, adapter);
        } catch (MemoryLimitExceeded e) {
            relieveMemoryPressure();
            try {
                return heap.allocateLarge(size, requested, adapter);
            } catch (MemoryLimitExceeded again) {
                throw outOfMemory(again);
            }
        }
    }

    /**
     * The memory-pressure policy, written once: the heap first returns its own spare slabs and free chunks,
     * then free pages of the chunks it keeps, before its resident bytes would pass {@code maxMemory}
     * ({@code Heap.ensureRoom}); if that is not enough, every allocation path takes this one step before it
     * fails: everything
     * the calling thread can reach goes back (its own magazines, the stripes free now, dead threads'
     * caches and the depots; other live threads' private caches are asked to follow at their next trip
     * to the depot), and the heap returns free chunks to the OS. The caller then retries once.
     */
    void relieveMemoryPressure() {
        if (magazines != null) {
            magazines.releaseReachable();
        }
        heap.releaseFree();
    }

    /**
     * The error for an allocation that failed again after {@link #relieveMemoryPressure()}: the heap's
     * figures, with the bytes still cached in magazines nobody could reach told apart from the bytes in
     * users' hands.
     */
    SlabOutOfMemoryError outOfMemory(MemoryLimitExceeded e) {
        MemoryLimitExceeded f = e.withCached(magazines != null ? magazines.cachedBytes() : 0);
        return new SlabOutOfMemoryError(f.requested(), f.limit(), f.reserved(), f.resident(), f.used(), f.cached());
    }

    private static long alignedSize(int size, int alignment) {
        int a = Math.max(alignment, MIN_ALIGNMENT);
        return ((long) size + a - 1) & -(long) a;
    }

    private static void checkSize(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive: " + size);
        }
    }

    private static void checkAlignment(int alignment) {
        if (alignment <= 0 || alignment > MAX_ALIGNMENT || Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two from 1 to " + MAX_ALIGNMENT
                + ": " + alignment);
        }
    }

    /**
     * The per-call closed check: a plain read of the heap's closed flag, the allocator's one flag (see
     * {@link Heap#isClosedPlain()} for why a racing call may miss it safely).
     */
    private void checkOpen() {
        if (rawHeap.isClosedPlain()) {
            throw closedCall();
        }
    }

    /** Out of line, so that {@link #checkOpen()} stays small enough to inline. */
    private IllegalStateException closedCall() {
        if (magazines != null) {
            return magazines.closedCall();
        }
        return new IllegalStateException("this SlabAllocator is closed");
    }
}
