package org.slabmag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slabmag.testing.AllocatorVariant;
import org.slabmag.testing.Concurrency;
import org.slabmag.testing.Patterns;

/**
 * Random allocate/free sequences against a reference model of the live blocks, over every
 * {@link AllocatorVariant} (the user's checked API and the adapters' paths, in each mode): every block carries a
 * pattern checked before it is freed, no two live blocks overlap, the statistics match the model after every
 * batch, invalid frees are refused and change nothing, and a user's free of an adapter's block is refused.
 */
@ExtendWith(OomAsFailure.class)
class ModelBasedTest {
    static final int CHUNK = 4 << 20;
    static final int MAX_SIZE_LOG2 = 23; // sizes up to 8 MiB, log-uniform: ~4% above the chunk size

    /** One live block as the model knows it. */
    static final class Block {
        final long address;
        final int size;
        final int alignment; // 0: allocate(size)
        final long usable;
        final int sizeClass; // -1: page run, -2: huge
        final long seed;
        int index;

        Block(long address, int size, int alignment, long usable, int sizeClass, long seed) {
            this.address = address;
            this.size = size;
            this.alignment = alignment;
            this.usable = usable;
            this.sizeClass = sizeClass;
            this.seed = seed;
        }

        @Override
        public String toString() {
            return "block 0x" + Long.toHexString(address) + " size " + size + " align " + alignment + " usable " + usable;
        }
    }

    /** The allocator's expected geometry, computed independently of its code. */
    static final class Geometry {
        final int[] classBlock;
        final int chunk;

        Geometry(int chunk) {
            this.chunk = chunk;
            classBlock = new int[44];
            int c = 0;
            for (int b = 16; b <= 128; b += 16) {
                classBlock[c++] = b;
            }
            for (int n = 7; n < 16; n++) {
                for (int k = 1; k <= 4; k++) {
                    classBlock[c++] = (1 << n) + (k << (n - 2));
                }
            }
        }

        long aligned(int size, int alignment) {
            long s = size;
            if (alignment > 0) {
                long a = Math.max(alignment, 16);
                s = (s + a - 1) & -a;
            }
            return s;
        }

        int classOf(long s) {
            if (s > 65536) {
                return s <= chunk ? -1 : -2;
            }
            for (int c = 0; ; c++) {
                if (classBlock[c] >= s) {
                    return c;
                }
            }
        }

        long usable(long s) {
            int c = classOf(s);
            if (c >= 0) {
                return classBlock[c];
            }
            return (s + 4095) & -4096L; // a page run up to the chunk size, a dedicated block above: whole pages
        }
    }

    /** The live blocks of one worker, with its counters. */
    static final class Model {
        final List<Block> blocks = new ArrayList<>();
        long requested;
        long used;
        long allocations;
        long deallocations;
        int huge;
        final long[] perClass = new long[44];

        void add(Block b) {
            adopt(b);
            allocations++;
        }

        /** Takes over a block another worker allocated (counted there as an allocation). */
        void adopt(Block b) {
            b.index = blocks.size();
            blocks.add(b);
            requested += b.size;
            used += b.usable;
            count(b, 1);
        }

        void remove(Block b) {
            Block last = blocks.remove(blocks.size() - 1);
            if (last != b) {
                blocks.set(b.index, last);
                last.index = b.index;
            }
            dropLive(b);
            deallocations++;
        }

        /** A block handed to another worker: no longer this model's, not freed yet. */
        void dropLive(Block b) {
            requested -= b.size;
            used -= b.usable;
            count(b, -1);
        }

        void count(Block b, int d) {
            if (b.sizeClass >= 0) {
                perClass[b.sizeClass] += d;
            } else if (b.sizeClass == -2) {
                huge += d;
            }
        }
    }

    /** Shared state of one run. */
    static final class Run {
        final SlabAllocator a;
        final AllocatorVariant variant;
        final AllocatorVariant.Blocks blocks;
        final Geometry g;
        final ConcurrentSkipListMap<Long, Block> intervals = new ConcurrentSkipListMap<>();
        final ConcurrentLinkedQueue<Block> handoff = new ConcurrentLinkedQueue<>();
        final AtomicLong ids = new AtomicLong();
        final boolean crossThread;

