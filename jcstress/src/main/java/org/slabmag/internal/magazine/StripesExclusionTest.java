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
 * {@link Stripes}: two threads acquire a stripe at once, both hashing to the same home stripe (they pass the
 * same thread for the hash), so they race for its lock; each counts itself in and out of the stripe's cache with
 * an atomic observer, and counts the acquisition with a plain increment. No stripe is held by two at once: each
 * finds nobody else in its stripe on entry or exit, and no increment is lost (the lock hands the cache's plain
 * fields over).
 *
 * <p>r1, r2: other holders each actor saw on entry plus on exit (0 unless two hold one stripe); r3: acquisitions
 * counted over all stripes afterwards (2 unless an update was lost).
 */
@JCStressTest
@Outcome(id = "0, 0, 2", expect = ACCEPTABLE, desc = "each held its stripe alone; both acquisitions counted")
@Outcome(id = {"[12], .*", ".*, [12], .*"}, expect = FORBIDDEN,
    desc = "one stripe held by two threads at once: its magazines' rounds would be handed out twice")
@Outcome(expect = FORBIDDEN, desc = "an update to a stripe's cache lost: the lock does not hand the cache over")
@State
public class StripesExclusionTest {
    /** The one thread both actors hash by: same home stripe for both. */
    private static final Thread HASHED = new Thread(() -> { });

    private final Stripes<TestRack> stripes = new Stripes<>(i -> new TestRack(null));

    private int use() {
        Stripes.Stripe<TestRack> s = stripes.acquire(HASHED);
        try {
            TestRack c = s.cache();
            int others = c.holders.getAndIncrement();
            c.served++;
            others += c.holders.decrementAndGet();
            return others;
        } finally {
            s.unlock();
        }
    }

    @Actor
    public void first(III_Result r) {
        r.r1 = use();
    }

    @Actor
    public void second(III_Result r) {
        r.r2 = use();
    }

    @Arbiter
    public void arbiter(III_Result r) {
        int[] served = new int[1];
        stripes.forEach(c -> served[0] += c.served);
        r.r3 = served[0];
    }
}
