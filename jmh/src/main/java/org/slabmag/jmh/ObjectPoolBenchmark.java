package org.slabmag.jmh;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.agrona.MutableDirectBuffer;
import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.slabmag.SlabAllocator;
import org.slabmag.pool.MagazineObjectPool;
import org.slabmag.pool.MagazineObjectPoolConfig;
import org.slabmag.pool.SlabBufferFactory;

import stormpot.BasePoolable;
import stormpot.Pool;
import stormpot.PoolTap;
import stormpot.Slot;
import stormpot.Timeout;

/**
 * Borrow, write, return one object, on one thread and on two threads sharing a pool of at most 8 objects:
 * {@link MagazineObjectPool} against Commons Pool's {@code GenericObjectPool} and Stormpot (its thread-safe
 * {@code Pool.claim} and its thread-local tap). Then {@code GenericObjectPool} over the slab buffer factory against
 * a factory of {@code ByteBuffer.allocateDirect} buffers, in steady state and with every buffer invalidated (so
 * each operation makes and destroys one).
 *
 * <p>Each pool has its own state and benchmark methods, so every call site sees one pool type. Scores are
 * nanoseconds per operation per thread; two-thread throughput is {@code 2 / score}.
 */
public class ObjectPoolBenchmark extends BenchmarkDefaults {
    private static final int MAX_TOTAL = 8;
    private static final int BUFFER_CAPACITY = 1024;

    /** The object lent by Commons Pool and {@link MagazineObjectPool}. */
    public static final class Payload {
        long value;
    }

    /** The object lent by Stormpot, which must implement its {@code Poolable}. */
    public static final class PoolablePayload extends BasePoolable {
        long value;

        PoolablePayload(final Slot slot) {
            super(slot);
        }
    }

    private static final class PayloadFactory extends BasePooledObjectFactory<Payload> {
        @Override
        public Payload create() {
            return new Payload();
        }

        @Override
        public PooledObject<Payload> wrap(final Payload obj) {
            return new DefaultPooledObject<>(obj);
        }
    }

    @State(Scope.Benchmark)
    public static class MagazinePool {
        MagazineObjectPool<Payload> pool;

        @Setup(Level.Trial)
        public void setUp() {
            pool = new MagazineObjectPool<>(new PayloadFactory());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            pool.close();
        }
    }

    /** {@link MagazinePool} with the evictor on (every second, no testWhileIdle): the fast path's cost of it. */
    @State(Scope.Benchmark)
    public static class MagazineEvictorPool {
        MagazineObjectPool<Payload> pool;

        @Setup(Level.Trial)
        public void setUp() {
            final MagazineObjectPoolConfig config = new MagazineObjectPoolConfig();
            config.setTimeBetweenEvictionRuns(Duration.ofSeconds(1));
            config.setTestWhileIdle(false);
            pool = new MagazineObjectPool<>(new PayloadFactory(), config);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            pool.close();
        }
    }

    @State(Scope.Benchmark)
    public static class GenericPool {
        GenericObjectPool<Payload> pool;

        @Setup(Level.Trial)
        public void setUp() {
            final GenericObjectPoolConfig<Payload> config = new GenericObjectPoolConfig<>();
            config.setJmxEnabled(false);
            pool = new GenericObjectPool<>(new PayloadFactory(), config);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            pool.close();
        }
    }

    @State(Scope.Benchmark)
    public static class StormpotPool {
        static final Timeout TIMEOUT = new Timeout(10, TimeUnit.SECONDS);
        Pool<PoolablePayload> pool;
        PoolTap<PoolablePayload> threadLocalTap;

        @Setup(Level.Trial)
        public void setUp() {
            pool = Pool.from(new stormpot.Allocator<PoolablePayload>() {
                @Override
                public PoolablePayload allocate(final Slot slot) {
                    return new PoolablePayload(slot);
                }

                @Override
                public void deallocate(final PoolablePayload poolable) {
                    poolable.value = 0;
                }
            }).setSize(MAX_TOTAL).build();
            threadLocalTap = pool.getThreadLocalTap();
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            pool.shutdown().await(TIMEOUT);
        }
    }

    private static long cycle(final MagazineObjectPool<Payload> pool) throws Exception {
        final Payload p = pool.borrowObject();
        final long v = ++p.value;
        pool.returnObject(p);
        return v;
    }

    private static long cycle(final GenericObjectPool<Payload> pool) throws Exception {
        final Payload p = pool.borrowObject();
        final long v = ++p.value;
        pool.returnObject(p);
        return v;
    }

