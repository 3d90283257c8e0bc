package org.slabmag.fuzz;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.ByteBuf;
import io.netty.util.IllegalReferenceCountException;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.commons.pool2.PooledObject;
import org.slabmag.SlabAllocator;
import org.slabmag.SlabAllocatorBuilder;
import org.slabmag.SlabOutOfMemoryError;
import org.slabmag.netty.SlabByteBufAllocator;
import org.slabmag.pool.MagazineObjectPool;
import org.slabmag.pool.MagazineObjectPoolConfig;
import org.slabmag.pool.SlabBufferFactory;
import org.slabmag.pool.SlabBufferKeyedFactory;

/**
 * One random program over the public API, run by {@link CrashFuzzTest} in its own JVM: a {@link SlabAllocator}
 * (configuration drawn from the seed), a {@link SlabByteBufAllocator} over it, a {@link MagazineObjectPool} of
 * {@link SlabBufferFactory} buffers and a {@link SlabBufferKeyedFactory}, used by several threads at once with
 * valid calls, misuse (bad sizes and alignments, foreign, interior and wrong-size frees, double frees, double
 * releases and returns, use after release), {@code trim()}, statistics, and {@code close()} of the allocator and
 * the pool at random moments.
 *
 * <p>Every block, buffer and pooled buffer holds a pattern derived from its address or id, checked before it is
 * freed, at random, and at the end (also after close: memory still held must stay mapped and intact).
 * Violations: an exception outside the contract (for a valid call: only {@link SlabOutOfMemoryError},
 * {@link IllegalStateException} once a close began, and the pool's {@link NoSuchElementException}; for misuse:
 * the documented exception), misuse that is accepted, a corrupted pattern, a misaligned address, and used bytes
 * not back to zero after everything was freed on an open allocator. The program prints each violation with its
 * seed and exits with {@value #EXIT_VIOLATION}; a JVM crash is for the parent to see. Exit 0: clean.
 *
 * <p>Arguments: {@code seed [opsPerThread]}.
 */
public final class FuzzProgram {
    static final int EXIT_VIOLATION = 3;
    private static final int[] BAD_SIZES = {0, -1, -4096, Integer.MIN_VALUE};
    private static final int[] BAD_ALIGNMENTS = {0, -16, 3, 24, 8192, Integer.MIN_VALUE};

    private final long seed;
    private final int ops;
    private final SplittableRandom random;
    private final int chunkSize;
    private final boolean hardened;
    private final boolean threadCaches;
    /** Platform threads get private magazines at once (no warm-up on the shared stripes). */
    private final boolean privateCaches;
    private final boolean limited;
    private final SlabAllocator slab;
    private final SlabByteBufAllocator netty;
    private final MagazineObjectPool<MutableDirectBuffer> pool;
    private final int poolCapacity;
    private final boolean poolZeroed;
    private final SlabBufferKeyedFactory keyed;
    /** A pool for double returns, used under its own lock so that nobody borrows in between. */
    private final MagazineObjectPool<MutableDirectBuffer> misusePool;
    /** A block of plain malloc memory: its addresses are foreign to the allocator. */
    private final long foreign;
    private final ConcurrentLinkedQueue<Object> handoff = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    private final AtomicLong ids = new AtomicLong(1);
    private final AtomicLong calls = new AtomicLong();
    private volatile boolean closeStarted;
    private volatile boolean poolCloseStarted;

    /** A block from {@code SlabAllocator.allocate}; {@code alignment} 0 for the one-argument form. */
    private record Block(long address, int size, int alignment, long id) {
    }

    /** A direct buffer of the Netty allocator with the id of its pattern. */
    private record NettyBuffer(ByteBuf buf, long id) {
    }

    /** A buffer on loan from the pool. */
    private record Pooled(MutableDirectBuffer buffer, long id) {
    }

