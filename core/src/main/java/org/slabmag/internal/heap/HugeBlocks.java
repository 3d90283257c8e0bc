package org.slabmag.internal.heap;

import org.agrona.collections.Long2ObjectHashMap;
import org.slabmag.internal.event.SlabEvents;
import org.slabmag.internal.memory.NativeMemory;

/**
 * Blocks larger than a chunk: each a dedicated, page-aligned reservation from the OS, returned to it on
 * free. Reservations are at least {@link NativeMemory#ALWAYS_MAPPED} bytes, so that glibc maps them itself
 * and unmaps them on free.
 *
 * <p>Not thread-safe: guarded by the heap lock. The heap checks the memory limit before {@link #allocate}
 * and keeps the reserved-bytes total; this class keeps the blocks and their holder (user or adapter).
 */
final class HugeBlocks {
    private final Long2ObjectHashMap<Block> blocks = new Long2ObjectHashMap<>();
    private final ReturnedRanges returned;
    private long bytes;

    HugeBlocks(ReturnedRanges returned) {
        this.returned = returned;
    }

    /** Address space reserved for a huge block of {@code size}: a page more for alignment, and always mapped. */
    static long reservation(long size) {
        return Math.max(size + SizeClasses.PAGE_SIZE, NativeMemory.ALWAYS_MAPPED);
    }

    /**
     * Reserves a block of {@code size} (page-rounded) bytes.
     *
     * @return its page-aligned address
     * @throws OutOfMemoryError when the OS refuses
     */
    long allocate(long size, boolean adapter) {
        long reserved = NativeMemory.reserve(reservation(size));
        returned.forget(reserved, reserved + reservation(size));
        long address = (reserved + SizeClasses.PAGE_SIZE - 1) & -(long) SizeClasses.PAGE_SIZE;
        blocks.put(address, new Block(reserved, size, adapter));
        SlabEvents.hugeBlockAllocated(address, size);
        bytes += size;
        return address;
    }

    /**
     * Validates a free of the block at {@code address} of {@code size} (page-rounded) bytes by the given kind
     * of holder and returns it to the OS.
     *
     * @return the bytes returned
     * @throws IllegalStateException    on a double free
     * @throws IllegalArgumentException if no such block is allocated there, or the other kind of holder has it
     */
    long free(long address, long size, long requestedSize, boolean adapter) {
        Block block = blocks.get(address);
        if (block == null) {
            if (returned.contains(address)) {
                throw new IllegalStateException("double free of 0x" + Long.toHexString(address)
                    + ": no block of " + requestedSize + " bytes is allocated there");
            }
            throw new IllegalArgumentException("address 0x" + Long.toHexString(address)
                + " is not the start of an allocated block of " + requestedSize + " bytes");
        }
        if (block.size != size) {
            throw new IllegalArgumentException("size mismatch at 0x" + Long.toHexString(address) + ": freed with "
                + requestedSize + " bytes, allocated as a block of " + block.size + " bytes");
        }
        Heap.checkHolder(address, adapter, block.adapter);
        blocks.remove(address);
        NativeMemory.release(block.reservedAddress);
        SlabEvents.hugeBlockFreed(address, block.size);
        returned.remember(address, address + 1);
        bytes -= block.size;
        return block.size;
    }

    /** @return the blocks allocated now */
    int count() {
        return blocks.size();
    }

    /** @return their bytes */
    long bytes() {
        return bytes;
    }

    /** A dedicated allocation for a huge block. */
    private static final class Block {
        final long reservedAddress;
        final long size;
        /** Held by an adapter rather than a user. */
        final boolean adapter;

        Block(long reservedAddress, long size, boolean adapter) {
            this.reservedAddress = reservedAddress;
            this.size = size;
            this.adapter = adapter;
        }
    }
}
