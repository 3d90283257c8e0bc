package org.slabmag.jmh;

import java.nio.ByteBuffer;

import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.Blackhole;
import org.slabmag.SlabAllocator;
import org.slabmag.UncheckedBlocks;

/**
 * The raw allocator against the JDK's ways to get native memory, in the same run:
 * {@code SlabAllocator} (thread caches on, and off: every call through the locked heap; and
 * {@code slabmag-unchecked}, the path the Netty adapter's buffers take, without per-free checks),
 * {@code Unsafe.allocateMemory/freeMemory} (malloc/free), and {@code ByteBuffer.allocateDirect}
 * released explicitly; and {@code threadlocal}, the floor any magazine allocator stands on: a
 * {@code ThreadLocal} stack of preallocated addresses, popped on allocate and pushed on free (no
 * size classes, no validation, no statistics).
 *
 * <ul>
 *   <li>{@code allocFree}: one block allocated and freed again, one thread and two threads, sizes
 *   16 B to 1 MiB (slabs up to 64 KiB, page runs above).</li>
 *   <li>{@code live256}: 256 blocks allocated, then all freed (more than a magazine), per block.</li>
 * </ul>
 */
@State(Scope.Benchmark)
public class RawAllocatorBenchmark extends BenchmarkDefaults {
    private static final int LIVE = 256;

    @Param({"slabmag", "slabmag-unchecked", "slabmag-locked", "unsafe", "bytebuffer", "threadlocal"})
    public String allocator;

    @Param({"16", "256", "4096", "65536", "1048576"})
    public int size;

    private static final int SLAB = 0;
    private static final int UNSAFE = 1;
    private static final int BYTE_BUFFER = 2;
    private static final int THREAD_LOCAL = 3;
    private static final int UNCHECKED = 4;

    private SlabAllocator slab;
    private UncheckedBlocks unchecked;
    /** The allocator as an int, so the measured loop does not switch on a String. */
    private int kind;

    @Setup(Level.Trial)
    public void setUp() {
        if (allocator.startsWith("slabmag")) {
            slab = SlabAllocator.builder().threadCaches(!allocator.equals("slabmag-locked")).build();
            kind = SLAB;
            if (allocator.equals("slabmag-unchecked")) {
                unchecked = UncheckedBlocks.of(slab);
                kind = UNCHECKED;
            }
        } else if (allocator.equals("threadlocal")) {
            kind = THREAD_LOCAL;
        } else {
            kind = allocator.equals("unsafe") ? UNSAFE : BYTE_BUFFER;
        }
    }

    /** The baseline's per-thread stack of addresses (addresses only; nothing is dereferenced). */
    private static final class AddressStack {
        final long[] rounds = new long[2 * LIVE];
        int size;

        AddressStack() {
            for (int i = 0; i < rounds.length; i++) {
                rounds[i] = 0x10000L + 16L * i;
            }
            size = rounds.length;
        }
    }

    private final ThreadLocal<AddressStack> stacks = ThreadLocal.withInitial(AddressStack::new);

    private long popAddress() {
        AddressStack s = stacks.get();
        return s.rounds[--s.size];
    }

    private void pushAddress(long address) {
        AddressStack s = stacks.get();
        s.rounds[s.size++] = address;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (slab != null) {
            slab.close();
        }
    }

    /** Per-thread scratch for the live-set benchmark. */
    @State(Scope.Thread)
    public static class Live {
        final long[] addresses = new long[LIVE];
        final ByteBuffer[] buffers = new ByteBuffer[LIVE];
    }

    @Benchmark
    public long allocFree() {
        return allocFreeOnce();
    }

    @Benchmark
    @Threads(2)
    public long allocFree2Threads() {
        return allocFreeOnce();
    }

    @Benchmark
    @OperationsPerInvocation(LIVE)
    public void live256(Live live, Blackhole bh) {
        switch (kind) {
            case UNSAFE:
                for (int i = 0; i < LIVE; i++) {
                    live.addresses[i] = UnsafeApi.allocateMemory(size);
                }
                for (int i = 0; i < LIVE; i++) {
                    UnsafeApi.freeMemory(live.addresses[i]);
                }
                break;
            case BYTE_BUFFER:
                for (int i = 0; i < LIVE; i++) {
                    live.buffers[i] = ByteBuffer.allocateDirect(size);
                }
                for (int i = 0; i < LIVE; i++) {
                    BufferUtil.free(live.buffers[i]);
                    live.buffers[i] = null;
                }
                break;
            case UNCHECKED:
                for (int i = 0; i < LIVE; i++) {
                    live.addresses[i] = unchecked.allocate(size);
                }
                for (int i = 0; i < LIVE; i++) {
                    unchecked.free(live.addresses[i], size);
                }
                break;
            case THREAD_LOCAL:
                for (int i = 0; i < LIVE; i++) {
                    live.addresses[i] = popAddress();
                }
                for (int i = 0; i < LIVE; i++) {
                    pushAddress(live.addresses[i]);
                }
                break;
            default:
                for (int i = 0; i < LIVE; i++) {
                    live.addresses[i] = slab.allocate(size);
                }
                for (int i = 0; i < LIVE; i++) {
                    slab.free(live.addresses[i], size);
                }
        }
        bh.consume(live.addresses[LIVE - 1]);
    }

    private long allocFreeOnce() {
        switch (kind) {
            case UNSAFE: {
                long a = UnsafeApi.allocateMemory(size);
                UnsafeApi.freeMemory(a);
                return a;
            }
            case BYTE_BUFFER: {
                ByteBuffer b = ByteBuffer.allocateDirect(size);
                BufferUtil.free(b);
                return b.capacity();
            }
            case UNCHECKED: {
                long a = unchecked.allocate(size);
                unchecked.free(a, size);
                return a;
            }
            case THREAD_LOCAL: {
                long a = popAddress();
                pushAddress(a);
                return a;
            }
            default: {
                long a = slab.allocate(size);
                slab.free(a, size);
                return a;
            }
        }
    }
}
