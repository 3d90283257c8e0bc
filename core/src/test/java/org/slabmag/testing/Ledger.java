package org.slabmag.testing;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.slabmag.SlabAllocator;

/**
 * Hands out blocks through one {@link AllocatorVariant}'s calls, stamping each with a pattern unique to the
 * allocation and recording it as live; fails if an address is handed out while live, or a block's pattern broke
 * before its free. Thread-safe.
 */
public final class Ledger {
    /** A handed-out block: address, size, usable bytes, unique id. */
    public record Stamped(long address, int size, long usable, long id) {
    }

    /** The live blocks: address to id. */
    public final ConcurrentHashMap<Long, Long> live = new ConcurrentHashMap<>();
    /** Allocations so far. */
    public final AtomicLong ids = new AtomicLong();
    private final AllocatorVariant.Blocks blocks;

    /** @param blocks the calls that hand blocks out and take them back */
    public Ledger(AllocatorVariant.Blocks blocks) {
        this.blocks = blocks;
    }

    /** @param a an allocator used through its checked API */
    public Ledger(SlabAllocator a) {
        this(AllocatorVariant.CHECKED.blocks(a));
    }

    /** @param size bytes @return the block, filled with its pattern */
    public Stamped allocate(int size) {
        long address = blocks.allocate(size);
        long id = ids.incrementAndGet();
        Long other = live.putIfAbsent(address, id);
        if (other != null) {
            throw new AssertionError("block 0x" + Long.toHexString(address) + " handed out twice: to #" + other
                + " and #" + id);
        }
        long usable = blocks.allocator().usableSize(size);
        Patterns.fill(address, usable, Patterns.seed(address, id));
        return new Stamped(address, size, usable, id);
    }

    /** @param b a live block of this ledger: its pattern is checked, then it is freed */
    public void free(Stamped b) {
        Patterns.check(b.address(), b.usable(), Patterns.seed(b.address(), b.id()));
        if (!live.remove(b.address(), b.id())) {
            throw new AssertionError("block 0x" + Long.toHexString(b.address()) + " #" + b.id() + " not live");
        }
        blocks.free(b.address(), b.size());
    }
}
