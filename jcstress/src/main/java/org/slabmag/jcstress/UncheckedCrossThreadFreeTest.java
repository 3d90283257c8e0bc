package org.slabmag.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.agrona.UnsafeApi;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;
import org.slabmag.SlabAllocator;
import org.slabmag.UncheckedBlocks;

/**
 * {@link CrossThreadFreeTest} on the path Netty buffers take ({@link UncheckedBlocks}: no state byte,
 * no slab carried in the magazine). The owner reads its block and frees it while another thread
 * allocates a block of the same class and writes to it; tiny magazines keep blocks flowing through
 * the depot. The owner must read its own value.
 */
@JCStressTest
@Outcome(id = {"42, 0", "42, 1"}, expect = ACCEPTABLE, desc = "owner read its value; the block was or was not reused")
@Outcome(expect = FORBIDDEN, desc = "the owner saw another thread's write: an unchecked free let the block reach "
    + "another thread before the free (free happens-before allocate broken), or it was handed to two threads")
@State
public class UncheckedCrossThreadFreeTest {
    private static final int SIZE = 256;
    private static final UncheckedBlocks BLOCKS =
        UncheckedBlocks.of(SlabAllocator.builder().magazineBytes(1024).build());

    private final long owned = BLOCKS.allocate(SIZE);
    private long other;

    public UncheckedCrossThreadFreeTest() {
        UnsafeApi.putLong(owned, 42L);
    }

    @Actor
    public void owner(JJ_Result r) {
        r.r1 = UnsafeApi.getLong(owned);
        BLOCKS.free(owned, SIZE);
    }

    @Actor
    public void allocator(JJ_Result r) {
        long a = BLOCKS.allocate(SIZE);
        UnsafeApi.putLong(a, 7L);
        other = a;
        r.r2 = a == owned ? 1 : 0;
    }

    @Arbiter
    public void release() {
        BLOCKS.free(other, SIZE);
    }
}
