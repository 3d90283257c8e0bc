package org.slabmag.internal.magazine;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DepotTest {
    private static final int C = SizeClasses.classOf(64);
    private final Heap heap = new Heap(4 << 20, Long.MAX_VALUE, false);
    private final LockedHeap locked = new LockedHeap(heap);

    @AfterEach
    void close() {
        locked.close();
    }

    /** Makes {@code threads} threads find the heap lock taken when they come for class {@code c}. */
    static void contend(LockedHeap locked, int c, int threads) throws Exception {
        Field f = LockedHeap.class.getDeclaredField("lock");
        f.setAccessible(true);
        ReentrantLock lock = (ReentrantLock) f.get(locked);
        List<Thread> ts = new ArrayList<>();
        long[] taken = new long[threads];
        lock.lock();
        try {
            for (int i = 0; i < threads; i++) {
                int slot = i;
                Thread t = new Thread(() -> locked.takeBlocks(c, taken, slot, 1));
                t.start();
                ts.add(t);
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (lock.getQueueLength() < threads) {
                assertTrue(System.nanoTime() < deadline, "threads did not queue on the lock");
                Thread.sleep(1);
            }
        } finally {
            lock.unlock();
        }
        for (Thread t : ts) {
            t.join();
        }
        locked.giveBackBlocks(c, taken, 0, threads); // uncontended: only this thread is left
    }

    @Test
    void magazinesGrowUnderHeapLockContentionUpToFourTimes() throws Exception {
        Depot d = new Depot(C, 64 << 10, 1 << 20);
        int initial = d.rounds();
        assertEquals(Math.max(4, Math.min(128, (64 << 10) / 64)), initial);
        d.adapt(locked);
        assertEquals(initial, d.rounds(), "no contention, no growth");

        contend(locked, C, Depot.CONTENTION_PER_GROWTH - 1);
        assertEquals(Depot.CONTENTION_PER_GROWTH - 1, locked.contention(C));
        d.adapt(locked);
        assertEquals(initial, d.rounds(), "7 contended acquisitions are not enough");

        contend(locked, C, 1);
        d.adapt(locked);
        assertEquals(2 * initial, d.rounds(), "8 contended acquisitions double the rounds");
        assertEquals(2 * initial, d.takeEmpty().capacity(), "new magazines have the new size");

        d.adapt(locked);
        assertEquals(2 * initial, d.rounds(), "the same contention does not count twice");
        assertEquals(0, locked.contention(C + 1), "counted per class");

        contend(locked, C, Depot.CONTENTION_PER_GROWTH);
        d.adapt(locked);
        assertEquals(4 * initial, d.rounds());
        contend(locked, C, Depot.CONTENTION_PER_GROWTH);
        d.adapt(locked);
        assertEquals(4 * initial, d.rounds(), "capped at " + Depot.GROWTH + " times the initial rounds");
    }

    @Test
    void initialRoundsAndCapacityFollowTheBuilderBytes() {
        assertEquals(Depot.MIN_ROUNDS, new Depot(SizeClasses.COUNT - 1, 64 << 10, 1 << 20).rounds());
        assertEquals(Depot.MAX_INITIAL_ROUNDS, new Depot(0, 64 << 10, 1 << 20).rounds());
        Depot small = new Depot(C, 1024, 1024); // 16 rounds of 64 B, capacity max(1024 / 1024, 4) -> 4
        assertEquals(16, small.rounds());
        List<Magazine> mags = new ArrayList<>();
        for (int i = 0; i < Depot.MIN_MAGAZINES + 1; i++) {
            Magazine m = new Magazine(16);
            heap.fill(C, m, 16);
            mags.add(m);
        }
        for (int i = 0; i < Depot.MIN_MAGAZINES; i++) {
            assertTrue(small.offerFull(mags.get(i)));
        }
        assertFalse(small.offerFull(mags.get(Depot.MIN_MAGAZINES)), "bounded at " + Depot.MIN_MAGAZINES + " magazines");
        assertEquals(16 * Depot.MIN_MAGAZINES, small.cachedRounds());
        small.flush(locked);
        assertEquals(0, small.cachedRounds());
        assertEquals(16, heap.snapshot().takenPerClass()[C], "only the rejected magazine's blocks are still out");
    }

    @Test
    void theDepotKeepsNoMoreThanItsTargetBytes() {
        // depotBytes of seven magazines: a queue rounded up to eight would keep more than asked
        Depot d = new Depot(C, 1024, 7 * 1024);
        int accepted = 0;
        for (int i = 0; i < 16; i++) {
            Magazine m = new Magazine(16);
            heap.fill(C, m, 16);
            if (d.offerFull(m)) {
                accepted++;
            } else {
                heap.drain(C, m);
            }
        }
        assertTrue(accepted >= 4 && accepted <= 7, "full magazines kept for 7 KiB of 1 KiB magazines: " + accepted);
        assertTrue(d.cachedRounds() * 64 <= 7 * 1024);
        d.flush(locked);
        for (int depotBytes : new int[] {1024, 5000, 100_000, 1 << 20, 1 << 30}) {
            Depot e = new Depot(C, 1024, depotBytes);
            int n = 0;
            while (n < 100 && e.offerFull(new Magazine(16))) {
                n++;
            }
            assertTrue(n >= Depot.MIN_MAGAZINES && n <= 64 && (n == Depot.MIN_MAGAZINES || n * 1024L <= depotBytes),
                depotBytes + " depot bytes kept " + n + " magazines of 1 KiB");
        }
    }

    @Test
    void workingSetReclaimGivesBackWhatWasNotNeededDuringAnInterval() {
        Depot d = new Depot(C, 64 << 10, 1 << 20);
        int r = d.rounds();
        for (int i = 0; i < 5; i++) {
            Magazine m = d.takeEmpty();
            assertEquals(r, m.capacity());
            locked.fill(C, m, r);
            assertEquals(r, m.size);
            assertTrue(d.offerFull(m));
        }
        assertEquals(5L * r, d.cachedRounds());
        d.reclaimUnused(locked);
        assertEquals(5L * r, d.cachedRounds(), "first interval: all five were just put there");
        Magazine used1 = d.pollFull();
        Magazine used2 = d.pollFull();
        assertNotNull(used1);
        assertNotNull(used2);
        d.reclaimUnused(locked);
        assertEquals(0, d.cachedRounds(), "low water was 3: the three untouched magazines go back");
        assertEquals(2L * r, heap.snapshot().takenPerClass()[C], "only the two polled magazines are still out");
        assertTrue(d.offerFull(used1));
        d.reclaimUnused(locked); // low water 0 in this interval
        assertEquals(r, d.cachedRounds());
        d.reclaimUnused(locked); // untouched for a whole interval
        assertEquals(0, d.cachedRounds(), "an idle depot drains to nothing");
        Magazine recycled = d.takeEmpty();
        assertEquals(0, recycled.size);
        locked.drain(C, used2);
        assertEquals(0, heap.snapshot().takenPerClass()[C]);
    }
}
