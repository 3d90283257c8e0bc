package org.slabmag.pool.internal;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIII_Result;

/**
 * {@link PoolEntry}: a lent entry returned ({@code tryBeginRelease}, plain writes to the object and to
 * {@code returnedAt}, {@code release}) while another thread invalidates it ({@code tryRetireLoaned}) and, if that
 * failed, borrows it ({@code tryLoan}). Exactly one of return and invalidation wins; the entry is lent again only
 * after a completed return, and the next borrower then sees the returner's writes ({@code release} is a release
 * store, the borrower's CAS an acquire); a retired entry is never lent.
 *
 * <p>r1: the return began; r2: the invalidation won; r3: the object's value the next borrower read (-1: no
 * borrow); r4: the {@code returnedAt} it read (-1: no borrow); r5: the final state (0 IDLE, 1 LOANED, 3 RETIRED).
 */
@JCStressTest
@Outcome(id = {"1, 0, -1, -1, 0", "1, 0, 42, 7, 1", "0, 1, -1, -1, 3"}, expect = ACCEPTABLE,
    desc = "one of return and invalidation won; a borrow after the return saw the returner's writes")
@Outcome(id = "1, 1, .*", expect = FORBIDDEN, desc = "an entry both returned and retired by invalidation")
@Outcome(id = "0, 0, .*", expect = FORBIDDEN, desc = "a lent entry accepted neither its return nor its invalidation")
@Outcome(id = {"1, 0, 0, .*", "1, 0, .*, 0, .*"}, expect = FORBIDDEN,
    desc = "the next borrower missed a write made before release(): release/acquire broken, stale object lent")
@Outcome(id = "0, 1, [^-].*", expect = FORBIDDEN, desc = "a retired (invalidated) entry lent again")
@Outcome(expect = FORBIDDEN, desc = "the final state does not match the transitions that won")
@State
public class PoolEntryReturnTest {
    private final PoolEntry<Entries.Item> entry = Entries.loaned();

    @Actor
    public void returner(IIIII_Result r) {
        if (entry.tryBeginRelease()) {
            entry.object().value = 42;
            entry.setReturnedAt(7);
            entry.release();
            r.r1 = 1;
        }
    }

    @Actor
    public void invalidateOrBorrow(IIIII_Result r) {
        r.r3 = -1;
        r.r4 = -1;
        if (entry.tryRetireLoaned()) {
            r.r2 = 1;
        } else if (entry.tryLoan()) {
            r.r3 = entry.object().value;
            r.r4 = (int) entry.returnedAt();
        }
    }

    @Arbiter
    public void arbiter(IIIII_Result r) {
        r.r5 = entry.state();
    }
}
