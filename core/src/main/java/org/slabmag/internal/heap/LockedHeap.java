package org.slabmag.internal.heap;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@link Heap} behind one {@link ReentrantLock}: the {@code LockedHeap} of the Rust slab/buddy
 * allocators this design descends from, with batch entry points for the magazine layer.
 *
 * <p>Thread-safe. Memory effects: every call runs under the lock, so what a thread wrote to a block
 * before giving it back here happens-before the call that hands that block out again.
 *
 * <p>Contention is counted per size class (a failed {@code tryLock} before blocking); the magazine
 * layer reads it to grow magazines of contended classes.
 */
public final class LockedHeap {
    private final ReentrantLock lock = new ReentrantLock();
    private final Heap heap;
    private final int[] contention = new int[SizeClasses.COUNT];

    /**
     * Puts {@code heap} behind a new lock.
     *
     * @param heap the heap, not null; from now on touched only through this object (or lock-free validation)
     */
    public LockedHeap(Heap heap) {
        this.heap = heap;
    }

    /**
     * The heap, for lock-free validation only ({@link Heap#slabFor}).
     *
     * @return the guarded heap; call only the methods its class comment lists as safe without the lock
     */
    public Heap heap() {
        return heap;
    }

    /**
     * Takes up to {@code n} blocks of class {@code c} in one batch; see {@link Heap#takeBlocks}.
     *
     * @param c      the size class
     * @param dst    receives the block addresses, from index 0
     * @param owners receives the slab of each block, from index 0, or null
     * @param n      the most blocks to take, at least 1
     * @return how many were taken, from 1 to {@code n}
     * @throws MemoryLimitExceeded when not even one block can be had
     */
    public int takeBlocks(int c, long[] dst, Slab[] owners, int n) {
        lock(c);
        try {
            return heap.takeBlocks(c, dst, owners, n);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Gives back {@code n} blocks of class {@code c} in one batch; see {@link Heap#giveBackBlocks}.
     *
     * @param c      the size class of every block
     * @param src    the block addresses, in {@code src[0..n)}
     * @param owners the slab of each block, or null entries (or a null array) where not known; cleared
     * @param n      how many blocks to give back, {@code >= 0}
     */
    public void giveBackBlocks(int c, long[] src, Slab[] owners, int n) {
        lock(c);
        try {
            heap.giveBackBlocks(c, src, owners, n);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@link Heap#allocateSmall} under the lock, counting contention for class {@code c}.
     *
     * @param c         the size class
     * @param requested the bytes the caller asked for
     * @param adapter   true if an adapter will hold the block
     * @return the block's address
     */
    public long allocateSmall(int c, int requested, boolean adapter) {
        lock(c);
        try {
            return heap.allocateSmall(c, requested, adapter);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@link Heap#freeSmall} under the lock, counting contention for class {@code c}.
     *
     * @param address   the block's address
     * @param c         the size class the freed size maps to
     * @param requested the bytes the caller asked for when it allocated the block
     * @param adapter   true if an adapter frees it, false if a user does
     */
    public void freeSmall(long address, int c, int requested, boolean adapter) {
        lock(c);
        try {
            heap.freeSmall(address, c, requested, adapter);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@link Heap#allocateLarge} under the lock.
     *
     * @param size      the bytes to reserve, above {@link SizeClasses#MAX_SLAB_BLOCK}
     * @param requested the bytes the caller asked for
     * @param adapter   true if an adapter will hold the block
     * @return the block's address, page-aligned
     */
    public long allocateLarge(long size, long requested, boolean adapter) {
        lock.lock();
        try {
            return heap.allocateLarge(size, requested, adapter);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@link Heap#freeLarge} under the lock.
     *
     * @param address   the block's address
     * @param size      the size it was allocated with
     * @param requested the bytes the caller asked for
     * @param adapter   true if an adapter frees it, false if a user does
     */
    public void freeLarge(long address, long size, long requested, boolean adapter) {
        lock.lock();
        try {
            heap.freeLarge(address, size, requested, adapter);
        } finally {
            lock.unlock();
        }
    }

    /** Returns spare slabs and every entirely free chunk to the OS, under the lock; see {@link Heap#trim()}. */
    public void trim() {
        lock.lock();
        try {
            heap.trim();
        } finally {
            lock.unlock();
        }
    }

    /** See {@link Heap#decay()}. */
    public void decay() {
        lock.lock();
        try {
            heap.decay();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes the heap; see {@link Heap#close()}.
     *
     * @return whether this call closed it
     */
    public boolean close() {
        lock.lock();
        try {
            return heap.close();
        } finally {
            lock.unlock();
        }
    }

    /** Returns free chunks and spare slabs to the OS: the heap's part of the memory-pressure policy. */
    public void releaseFree() {
        lock.lock();
        try {
            heap.releaseFree();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The heap's counters, taken under the lock so that they agree with each other.
     *
     * @return a new snapshot
     * @throws IllegalStateException after {@link #close()}
     */
    public HeapSnapshot snapshot() {
        lock.lock();
        try {
            return heap.snapshot();
        } finally {
            lock.unlock();
        }
    }

    /**
     * How often a thread found the lock held when it came for class {@code c} (racy read).
     *
     * @param c the size class
     * @return the count since creation, {@code >= 0}; a plain read that may lag, and may wrap after 2^31
     */
    public int contention(int c) {
        return contention[c];
    }

    private void lock(int c) {
        if (!lock.tryLock()) {
            lock.lock();
            contention[c]++;
        }
    }
}
