package org.slabmag.internal.magazine;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Two offers racing on a depot whose full queue (room for two magazines) already holds one: magazines of 3 and
 * 5 rounds. Exactly one offer is accepted; the refused magazine stays with its caller (never in the depot too);
 * the depot's round count ends equal to the rounds it holds (a refused offer takes back what it added, racing
 * the accepted one's addition).
 *
 * <p>r1, r2: whether each offer was accepted; r3: 1 if the depot then holds exactly the pre-filled magazine and
 * the accepted one, each once, and its round count matches them; else 0.
 */
@JCStressTest
@Outcome(id = {"1, 0, 1", "0, 1, 1"}, expect = ACCEPTABLE,
    desc = "one offer accepted, the other refused and kept out; rounds counted right")
@Outcome(id = "1, 1, .*", expect = FORBIDDEN, desc = "both offers accepted: the depot holds more than its capacity")
@Outcome(id = "0, 0, .*", expect = FORBIDDEN, desc = "both offers refused although the queue had room for one")
@Outcome(expect = FORBIDDEN,
    desc = "a magazine lost, kept twice, or in the depot after its offer was refused, or the round count wrong")
@State
public class DepotBoundedOfferTest {
    private final Depot<ReferenceMagazine<Object>> depot = new Depot<>(2);
    private final ReferenceMagazine<Object> first = filled(1);
    private final ReferenceMagazine<Object> second = filled(3);
    private final ReferenceMagazine<Object> third = filled(5);
    private boolean secondIn;
    private boolean thirdIn;

    public DepotBoundedOfferTest() {
        depot.offerFull(first);
    }

    private static ReferenceMagazine<Object> filled(int rounds) {
        ReferenceMagazine<Object> m = new ReferenceMagazine<>(rounds);
        for (int i = 0; i < rounds; i++) {
            m.offer(new Object());
        }
        return m;
    }

    @Actor
    public void offerSecond(III_Result r) {
        secondIn = depot.offerFull(second);
        r.r1 = secondIn ? 1 : 0;
    }

    @Actor
    public void offerThird(III_Result r) {
        thirdIn = depot.offerFull(third);
        r.r2 = thirdIn ? 1 : 0;
    }

    @Arbiter
    public void arbiter(III_Result r) {
        long counted = depot.cachedRounds();
        int[] seen = new int[3];
        long rounds = 0;
        boolean ok = true;
        ReferenceMagazine<Object> m;
        while ((m = depot.pollFull()) != null) {
            rounds += m.size();
            ok &= note(m, seen);
        }
        ok &= seen[0] == 1 && seen[1] == (secondIn ? 1 : 0) && seen[2] == (thirdIn ? 1 : 0);
        ok &= rounds == counted && depot.cachedRounds() == 0;
        r.r3 = ok ? 1 : 0;
    }

    private boolean note(ReferenceMagazine<Object> m, int[] seen) {
        int i = m == first ? 0 : m == second ? 1 : m == third ? 2 : -1;
        if (i < 0) {
            return false;
        }
        seen[i]++;
        return true;
    }
}
