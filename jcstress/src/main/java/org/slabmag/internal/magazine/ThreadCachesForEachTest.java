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
 * The {@link ThreadCaches} registry's {@code forEach} (statistics, a pool's evictor) racing a live thread's
 * registration, over a registry holding one cache of a thread that has ended: {@code forEach} retires the dead
 * thread's cache before it runs its action, so the action never sees a retired cache; it sees the live thread's
 * cache or not, depending on the order; the dead cache is retired exactly once and the live one never.
 *
 * <p>r1: caches the action saw that were the dead thread's or retired (0: none stale); r2: caches the action
 * saw; r3: {@code onRetire} calls for the dead thread's cache; r4: the registering thread's cache after another
 * {@code forEach}: 0 as it should be (never retired while its thread lives; retired once if its thread ended
 * before, as jcstress's sanity runs end actor threads), 1 retired while its thread lives, 2 retired twice or
 * not retired although its thread had ended.
 */
@JCStressTest
@Outcome(id = {"0, 0, 1, 0", "0, 1, 1, 0"}, expect = ACCEPTABLE,
    desc = "the action saw the live cache or none; the dead cache retired once, first; the live one kept")
@Outcome(id = "1, .*", expect = FORBIDDEN, desc = "forEach ran its action on a dead thread's (retired) cache")
@Outcome(id = ".*, .*, 2, .*", expect = FORBIDDEN, desc = "a dead thread's cache retired twice")
@Outcome(id = ".*, .*, 0, .*", expect = FORBIDDEN, desc = "a dead thread's cache never retired by forEach")
@Outcome(id = ".*, .*, .*, 1", expect = FORBIDDEN, desc = "a live thread's cache retired")
@Outcome(id = ".*, .*, .*, 2", expect = FORBIDDEN, desc = "an ended thread's cache not retired exactly once")
@Outcome(expect = FORBIDDEN, desc = "forEach saw a cache twice")
@State
public class ThreadCachesForEachTest {
    private final ThreadCaches<TestRack> registry = new ThreadCaches<>(TestRack::new, 0, c -> c.retired.incrementAndGet());
    private final TestRack dead = DeadOwners.register(registry);
    private volatile TestRack live;

    @Actor
    public void register() {
        live = registry.privateCache(Thread.currentThread());
    }

    @Actor
    public void statistics(IIII_Result r) {
        int[] seen = new int[2];
        registry.forEach(c -> {
            seen[c.owner() == DeadOwners.DEAD || c.retired.get() != 0 ? 0 : 1]++;
        });
        r.r1 = seen[0];
        r.r2 = seen[0] + seen[1];
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        boolean deadBefore = !live.owner().isAlive();
        registry.forEach(c -> { });
        boolean aliveAfter = live.owner().isAlive();
        int retired = live.retired.get();
        r.r3 = dead.retired.get();
        if (aliveAfter) {
            r.r4 = retired == 0 ? 0 : 1;
        } else if (deadBefore) {
            r.r4 = retired == 1 ? 0 : 2;
        } else {
            r.r4 = retired <= 1 ? 0 : 2;
        }
    }
}
