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
 * The generic {@link Depot} with {@link ReferenceMagazine}s (the pool's rounds): two threads each offer a full
 * magazine of two rounds whose objects they wrote just before, then each polls one. A magazine is always in the
 * depot when a thread polls, so each poll gets one; no magazine is delivered twice; the poller sees every round
 * and the writes to the objects, also those of the other thread (offer/poll is a release/acquire pair); the
 * depot's round count ends at zero.
 *
 * <p>r1, r2: the magazine each thread polled (1 or 2: whose; 0 none; -1 one with a round or a write missing);
 * r3: magazines accounted for after the race (polled plus left in the depot, with the depot's round count
 * matching what is left), 2 unless one was lost or counted wrong.
 */
@JCStressTest
@Outcome(id = {"1, 2, 2", "2, 1, 2"}, expect = ACCEPTABLE,
    desc = "each thread polled a different magazine, with all its rounds and their objects' writes")
@Outcome(id = {"1, 1, .*", "2, 2, .*"}, expect = FORBIDDEN,
    desc = "one magazine delivered twice: its rounds would be handed out twice")
@Outcome(id = {"-1, .*", ".*, -1, .*"}, expect = FORBIDDEN,
    desc = "a polled magazine lacks a round or a write to its object: offer/poll does not publish the contents")
@Outcome(id = {"0, .*", ".*, 0, .*"}, expect = FORBIDDEN,
    desc = "a poll found no magazine although one was in the depot: a magazine lost or hidden")
@Outcome(expect = FORBIDDEN, desc = "a magazine or a round lost, or the depot's round count wrong")
@State
public class ReferenceDepotTest {
    /** A pooled object: a plain field written before its magazine is offered. */
    static final class Item {
        int value;
    }

    private final Depot<ReferenceMagazine<Item>> depot = new Depot<>(4);
    private boolean polledFirst;
    private boolean polledSecond;

    private static ReferenceMagazine<Item> filled(int tag) {
        ReferenceMagazine<Item> m = new ReferenceMagazine<>(2);
        for (int i = 0; i < 2; i++) {
            Item it = new Item();
            it.value = tag * 10 + i;
            m.offer(it);
        }
        return m;
    }

    /** @return the magazine's tag, 0 if none, -1 if a round or a write is missing */
    private static int tagOf(ReferenceMagazine<Item> m) {
        if (m == null) {
            return 0;
        }
        if (m.size() != 2) {
            return -1;
        }
        Item first = m.peek(0);
        Item second = m.peek(1);
        if (first == null || second == null) {
            return -1;
        }
        int tag = first.value / 10;
        return (tag == 1 || tag == 2) && first.value == tag * 10 && second.value == tag * 10 + 1 ? tag : -1;
    }

    @Actor
    public void first(III_Result r) {
        depot.offerFull(filled(1));
        ReferenceMagazine<Item> m = depot.pollFull();
        r.r1 = tagOf(m);
        polledFirst = m != null;
    }

    @Actor
    public void second(III_Result r) {
        depot.offerFull(filled(2));
        ReferenceMagazine<Item> m = depot.pollFull();
        r.r2 = tagOf(m);
        polledSecond = m != null;
    }

    @Arbiter
    public void arbiter(III_Result r) {
        long rounds = depot.cachedRounds();
        int left = 0;
        ReferenceMagazine<Item> m;
        while ((m = depot.pollFull()) != null) {
            rounds -= m.size();
            left += tagOf(m) > 0 ? 1 : 0;
        }
        r.r3 = rounds == 0 && depot.cachedRounds() == 0 ? (polledFirst ? 1 : 0) + (polledSecond ? 1 : 0) + left : -1;
    }
}
