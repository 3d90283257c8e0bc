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

/**
 * One thread reads a block it owns and frees it while another thread allocates a block of the same
 * class and writes to it. Magazines are tiny, so blocks flow constantly from the freeing thread
 * through the depot to the allocating one. The freeing thread must read its own value: the block
 * may reach the other thread only after the free, and what the free-er did happens-before the
 * allocation that reuses it.
 */
@JCStressTest
@Outcome(id = {"42, 0", "42, 1"}, expect = ACCEPTABLE, desc = "owner read its value; the block was or was not reused")
@Outcome(expect = FORBIDDEN, desc = "the owner saw another thread's write: a block was handed out before "
    + "its free (free happens-before allocate broken), or handed to two threads")
@State
public class CrossThreadFreeTest {
    private static final int SIZE = 256;
    private static final SlabAllocator ALLOCATOR = SlabAllocator.builder().magazineBytes(1024).build();

    private final long owned = ALLOCATOR.allocate(SIZE);
    private long other;

    public CrossThreadFreeTest() {
        UnsafeApi.putLong(owned, 42L);
    }

    @Actor
    public void owner(JJ_Result r) {
        r.r1 = UnsafeApi.getLong(owned);
        ALLOCATOR.free(owned, SIZE);
    }

    @Actor
    public void allocator(JJ_Result r) {
        long a = ALLOCATOR.allocate(SIZE);
        UnsafeApi.putLong(a, 7L);
        other = a;
        r.r2 = a == owned ? 1 : 0;
    }

    @Arbiter
    public void release() {
        ALLOCATOR.free(other, SIZE);
    }
}
