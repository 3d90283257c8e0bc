package org.slabmag.internal.heap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

import org.agrona.collections.IntArrayList;
import org.agrona.collections.IntHashSet;
import org.slabmag.internal.event.SlabEvents;
import org.slabmag.internal.memory.NativeMemory;

/**
 * The global heap: chunks of native memory, a page allocator ({@link PageRuns}) over their pages, one
 * {@link SlabCache} per size class, and dedicated memory for huge blocks.
 *
 * <ul>
 *   <li>Requests up to {@link SizeClasses#MAX_SLAB_BLOCK} bytes get a block of a slab.</li>
 *   <li>Larger requests up to the chunk size get a run of exactly the pages they need.</li>
 *   <li>Larger still: a dedicated allocation, page-aligned, returned to the OS on free.</li>
 * </ul>
 * Chunks are reserved on demand while the resident bytes stay within {@code maxMemory}: reserved bytes
 * less the free pages given back to the OS and not taken since ({@link ReleasedPages}); a page taken
 * again counts again, checked against the limit like a new chunk. When a chunk becomes entirely free it
 * is kept if it is the only free one, and returned to the OS otherwise; {@link #trim()} returns every
 * free chunk and every spare slab. Reserved bytes stay within twice {@code maxMemory}. Before failing
 * with {@link MemoryLimitExceeded} the heap returns its spare slabs and free chunks, then gives back free
 * pages of the chunks it keeps, highest regions first, until the request fits ({@link #ensureRoom}).
 *
 * <p>Every free is validated: the address must be the start of a block this heap handed out, of
 * the class the size maps to; otherwise {@link IllegalArgumentException} and nothing changes.
 *
 * <p><b>Closing.</b> {@link #close()} stops the heap from handing out memory: afterwards every call
 * that would take memory ({@link #takeBlocks}, {@code fill}, {@link #allocateSmall},
 * {@link #allocateLarge}), and {@link #trim()} and {@link #snapshot()}, throw
 * {@link IllegalStateException}. Calls that give memory back keep working, with their usual checks,
 * and each returns every chunk that became entirely free (and spare slabs) to the OS at once. So a
 * chunk is returned only when none of its blocks is out of the heap (in a user's hands, a magazine
 * or a depot): memory still held is never unmapped under its holder.
 *
 * <p>Not thread-safe: {@link LockedHeap} guards it. Without the lock, for blocks the caller received
 * through a happens-before chain from the heap (see {@link Chunk#slabs}), only the lookups and checks of
 * frees may run: {@link #chunkOf}, {@link #slabFor}, {@link #slabIn}, {@link #blockIndex},
 * {@link #checkFreed(Slab, int, long)}, {@link #checkFreedOwned}, {@link #chunkSize()},
 * {@link #hardened()} and {@link #isClosedPlain()}/{@link #isClosed()}.
 */
