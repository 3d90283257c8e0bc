package org.slabmag.pool.internal;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * {@link PoolEntry}: two claimants race for one idle entry; exactly one wins and the entry ends in the winner's
 * state, so an object is never lent twice nor lent and destroyed. r1, r2: whether each claimant won; r3: the
 * final state (1 LOANED, 3 RETIRED).
 */
public class PoolEntryClaimTest {
    private PoolEntryClaimTest() {
    }

    /** A borrower (from its own magazine) and a thief (from another thread's): both {@code tryLoan}. */
    @JCStressTest
    @Outcome(id = {"1, 0, 1", "0, 1, 1"}, expect = ACCEPTABLE, desc = "exactly one borrower got the object")
    @Outcome(id = "1, 1, .*", expect = FORBIDDEN, desc = "one object lent to two borrowers")
    @Outcome(id = "0, 0, .*", expect = FORBIDDEN, desc = "no claimant won an idle entry: the object is lost")
    @Outcome(expect = FORBIDDEN, desc = "the final state is not the winner's")
    @State
    public static class BorrowVsSteal {
        private final PoolEntry<Entries.Item> entry = Entries.idle();

        @Actor
        public void borrower(III_Result r) {
            r.r1 = entry.tryLoan() ? 1 : 0;
        }

        @Actor
        public void thief(III_Result r) {
            r.r2 = entry.tryLoan() ? 1 : 0;
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r3 = entry.state();
        }
    }

    /** A borrower ({@code tryLoan}) and {@code clear()} or the evictor destroying it ({@code tryRetireIdle}). */
    @JCStressTest
    @Outcome(id = {"1, 0, 1", "0, 1, 3"}, expect = ACCEPTABLE, desc = "either lent or destroyed, in that state")
    @Outcome(id = "1, 1, .*", expect = FORBIDDEN, desc = "an object both lent and destroyed")
    @Outcome(id = "0, 0, .*", expect = FORBIDDEN, desc = "no claimant won an idle entry: the object is lost")
    @Outcome(expect = FORBIDDEN, desc = "the final state is not the winner's")
    @State
    public static class BorrowVsClear {
        private final PoolEntry<Entries.Item> entry = Entries.idle();

        @Actor
        public void borrower(III_Result r) {
            r.r1 = entry.tryLoan() ? 1 : 0;
        }

        @Actor
        public void clear(III_Result r) {
            r.r2 = entry.tryRetireIdle() ? 1 : 0;
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r3 = entry.state();
        }
    }
}
