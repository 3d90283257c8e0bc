package org.slabmag.internal.heap;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.Arrays;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * A magazine refill (batch take) races with a magazine flush (batch give-back) of the same size
 * class on the locked heap. Afterwards the refill holds 8 distinct blocks, and the heap counts
 * exactly the 8 blocks still out.
 */
@JCStressTest
@Outcome(id = "8, 8", expect = ACCEPTABLE, desc = "8 distinct blocks taken, 8 counted as taken")
@Outcome(expect = FORBIDDEN, desc = "a block handed out twice in one refill, or a torn taken-block count "
    + "after concurrent refill and flush")
@State
public class LockedHeapBatchTest {
    private static final int CLASS = 3;
    private static final int N = 8;
    private final LockedHeap heap = new LockedHeap(new Heap(1 << 20, Long.MAX_VALUE, false));
    private final long[] flushed = new long[N];
    private final Slab[] flushedSlabs = new Slab[N];
    private final long[] refilled = new long[N];
    private final Slab[] refilledSlabs = new Slab[N];
    private int got;

    public LockedHeapBatchTest() {
        heap.takeBlocks(CLASS, flushed, flushedSlabs, N);
    }

    @Actor
    public void refill() {
        got = heap.takeBlocks(CLASS, refilled, refilledSlabs, N);
    }

    @Actor
    public void flush() {
        heap.giveBackBlocks(CLASS, flushed, flushedSlabs, N);
    }

    @Arbiter
    public void check(II_Result r) {
        long[] sorted = Arrays.copyOf(refilled, got);
        Arrays.sort(sorted);
        int distinct = sorted.length == 0 ? 0 : 1;
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] != sorted[i - 1]) {
                distinct++;
            }
        }
        r.r1 = distinct;
        r.r2 = (int) heap.snapshot().takenPerClass()[CLASS];
        heap.close();
    }
}
