package org.slabmag.internal.magazine;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Two threads race for the only full magazine in the depot: exactly one gets it.
 */
@JCStressTest
@Outcome(id = {"1, 0", "0, 1"}, expect = ACCEPTABLE, desc = "exactly one thread got the magazine")
@Outcome(id = "1, 1", expect = FORBIDDEN, desc = "one magazine handed to two threads: its blocks would be allocated twice")
@Outcome(id = "0, 0", expect = FORBIDDEN, desc = "a full magazine was lost: its blocks leak")
@State
public class DepotSingleTakerTest {
    private final ClassDepot depot = new ClassDepot(0, 1024, 4096);

    public DepotSingleTakerTest() {
        AddressMagazine m = new AddressMagazine(4);
        m.size = 4;
        depot.offerFull(m);
    }

    @Actor
    public void first(II_Result r) {
        r.r1 = depot.pollFull() != null ? 1 : 0;
    }

    @Actor
    public void second(II_Result r) {
        r.r2 = depot.pollFull() != null ? 1 : 0;
    }
}