        Run(SlabAllocator a, AllocatorVariant variant, boolean crossThread) {
            this.a = a;
            this.variant = variant;
            this.blocks = variant.blocks(a);
            this.g = new Geometry(a.chunkSize());
            this.crossThread = crossThread;
        }
    }

    /** One thread's (or slot's) random walk. */
    static final class Worker {
        final Run run;
        final Model model = new Model();
        final Random rnd;
        final int[] targets; // live-block counts the walk drifts towards, one picked every 2000 steps
        int target;

        Worker(Run run, long seed, int... targets) {
            this.run = run;
            this.rnd = new Random(seed);
            this.targets = targets;
        }

        void steps(int n, int checkEvery, boolean checkStats) {
            for (int i = 0; i < n; i++) {
                if (i % 2000 == 0) {
                    target = targets[rnd.nextInt(targets.length)];
                }
                step();
                if (checkStats && (i + 1) % checkEvery == 0) {
                    checkStats(run, List.of(model));
                }
            }
        }

        void step() {
            int live = model.blocks.size();
            int r = rnd.nextInt(1000);
            if (r < 10 && live > 0) {
                invalidFree();
            } else if (run.crossThread && r < 60) {
                Block b = run.handoff.poll();
                if (b != null) {
                    model.adopt(b);
                    free(b);
                }
            } else if (live == 0 || (live < target ? r < 700 : r < 300)) {
                allocate();
            } else {
                Block b = model.blocks.get(rnd.nextInt(live));
                if (run.crossThread && rnd.nextInt(4) == 0) {
                    Block last = model.blocks.remove(model.blocks.size() - 1);
                    if (last != b) {
                        model.blocks.set(b.index, last);
                        last.index = b.index;
                    }
                    model.dropLive(b);
                    run.handoff.add(b);
                } else {
                    free(b);
                }
            }
        }

