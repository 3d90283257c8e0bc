package org.slabmag.internal.magazine;

import org.slabmag.internal.heap.Chunk;
import org.slabmag.internal.heap.Heap;
import org.slabmag.internal.heap.Slab;
import org.slabmag.internal.heap.SizeClasses;

/**
 * The allocator's cache: one thread's magazines, or one stripe's ({@link Stripes}): per size class a
 * loaded and a previous {@link AddressMagazine}, exchanged by the rules of {@link MagazineRack}.
 * Allocation pops from the loaded magazine and free pushes onto it; only when both magazines of the
 * class are unusable does the thread go to the {@link ClassDepot}, and only when the depot cannot help
 * to the heap, in one batch. The common case is a few plain loads and stores: no lock, no CAS, no
 * fence. This file is the allocator's fast path.
 *
 * <p><b>Thread-safety.</b> A private cache is owned by one thread. Other threads read its counters and
 * magazine sizes without synchronization (for statistics, exact once the owner's calls happen-before
 * the read) and take over its magazines only after {@code owner.isAlive()} returned false, which by
 * JLS 17.4.4 happens-after everything the owner did. A live owner gives its magazines back itself, at
 * its next trip to the depot after the layer asked for it ({@link MagazineLayer#maintain}). A stripe
 * ({@code owner == null}) is used only under its lock.
 *
 * <p>Frees may come from any thread: a block goes into the freeing thread's magazine, whichever
 * thread allocated it, and reaches allocating threads through the depot.
 */
final class ThreadCache extends ThreadCacheL1Pad {
    private final MagazineLayer layer;
    /** The layer's decay epoch when this cache last went to the depot (owner only). */
    int seenEpoch;
    /** The unlocked heap, for lock-free validation of frees only. */
    private final Heap heap;
    private final int chunkShift;
    /**
     * The chunk of the last block freed by this thread: consecutive frees mostly fall in one chunk,
     * and a cached chunk skips the lookup in the chunk map. A chunk returned to the OS stops matching
     * any address ({@link Chunk#frame}), so a stale entry is harmless.
     */
    private Chunk lastChunk = Chunk.NONE;

    ThreadCache(Thread owner, MagazineLayer layer, Heap heap) {
        super(owner);
        this.layer = layer;
        this.heap = heap;
        this.chunkShift = Integer.numberOfTrailingZeros(heap.chunkSize());
        this.seenEpoch = layer.epoch();
    }

    long allocate(int c, int requested) {
        AddressMagazine m = pop(c);
        int n = m.size;
        long address = m.rounds[n];
        Slab slab = m.slabs[n];
        if (slab == null) {
            slab = slabOf(address, c); // the round came from an unchecked free
        }
        if (!slab.markLive(slab.indexOf(address))) {
            throw Heap.handedOutTwice(address);
        }
        allocations++;
        requestedBytes += requested;
        return address;
    }

    /**
     * Pops a block without marking it live (see {@link UncheckedBlocks}): its state byte keeps saying
     * "not in a user's hands", so a checked {@code free} of it is refused.
     */
    long allocateUnchecked(int c, int requested) {
        AddressMagazine m = pop(c);
        allocations++;
        requestedBytes += requested;
        return m.rounds[m.size];
    }

    /**
     * Pops a block for one of slabmag's adapters through the checked path (hardened mode): its state
     * says "owned by an adapter", so a user's {@code free} of it is refused and only
     * {@link #freeOwned} takes it back.
     */
    long allocateOwned(int c, int requested) {
        AddressMagazine m = pop(c);
        int n = m.size;
        long address = m.rounds[n];
        Slab slab = m.slabs[n];
        if (slab == null) {
            slab = slabOf(address, c);
        }
        if (!slab.markOwned(slab.indexOf(address))) {
            throw Heap.handedOutTwice(address);
        }
        allocations++;
        requestedBytes += requested;
        return address;
    }

    /** Validates and takes back a block from {@link #allocateOwned}. */
    void freeOwned(long address, int c, int requested) {
        Slab slab = slabOf(address, c);
        Heap.checkFreedOwned(slab, Heap.blockIndex(slab, address), address);
        push(c, address, slab, requested);
    }

    /**
     * Validates a free of a block of class {@code c} (any thread may have allocated it), marks it
     * freed and pushes it onto the loaded magazine.
     *
     * @throws IllegalArgumentException if {@code address} is no live block of class {@code c}
     * @throws IllegalStateException    on a detected double free
     */
    void free(long address, int c, int requested) {
        Slab slab = slabOf(address, c);
        Heap.checkFreed(slab, Heap.blockIndex(slab, address), address);
        push(c, address, slab, requested);
    }

    /**
     * Pushes a block from {@link #allocateUnchecked} back, trusting the caller that it is one and
     * that this is its only free. Its slab is looked up only if the round is ever drained to the heap
     * or handed out by a checked allocation.
     */
    void freeUnchecked(long address, int c, int requested) {
        push(c, address, null, requested);
    }