    /** A buffer made by the keyed factory outside any pool. */
    private record Keyed(PooledObject<MutableDirectBuffer> pooled, int capacity, long id) {
    }

    @FunctionalInterface
    private interface Call {
        void run() throws Exception;
    }

    FuzzProgram(long seed, int ops) {
        this.seed = seed;
        this.ops = ops;
        this.random = new SplittableRandom(seed);
        this.chunkSize = random.nextBoolean() ? SlabAllocatorBuilder.MIN_CHUNK_SIZE : 4 << 20;
        this.hardened = random.nextInt(3) == 0;
        this.threadCaches = random.nextInt(4) != 0;
        this.privateCaches = threadCaches && random.nextBoolean();
        this.limited = random.nextInt(3) == 0;
        SlabAllocatorBuilder b = SlabAllocator.builder().chunkSize(chunkSize).hardened(hardened).threadCaches(threadCaches)
            .threadCacheWarmUp(privateCaches ? 0 : 256)
            .decay(random.nextBoolean() ? Duration.ofMillis(10 + random.nextInt(40)) : Duration.ofSeconds(10));
        if (limited) {
            b.maxMemory((long) chunkSize * (2 + random.nextInt(6)));
        }
        this.slab = b.build();
        this.netty = new SlabByteBufAllocator(slab, random.nextBoolean());
        this.poolCapacity = 1 + random.nextInt(random.nextBoolean() ? 256 : 100_000);
        this.poolZeroed = random.nextBoolean();
        MagazineObjectPoolConfig config = new MagazineObjectPoolConfig();
        config.setMaxTotal(4 + random.nextInt(32));
        config.setBlockWhenExhausted(false);
        config.setTestOnReturn(random.nextBoolean());
        config.setSwallowedExceptionListener(e -> {
            if (!allowed(e, false)) {
                violation("pool swallowed", e);
            }
        });
        this.pool = new MagazineObjectPool<>(new SlabBufferFactory(slab, poolCapacity, poolZeroed), config);
        this.keyed = new SlabBufferKeyedFactory(slab, random.nextBoolean());
        this.misusePool = new MagazineObjectPool<>(new SlabBufferFactory(slab, 64, false));
        this.foreign = UnsafeApi.allocateMemory(1 << 16);
    }

