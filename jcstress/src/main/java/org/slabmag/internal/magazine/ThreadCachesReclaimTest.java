package org.slabmag.internal.magazine;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * The {@link ThreadCaches} registry: a live thread registers its private cache while another thread runs
 * {@code reclaimDead()} over a registry holding one cache of a thread that has ended. The dead thread's cache is
 * retired exactly once ({@code onRetire} once, whether this reclaim or the arbiter's {@code forEach} takes it),
 * the live thread's cache is never retired and stays registered, and it is the live thread's own.
 *
 * <p>r1: whether {@code reclaimDead()} retired any (either way: it skips when registration holds the lock);
 * r2: {@code onRetire} calls for the dead thread's cache; r3: the registering thread's cache after the arbiter's
 * {@code forEach}: 0 as it should be (registered and never retired while its thread lives; registered or retired
 * once after its thread ended, as jcstress's sanity runs end actor threads), 1 retired while its thread lives,
 * 2 lost (neither registered nor retired) or counted twice; r4: 1 if that cache is the thread's own.
 */
@JCStressTest
@Outcome(id = {"0, 1, 0, 1", "1, 1, 0, 1"}, expect = ACCEPTABLE,
    desc = "the dead thread's cache retired once, the live one registered and never retired")
@Outcome(id = ".*, 2, .*", expect = FORBIDDEN, desc = "a dead thread's cache retired twice: its magazines given back twice")
@Outcome(id = ".*, 0, .*", expect = FORBIDDEN, desc = "a dead thread's cache never retired: its magazines lost")
@Outcome(id = ".*, .*, 1, .*", expect = FORBIDDEN, desc = "a live thread's cache retired: robbed from its owner")
@Outcome(id = ".*, .*, 2, .*", expect = FORBIDDEN, desc = "a registering thread's cache lost from the registry")
@Outcome(expect = FORBIDDEN, desc = "a registering thread got a cache that is not its own")
@State
public class ThreadCachesReclaimTest {
    private final ThreadCaches<TestRack> registry = new ThreadCaches<>(TestRack::new, 0, c -> c.retired.incrementAndGet());
    private final TestRack dead = DeadOwners.register(registry);
    private TestRack live;
    private boolean own;

    @Actor
    public void register() {
        Thread me = Thread.currentThread();
        live = registry.privateCache(me);
        own = live != null && live.owner() == me && registry.find(me) == live;
    }

    @Actor
    public void reclaim(IIII_Result r) {
        r.r1 = registry.reclaimDead() ? 1 : 0;
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        int[] registered = new int[1];
        registry.forEach(c -> registered[0] += c == live ? 1 : 0);
        boolean alive = live != null && live.owner().isAlive();
        int retired = live == null ? 0 : live.retired.get();
        r.r2 = dead.retired.get();
        if (alive) {
            r.r3 = retired != 0 ? 1 : registered[0] == 1 ? 0 : 2;
        } else {
            r.r3 = registered[0] + retired == 1 ? 0 : 2;
        }
        r.r4 = own ? 1 : 0;
    }
}
