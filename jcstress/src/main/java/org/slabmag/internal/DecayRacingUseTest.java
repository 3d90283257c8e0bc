package org.slabmag.internal;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.agrona.UnsafeApi;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;
import org.slabmag.internal.heap.Heap;
import org.slabmag.internal.heap.LockedHeap;
import org.slabmag.internal.heap.SizeClasses;
import org.slabmag.internal.magazine.MagazineLayer;

/**
 * A decay step racing allocation and free through the shared striped magazines (threads without a
 * private cache, as virtual threads): one thread allocates, writes, reads back and frees a block;
 * the other runs a decay step (which drains idle stripes and the depots into the heap, returns spare
 * slabs and releases free chunks) and then does the same with a block of its own. Each must read
 * back what it wrote.
 */
@JCStressTest
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "each thread kept its block to itself")
@Outcome(expect = FORBIDDEN, desc = "a block changed under its holder: decay gave a block in use back "
    + "to the heap, released its memory, or the two threads were handed the same block")
@State
public class DecayRacingUseTest {
    private static final int SIZE = 64;
    private static final int CLASS = SizeClasses.classOf(SIZE);
    private static final LockedHeap HEAP = new LockedHeap(new Heap(1 << 20, Long.MAX_VALUE, false));
    /** Magazines of eight rounds, and no thread ever warms up to a private cache. */
    private static final MagazineLayer LAYER = new MagazineLayer(HEAP, 1024, 4096, Long.MAX_VALUE / 4,
        Integer.MAX_VALUE);
    private static final MemoryDecay DECAY = new MemoryDecay(HEAP, LAYER);

    @Actor
    public void user(II_Result r) {
        r.r1 = useOnce(42L);
    }

    @Actor
    public void decay(II_Result r) {
        DECAY.run();
        r.r2 = useOnce(7L);
    }

    private static int useOnce(long value) {
        long a = LAYER.allocate(CLASS, SIZE);
        UnsafeApi.putLong(a, value);
        int same = UnsafeApi.getLong(a) == value ? 1 : 0;
        LAYER.free(a, CLASS, SIZE);
        return same;
    }
}