    /**
     * Takes the top round off the loaded magazine of class c, reloading it first if it is empty.
     *
     * @return the magazine; the round taken is at index {@code size}
     */
    private AddressMagazine pop(int c) {
        AddressMagazine m = loaded[c];
        if (m.size == 0) {
            m = reload(c);
        }
        m.size--;
        return m;
    }

    /**
     * Pushes a round and its slab (null if unknown) onto the loaded magazine of class c, unloading it
     * first if it is full.
     */
    private void push(int c, long address, Slab slab, int requested) {
        AddressMagazine m = loaded[c];
        int n = m.size;
        if (n == m.capacity) {
            m = unload(c);
            n = m.size;
        }
        m.rounds[n] = address;
        m.slabs[n] = slab;
        m.size = n + 1;
        deallocations++;
        requestedBytes -= requested;
    }

    /** The chunk holding {@code address}: the last one used if it matches, else from the chunk map. */
    private Chunk chunkOf(long address) {
        Chunk chunk = lastChunk;
        if (chunk.frame() != address >>> chunkShift) {
            chunk = heap.chunkOf(address);
            lastChunk = chunk;
        }
        return chunk;
    }

    /** The slab of class {@code c} holding {@code address}, found through the last chunk if it matches. */
    private Slab slabOf(long address, int c) {
        return Heap.slabIn(chunkOf(address), address, c);
    }

    /** Makes the loaded magazine of class c non-empty and returns it. */
    private AddressMagazine reload(int c) {
        AddressMagazine m = swapForRounds(c);
        if (m != null) {
            return m;
        }
        layer.maintain(this);
        ClassDepot depot = layer.depot(c);
        AddressMagazine full = depot.pollFull();
        if (full != null) {
            depot.recycle(rotate(c, full));
            return full;
        }
        m = loaded[c];
        if (m.capacity < depot.rounds()) {
            m = new AddressMagazine(depot.rounds());
            loaded[c] = m;
        }
        layer.fill(c, m);
        return m;
    }

    /** Makes the loaded magazine of class c non-full and returns it. */
    private AddressMagazine unload(int c) {
        AddressMagazine m = swapForRoom(c);
        if (m != null) {
            return m;
        }
        layer.maintain(this);
        ClassDepot depot = layer.depot(c);
        AddressMagazine p = previous[c];
        AddressMagazine e;
        if (p.size == 0 || depot.offerFull(p)) {
            e = depot.takeEmpty();
        } else {
            layer.drain(c, p);
            e = p.capacity >= depot.rounds() ? p : new AddressMagazine(depot.rounds());
        }
        rotate(c, e);
        return e;
    }

    /**
     * Adds this cache's counters to {@code totals} (allocations, deallocations, requested bytes) and
     * its cached rounds per class to {@code roundsPerClass} (racy unless quiescent).
     */
    void addTo(long[] totals, long[] roundsPerClass) {
        totals[0] += allocations;
        totals[1] += deallocations;
        totals[2] += requestedBytes;
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            roundsPerClass[c] += loaded[c].size + previous[c].size;
        }
    }

    /** Bytes of free blocks in this cache's magazines (racy unless read by its owner or quiescent). */
    long cachedBytes() {
        long bytes = 0;
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            bytes += (long) (loaded[c].size + previous[c].size) * SizeClasses.blockSize(c);
        }
        return bytes;
    }

    /** Gives every cached block back: full magazines to the depot, the rest to the heap. */
    void flush() {
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            flush(c, loaded[c]);
            flush(c, previous[c]);
            reset(c, AddressMagazine.NONE);
        }
    }

    /** Gives every cached block back to the heap directly (trim). */
    void drain() {
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            drain(c, loaded[c]);
            drain(c, previous[c]);
            reset(c, AddressMagazine.NONE);
        }
    }

    private void flush(int c, AddressMagazine m) {
        if (m.size == 0) {
            return;
        }
        if (!m.isFull() || !layer.depot(c).offerFull(m)) {
            drain(c, m);
        }
    }

    private void drain(int c, AddressMagazine m) {
        if (m.size > 0) {
            layer.drain(c, m);
        }
    }
}

/** Padding before the counters: no other object's fields share their cache line. */
abstract class ThreadCacheL0Pad extends MagazineRack<AddressMagazine> {
    long p000;
    long p001;
    long p002;
    long p003;
    long p004;
    long p005;
    long p006;
    long p007;

    ThreadCacheL0Pad(Thread owner) {
        super(owner, SizeClasses.COUNT, AddressMagazine.NONE);
    }
}

/** The owner's counters, written on every call and read by statistics. */
abstract class ThreadCacheCounters extends ThreadCacheL0Pad {
    long allocations;
    long deallocations;
    long requestedBytes;

    ThreadCacheCounters(Thread owner) {
        super(owner);
    }
}

/** Padding after the counters. */
abstract class ThreadCacheL1Pad extends ThreadCacheCounters {
    long p100;
    long p101;
    long p102;
    long p103;
    long p104;
    long p105;
    long p106;
    long p107;

    ThreadCacheL1Pad(Thread owner) {
        super(owner);
    }
}