public final class Heap {
    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(Heap.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int chunkSize;
    private final int maxOrder;
    private final long maxMemory;
    /**
     * Bound on reserved bytes, twice {@link #maxMemory}: pages given back do not count against the limit, so
     * chunks that a few blocks pin could otherwise pile up address space (and commit charge where the OS
     * counts it) without end.
     */
    private final long maxReserved;
    private final boolean hardened;
    private final PageRuns runs;
    private final ChunkMap chunkMap;
    private final SlabCache[] caches = new SlabCache[SizeClasses.COUNT];
    private final ReturnedRanges returned = new ReturnedRanges();
    private final HugeBlocks huge = new HugeBlocks(returned);
    /** First pages (global ids) of the page runs an adapter holds, so that a user's free of one is refused. */
    private final IntHashSet adapterRuns = new IntHashSet();
    private final IntArrayList freeRegionIds = new IntArrayList();
    private final long[] scratch = new long[1];
    private Chunk[] regions = new Chunk[4];
    /** What each region did between decay steps. */
    private final RegionDecay regionDecay = new RegionDecay();
    private final ReleasedPages releasedPages;
    private int regionCount;
    private int chunks;
    private long reservedBytes;
    private long largeBytes;
    private long allocations;
    private long deallocations;
    private long requestedBytes;
    /**
     * The allocator's one closed flag, set by {@link #close()}: nothing is handed out any more, and
     * free memory goes back at once. Written under the heap lock with release semantics; read under
     * the lock by the heap, with acquire semantics by {@link #isClosed()}, and plainly by the fast
     * paths above ({@link #isClosedPlain()}), which may miss a racing close: that is safe, because
     * only the heap hands out memory and it checks the flag under its lock.
     */
    private boolean closed;

    /**
     * An empty heap: no chunk is reserved until the first allocation.
     *
     * @param chunkSize power of two, at least {@link SizeClasses#maxSlabBytes()}
     * @param maxMemory limit on resident bytes; reserved bytes stay within twice it
     * @param hardened  track blocks in users' hands to catch double frees
     */
    public Heap(int chunkSize, long maxMemory, boolean hardened) {
        this(chunkSize, maxMemory, maxMemory > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : 2 * maxMemory, hardened);
    }

    /** A heap with its own bound on reserved bytes (for tests). */
    Heap(int chunkSize, long maxMemory, long maxReserved, boolean hardened) {
        this.chunkSize = chunkSize;
        this.maxOrder = Integer.numberOfTrailingZeros(chunkSize) - SizeClasses.PAGE_SHIFT;
        this.releasedPages = new ReleasedPages(maxOrder);
        this.maxMemory = maxMemory;
        this.maxReserved = maxReserved;
        this.hardened = hardened;
        this.runs = new PageRuns(maxOrder);
        this.chunkMap = new ChunkMap(chunkSize);
        for (int c = 0; c < caches.length; c++) {
            caches[c] = new SlabCache(c, this);
        }
    }

    /**
     * The chunk size; safe without the lock.
     *
     * @return the bytes per chunk, a power of two
     */
    public int chunkSize() {
        return chunkSize;
    }

    /**
     * Whether this heap runs in hardened mode; safe without the lock.
     *
     * @return true if block state bytes change by compare-and-set
     */
    public boolean hardened() {
        return hardened;
    }

    // ---------------------------------------------------------------- small blocks

    /**
     * Takes up to {@code n} blocks of class {@code c} into {@code dst[0..]} for a cache (not counted
     * as allocations), and the slab of each into {@code owners[0..]} unless {@code owners} is null.
     *
     * @param c      the size class, from 0 to {@link SizeClasses#COUNT} - 1
     * @param dst    receives the block addresses, from index 0; at least {@code n} long
     * @param owners receives the slab of each block, from index 0, or null if the caller does not keep them
     * @param n      the most blocks to take, at least 1
     * @return how many, at least 1
     * @throws MemoryLimitExceeded when none can be had, even after free chunks went back (see {@link #ensureRoom})
     */
    public int takeBlocks(int c, long[] dst, Slab[] owners, int n) {
        checkOpen();
        return caches[c].take(dst, owners, 0, n);
    }

    /**
     * Puts back {@code n} blocks of class {@code c} that a cache held ({@code src[0..n)}); they were
     * validated when freed. {@code owners}, unless null, carries the slab of each block, or null where
     * it is not known (the block came from an unchecked free); its entries are cleared.
     *
     * @param c      the size class of every block
     * @param src    the block addresses, in {@code src[0..n)}; left as they are
     * @param owners the slab of each block, or null entries (or a null array) where not known
     * @param n      how many blocks to give back, {@code >= 0}
     * @throws IllegalStateException if one is not a taken block of that class (a broken invariant)
     */
    public void giveBackBlocks(int c, long[] src, Slab[] owners, int n) {
        for (int i = 0; i < n; i++) {
            long address = src[i];
            Slab slab = owners != null ? owners[i] : null;
            if (slab == null) {
                slab = slabFor(address, c);
            } else {
                owners[i] = null;
            }
            caches[c].giveBack(slab, blockIndex(slab, address));
        }
        releaseIfClosed();
    }

    /**
     * Allocates one block of class {@code c} for a user, or, if {@code adapter}, for one of slabmag's adapters
     * (the block is then marked owned).
     *
     * @param c         the size class
     * @param requested the bytes the caller asked for, counted in the requested bytes
     * @param adapter   true to mark the block owned by an adapter, false to mark it live for a user
     * @return the block's address
     * @throws MemoryLimitExceeded   if no block can be had within {@code maxMemory}
     * @throws IllegalStateException after {@link #close()}
     */
    public long allocateSmall(int c, int requested, boolean adapter) {
        takeBlocks(c, scratch, null, 1);
        long address = scratch[0];
        Slab slab = slabFor(address, c);
        int index = blockIndex(slab, address);
        if (!(adapter ? slab.markOwned(index) : slab.markLive(index))) {
            throw handedOutTwice(address);
        }
        countAllocation(requested);
        return address;
    }

    /**
     * Frees one block of class {@code c} that a user (or, if {@code adapter}, an adapter) held;
     * validates it first.
     *
     * @param address   the block's address
     * @param c         the size class the freed size maps to
     * @param requested the bytes the caller asked for when it allocated the block
     * @param adapter   true if an adapter frees it, false if a user does
     * @throws IllegalArgumentException if {@code address} is no block of class {@code c} held by that kind of
     *                                  holder (nothing changes)
     * @throws IllegalStateException    on a double free
     */
    public void freeSmall(long address, int c, int requested, boolean adapter) {
        Slab slab = slabFor(address, c);
        int index = blockIndex(slab, address);
        checkFreed(slab, index, address, adapter ? Slab.OWNED : Slab.LIVE);
        caches[c].giveBack(slab, index);
        countFree(requested);
        releaseIfClosed();
    }

    /**
     * The slab holding {@code address}, checked to be of class {@code c}; {@link #blockIndex} then
     * checks that {@code address} starts a block.
     * Safe without the lock for blocks the caller owns.
     *
     * @param address an address inside a chunk of this heap
     * @param c       the size class the block must be of
     * @return the slab, never null
     * @throws IllegalArgumentException if {@code address} is not in a slab of class {@code c} of
     *                                  this heap
     */
    public Slab slabFor(long address, int c) {
        return slabIn(chunkOf(address), address, c);
    }

    /**
     * The chunk holding {@code address}, found without the lock (see {@link ChunkMap}).
     *
     * @param address any address
     * @return the chunk, never null
     * @throws IllegalArgumentException if no chunk of this heap holds it
     */
    public Chunk chunkOf(long address) {
        Chunk chunk = chunkMap.find(address);
        if (chunk == null) {
            throw foreign(address);
        }
        return chunk;
    }

    /**
     * The slab of {@code chunk} holding {@code address}, checked to be of class {@code c}. Safe
     * without the lock for blocks the caller owns.
     *
     * @param chunk   the chunk holding {@code address}
     * @param address an address inside {@code chunk}
     * @param c       the size class the block must be of
     * @return the slab, never null
     * @throws IllegalArgumentException if no slab of class {@code c} holds {@code address}
     */
    public static Slab slabIn(Chunk chunk, long address, int c) {
        Slab slab = chunk.slabs[chunk.pageOf(address)];
        if (slab == null || slab.sizeClass != c) {
            throw badSmallFree(address, c, slab);
        }
        return slab;
    }

    /**
     * The index of the block of {@code slab} starting at {@code address}.
     *
     * @param slab    the slab holding {@code address}
     * @param address an address inside {@code slab}
     * @return the block index, from 0 to the slab's block count - 1
     * @throws IllegalArgumentException if {@code address} points inside a block
     */
    public static int blockIndex(Slab slab, long address) {
        int index = slab.indexOf(address);
        if (index < 0) {
            throw new IllegalArgumentException("address 0x" + Long.toHexString(address)
                + " points inside a " + slab.blockSize + "-byte block, not at its start");
        }
        return index;
    }

    /**
     * Says why {@code address}, inside a chunk, is no block of class {@code c}; kept out of
     * {@link #slabIn} so that inlines.
     */
    private static IllegalArgumentException badSmallFree(long address, int c, Slab slab) {
        if (slab == null) {
            return new IllegalArgumentException("address 0x" + Long.toHexString(address)
                + " is not a block of the " + SizeClasses.blockSize(c) + "-byte class: no small block is allocated there");
        }
        return new IllegalArgumentException("size class mismatch at 0x" + Long.toHexString(address)
            + ": freed as a " + SizeClasses.blockSize(c) + "-byte block, allocated as a " + slab.blockSize + "-byte block");
    }

    Slab newSlab(int c) {
        int order = Integer.numberOfTrailingZeros(SizeClasses.slabPages(c));
        int page = allocatePages(1 << order);
        Chunk chunk = chunkOfPage(page);
        int first = page & ((1 << maxOrder) - 1);
        Slab slab = new Slab(chunk, page, order, chunk.address + ((long) first << SizeClasses.PAGE_SHIFT), c, hardened);
        for (int p = first; p < first + (1 << order); p++) {
            chunk.slabs[p] = slab;
        }
        return slab;
    }

    void releaseSlab(Slab slab) {
        Chunk chunk = slab.chunk;
        int first = slab.page & ((1 << maxOrder) - 1);
        for (int p = first; p < first + (1 << slab.order); p++) {
            chunk.slabs[p] = null;
        }
        freePages(slab.page);
    }

    // ---------------------------------------------------------------- large and huge blocks

    /**
     * Bytes reserved for a request above {@link SizeClasses#MAX_SLAB_BLOCK}, whatever the chunk size: a page run up
     * to the chunk size and a dedicated block above it are both the request rounded up to whole pages.
     *
     * @param size the requested bytes, above {@link SizeClasses#MAX_SLAB_BLOCK}
     * @return {@code size} rounded up to whole pages
     */
    public static long largeUsableSize(long size) {
        return pageRound(size);
    }

    /**
     * Allocates a block above {@link SizeClasses#MAX_SLAB_BLOCK} bytes for a user, or, if {@code adapter},
     * for one of slabmag's adapters (then only {@code freeLarge(..., true)} frees it).
     *
     * @param size      the bytes to reserve (the aligned size), above {@link SizeClasses#MAX_SLAB_BLOCK}
     * @param requested the bytes the caller asked for, counted in the requested bytes
     * @param adapter   true if an adapter will hold the block
     * @return the block's address, page-aligned
     * @throws MemoryLimitExceeded   if the block cannot be had within {@code maxMemory}, or the OS refuses it
     * @throws IllegalStateException after {@link #close()}
     */
    public long allocateLarge(long size, long requested, boolean adapter) {
        checkOpen();
        long address;
        if (size <= chunkSize) {
            int pages = (int) (pageRound(size) >>> SizeClasses.PAGE_SHIFT);
            int page = allocatePages(pages);
            address = addressOfPage(page);
            largeBytes += (long) pages << SizeClasses.PAGE_SHIFT;
            if (adapter) {
                adapterRuns.add(page);
            }
        } else {
            address = allocateHuge(pageRound(size), adapter);
        }
        countAllocation(requested);
        return address;
    }

    /**
     * Frees a block above {@link SizeClasses#MAX_SLAB_BLOCK} bytes that a user (or, if {@code adapter}, an
     * adapter) held; validates it first.
     *
     * @param address   the block's address
     * @param size      the size it was allocated with (the aligned size)
     * @param requested the bytes the caller asked for
     * @param adapter   true if an adapter frees it, false if a user does
     * @throws IllegalArgumentException if {@code address} is no live block of that size held by that kind of
     *                                  holder (nothing changes)
     * @throws IllegalStateException    on a detected double free
     */
    public void freeLarge(long address, long size, long requested, boolean adapter) {
        if (size <= chunkSize) {
            int pages = (int) (pageRound(size) >>> SizeClasses.PAGE_SHIFT);
            Chunk chunk = chunkMap.find(address);
            if (chunk == null) {
                if ((address & (SizeClasses.PAGE_SIZE - 1)) == 0 && returned.contains(address)) {
                    throw new IllegalStateException("double free of 0x" + Long.toHexString(address)
                        + ": its chunk was already returned to the operating system");
                }
                throw foreign(address);
            }
            int inChunk = chunk.pageOf(address);
            int page = (chunk.region << maxOrder) | inChunk;
            boolean pageStart = ((address - chunk.address) & (SizeClasses.PAGE_SIZE - 1)) == 0;
            boolean blockStart = pageStart && chunk.slabs[inChunk] == null;
            int taken = blockStart ? runs.takenPages(page) : PageRuns.NONE;
            if (taken < 0) {
                if (blockStart && runs.isFree(page)) {
                    throw new IllegalStateException("double free of 0x" + Long.toHexString(address)
                        + ": no block of " + size + " bytes is allocated there");
                }
                throw new IllegalArgumentException("address 0x" + Long.toHexString(address)
                    + " is not the start of an allocated block of " + size + " bytes");
            }
            if (taken != pages) {
                throw new IllegalArgumentException("size mismatch at 0x" + Long.toHexString(address) + ": freed with "
                    + size + " bytes, allocated as a block of " + ((long) taken << SizeClasses.PAGE_SHIFT) + " bytes");
            }
            checkHolder(address, adapter, !adapterRuns.isEmpty() && adapterRuns.contains(page));
            if (adapter) {
                adapterRuns.remove(page);
            }
            largeBytes -= (long) pages << SizeClasses.PAGE_SHIFT;
            freePages(page);
        } else {
            reservedBytes -= huge.free(address, pageRound(size), size, adapter);
        }
        countFree(requested);
        releaseIfClosed();
    }

    /** Refuses a free by the wrong kind of holder: a user freeing an adapter's block, or the reverse. */
    static void checkHolder(long address, boolean adapterFrees, boolean adapterHolds) {
        if (adapterFrees != adapterHolds) {
            throw adapterHolds ? ownedByAdapter(address) : new IllegalArgumentException("address 0x"
                + Long.toHexString(address) + " is a block a user allocated, not one an adapter owns");
        }
    }

    private long allocateHuge(long size, boolean adapter) {
        ensureRoom(size, size);
        long address;
        try {
            address = huge.allocate(size, adapter);
        } catch (OutOfMemoryError e) {
            throw limitExceeded(size);
        }
        reservedBytes += size;
        return address;
    }

    private static long pageRound(long size) {
        return (size + SizeClasses.PAGE_SIZE - 1) & -(long) SizeClasses.PAGE_SIZE;
    }

    // ---------------------------------------------------------------- pages and chunks

    /**
     * Takes a run of exactly {@code count} pages (see {@link PageRuns#allocate}), adding a chunk if none is
     * long enough. Pages of it that were given back to the OS count as resident again: if that would pass
     * {@code maxMemory}, the run goes back untouched and {@link #ensureRoom} makes room first (or throws).
     */
    private int allocatePages(int count) {
        for (int attempt = 0; ; attempt++) {
            int page = runs.allocate(count);
            if (page == PageRuns.NONE) {
                addChunk();
                page = runs.allocate(count);
            }
            long again = releasedPages.count(page, count) << SizeClasses.PAGE_SHIFT;
            if (again > 0 && residentBytes() + again > maxMemory) {
                runs.free(page);
                if (attempt == 2) { // room was made twice, and the run picked still does not fit
                    throw limitReached(again);
                }
                ensureRoom(again, 0);
                continue;
            }
            releasedPages.take(page, count);
            regionDecay.pagesTaken(page >>> maxOrder);
            return page;
        }
    }

    /** Frees the run at {@code page}; a second entirely free chunk goes back to the OS at once. */
    private void freePages(int page) {
        regionDecay.pagesFreed(page >>> maxOrder);
        if (runs.free(page) && runs.freeRegions() > 1) {
            removeChunk(page >>> maxOrder);
        }
    }

    private void addChunk() {
        ensureRoom(chunkSize, chunkSize);
        int region = freeRegionIds.isEmpty() ? regionCount++ : freeRegionIds.popInt();
        Chunk chunk;
        try {
            chunk = Chunk.reserve(chunkSize, region);
        } catch (OutOfMemoryError e) {
            freeRegionIds.addInt(region);
            throw limitExceeded(chunkSize);
        }
        returned.forget(chunk.reservedAddress, chunk.reservedAddress + Chunk.reservationBytes(chunkSize));
        if (region >= regions.length) {
            regions = Arrays.copyOf(regions, regions.length * 2);
            regionDecay.ensureCapacity(regions.length);
            releasedPages.ensureCapacity(regions.length);
        }
        regions[region] = chunk;
        chunkMap.add(chunk);
        runs.addRegion(region);
        chunks++;
        reservedBytes += chunkSize;
    }

    private void removeChunk(int region) {
        Chunk chunk = regions[region];
        if (!runs.removeRegionIfFree(region)) {
            return;
        }
        regions[region] = null;
        regionDecay.chunkRemoved(region);
        releasedPages.regionRemoved(region);
        chunkMap.remove(chunk);
        chunk.release();
        returned.remember(chunk.address, chunk.address + chunkSize);
        freeRegionIds.addInt(region);
        chunks--;
        reservedBytes -= chunkSize;
    }

    /**
     * The heap's part of the memory-pressure policy: before its resident bytes pass {@code maxMemory}
     * (or its reserved bytes {@link #maxReserved}) it returns its own spare slabs and free chunks, then
     * gives back free pages of the chunks it keeps (those that cached or live blocks pin) until the
     * request fits; if that is not enough it throws, and the allocator's policy above
     * ({@code SlabAllocator}) gives cached blocks back and retries once.
     *
     * @param resident bytes that are to become resident
     * @param reserved bytes that are to be reserved anew (0 for given-back pages taken again)
     */
    private void ensureRoom(long resident, long reserved) {
        if (fits(resident, reserved)) {
            return;
        }
        releaseFree();
        if (reservedBytes + reserved <= maxReserved) {
            releaseFreePagesFor(resident);
        }
        if (!fits(resident, reserved)) {
            throw limitReached(resident);
        }
    }

    private boolean fits(long resident, long reserved) {
        return residentBytes() + resident <= maxMemory && reservedBytes + reserved <= maxReserved;
    }

    /**
     * Gives back free pages of kept chunks, highest regions first (placement fills low ones), until
     * {@code bytes} more fit under {@code maxMemory}; does nothing when even all of them would not make
     * room (an O(1) test: pages given back are always free pages), so a caller at the limit does not
     * walk every free list each time.
     */
    private void releaseFreePagesFor(long bytes) {
        long notGivenBack = (runs.freePages() - releasedPages.releasedPages()) << SizeClasses.PAGE_SHIFT;
        if (!NativeMemory.canReleasePages() || residentBytes() - notGivenBack + bytes > maxMemory) {
            return;
        }
        for (int region = regionCount - 1; region >= 0 && residentBytes() + bytes > maxMemory; region--) {
            if (regions[region] != null) {
                releaseFreePages(region);
            }
        }
    }

    /** The failure to throw when {@code bytes} more cannot be had: recorded as a JFR event too. */
    private MemoryLimitExceeded limitReached(long bytes) {
        SlabEvents.memoryLimitReached(bytes, maxMemory, residentBytes());
        return limitExceeded(bytes);
    }

    private MemoryLimitExceeded limitExceeded(long bytes) {
        return new MemoryLimitExceeded(bytes, maxMemory, reservedBytes, residentBytes(), usedBytesInHeap());
    }

    private Chunk chunkOfPage(int page) {
        return regions[page >>> maxOrder];
    }

    private long addressOfPage(int page) {
        return chunkOfPage(page).address + ((long) (page & ((1 << maxOrder) - 1)) << SizeClasses.PAGE_SHIFT);
    }

    /**
     * Returns spare slabs and every entirely free chunk to the operating system.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public void trim() {
        checkOpen();
        long before = reservedBytes;
        releaseFree();
        SlabEvents.trimmed(before, reservedBytes);
    }

    void releaseFree() {
        for (SlabCache cache : caches) {
            cache.trim();
        }
        for (int region = 0; region < regionCount; region++) {
            if (regions[region] != null && runs.isRegionFree(region)) {
                removeChunk(region);
            }
        }
    }

    /**
     * Returns what stayed unused since the last call (one decay step): spare slabs not taken since,
     * and free chunks no page was taken from since.
     */
    public void decay() {
        for (SlabCache cache : caches) {
            cache.decay();
        }
        for (int region = 0; region < regionCount; region++) {
            if (regions[region] == null) {
                regionDecay.endStep(region);
                continue;
            }
            int action = regionDecay.step(region, runs.isRegionFree(region));
            if (action == RegionDecay.RELEASE_CHUNK) {
                removeChunk(region);
            } else if (action == RegionDecay.RELEASE_PAGES) {
                releaseFreePages(region);
            }
        }
    }

    /**
     * Gives the free pages of a kept chunk back to the OS (see {@link NativeMemory#releasePages}) and
     * marks them in {@link #releasedPages}: what live or cached blocks pin of a chunk stays resident, the
     * rest leaves. Skips free blocks given back already; does nothing where pages cannot be given back
     * (off Linux, or turned off).
     */
    private void releaseFreePages(int region) {
        if (!NativeMemory.canReleasePages()) {
            return;
        }
        long[] released = new long[1];
        runs.forEachFreeRun(region, (page, count) -> {
            if (releasedPages.count(page, count) < count
                && NativeMemory.releasePages(addressOfPage(page), (long) count << SizeClasses.PAGE_SHIFT)) {
                released[0] += releasedPages.release(page, count) << SizeClasses.PAGE_SHIFT;
            }
        });
        if (released[0] > 0) {
            SlabEvents.pagesReleased(regions[region].address, released[0]);
        }
    }

    /**
     * Closes the heap (see the class comment): from now on it hands nothing out, and it returns to
     * the OS every spare slab and every chunk with no block out of the heap, now and whenever a
     * give-back empties one. Chunks with blocks still out, and huge blocks, stay mapped until those
     * come back. Calling it again has no effect.
     *
     * @return whether this call closed it (false if it was closed already)
     */
    public boolean close() {
        if (closed) {
            return false;
        }
        CLOSED.setRelease(this, true);
        releaseFree();
        return true;
    }

    /**
     * Whether {@link #close()} was called (an acquire read: may be polled from any thread).
     *
     * @return true once {@link #close()} set the closed flag
     */
    public boolean isClosed() {
        return (boolean) CLOSED.getAcquire(this);
    }

    /**
     * Whether {@link #close()} was called, as a plain read for the per-call checks of the fast paths:
     * an acquire there would keep the JIT from sharing loads between inlined calls (measured: about
     * 4 ns of a 27 ns allocate+free pair). A call ordered after {@code close()} by happens-before sees
     * it; a racing call may not, which is safe (see {@link #closed}).
     *
     * @return true if this thread sees the closed flag set; false may be stale
     */
    public boolean isClosedPlain() {
        return closed;
    }

    /** Bytes reserved from the OS now, chunks and huge blocks; also after close (for tests). */
    long reservedBytes() {
        return reservedBytes;
    }

    /** Reserved bytes less the pages given back and not taken since: what {@code maxMemory} bounds. */
    long residentBytes() {
        return reservedBytes - (releasedPages.releasedPages() << SizeClasses.PAGE_SHIFT);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this SlabAllocator is closed");
        }
    }

