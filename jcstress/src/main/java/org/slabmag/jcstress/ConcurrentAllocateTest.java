package org.slabmag.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.Arrays;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;
import org.slabmag.SlabAllocator;

/**
 * Two threads allocate three blocks each of one class while the arbiter (a third thread) frees the
 * previous round's blocks, so magazines are refilled, swapped and exchanged through the depot and
 * the heap all the time (magazines of 8 rounds, the minimum). No address may be live twice.
 */
@JCStressTest
@Outcome(id = "0", expect = ACCEPTABLE, desc = "six distinct blocks")
@Outcome(expect = FORBIDDEN, desc = "the same block handed to two allocations at once")
@State
public class ConcurrentAllocateTest {
    private static final int SIZE = 200;
    private static final SlabAllocator ALLOCATOR = SlabAllocator.builder().magazineBytes(1024).build();

    private final long[] first = new long[3];
    private final long[] second = new long[3];

    @Actor
    public void first() {
        for (int i = 0; i < first.length; i++) {
            first[i] = ALLOCATOR.allocate(SIZE);
        }
    }

    @Actor
    public void second() {
        for (int i = 0; i < second.length; i++) {
            second[i] = ALLOCATOR.allocate(SIZE);
        }
    }

    @Arbiter
    public void check(I_Result r) {
        long[] all = new long[6];
        System.arraycopy(first, 0, all, 0, 3);
        System.arraycopy(second, 0, all, 3, 3);
        Arrays.sort(all);
        int duplicates = 0;
        for (int i = 1; i < all.length; i++) {
            if (all[i] == all[i - 1]) {
                duplicates++;
            }
        }
        r.r1 = duplicates;
        for (long a : first) {
            ALLOCATOR.free(a, SIZE);
        }
        if (duplicates == 0) {
            for (long a : second) {
                ALLOCATOR.free(a, SIZE);
            }
        }
    }
}
