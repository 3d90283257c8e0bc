package org.slabmag.internal.magazine;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * A magazine filled by one thread and offered to the depot, taken by another: the taker must see
 * every round the filler wrote (the depot's offer/poll is a release/acquire pair).
 */
@JCStressTest
@Outcome(id = "-1", expect = ACCEPTABLE, desc = "the taker came before the offer: no magazine")
@Outcome(id = "4", expect = ACCEPTABLE, desc = "the taker got the magazine with all four rounds")
@Outcome(expect = FORBIDDEN, desc = "the taker got the magazine but not all its rounds: "
    + "the depot exchange does not publish the magazine's contents (lost or torn blocks)")
@State
public class DepotExchangeTest {
    private final ClassDepot depot = new ClassDepot(0, 1024, 4096);

    @Actor
    public void filler() {
        AddressMagazine m = new AddressMagazine(4);
        for (int i = 0; i < 4; i++) {
            m.rounds[i] = 0x1000L * (i + 1);
        }
        m.size = 4;
        depot.offerFull(m);
    }

    @Actor
    public void taker(I_Result r) {
        AddressMagazine m = depot.pollFull();
        if (m == null) {
            r.r1 = -1;
            return;
        }
        int seen = 0;
        for (int i = 0; i < m.size; i++) {
            if (m.rounds[i] == 0x1000L * (i + 1)) {
                seen++;
            }
        }
        r.r1 = seen;
    }
}
