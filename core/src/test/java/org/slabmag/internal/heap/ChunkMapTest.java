package org.slabmag.internal.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

class ChunkMapTest {
    private static final int SIZE = 64 << 10;

    @Test
    void chunksAreAlignedToTheirSize() {
        Chunk c = Chunk.reserve(SIZE, 3);
        try {
            assertEquals(0, c.address & (SIZE - 1));
            assertTrue(c.address >= c.reservedAddress);
            assertEquals(c.address >>> 16, c.frame);
            assertEquals(3, c.region);
            assertTrue(c.contains(c.address));
            assertTrue(c.contains(c.address + SIZE - 1));
            assertFalse(c.contains(c.address - 1));
            assertFalse(c.contains(c.address + SIZE));
            assertEquals(15, c.pageOf(c.address + SIZE - 1));
            assertEquals(SIZE / SizeClasses.PAGE_SIZE, c.slabs.length);
        } finally {
            c.release();
        }
    }

    @Test
    void chunkMemoryLiesInsideItsReservation() {
        // 64 KiB chunks come from the malloc heap, only 16-byte aligned: the aligned chunk must still
        // end inside what was reserved (it did not with a reservation of 2 * size - PAGE_SIZE)
        List<Chunk> all = new ArrayList<>();
        try {
            for (int i = 0; i < 1000; i++) {
                Chunk c = Chunk.reserve(SIZE, i);
                all.add(c);
                assertTrue(c.address >= c.reservedAddress);
                assertTrue(c.address + c.size <= c.reservedAddress + Chunk.reservationBytes(SIZE),
                    "chunk at 0x" + Long.toHexString(c.address) + " runs past its reservation at 0x"
                        + Long.toHexString(c.reservedAddress) + " + " + Chunk.reservationBytes(SIZE));
            }
        } finally {
            for (Chunk c : all) {
                c.release();
            }
        }
    }

    @Test
    void findsManyChunksAndNothingJustOutside() {
        ChunkMap map = new ChunkMap(SIZE);
        TreeMap<Long, Chunk> model = new TreeMap<>();
        List<Chunk> all = new ArrayList<>();
        Random rnd = new Random(7);
        try {
            for (int i = 0; i < 300; i++) {
                Chunk c = Chunk.reserve(SIZE, i);
                all.add(c);
                map.add(c);
                model.put(c.address, c);
                if (i % 37 == 0) {
                    checkAll(map, model, all);
                }
            }
            checkAll(map, model, all);
            // remove a random half, then add some back
            List<Chunk> removed = new ArrayList<>();
            for (Chunk c : all) {
                if (rnd.nextBoolean()) {
                    map.remove(c);
                    model.remove(c.address);
                    removed.add(c);
                }
            }
            checkAll(map, model, all);
            for (int i = 0; i < removed.size(); i += 2) {
                map.add(removed.get(i));
                model.put(removed.get(i).address, removed.get(i));
            }
            checkAll(map, model, all);
            for (Chunk c : all) {
                if (model.remove(c.address) != null) {
                    map.remove(c);
                }
            }
            checkAll(map, model, all);
            assertNull(map.find(0));
            assertNull(map.find(-1));
        } finally {
            for (Chunk c : all) {
                c.release();
            }
        }
    }

    private static void checkAll(ChunkMap map, TreeMap<Long, Chunk> model, List<Chunk> all) {
        for (Chunk c : all) {
            long[] probes = {c.address, c.address + 1, c.address + SIZE / 2, c.address + SIZE - 1,
                c.address - 1, c.address + SIZE, c.address - SIZE, c.address + 2L * SIZE};
            for (long p : probes) {
                assertSame(expected(model, p), map.find(p), "find(0x" + Long.toHexString(p) + ")");
            }
        }
    }

    private static Chunk expected(TreeMap<Long, Chunk> model, long address) {
        Map.Entry<Long, Chunk> e = model.floorEntry(address);
        return e != null && e.getValue().contains(address) ? e.getValue() : null;
    }

    @Test
    void readersAlwaysFindAStableChunkWhileOthersComeAndGo() throws Exception {
        ChunkMap map = new ChunkMap(SIZE);
        Chunk stable = Chunk.reserve(SIZE, 0);
        List<Chunk> churn = new ArrayList<>();
        for (int i = 1; i <= 64; i++) {
            churn.add(Chunk.reserve(SIZE, i));
        }
        map.add(stable);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> error = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            while (!stop.get()) {
                if (map.find(stable.address + 4096) != stable) {
                    error.set("stable chunk not found during a rebuild");
                    return;
                }
            }
        });
        reader.start();
        try {
            for (int round = 0; round < 200; round++) {
                for (Chunk c : churn) {
                    map.add(c);
                }
                for (Chunk c : churn) {
                    map.remove(c);
                }
            }
        } finally {
            stop.set(true);
            reader.join();
            stable.release();
            for (Chunk c : churn) {
                c.release();
            }
        }
        assertNull(error.get(), error.get());
    }
}
