package org.slabmag.internal.magazine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slabmag.internal.heap.Heap;
import org.slabmag.internal.heap.LockedHeap;
import org.slabmag.internal.heap.SizeClasses;
import org.slabmag.testing.Concurrency;

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
        long[][] taken = new long[threads][1];
        lock.lock();
        try {
            for (int i = 0; i < threads; i++) {
                long[] dst = taken[i];
                Thread t = new Thread(() -> locked.takeBlocks(c, dst, null, 1));
                t.start();
                ts.add(t);
            }
            Concurrency.awaitUntil(() -> lock.getQueueLength() >= threads, "threads did not queue on the lock");
        } finally {
            lock.unlock();
        }
        for (Thread t : ts) {
            t.join();
        }
        long[] all = new long[threads];
        for (int i = 0; i < threads; i++) {
            all[i] = taken[i][0];
        }
        locked.giveBackBlocks(c, all, null, threads); // uncontended: only this thread is left
    }

    /** Gives every round of {@code m} (of class {@link #C}) back to the heap. */
    private void drain(AddressMagazine m) {
        locked.giveBackBlocks(C, m.rounds, m.slabs, m.size);
        m.size = 0;
    }

    /** What the magazine layer does with a magazine a depot gives up: drains it and recycles it. */
    private void giveBack(ClassDepot d, AddressMagazine m) {
        drain(m);
        d.recycle(m);
    }

    /** Fills empty magazine {@code m} with up to {@code n} blocks of class {@link #C}, with their slabs. */
    private static void fill(LockedHeap heap, AddressMagazine m, int n) {
        m.size = heap.takeBlocks(C, m.rounds, m.slabs, n);
    }

    @Test
    void magazinesGrowUnderHeapLockContentionUpToFourTimes() throws Exception {
        ClassDepot d = new ClassDepot(C, 64 << 10, 1 << 20);
        int initial = d.rounds();
        assertEquals(Math.max(4, Math.min(128, (64 << 10) / 64)), initial);
        d.adapt(locked);
        assertEquals(initial, d.rounds(), "no contention, no growth");

        contend(locked, C, ClassDepot.CONTENTION_PER_GROWTH - 1);
        assertEquals(ClassDepot.CONTENTION_PER_GROWTH - 1, locked.contention(C));
        d.adapt(locked);
        assertEquals(initial, d.rounds(), "7 contended acquisitions are not enough");

        contend(locked, C, 1);
        d.adapt(locked);
        assertEquals(2 * initial, d.rounds(), "8 contended acquisitions double the rounds");
        assertEquals(2 * initial, d.takeEmpty().capacity(), "new magazines have the new size");

        d.adapt(locked);
        assertEquals(2 * initial, d.rounds(), "the same contention does not count twice");
        assertEquals(0, locked.contention(C + 1), "counted per class");

        contend(locked, C, ClassDepot.CONTENTION_PER_GROWTH);
        d.adapt(locked);
        assertEquals(4 * initial, d.rounds());
        contend(locked, C, ClassDepot.CONTENTION_PER_GROWTH);
        d.adapt(locked);
        assertEquals(4 * initial, d.rounds(), "capped at " + ClassDepot.GROWTH + " times the initial rounds");
    }

    @Test
    void initialRoundsAndCapacityFollowTheBuilderBytes() {
        assertEquals(ClassDepot.MIN_ROUNDS, new ClassDepot(SizeClasses.COUNT - 1, 64 << 10, 1 << 20).rounds());
        assertEquals(ClassDepot.MAX_INITIAL_ROUNDS, new ClassDepot(0, 64 << 10, 1 << 20).rounds());
        ClassDepot small = new ClassDepot(C, 1024, 1024); // 16 rounds of 64 B, capacity max(1024 / 1024, 4) -> 4
        assertEquals(16, small.rounds());
        List<AddressMagazine> mags = new ArrayList<>();
        for (int i = 0; i < ClassDepot.MIN_MAGAZINES + 1; i++) {
            AddressMagazine m = new AddressMagazine(16);
            fill(locked, m, 16);
            assertEquals(16, m.size);
            mags.add(m);
        }
        for (int i = 0; i < ClassDepot.MIN_MAGAZINES; i++) {
            assertTrue(small.offerFull(mags.get(i)));
        }
        assertFalse(small.offerFull(mags.get(ClassDepot.MIN_MAGAZINES)), "bounded at " + ClassDepot.MIN_MAGAZINES
                + " magazines");
        assertEquals(16 * ClassDepot.MIN_MAGAZINES, small.cachedRounds());
        small.flush(m -> giveBack(small, m));
        assertEquals(0, small.cachedRounds());
        assertEquals(16, heap.snapshot().takenPerClass()[C], "only the rejected magazine's blocks are still out");
    }

    @Test
    void theDepotKeepsNoMoreThanItsTargetBytes() {
        // depotBytes of seven magazines: a queue rounded up to eight would keep more than asked
        ClassDepot d = new ClassDepot(C, 1024, 7 * 1024);
        int accepted = 0;
        for (int i = 0; i < 16; i++) {
            AddressMagazine m = new AddressMagazine(16);
            fill(locked, m, 16);
            if (d.offerFull(m)) {
                accepted++;
            } else {
                drain(m);
            }
        }
        assertTrue(accepted >= 4 && accepted <= 7, "full magazines kept for 7 KiB of 1 KiB magazines: " + accepted);
        assertTrue(d.cachedRounds() * 64 <= 7 * 1024);
        d.flush(m -> giveBack(d, m));
        for (int depotBytes : new int[] {1024, 5000, 100_000, 1 << 20, 1 << 30}) {
            ClassDepot e = new ClassDepot(C, 1024, depotBytes);
            int n = 0;
            while (n < 100 && e.offerFull(new AddressMagazine(16))) {
                n++;
            }
            assertTrue(n >= ClassDepot.MIN_MAGAZINES && n <= 64 && (n == ClassDepot.MIN_MAGAZINES
                    || n * 1024L <= depotBytes),
                depotBytes + " depot bytes kept " + n + " magazines of 1 KiB");
        }
    }

    @Test
    void workingSetReclaimGivesBackWhatWasNotNeededDuringAnInterval() {
        ClassDepot d = new ClassDepot(C, 64 << 10, 1 << 20);
        int r = d.rounds();
        for (int i = 0; i < 5; i++) {
            AddressMagazine m = d.takeEmpty();
            assertEquals(r, m.capacity());
            fill(locked, m, r);
            assertEquals(r, m.size);
            assertTrue(d.offerFull(m));
        }
        assertEquals(5L * r, d.cachedRounds());
        d.reclaimUnused(m -> giveBack(d, m));
        assertEquals(5L * r, d.cachedRounds(), "first interval: all five were just put there");
        AddressMagazine used1 = d.pollFull();
        AddressMagazine used2 = d.pollFull();
        assertNotNull(used1);
        assertNotNull(used2);
        d.reclaimUnused(m -> giveBack(d, m));
        assertEquals(0, d.cachedRounds(), "low water was 3: the three untouched magazines go back");
        assertEquals(2L * r, heap.snapshot().takenPerClass()[C], "only the two polled magazines are still out");
        assertTrue(d.offerFull(used1));
        d.reclaimUnused(m -> giveBack(d, m)); // low water 0 in this interval
        assertEquals(r, d.cachedRounds());
        d.reclaimUnused(m -> giveBack(d, m)); // untouched for a whole interval
        assertEquals(0, d.cachedRounds(), "an idle depot drains to nothing");
        AddressMagazine recycled = d.takeEmpty();
        assertEquals(0, recycled.size);
        assertNull(recycled.slabs[0], "draining cleared the slabs the magazine carried");
        drain(used2);
        assertEquals(0, heap.snapshot().takenPerClass()[C]);
    }
}
