package org.slabmag.internal.magazine;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cache of one slot of {@link ReferenceMagazine}s for the tests of the shared magazine layer, with what the
 * tests observe: how often the registry retired it, its holders, and a plain count of the
 * acquisitions it served.
 */
final class TestRack extends MagazineRack<ReferenceMagazine<Object>> {
    private static final ReferenceMagazine<Object> PLACEHOLDER = new ReferenceMagazine<>(1);

    /** Calls of the registry's {@code onRetire} with this cache. */
    final AtomicInteger retired = new AtomicInteger();
    /** Threads inside this stripe's lock now (atomic, an observer only): more than 1 means exclusion broke. */
    final AtomicInteger holders = new AtomicInteger();
    /** Plain: acquisitions served; a lost update means two holders at once. */
    int served;

    TestRack(Thread owner) {
        super(owner, 1, PLACEHOLDER);
    }
}
