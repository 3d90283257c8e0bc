package org.slabmag.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;
import org.slabmag.SlabAllocator;

/**
 * Hardened mode: two threads free the same block at once, each into its own magazine. Exactly one
 * free succeeds; the other is rejected at free time: with {@link IllegalStateException} while the
 * block's slab exists, or with {@link IllegalArgumentException} if the first free already let the
 * slab go back to the page allocator (the address is then no block at all).
 */
@JCStressTest
@Outcome(id = {"1, 0", "0, 1"}, expect = ACCEPTABLE, desc = "one free accepted, the double free rejected")
@Outcome(id = "1, 1", expect = FORBIDDEN, desc = "double free not detected: the block sits in two magazines "
    + "and would be handed out twice")
@Outcome(id = "0, 0", expect = FORBIDDEN, desc = "both frees rejected: a valid free was refused and the block leaks")
@State
public class HardenedDoubleFreeTest {
    private static final int SIZE = 96;
    private static final SlabAllocator ALLOCATOR = SlabAllocator.builder().hardened(true).magazineBytes(1024).build();

    private final long block = ALLOCATOR.allocate(SIZE);

    @Actor
    public void first(II_Result r) {
        r.r1 = tryFree();
    }

    @Actor
    public void second(II_Result r) {
        r.r2 = tryFree();
    }

    private int tryFree() {
        try {
            ALLOCATOR.free(block, SIZE);
            return 1;
        } catch (IllegalStateException | IllegalArgumentException e) {
            return 0;
        }
    }
}
