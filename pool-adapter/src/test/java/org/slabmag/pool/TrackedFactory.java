package org.slabmag.pool;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.DestroyMode;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;

/**
 * A test factory of {@link Tracked} objects that counts makes and destroys, remembers the live objects, and
 * fails on demand. Thread-safe.
 */
final class TrackedFactory extends BasePooledObjectFactory<TrackedFactory.Tracked> {
    /** A pooled object with an on-loan flag that tests set and clear with compare-and-set. */
    static final class Tracked {
        final int id;
        final AtomicBoolean onLoan = new AtomicBoolean();
        volatile boolean destroyed;
        volatile DestroyMode destroyMode;

        Tracked(final int id) {
            this.id = id;
        }

        @Override
        public String toString() {
            return "Tracked#" + id;
        }
    }

    final AtomicInteger made = new AtomicInteger();
    final AtomicInteger destroyed = new AtomicInteger();
    final AtomicInteger activated = new AtomicInteger();
    final AtomicInteger passivated = new AtomicInteger();
    final AtomicInteger validated = new AtomicInteger();
    final AtomicInteger doubleDestroys = new AtomicInteger();
    final Set<Tracked> live = ConcurrentHashMap.newKeySet();
    volatile boolean failMake;
    volatile boolean failActivate;
    volatile boolean failPassivate;
    volatile boolean invalid;
    volatile boolean failValidate;
    /** Runs at the start of each {@link #create()}, if set (a test pausing a make). */
    volatile Runnable onMake;

    @Override
    public Tracked create() {
        final Runnable hook = onMake;
        if (hook != null) {
            hook.run();
        }
        if (failMake) {
            throw new IllegalStateException("make fails");
        }
        final Tracked t = new Tracked(made.incrementAndGet());
        live.add(t);
        return t;
    }

    @Override
    public PooledObject<Tracked> wrap(final Tracked obj) {
        return new DefaultPooledObject<>(obj);
    }

    @Override
    public void activateObject(final PooledObject<Tracked> p) {
        activated.incrementAndGet();
        if (failActivate) {
            throw new IllegalStateException("activate fails");
        }
    }

    @Override
    public void passivateObject(final PooledObject<Tracked> p) {
        passivated.incrementAndGet();
        if (failPassivate) {
            throw new IllegalStateException("passivate fails");
        }
    }

    @Override
    public boolean validateObject(final PooledObject<Tracked> p) {
        validated.incrementAndGet();
        if (failValidate) {
            throw new IllegalStateException("validate fails");
        }
        return !invalid;
    }

    @Override
    public void destroyObject(final PooledObject<Tracked> p, final DestroyMode mode) {
        final Tracked t = p.getObject();
        if (t.destroyed || !live.remove(t)) {
            doubleDestroys.incrementAndGet();
        }
        t.destroyMode = mode;
        t.destroyed = true;
        destroyed.incrementAndGet();
    }
}
