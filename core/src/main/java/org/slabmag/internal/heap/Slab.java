package org.slabmag.internal.heap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A run of pages cut into equal blocks of one size class.
 *
 * <p>Which blocks are out of the slab (in a magazine, the depot, or a user's hands) is an out-of-band
 * bitmap ({@code takenBits}), so nothing is written into free blocks and a write after free cannot
 * corrupt the allocator's state. Taking blocks scans bitmap words from a hint (the lowest word that
 * may have a free bit): at most {@code capacity / 64} words, and batch takes amortize the scan.
 *
 * <p>{@code states} records, one byte per block, whether the block is in a user's hands:
 * {@link #NEVER} (not handed out since the slab was made), {@link #LIVE}, or {@link #FREED}. It is
 * set on every allocation and checked on every free, whatever thread makes them, so a free of a
 * block that is not live (sitting in a magazine, never handed out, or already freed) is refused
 * before the block could enter a magazine twice. By default the byte is read and written plainly:
 * each block has its own byte (no word tearing, JLS 17.6), and a thread that legitimately frees a
 * block saw the allocation's write through the happens-before edge that gave it the block, so every
 * misuse ordered by happens-before is caught while the block is not handed out again. In hardened
 * mode the byte is changed by compare-and-set, so two threads freeing the same block at the same
 * moment are told apart too. A stale free after the block was handed out again finds it live and is
 * taken for the new owner's free, in either mode: only a quarantine of freed blocks could tell.
 *
 * <p>Fields other than {@code states} are guarded by the heap lock; the final fields are safe to
 * read from any thread that found the slab through {@link Chunk#slabs}.
 */
public final class Slab {
    final Chunk chunk;
    /** Global page id of the first page (the slab is a run of {@code 2^order} pages). */
    final int page;
    final int order;
    final long address;
    final int sizeClass;
    final int blockSize;
    final int capacity;
    /** Bytes covered by blocks: {@code capacity * blockSize}. */
    private final long span;
    /** {@code ceil(2^40 / blockSize)}: see {@link SizeClasses#blockIndex}. */
    private final long reciprocal;
    private final long[] takenBits;
    /** Block state: not handed out since the slab was made. */
    static final byte NEVER = 0;
    /** Block state: in a user's hands. */
    static final byte LIVE = 1;
    /** Block state: freed by its user (in a magazine, the depot, or back in the slab). */
    static final byte FREED = 2;
    /**
     * Block state: in the hands of one of slabmag's adapters (a Netty or pooled buffer) through a checked
     * path; a user's {@code free} of it is refused, the adapter's free expects it.
     */
    static final byte OWNED = 3;
    private static final VarHandle STATE = MethodHandles.arrayElementVarHandle(byte[].class);
    /** States start one cache line into their array and end one before its end (no false sharing). */
    private static final int STATE_PAD = 64;
    private final byte[] states;
    private final boolean atomic;
    private int taken;
    private int hint;

    /** Links in the owning {@link SlabCache}'s list of partial slabs of this slab's chunk. */
    Slab prev;
    Slab next;
    boolean listed;


    Slab(Chunk chunk, int page, int order, long address, int sizeClass, boolean hardened) {
        this.chunk = chunk;
        this.page = page;
        this.order = order;
        this.address = address;
        this.sizeClass = sizeClass;
        this.blockSize = SizeClasses.blockSize(sizeClass);
        this.capacity = SizeClasses.blocksPerSlab(sizeClass);
        this.span = (long) capacity * blockSize;
        this.reciprocal = SizeClasses.reciprocal(sizeClass);
        int words = (capacity + 63) >>> 6;
        this.takenBits = new long[words];
        this.states = new byte[capacity + 2 * STATE_PAD];
        this.atomic = hardened;
        int tail = capacity & 63;
        if (tail != 0) {
            takenBits[words - 1] = -1L << tail;
        }
    }

    int taken() {
        return taken;
    }

    boolean isFull() {
        return taken == capacity;
    }

    boolean isEmpty() {
        return taken == 0;
    }

    /**
     * The index of the block starting at {@code addr}, or -1 if {@code addr} is not the start of a
     * block of this slab.
     *
     * @param addr any address
     * @return the block index, from 0 to the slab's block count - 1, or -1
     */
    public int indexOf(long addr) {
        long offset = addr - address;
        if (offset < 0 || offset >= span) {
            return -1;
        }
        long index = SizeClasses.divide(offset, reciprocal);
        return index * blockSize == offset ? (int) index : -1;
    }

    long addressOf(int index) {
        return address + (long) index * blockSize;
    }

    /**
     * Takes up to {@code n} free blocks into {@code dst[off...]}, and this slab into
     * {@code owners[off...]} unless {@code owners} is null.
     *
     * @return how many were taken
     */
    int take(long[] dst, Slab[] owners, int off, int n) {
        int got = 0;
        long[] bits = takenBits;
        for (int w = hint; w < bits.length && got < n; w++) {
            long word = bits[w];
            while (word != -1L && got < n) {
                int bit = Long.numberOfTrailingZeros(~word);
                word |= 1L << bit;
                if (owners != null) {
                    owners[off + got] = this;
                }
                dst[off + got++] = address + (long) ((w << 6) + bit) * blockSize;
            }
            bits[w] = word;
            hint = word == -1L ? w + 1 : w;
        }
        taken += got;
        return got;
    }

    /**
     * Puts back the block at {@code index}.
     *
     * @return false if the block was not taken (a double free that escaped the magazines)
     */
    boolean giveBack(int index) {
        int w = index >>> 6;
        long mask = 1L << index;
        long word = takenBits[w];
        if ((word & mask) == 0) {
            return false;
        }
        takenBits[w] = word & ~mask;
        taken--;
        if (w < hint) {
            hint = w;
        }
        return true;
    }

    /**
     * Records that the block at {@code index} is handed to a user.
     *
     * @return false if it already was (a block about to be handed out twice: a broken invariant)
     * @param index the block's index in this slab
     */
    public boolean markLive(int index) {
        if (!atomic) {
            if (states[STATE_PAD + index] == LIVE) {
                return false;
            }
            states[STATE_PAD + index] = LIVE;
            return true;
        }
        for (;;) {
            byte s = (byte) STATE.getVolatile(states, STATE_PAD + index);
            if (s == LIVE) {
                return false;
            }
            if (STATE.compareAndSet(states, STATE_PAD + index, s, LIVE)) {
                return true;
            }
        }
    }

    /**
     * Records that the block at {@code index} is handed to an adapter ({@link #OWNED}).
     *
     * @param index the block
     * @return false if it already was live or owned (a broken invariant)
     */
    public boolean markOwned(int index) {
        if (!atomic) {
            byte s = states[STATE_PAD + index];
            if (s == LIVE || s == OWNED) {
                return false;
            }
            states[STATE_PAD + index] = OWNED;
            return true;
        }
        for (;;) {
            byte s = (byte) STATE.getVolatile(states, STATE_PAD + index);
            if (s == LIVE || s == OWNED) {
                return false;
            }
            if (STATE.compareAndSet(states, STATE_PAD + index, s, OWNED)) {
                return true;
            }
        }
    }

    /**
     * Records that the holder gave back the block at {@code index}, if it was in state {@code held}.
     *
     * @param index the block
     * @param held  {@link #LIVE} for a user's free, {@link #OWNED} for an adapter's
     * @return the state before: {@code held} for a valid free, {@link #FREED} for a double free,
     *         {@link #NEVER} for a block never handed out, the other holder's state for a free by the
     *         wrong holder
     */
    byte markFreed(int index, byte held) {
        if (!atomic) {
            byte s = states[STATE_PAD + index];
            if (s == held) {
                states[STATE_PAD + index] = FREED;
            }
            return s;
        }
        if (STATE.compareAndSet(states, STATE_PAD + index, held, FREED)) {
            return held;
        }
        return (byte) STATE.getVolatile(states, STATE_PAD + index);
    }
}
