package org.slabmag.pool.internal;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * {@link PoolEntry}'s evictor-owned state: the evictor claims an idle entry ({@code tryClaimForEviction}), tests
 * it (a plain write to {@code returnedAt}) and releases it back to idle, while a borrower tries {@code tryLoan}.
 * While the evictor holds the entry nobody else gets it, the borrower gets it at most once, and if it gets it
 * after the eviction test it sees the evictor's write; the final state is the last winner's.
 *
 * <p>r1: the evictor claimed it (-1: claimed, but the state changed under it); r2: the borrower got it; r3: the
 * {@code returnedAt} the borrower read (-1: no borrow); r4: the final state (0 IDLE, 1 LOANED).
 */
@JCStressTest
@Outcome(id = {"1, 0, -1, 0", "1, 1, 9, 1", "0, 1, 0, 1"}, expect = ACCEPTABLE,
    desc = "one holder at a time; a borrow after the eviction test saw its write; the last winner's state")
@Outcome(id = "-1, .*", expect = FORBIDDEN, desc = "an entry held by the evictor was claimed by another thread")
@Outcome(id = "0, 0, .*", expect = FORBIDDEN, desc = "nobody won an idle entry: the object is lost")
@Outcome(id = "1, 1, 0, .*", expect = FORBIDDEN,
    desc = "the borrower missed the evictor's write made before release(): release/acquire broken")
@Outcome(expect = FORBIDDEN, desc = "the final state is not the last winner's")
@State
public class PoolEntryEvictionTest {
    private final PoolEntry<Entries.Item> entry = Entries.idle();

    @Actor
    public void evictor(IIII_Result r) {
        if (entry.tryClaimForEviction()) {
            entry.setReturnedAt(9);
            r.r1 = entry.state() == PoolEntry.EVICTING ? 1 : -1;
            entry.release();
        }
    }

    @Actor
    public void borrower(IIII_Result r) {
        if (entry.tryLoan()) {
            r.r2 = 1;
            r.r3 = (int) entry.returnedAt();
        } else {
            r.r3 = -1;
        }
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        r.r4 = entry.state();
    }
}
