package org.slabmag.internal.magazine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slabmag.internal.heap.Heap;
import org.slabmag.internal.heap.LockedHeap;
import org.slabmag.internal.heap.SizeClasses;

class ThreadCacheTest {
    private static final int SMALL = SizeClasses.classOf(64);
    private static final int PAGE = SizeClasses.classOf(4096);
    private final Heap heap = new Heap(4 << 20, Long.MAX_VALUE, false);
    private final LockedHeap locked = new LockedHeap(heap);
    private final MagazineLayer layer = new MagazineLayer(locked, 64 << 10, 256 << 10, Long.MAX_VALUE / 4, 0);

    @AfterEach
    void close() {
        locked.close();
    }

    /**
     * A thread cache remembers the chunk of its last free. When that chunk goes back to the OS and a
     * new chunk is reserved at the same address (glibc usually maps the same range again), a free
     * into the new chunk must be checked against the new chunk, not the remembered one. The second
     * cache stands for another thread that freed into the first chunk and then stayed idle.
     */
    @Test
    void aRememberedChunkThatWentBackToTheOsIsNotUsedForAChunkAtTheSameAddress() {
        ThreadCache idle = new ThreadCache(Thread.currentThread(), layer, heap);
        int reused = 0;
        for (int round = 0; round < 16; round++) {
            int c = round % 2 == 0 ? SMALL : PAGE;
            int size = SizeClasses.blockSize(c);
            long block = layer.allocate(c, size);
            long frame = block >>> 22;
            idle.free(block, c, size);
            idle.flush();
            layer.trim();
            locked.trim();
            assertEquals(0, locked.snapshot().chunks(), "every chunk went back to the OS");

            int other = c == SMALL ? PAGE : SMALL;
            int otherSize = SizeClasses.blockSize(other);
            long next = layer.allocate(other, otherSize);
            if (next >>> 22 == frame) {
                reused++;
            }
            idle.free(next, other, otherSize);
            idle.flush();
            layer.trim();
            locked.trim();
        }
        assumeTrue(reused > 0, "the OS never mapped a new chunk at a released chunk's address here");
    }
}
