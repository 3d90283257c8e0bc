package org.slabmag.pool;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.DestroyMode;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;

/**
 * A test factory of {@link Item}s that records, per object, the factory calls made on it in order, the time and mode
 * of its destruction, and fails validation for the objects a test names. Thread-safe.
 */
final class RecordingFactory extends BasePooledObjectFactory<RecordingFactory.Item> {
    /** A pooled object: an id and the factory calls made on it. */
    static final class Item {
        final int id;
        final List<String> calls = new CopyOnWriteArrayList<>();
        /** {@link System#nanoTime()} of the destruction, 0 while alive. */
        final AtomicLong destroyedAt = new AtomicLong();
        volatile DestroyMode destroyMode;

        Item(final int id) {
            this.id = id;
        }

        boolean isDestroyed() {
            return destroyedAt.get() != 0;
        }

        @Override
        public String toString() {
            return "Item#" + id;
        }
    }

    final AtomicInteger made = new AtomicInteger();
    final AtomicInteger destroyed = new AtomicInteger();
    final AtomicInteger calls = new AtomicInteger();
    final Map<Integer, Item> all = new ConcurrentHashMap<>();
    /** Ids of the objects whose validation returns false. */
    final Set<Integer> invalid = ConcurrentHashMap.newKeySet();
    /** Runs at the start of each activation, if set (a test holding a borrower inside activateObject). */
    volatile Runnable onActivate;

    @Override
    public Item create() {
        final Item i = new Item(made.incrementAndGet());
        all.put(i.id, i);
        return i;
    }

    @Override
    public PooledObject<Item> wrap(final Item obj) {
        return new DefaultPooledObject<>(obj);
    }

    @Override
    public void activateObject(final PooledObject<Item> p) {
        calls.incrementAndGet();
        p.getObject().calls.add("activate");
        final Runnable hook = onActivate;
        if (hook != null) {
            hook.run();
        }
    }

    @Override
    public boolean validateObject(final PooledObject<Item> p) {
        calls.incrementAndGet();
        p.getObject().calls.add("validate");
        return !invalid.contains(p.getObject().id);
    }

    @Override
    public void passivateObject(final PooledObject<Item> p) {
        calls.incrementAndGet();
        p.getObject().calls.add("passivate");
    }

    @Override
    public void destroyObject(final PooledObject<Item> p, final DestroyMode mode) {
        calls.incrementAndGet();
        final Item i = p.getObject();
        i.calls.add("destroy");
        i.destroyMode = mode;
        if (!i.destroyedAt.compareAndSet(0, System.nanoTime())) {
            throw new AssertionError(i + " destroyed twice");
        }
        destroyed.incrementAndGet();
    }
}
