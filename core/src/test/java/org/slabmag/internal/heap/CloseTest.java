package org.slabmag.internal.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;

import org.agrona.UnsafeApi;
import org.junit.jupiter.api.Test;
import org.slabmag.internal.magazine.MagazineLayer;

/**
 * What {@code close()} returns to the OS and when (issue 14): what nobody holds at once, a chunk with a
 * block out only when that block comes back; nothing is handed out after close, even to a thread whose
 * call raced it.
 */
class CloseTest {
    private static final int CHUNK = 1 << 20;
    private static final int C64 = SizeClasses.classOf(64);
    private final Heap heap = new Heap(CHUNK, Long.MAX_VALUE, false);
    private final LockedHeap locked = new LockedHeap(heap);
    private final MagazineLayer layer = new MagazineLayer(locked, 64 << 10, 256 << 10, Long.MAX_VALUE / 4, 0);

    @Test
    void closeReturnsWhatIsFreeAndTheRestWhenItComesBack() throws Exception {
        long small = layer.allocateUnchecked(C64, 64);
        long large = locked.allocateLarge(CHUNK / 2, CHUNK / 2, false);
        long huge = locked.allocateLarge(CHUNK + 4096, CHUNK + 4096, false);
        // a chunk of free slabs only, which close returns at once
        long[] spare = new long[SizeClasses.blocksPerSlab(SizeClasses.classOf(65536)) * 20];
        int c64k = SizeClasses.classOf(65536);
        int n = locked.takeBlocks(c64k, spare, null, spare.length);
        locked.giveBackBlocks(c64k, spare, null, n);
        // another thread's magazines hold blocks when close comes
        long[] other = new long[1];
        Thread t = new Thread(() -> other[0] = layer.allocateUnchecked(SizeClasses.classOf(1024), 1000));
        t.start();
        t.join();
        UnsafeApi.setMemory(small, 64, (byte) 7);
        UnsafeApi.setMemory(large, CHUNK / 2, (byte) 8);
        UnsafeApi.setMemory(huge, CHUNK + 4096, (byte) 9);
        long before = heap.reservedBytes();

        assertTrue(locked.close(), "the first close closes");
        layer.trim(); // what SlabAllocator.close() does after closing the heap
        assertFalse(locked.close(), "a second close does nothing");

        assertTrue(heap.isClosed());
        assertTrue(heap.isClosedPlain());
        long after = heap.reservedBytes();
        assertTrue(after < before, "free chunks went back: " + before + " -> " + after);
        assertTrue(after >= CHUNK + CHUNK + 4096 && after <= 3L * CHUNK + 4096,
            "kept: the chunks of the small and large blocks, the huge block: " + after);
        assertThrows(IllegalStateException.class, () -> locked.takeBlocks(C64, new long[1], null, 1));
        assertThrows(IllegalStateException.class, () -> locked.allocateSmall(C64, 64, false));
        assertThrows(IllegalStateException.class, () -> locked.allocateLarge(100_000, 100_000, false));
        assertThrows(IllegalStateException.class, () -> layer.allocateUnchecked(C64, 64));
        assertThrows(IllegalStateException.class, locked::trim);
        assertThrows(IllegalStateException.class, locked::snapshot);
        assertEquals(7, UnsafeApi.getByte(small + 63), "held memory stays mapped");
        assertEquals(8, UnsafeApi.getByte(large + CHUNK / 2 - 1));
        assertEquals(9, UnsafeApi.getByte(huge + CHUNK + 4095));

        locked.freeLarge(huge, CHUNK + 4096, CHUNK + 4096, false);
        assertEquals(after - CHUNK - 4096, heap.reservedBytes(), "a huge block goes back when freed");
        locked.freeLarge(large, CHUNK / 2, CHUNK / 2, false);
        assertThrows(IllegalStateException.class, () -> locked.freeLarge(large, CHUNK / 2, CHUNK / 2, false),
            "a double free is still caught after close");
        layer.freeUnchecked(small, C64, 64);
        assertTrue(heap.reservedBytes() > 0, "the 1 KiB block still holds its chunk");
        layer.freeUnchecked(other[0], SizeClasses.classOf(1024), 1000);
        assertEquals(0, heap.reservedBytes(), "each chunk went back with its last block");
    }

    @Test
    void aThreadRacingCloseKeepsItsMagazinesUntilItCallsAgain() throws Exception {
        int c1k = SizeClasses.classOf(1024);
        AtomicLong held = new AtomicLong();
        Object lock = new Object();
        boolean[] go = new boolean[1];
        Thread t = new Thread(() -> {
            held.set(layer.allocateUnchecked(c1k, 1000)); // its magazine now holds the slab's other blocks
            synchronized (lock) {
                while (!go[0]) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
            layer.freeUnchecked(held.get(), c1k, 1000); // after close: back to the heap, with its magazines
        });
        t.start();
        while (held.get() == 0) {
            Thread.onSpinWait();
        }
        assertTrue(locked.close());
        layer.trim(); // what SlabAllocator.close() does after closing the heap
        assertEquals(CHUNK, heap.reservedBytes(), "the live thread's magazines keep their chunk");
        synchronized (lock) {
            go[0] = true;
            lock.notifyAll();
        }
        t.join();
        assertEquals(0, heap.reservedBytes());
    }
}