    public static void main(String[] args) throws Exception {
        long seed = Long.parseLong(args[0]);
        int ops = args.length > 1 ? Integer.parseInt(args[1]) : 400;
        FuzzProgram p = new FuzzProgram(seed, ops);
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> p.violation("uncaught in " + t.getName(), e));
        p.run();
        if (!p.violations.isEmpty()) {
            System.out.println("FUZZ VIOLATION seed=" + seed + " " + p.describe());
            p.violations.forEach(System.out::println);
            System.out.flush();
            System.exit(EXIT_VIOLATION);
        }
        System.out.println("fuzz ok seed=" + seed + " calls=" + p.calls.get() + " " + p.describe());
        System.exit(0);
    }

    private String describe() {
        return "chunk=" + chunkSize + " hardened=" + hardened + " threadCaches=" + threadCaches + " limited=" + limited
            + " poolCapacity=" + poolCapacity;
    }

    void run() throws InterruptedException {
        int threads = 2 + random.nextInt(3);
        List<List<Object>> held = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        int closer = random.nextInt(threads);
        int closeAt = random.nextInt(ops * 3 / 2);
        int poolCloser = random.nextInt(threads);
        int poolCloseAt = random.nextInt(ops * 3);
        for (int t = 0; t < threads; t++) {
            List<Object> mine = new ArrayList<>();
            held.add(mine);
            SplittableRandom r = random.split();
            int index = t;
            workers.add(new Thread(() -> work(r, mine, index == closer ? closeAt : -1,
                index == poolCloser ? poolCloseAt : -1), "fuzz-" + t));
        }
        workers.forEach(Thread::start);
        for (Thread t : workers) {
            t.join();
        }
        List<Object> all = new ArrayList<>();
        held.forEach(all::addAll);
        all.addAll(handoff);
        finish(all);
    }

    // ------------------------------------------------------------------ one worker

    private void work(SplittableRandom r, List<Object> mine, int closeAt, int poolCloseAt) {
        for (int i = 0; i < ops; i++) {
            if (i == closeAt) {
                closeAllocator();
            }
            if (i == poolCloseAt) {
                poolCloseStarted = true;
                valid("pool.close", pool::close);
            }
            calls.incrementAndGet();
            step(r, mine);
        }
    }

    private void step(SplittableRandom r, List<Object> mine) {
        int op = r.nextInt(100);
        if (op < 14) {
            allocate(r, mine);
        } else if (op < 26) {
            freeBlock(r, mine);
        } else if (op < 29) {
            checkSome(r, mine);
        } else if (op < 31) {
            badArguments(r);
        } else if (op < 35) {
            misuseFree(r, mine);
        } else if (op < 37) {
            immediateDoubleFree(r);
        } else if (op < 39) {
            valid("stats", slab::stats);
        } else if (op < 41) {
            valid("trim", slab::trim);
        } else if (op < 43) {
            usableSize(r);
        } else if (op < 53) {
            newDirectBuffer(r, mine);
        } else if (op < 62) {
            releaseBuffer(r, mine);
        } else if (op < 64) {
            growBuffer(r, mine);
        } else if (op < 66) {
            sliceAndDuplicate(r, mine);
        } else if (op < 68) {
            releaseTwiceAndUse(r);
        } else if (op < 70) {
            nettyMisc(r);
        } else if (op < 71) {
            userFreeOfBufferMemory(r, mine);
        } else if (op < 78) {
            borrow(r, mine);
        } else if (op < 85) {
            giveBack(r, mine);
        } else if (op < 87) {
            poolMisuse(r);
        } else if (op < 88) {
            valid("pool.clear", pool::clear);
        } else if (op < 91) {
            keyedFactory(r);
        } else if (op < 99) {
            handOff(r, mine);
        } else if (r.nextInt(20) == 0) {
            closeAllocator(); // a second closer, or an early one
        }
    }

    private void closeAllocator() {
        closeStarted = true;
        valid("close", slab::close);
    }

    // ------------------------------------------------------------------ SlabAllocator

    private int size(SplittableRandom r) {
        int kind = r.nextInt(20);
        if (kind < 14) {
            return 1 + r.nextInt(r.nextBoolean() ? 512 : 65_536);
        }
        if (kind < 19) {
            return 65_537 + r.nextInt(chunkSize - 65_536);
        }
        return chunkSize + 1 + r.nextInt(chunkSize);
    }

    private void allocate(SplittableRandom r, List<Object> mine) {
        int size = size(r);
        int alignment = r.nextInt(6) == 0 ? 1 << r.nextInt(13) : 0;
        valid("allocate(" + size + ", " + alignment + ")", () -> {
            long address = alignment == 0 ? slab.allocate(size) : slab.allocate(size, alignment);
            long required = size > 65_536 ? 4096 : Math.max(16, alignment);
            if ((address & (required - 1)) != 0) {
                violation("allocate(" + size + ", " + alignment + ") misaligned: 0x" + Long.toHexString(address), null);
            }
            Block b = new Block(address, size, alignment, ids.getAndIncrement());
            Patterns.fill(address, size, b.id());
            mine.add(b);
        });
    }

    private void freeBlock(SplittableRandom r, List<Object> mine) {
        Block b = take(r, mine, Block.class);
        if (b == null) {
            return;
        }
        check(b);
        if (!freeOrKeep(b)) {
            mine.add(b);
        }
    }

    /** Frees {@code b}; false if that was refused because the allocator is closed (b stays held). */
    private boolean freeOrKeep(Block b) {
        try {
            free(b.address(), b);
            return true;
        } catch (Throwable t) {
            if (!allowed(t, false)) {
                violation("free of live block " + b, t);
            }
            return false;
        }
    }

    private void free(long address, Block b) {
        if (b.alignment() == 0) {
            slab.free(address, b.size());
        } else {
            slab.free(address, b.size(), b.alignment());
        }
    }

    private void checkSome(SplittableRandom r, List<Object> mine) {
        for (int i = 0; i < 4 && !mine.isEmpty(); i++) {
            Object o = mine.get(r.nextInt(mine.size()));
            checkItem(o);
        }
    }

    private void badArguments(SplittableRandom r) {
        int bad = BAD_SIZES[r.nextInt(BAD_SIZES.length)];
        int badAlignment = BAD_ALIGNMENTS[r.nextInt(BAD_ALIGNMENTS.length)];
        misuse("allocate(" + bad + ")", () -> slab.allocate(bad), IllegalArgumentException.class);
        misuse("allocate(64, " + badAlignment + ")", () -> slab.allocate(64, badAlignment), IllegalArgumentException.class);
        misuse("free(foreign, " + bad + ")", () -> slab.free(foreign, bad), IllegalArgumentException.class);
        misuse("usableSize(" + bad + ")", () -> slab.usableSize(bad), IllegalArgumentException.class);
        if (bad < 0) {
            misuse("directBuffer(" + bad + ")", () -> netty.directBuffer(bad), IllegalArgumentException.class);
        }
        misuse("directBuffer(64, 8)", () -> netty.directBuffer(64, 8), IllegalArgumentException.class);
        misuse("keyed.makeObject(" + bad + ")", () -> keyed.makeObject(bad), IllegalArgumentException.class);
    }

    /** Frees that must be refused: foreign, interior, wrong size class. */
    private void misuseFree(SplittableRandom r, List<Object> mine) {
        int kind = r.nextInt(4);
        if (kind == 0) {
            long[] addresses = {foreign, foreign + 4096, 0, 16, -4096, foreign + (1 << 15)};
            long address = addresses[r.nextInt(addresses.length)];
            int size = size(r);
            misuse("free(foreign 0x" + Long.toHexString(address) + ", " + size + ")", () -> slab.free(address, size),
                IllegalArgumentException.class);
            return;
        }
        Block b = pick(r, mine, Block.class);
        if (b == null) {
            return;
        }
        if (kind == 1) {
            misuse("interior free of " + b, () -> free(b.address() + 8, b), IllegalArgumentException.class);
        } else {
            int wrong = otherClassSize(r, b);
            if (wrong > 0) {
                misuse("free of " + b + " with size " + wrong, () -> slab.free(b.address(), wrong),
                    IllegalArgumentException.class);
            }
        }
        check(b);
    }

    /** A size whose block differs from {@code b}'s, or 0 if none was found (or the allocator is closed). */
    private int otherClassSize(SplittableRandom r, Block b) {
        if (b.alignment() != 0) {
            return 0;
        }
        try {
            int usable = slab.usableSize(b.size());
            for (int i = 0; i < 8; i++) {
                int s = size(r);
                if (slab.usableSize(s) != usable) {
                    return s;
                }
            }
        } catch (IllegalStateException closed) {
            if (!allowed(closed, false)) {
                violation("usableSize", closed);
            }
        }
        return 0;
    }

    /**
     * A double free that the contract promises to catch: a small block freed twice in a row by the thread
     * whose private magazine it went to, so nobody can have taken it in between (with the shared stripes
     * of threads warming up, another thread may take it or trim() may return its slab in between).
     */
    private void immediateDoubleFree(SplittableRandom r) {
        if (!privateCaches) {
            return; // shared stripes: another thread may take the block, or trim() return its slab, in between
        }
        int size = 1 + r.nextInt(65_536);
        long address;
        try {
            address = slab.allocate(size);
        } catch (Throwable t) {
            if (!allowed(t, false)) {
                violation("allocate(" + size + ")", t);
            }
            return;
        }
        Block b = new Block(address, size, 0, ids.getAndIncrement());
        Patterns.fill(address, size, b.id());
        if (freeOrKeep(b)) {
            misuse("immediate double free of " + b, () -> slab.free(address, size), IllegalStateException.class);
        }
    }

    private void usableSize(SplittableRandom r) {
        int size = size(r);
        valid("usableSize(" + size + ")", () -> {
            int usable = slab.usableSize(size);
            if (usable < size) {
                violation("usableSize(" + size + ") = " + usable, null);
            }
        });
    }

    // ------------------------------------------------------------------ Netty

    private void newDirectBuffer(SplittableRandom r, List<Object> mine) {
        int capacity = r.nextInt(8) == 0 ? 0 : r.nextInt(10) == 0 ? size(r) : 1 + r.nextInt(4096);
        int max = r.nextBoolean() ? Integer.MAX_VALUE : capacity + r.nextInt(70_000);
        valid("directBuffer(" + capacity + ", " + max + ")", () -> {
            ByteBuf buf = netty.directBuffer(capacity, max);
            NettyBuffer n = new NettyBuffer(buf, ids.getAndIncrement());
            Patterns.fill(buf, n.id());
            mine.add(n);
        });
        if (r.nextInt(4) == 0) {
            valid("heapBuffer", () -> {
                ByteBuf heap = netty.heapBuffer(1 + r.nextInt(1000));
                heap.writeLong(7);
                if (heap.readLong() != 7 || !heap.release()) {
                    violation("heap buffer misbehaved", null);
                }
            });
        }
    }

    private void releaseBuffer(SplittableRandom r, List<Object> mine) {
        NettyBuffer n = take(r, mine, NettyBuffer.class);
        if (n == null) {
            return;
        }
        Patterns.check(n.buf(), n.id());
        valid("release", () -> {
            if (!n.buf().release()) {
                violation("release of a buffer with one reference returned false", null);
            }
        });
    }

    private void growBuffer(SplittableRandom r, List<Object> mine) {
        NettyBuffer n = pick(r, mine, NettyBuffer.class);
        if (n == null) {
            return;
        }
        ByteBuf buf = n.buf();
        int target = (int) Math.min(buf.maxCapacity(), buf.capacity() + 1L + r.nextInt(r.nextBoolean() ? 64 : 200_000));
        Patterns.check(buf, n.id());
        try {
            buf.capacity(target);
        } catch (Throwable t) {
            if (!allowed(t, false)) {
                violation("capacity(" + target + ")", t);
            }
        }
        Patterns.fill(buf, n.id());
        Patterns.check(buf, n.id());
    }

    private void sliceAndDuplicate(SplittableRandom r, List<Object> mine) {
        NettyBuffer n = pick(r, mine, NettyBuffer.class);
        if (n == null || n.buf().capacity() < 16) {
            return;
        }
        ByteBuf buf = n.buf();
        int from = r.nextInt(buf.capacity() - 8);
        ByteBuf slice = buf.slice(from, 8);
        ByteBuf dup = buf.duplicate();
        if (slice.getLong(0) != buf.getLong(from) || dup.getByte(from) != buf.getByte(from)) {
            violation("slice or duplicate disagrees with its buffer", null);
        }
        ByteBuf retained = buf.retainedSlice(from, 8);
        if (retained.release() || buf.refCnt() != 1) {
            violation("retained slice broke the reference count", null);
        }
        Patterns.check(buf, n.id());
    }

    /** Releases a fresh buffer twice and uses it after release: Netty's exceptions, nothing else. */
    private void releaseTwiceAndUse(SplittableRandom r) {
        ByteBuf buf;
        try {
            buf = netty.directBuffer(1 + r.nextInt(100_000));
        } catch (Throwable t) {
            if (!allowed(t, false)) {
                violation("directBuffer", t);
            }
            return;
        }
        buf.writeLong(42);
        ByteBuf slice = buf.slice();
        if (!buf.release()) {
            violation("release returned false", null);
        }
        misuse("second release", buf::release, IllegalReferenceCountException.class);
        misuse("getLong after release", () -> buf.getLong(0), IllegalReferenceCountException.class,
            IndexOutOfBoundsException.class);
        misuse("readLong after release", buf::readLong, IllegalReferenceCountException.class,
            IndexOutOfBoundsException.class);
        misuse("setByte after release", () -> buf.setByte(0, 1), IllegalReferenceCountException.class,
            IndexOutOfBoundsException.class);
        misuse("slice read after release", () -> slice.getLong(0), IllegalReferenceCountException.class,
            IndexOutOfBoundsException.class);
        misuse("nioBuffer after release", () -> buf.nioBuffer(0, 8).getLong(0), IllegalReferenceCountException.class,
            IndexOutOfBoundsException.class);
    }

    private void nettyMisc(SplittableRandom r) {
        if (r.nextBoolean()) {
            valid("usedDirectMemory", () -> netty.metric().usedDirectMemory());
        } else {
            valid("netty trim", netty::trim);
        }
        valid("usedHeapMemory", () -> netty.metric().usedHeapMemory());
    }

    /**
     * A user's free of memory a live buffer owns: refused when buffers take the unchecked path (thread caches
     * on, not hardened), where the block's state byte says it is not in a user's hands.
     */
    private void userFreeOfBufferMemory(SplittableRandom r, List<Object> mine) {
        if (!threadCaches || hardened) {
            return;
        }
        NettyBuffer n = pick(r, mine, NettyBuffer.class);
        if (n == null || n.buf().capacity() > 65_536) {
            return;
        }
        long address = n.buf().memoryAddress();
        int size = Math.max(1, n.buf().capacity());
        misuse("user free of buffer memory", () -> slab.free(address, size), IllegalArgumentException.class,
            IllegalStateException.class);
        Patterns.check(n.buf(), n.id());
    }

    // ------------------------------------------------------------------ pool and factories

    private void borrow(SplittableRandom r, List<Object> mine) {
        valid("borrowObject", () -> {
            MutableDirectBuffer b = pool.borrowObject();
            if (b.capacity() != poolCapacity) {
                violation("borrowed a buffer of capacity " + b.capacity(), null);
            }
            if (poolZeroed && b.getByte(poolCapacity - 1) != 0) {
                violation("a zeroed pool lent a dirty buffer", null);
            }
            Pooled p = new Pooled(b, ids.getAndIncrement());
            Patterns.fill(b, p.id());
            mine.add(p);
        });
    }

    private void giveBack(SplittableRandom r, List<Object> mine) {
        Pooled p = take(r, mine, Pooled.class);
        if (p == null) {
            return;
        }
        Patterns.check(p.buffer(), p.id());
        if (r.nextInt(5) == 0) {
            valid("invalidateObject", () -> pool.invalidateObject(p.buffer()));
        } else {
            valid("returnObject", () -> pool.returnObject(p.buffer()));
        }
    }

    private void poolMisuse(SplittableRandom r) {
        if (r.nextBoolean()) {
            MutableDirectBuffer stranger = new UnsafeBuffer(new byte[16]);
            misuse("return of a foreign object", () -> pool.returnObject(stranger), IllegalStateException.class);
            misuse("invalidate of a foreign object", () -> pool.invalidateObject(stranger), IllegalStateException.class);
            return;
        }
        // A double return is caught only if nobody borrowed the object in between, which the shared pool
        // cannot promise (a borrower may take idle objects from any thread's magazines); this pool is used by
        // one thread at a time.
        synchronized (misusePool) {
            valid("misuse pool", () -> {
                MutableDirectBuffer b = misusePool.borrowObject();
                b.putLong(0, 42);
                misusePool.returnObject(b);
                misuse("second return", () -> misusePool.returnObject(b), IllegalStateException.class);
                // As GenericObjectPool: invalidating an idle object destroys it; after that it is no part of the pool.
                misusePool.invalidateObject(b);
                misuse("invalidate after destruction", () -> misusePool.invalidateObject(b), IllegalStateException.class);
                misuse("return after destruction", () -> misusePool.returnObject(b), IllegalStateException.class);
            });
        }
    }

    private void keyedFactory(SplittableRandom r) {
        int capacity = 1 + r.nextInt(r.nextBoolean() ? 128 : 200_000);
        PooledObject<MutableDirectBuffer> made;
        try {
            made = keyed.makeObject(capacity);
        } catch (Throwable t) {
            if (!allowed(t, false)) {
                violation("keyed.makeObject(" + capacity + ")", t);
            }
            return;
        }
        Keyed k = new Keyed(made, capacity, ids.getAndIncrement());
        Patterns.fill(made.getObject(), k.id());
        if (r.nextBoolean()) {
            handoff.add(k);
            return;
        }
        destroy(k);
        valid("second destroyObject", () -> keyed.destroyObject(capacity, made));
        if (keyed.validateObject(capacity, made)) {
            violation("a destroyed buffer validates", null);
        }
        misuse("use after destroy", () -> made.getObject().getLong(0), IndexOutOfBoundsException.class);
    }

    private void destroy(Keyed k) {
        Patterns.check(k.pooled().getObject(), k.id());
        if (!keyed.validateObject(k.capacity(), k.pooled())) {
            violation("a live keyed buffer fails validation", null);
        }
        valid("destroyObject", () -> keyed.destroyObject(k.capacity(), k.pooled()));
    }

    // ------------------------------------------------------------------ sharing and the end

    private void handOff(SplittableRandom r, List<Object> mine) {
        if (r.nextBoolean() && !mine.isEmpty()) {
            handoff.add(mine.remove(r.nextInt(mine.size())));
            return;
        }
        Object o = handoff.poll();
        if (o == null) {
            return;
        }
        checkItem(o);
        if (r.nextBoolean()) {
            mine.add(o);
        } else if (!dispose(o)) {
            mine.add(o);
        }
    }

    /** Gives {@code o} back in the way its kind requires; false if it stays held (a refused free after close). */
    private boolean dispose(Object o) {
        if (o instanceof Block b) {
            return freeOrKeep(b);
        }
        if (o instanceof NettyBuffer n) {
            valid("release", () -> {
                if (!n.buf().release()) {
                    violation("release returned false", null);
                }
            });
        } else if (o instanceof Pooled p) {
            valid("returnObject", () -> pool.returnObject(p.buffer()));
        } else if (o instanceof Keyed k) {
            destroy(k);
        }
        return true;
    }

    private void finish(List<Object> all) {
        for (Object o : all) {
            checkItem(o);
        }
        boolean open = !closeStarted;
        List<Object> kept = new ArrayList<>();
        for (Object o : all) {
            if (!dispose(o)) {
                kept.add(o);
            }
        }
        poolCloseStarted = true;
        valid("pool.close", pool::close);
        valid("misuse pool close", misusePool::close);
        if (open) {
            if (!kept.isEmpty()) {
                violation(kept.size() + " frees refused on an open allocator", null);
            }
            valid("final trim", slab::trim);
            long used = slab.stats().usedBytes();
            long requested = slab.stats().requestedBytes();
            if (used != 0 || requested != 0) {
                violation("everything was freed, yet used=" + used + " requested=" + requested + ": " + slab.stats(), null);
            }
        } else {
            for (Object o : kept) {
                checkItem(o); // held across close: still mapped and intact
            }
        }
        closeStarted = true;
        valid("final close", slab::close);
        valid("second close", slab::close);
        misuse("allocate after close", () -> slab.allocate(64), IllegalStateException.class);
        misuse("usableSize after close", () -> slab.usableSize(64), IllegalStateException.class);
        misuse("stats after close", slab::stats, IllegalStateException.class);
        misuse("trim after close", slab::trim, IllegalStateException.class);
        misuse("directBuffer after close", () -> netty.directBuffer(64), IllegalStateException.class);
        for (Object o : kept) {
            checkItem(o);
        }
        UnsafeApi.freeMemory(foreign);
    }

    // ------------------------------------------------------------------ helpers

    private void checkItem(Object o) {
        try {
            if (o instanceof Block b) {
                check(b);
            } else if (o instanceof NettyBuffer n) {
                Patterns.check(n.buf(), n.id());
            } else if (o instanceof Pooled p) {
                Patterns.check(p.buffer(), p.id());
            } else if (o instanceof Keyed k) {
                Patterns.check(k.pooled().getObject(), k.id());
            }
        } catch (AssertionError e) {
            violation("corrupted memory", e);
        }
    }

    private void check(Block b) {
        try {
            Patterns.check(b.address(), b.size(), b.id());
        } catch (AssertionError e) {
            violation("corrupted " + b, e);
        }
    }

    private <T> T take(SplittableRandom r, List<Object> mine, Class<T> type) {
        int n = mine.size();
        if (n == 0) {
            return null;
        }
        int start = r.nextInt(n);
        for (int i = 0; i < n; i++) {
            int at = (start + i) % n;
            if (type.isInstance(mine.get(at))) {
                Object o = mine.get(at);
                mine.set(at, mine.get(n - 1));
                mine.remove(n - 1);
                return type.cast(o);
            }
        }
        return null;
    }

    private <T> T pick(SplittableRandom r, List<Object> mine, Class<T> type) {
        int n = mine.size();
        if (n == 0) {
            return null;
        }
        int start = r.nextInt(n);
        for (int i = 0; i < n; i++) {
            Object o = mine.get((start + i) % n);
            if (type.isInstance(o)) {
                return type.cast(o);
            }
        }
        return null;
    }

    /** A call that must succeed, unless memory ran out, a close began, or the pool is exhausted. */
    private void valid(String what, Call call) {
        try {
            call.run();
        } catch (AssertionError e) {
            violation(what + ": corrupted memory", e);
        } catch (Throwable t) {
            if (!allowed(t, true)) {
                violation(what, t);
            }
        }
    }

    /** A call that must be refused with one of {@code expected} (or end as a valid call may). */
    @SafeVarargs
    private void misuse(String what, Call call, Class<? extends Throwable>... expected) {
        try {
            call.run();
        } catch (Throwable t) {
            for (Class<? extends Throwable> c : expected) {
                if (c.isInstance(t)) {
                    return;
                }
            }
            if (!allowed(t, true)) {
                violation(what, t);
            }
            return;
        }
        violation(what + ": accepted", null);
    }

    /** Whether {@code t} is an outcome the contract allows for a valid call now. */
    private boolean allowed(Throwable t, boolean poolExhaustionAllowed) {
        if (t instanceof SlabOutOfMemoryError) {
            return true;
        }
        if (t instanceof NoSuchElementException) {
            return poolExhaustionAllowed;
        }
        if (t instanceof IllegalStateException) {
            String m = String.valueOf(t.getMessage());
            return closeStarted && m.contains("closed") || poolCloseStarted && m.contains("Pool not open");
        }
        return false;
    }

    private void violation(String what, Throwable t) {
        StringBuilder s = new StringBuilder("VIOLATION seed=").append(seed).append(' ').append(what);
        if (t != null) {
            StringWriter w = new StringWriter();
            t.printStackTrace(new PrintWriter(w));
            s.append(": ").append(w);
        }
        violations.add(s.toString());
    }
}
