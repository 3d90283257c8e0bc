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

    public LockedHeap(Heap heap) {
        this.heap = heap;
    }

    /** The heap, for lock-free validation only ({@link Heap#slabFor}). */
    public Heap heap() {
        return heap;
    }

    /** Takes up to {@code n} blocks of class {@code c} in one batch; see {@link Heap#takeBlocks}. */
    public int takeBlocks(int c, long[] dst, Slab[] owners, int n) {
        lock(c);
        try {
            return heap.takeBlocks(c, dst, owners, n);
        } finally {
            lock.unlock();
        }
    }

    /** Gives back {@code n} blocks of class {@code c} in one batch; see {@link Heap#giveBackBlocks}. */
    public void giveBackBlocks(int c, long[] src, Slab[] owners, int n) {
        lock(c);
        try {
            heap.giveBackBlocks(c, src, owners, n);
        } finally {
            lock.unlock();
        }
    }

    public long allocateSmall(int c, int requested, boolean adapter) {
        lock(c);
        try {
            return heap.allocateSmall(c, requested, adapter);
        } finally {
            lock.unlock();
        }
    }

    public void freeSmall(long address, int c, int requested, boolean adapter) {
        lock(c);
        try {
            heap.freeSmall(address, c, requested, adapter);
        } finally {
            lock.unlock();
        }
    }

    public long allocateLarge(long size, long requested, boolean adapter) {
        lock.lock();
        try {
            return heap.allocateLarge(size, requested, adapter);
        } finally {
            lock.unlock();
        }
    }

    public void freeLarge(long address, long size, long requested, boolean adapter) {
        lock.lock();
        try {
            heap.freeLarge(address, size, requested, adapter);
        } finally {
            lock.unlock();
        }
    }

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

    public HeapSnapshot snapshot() {
        lock.lock();
        try {
            return heap.snapshot();
        } finally {
            lock.unlock();
        }
    }

    /** How often a thread found the lock held when it came for class {@code c} (racy read). */
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