        int randomSize() {
            double e = rnd.nextDouble() * MAX_SIZE_LOG2;
            return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.round(Math.pow(2, e))));
        }

        void allocate() {
            int size = randomSize();
            int alignment = run.variant.aligns() && rnd.nextInt(4) == 0 ? 1 << rnd.nextInt(13) : 0;
            SlabAllocator a = run.a;
            long address = run.blocks.allocate(size, alignment);
            long s = run.g.aligned(size, alignment);
            long usable = run.g.usable(s);
            if (alignment == 0) {
                assertEquals(usable, a.usableSize(size), "usableSize(" + size + ")");
            } else {
                assertEquals(0, address & (alignment - 1), "allocate(" + size + ", " + alignment + ") = 0x"
                        + Long.toHexString(address));
            }
            long natural = Math.min(4096, Long.lowestOneBit(usable));
            assertTrue(natural >= 16);
            assertEquals(0, address & (natural - 1), "block of " + usable + " bytes aligned to " + natural + ": 0x"
                    + Long.toHexString(address));
            Block b = new Block(address, size, alignment, usable, run.g.classOf(s), Patterns.seed(address,
                    run.ids.incrementAndGet()));
            claim(run.intervals, b);
            Patterns.fill(address, usable, b.seed);
            model.add(b);
        }

        void free(Block b) {
            Patterns.check(b.address, b.usable, b.seed);
            model.remove(b);
            assertSame(b, run.intervals.remove(b.address));
            run.blocks.free(b.address, b.size, b.alignment);
        }

        /**
         * Frees that must be refused and change nothing: a wrong address or size (where the variant's free
         * checks), or a user's free of an adapter's block with its right size.
         */
        void invalidFree() {
            Block b = model.blocks.get(rnd.nextInt(model.blocks.size()));
            SlabAllocator a = run.a;
            String before = run.crossThread ? null : figures(a.stats());
            int kind = rnd.nextInt(3);
            if (run.variant.adapterOwned() && (kind == 2 || !run.variant.checksFrees())) {
                RuntimeException e = assertThrows(RuntimeException.class, () -> a.free(b.address, b.size),
                    () -> "a user's free of an adapter's " + b);
                assertTrue(e instanceof IllegalArgumentException || e instanceof IllegalStateException, e::toString);
                if (before != null) {
                    assertEquals(before, figures(a.stats()), "a refused free changed the statistics");
                }
                return;
            }
            long usable = b.usable;
            int wrongSize;
            if (b.sizeClass >= 0) {
                wrongSize = usable < 65536 ? (int) usable + 1 : 16;
            } else if (b.sizeClass == -1) {
                wrongSize = usable * 2 <= a.chunkSize() ? (int) usable * 2 : (int) usable / 2;
            } else {
                wrongSize = b.size <= Integer.MAX_VALUE - 8192 ? b.size + 8192 : b.size - 8192;
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
                switch (kind) {
                    case 0 -> run.blocks.free(b.address + 8, b.size);
                    case 1 -> run.blocks.free(b.address, wrongSize);
                    default -> a.free(b.address + 1, b.size, 1);
                }
            }, () -> "invalid free (kind " + kind + ") of " + b);
            assertNotNull(e.getMessage());
            if (before != null) {
                assertEquals(before, figures(a.stats()), "a refused free changed the statistics");
            }
        }
    }

    static String figures(AllocatorStats s) {
        StringBuilder sb = new StringBuilder(s.toString());
        for (SizeClassStats c : s.sizeClasses()) {
            sb.append(' ').append(c.blocksUsed()).append('/').append(c.blocksCached()).append('/').append(c.blocksTotal());
        }
        return sb.toString();
    }

    /** Records b's interval, failing if it overlaps a live block (detected by at least one of two racing claims). */
    static void claim(ConcurrentSkipListMap<Long, Block> intervals, Block b) {
        Block old = intervals.putIfAbsent(b.address, b);
        assertNull(old, () -> "address 0x" + Long.toHexString(b.address) + " handed out twice: " + old + " and " + b);
        Map.Entry<Long, Block> lower = intervals.lowerEntry(b.address);
        if (lower != null) {
            Block l = lower.getValue();
            assertTrue(l.address + l.usable <= b.address, () -> "overlap: " + l + " and " + b);
        }
        Map.Entry<Long, Block> higher = intervals.higherEntry(b.address);
        if (higher != null) {
            Block h = higher.getValue();
            assertTrue(b.address + b.usable <= h.address, () -> "overlap: " + b + " and " + h);
        }
    }

    /** Statistics against the models (and the blocks in transit); call when quiescent. */
    static void checkStats(Run run, List<Model> models) {
        long requested = 0;
        long used = 0;
        long allocations = 0;
        long deallocations = 0;
        long hugeUsable = 0;
        int huge = 0;
        long[] perClass = new long[44];
        for (Model m : models) {
            requested += m.requested;
            used += m.used;
            allocations += m.allocations;
            deallocations += m.deallocations;
            huge += m.huge;
            for (int c = 0; c < 44; c++) {
                perClass[c] += m.perClass[c];
            }
            for (Block b : m.blocks) {
                if (b.sizeClass == -2) {
                    hugeUsable += b.usable;
                }
            }
        }
        for (Block b : run.handoff) {
            requested += b.size;
            used += b.usable;
            if (b.sizeClass >= 0) {
                perClass[b.sizeClass]++;
            } else if (b.sizeClass == -2) {
                huge++;
                hugeUsable += b.usable;
            }
        }
        AllocatorStats s = run.a.stats();
        String where = s.toString();
        assertEquals(requested, s.requestedBytes(), where);
        assertEquals(used, s.usedBytes(), where);
        assertEquals(allocations, s.allocations(), where);
        assertEquals(deallocations, s.deallocations(), where);
        assertEquals(huge, s.hugeBlocks(), where);
        assertEquals(s.totalBytes(), s.usedBytes() + s.cachedBytes() + s.availableBytes(), where);
        assertTrue(s.cachedBytes() >= 0 && s.availableBytes() >= 0, where);
        assertTrue(s.requestedBytes() <= s.usedBytes(), where);
        assertEquals((long) s.chunks() * run.a.chunkSize() + hugeUsable, s.totalBytes(), "chunks plus huge blocks: "
                + where);
        if (!run.a.hasThreadCaches()) {
            assertEquals(0, s.cachedBytes(), where);
        }
        double f = s.totalBytes() == 0 ? 0 : 1 - (double) s.requestedBytes() / s.totalBytes();
        assertEquals(f, s.fragmentation(), 1e-12);
        long smallUsed = 0;
        for (int c = 0; c < 44; c++) {
            SizeClassStats cs = s.sizeClasses().get(c);
            assertEquals(run.g.classBlock[c], cs.blockSize());
            assertEquals(perClass[c], cs.blocksUsed(), "class " + cs);
            assertTrue(cs.blocksUsed() + cs.blocksCached() <= cs.blocksTotal(), cs.toString());
            smallUsed += cs.blocksUsed() * cs.blockSize();
        }
        assertTrue(smallUsed <= s.usedBytes());
    }

    static SlabAllocator build(AllocatorVariant variant) {
        return variant.configure(SlabAllocator.builder().chunkSize(CHUNK)).build();
    }

    static void finish(Run run, List<Model> models, List<Worker> workers) {
        Block b;
        Worker w0 = workers.get(0);
        while ((b = run.handoff.poll()) != null) {
            w0.model.adopt(b);
            w0.free(b);
        }
        for (Worker w : workers) {
            while (!w.model.blocks.isEmpty()) {
                w.free(w.model.blocks.get(w.model.blocks.size() - 1));
            }
        }
        checkStats(run, models);
        AllocatorStats s = run.a.stats();
        assertEquals(0, s.usedBytes(), s.toString());
        assertEquals(0, s.requestedBytes(), s.toString());
        assertEquals(s.allocations(), s.deallocations());
        assertTrue(run.intervals.isEmpty());
        run.a.trim();
        s = run.a.stats();
        assertEquals(0, s.cachedBytes(), s.toString());
        assertTrue(s.totalBytes() <= run.a.chunkSize(), "after trim() at most one chunk: " + s);
        assertEquals(0, s.hugeBlocks());
    }

    @ParameterizedTest
    @EnumSource(AllocatorVariant.class)
    void singleThread(AllocatorVariant variant) {
        try (SlabAllocator a = build(variant)) {
            Run run = new Run(a, variant, false);
            Worker w = new Worker(run, variant.name().hashCode(), 0, 20, 100, 300);
            w.steps(100_000, 500, true);
            assertTrue(w.model.allocations > 40_000, "enough allocations: " + w.model.allocations);
            finish(run, List.of(w.model), List.of(w));
        }
    }

    @ParameterizedTest
    @EnumSource(AllocatorVariant.class)
    void acrossThreads(AllocatorVariant variant) throws Exception {
        int threads = 4;
        int rounds = 4;
        int stepsPerRound = 6_000;
        try (SlabAllocator a = build(variant)) {
            Run run = new Run(a, variant, true);
            List<Worker> workers = new ArrayList<>();
            List<Model> models = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                workers.add(new Worker(run, 1000L * i + variant.name().hashCode(), 0, 10, 40, 120));
                models.add(workers.get(i).model);
            }
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            for (int round = 0; round < rounds; round++) {
                List<Thread> ts = new ArrayList<>();
                for (Worker w : workers) {
                    // a new thread per round: blocks of dead threads are freed by their successors
                    Thread t = new Thread(() -> {
                        try {
                            w.steps(stepsPerRound, Integer.MAX_VALUE, false);
                        } catch (Throwable e) {
                            errors.add(e);
                        }
                    });
                    t.start();
                    ts.add(t);
                }
                Concurrency.joinAll(ts);
                Concurrency.rethrow(errors, variant + ", round " + round);
                checkStats(run, models);
            }
            finish(run, models, workers);
        }
    }
}