    private static long cycle(final PoolTap<PoolablePayload> tap) throws InterruptedException {
        final PoolablePayload p = tap.claim(StormpotPool.TIMEOUT);
        final long v = ++p.value;
        p.release();
        return v;
    }

    @Benchmark
    @Threads(1)
    public long magazine1Thread(final MagazinePool s) throws Exception {
        return cycle(s.pool);
    }

    @Benchmark
    @Threads(1)
    public long magazineEvictor1Thread(final MagazineEvictorPool s) throws Exception {
        return cycle(s.pool);
    }

    @Benchmark
    @Threads(2)
    public long magazine2Threads(final MagazinePool s) throws Exception {
        return cycle(s.pool);
    }

    @Benchmark
    @Threads(1)
    public long generic1Thread(final GenericPool s) throws Exception {
        return cycle(s.pool);
    }

    @Benchmark
    @Threads(2)
    public long generic2Threads(final GenericPool s) throws Exception {
        return cycle(s.pool);
    }

    @Benchmark
    @Threads(1)
    public long stormpot1Thread(final StormpotPool s) throws InterruptedException {
        return cycle(s.pool);
    }

    @Benchmark
    @Threads(2)
    public long stormpot2Threads(final StormpotPool s) throws InterruptedException {
        return cycle(s.pool);
    }

    @Benchmark
    @Threads(1)
    public long stormpotThreadLocalTap1Thread(final StormpotPool s) throws InterruptedException {
        return cycle(s.threadLocalTap);
    }

    @Benchmark
    @Threads(2)
    public long stormpotThreadLocalTap2Threads(final StormpotPool s) throws InterruptedException {
        return cycle(s.threadLocalTap);
    }

    /** {@code GenericObjectPool} of 1 KiB buffers from the slab allocator. */
    @State(Scope.Benchmark)
    public static class SlabBuffers {
        SlabAllocator allocator;
        GenericObjectPool<MutableDirectBuffer> pool;

        @Setup(Level.Trial)
        public void setUp() {
            final GenericObjectPoolConfig<MutableDirectBuffer> config = new GenericObjectPoolConfig<>();
            config.setJmxEnabled(false);
            allocator = SlabAllocator.create();
            pool = new GenericObjectPool<>(new SlabBufferFactory(allocator, BUFFER_CAPACITY, false), config);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            pool.close();
            allocator.close();
        }
    }

    /** {@code GenericObjectPool} of 1 KiB buffers from {@code ByteBuffer.allocateDirect}. */
    @State(Scope.Benchmark)
    public static class DirectBuffers {
        GenericObjectPool<ByteBuffer> pool;

        @Setup(Level.Trial)
        public void setUp() {
            final GenericObjectPoolConfig<ByteBuffer> config = new GenericObjectPoolConfig<>();
            config.setJmxEnabled(false);
            pool = new GenericObjectPool<>(new BasePooledObjectFactory<>() {
                @Override
                public ByteBuffer create() {
                    return ByteBuffer.allocateDirect(BUFFER_CAPACITY);
                }

                @Override
                public PooledObject<ByteBuffer> wrap(final ByteBuffer obj) {
                    return new DefaultPooledObject<>(obj);
                }
            }, config);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            pool.close();
        }
    }

    @Benchmark
    public int slabBufferBorrowReturn(final SlabBuffers s) throws Exception {
        final MutableDirectBuffer b = s.pool.borrowObject();
        b.putInt(0, 42);
        final int v = b.getInt(0);
        s.pool.returnObject(b);
        return v;
    }

    @Benchmark
    public int directBufferBorrowReturn(final DirectBuffers s) throws Exception {
        final ByteBuffer b = s.pool.borrowObject();
        b.putInt(0, 42);
        final int v = b.getInt(0);
        s.pool.returnObject(b);
        return v;
    }

    @Benchmark
    public int slabBufferBorrowInvalidate(final SlabBuffers s) throws Exception {
        final MutableDirectBuffer b = s.pool.borrowObject();
        b.putInt(0, 42);
        final int v = b.getInt(0);
        s.pool.invalidateObject(b);
        return v;
    }

    @Benchmark
    public int directBufferBorrowInvalidate(final DirectBuffers s) throws Exception {
        final ByteBuffer b = s.pool.borrowObject();
        b.putInt(0, 42);
        final int v = b.getInt(0);
        s.pool.invalidateObject(b);
        return v;
    }
}