    private void releaseIfClosed() {
        if (closed) {
            releaseFree();
        }
    }

    // ---------------------------------------------------------------- accounting

    private void countAllocation(long requested) {
        allocations++;
        requestedBytes += requested;
    }

    private void countFree(long requested) {
        deallocations++;
        requestedBytes -= requested;
    }

    /** Bytes handed out by the heap (to users or magazines). */
    private long usedBytesInHeap() {
        long bytes = largeBytes + huge.bytes();
        for (SlabCache cache : caches) {
            bytes += cache.takenBlocks() * cache.blockSize;
        }
        return bytes;
    }

    /**
     * A consistent snapshot of the heap's counters; call with the lock held.
     *
     * @return a new snapshot, with fresh per-class arrays
     * @throws IllegalStateException after {@link #close()}
     */
    public HeapSnapshot snapshot() {
        checkOpen();
        int[] slabs = new int[SizeClasses.COUNT];
        long[] total = new long[SizeClasses.COUNT];
        long[] taken = new long[SizeClasses.COUNT];
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            slabs[c] = caches[c].slabs();
            total[c] = caches[c].totalBlocks();
            taken[c] = caches[c].takenBlocks();
        }
        return new HeapSnapshot(reservedBytes, residentBytes(), chunks, huge.count(),
            usedBytesInHeap(), largeBytes + huge.bytes(), allocations, deallocations, requestedBytes, slabs, total, taken);
    }

    private static IllegalArgumentException foreign(long address) {
        return new IllegalArgumentException("address 0x" + Long.toHexString(address)
            + " was not allocated by this allocator");
    }

    /**
     * The error for a block the heap handed out while it was still in use: a broken invariant, not a user's
     * mistake.
     *
     * @param address the block's address, for the message
     * @return a new exception to throw
     */
    public static IllegalStateException handedOutTwice(long address) {
        return new IllegalStateException("allocator invariant broken: block 0x" + Long.toHexString(address)
            + " handed out while in use");
    }

    static IllegalStateException doubleFree(long address, int blockSize) {
        return new IllegalStateException("double free of 0x" + Long.toHexString(address) + " ("
            + blockSize + "-byte block): it is not allocated");
    }

    /**
     * Marks block {@code index} of {@code slab} freed by its user.
     *
     * @param slab    the block's slab
     * @param index   the block's index in {@code slab}
     * @param address the block's address, for the message
     * @throws IllegalStateException    if it was already freed (double free)
     * @throws IllegalArgumentException if it was never handed out
     */
    public static void checkFreed(Slab slab, int index, long address) {
        checkFreed(slab, index, address, Slab.LIVE);
    }

    /**
     * Marks block {@code index} of {@code slab}, owned by an adapter, freed.
     *
     * @param slab    the block's slab
     * @param index   the block's index in {@code slab}
     * @param address the block's address, for the message
     * @throws IllegalStateException    on a double free
     * @throws IllegalArgumentException if a user, not an adapter, holds it, or nobody does
     */
    public static void checkFreedOwned(Slab slab, int index, long address) {
        checkFreed(slab, index, address, Slab.OWNED);
    }

    /**
     * Marks block {@code index} of {@code slab} freed by its holder: a user ({@link Slab#LIVE}) or an
     * adapter ({@link Slab#OWNED}).
     *
     * @throws IllegalStateException    if it was already freed (double free)
     * @throws IllegalArgumentException if it was never handed out, or is held by the other kind of holder
     */
    static void checkFreed(Slab slab, int index, long address, byte held) {
        byte prior = slab.markFreed(index, held);
        if (prior != held) {
            throw badFree(address, slab.blockSize, prior);
        }
    }

    private static RuntimeException badFree(long address, int blockSize, byte prior) {
        if (prior == Slab.FREED) {
            return doubleFree(address, blockSize);
        }
        if (prior == Slab.OWNED) {
            return ownedByAdapter(address);
        }
        if (prior == Slab.LIVE) {
            return new IllegalArgumentException("address 0x" + Long.toHexString(address)
                + " is a block a user allocated, not one an adapter owns");
        }
        return new IllegalArgumentException("address 0x" + Long.toHexString(address) + " is a "
            + blockSize + "-byte block this allocator never handed out");
    }

    /** A user's free of memory one of slabmag's adapters owns (a Netty or pooled buffer): refused. */
    static IllegalArgumentException ownedByAdapter(long address) {
        return new IllegalArgumentException("address 0x" + Long.toHexString(address) + " belongs to a buffer of a "
            + "slabmag adapter (Netty or Commons Pool): release the buffer instead of freeing its memory");
    }
}
