package org.slabmag.pool;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.pool2.BaseKeyedPooledObjectFactory;
import org.apache.commons.pool2.DestroyMode;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.slabmag.internal.Reclaimer;

/**
 * A keyed test factory of {@link Item}s that records, per object, its key and the factory calls made on it in order,
 * the time and mode of its destruction, checks that every call names the object's own key, and fails validation
 * for the objects a test names. Thread-safe.
 */
final class KeyedRecordingFactory extends BaseKeyedPooledObjectFactory<String, KeyedRecordingFactory.Item> {
    /** A pooled object: its key, an id and the factory calls made on it. */
    static final class Item {
        final String key;
        final int id;
        final List<String> calls = new CopyOnWriteArrayList<>();
        /** {@link System#nanoTime()} of the destruction, 0 while alive. */
        final AtomicLong destroyedAt = new AtomicLong();
        volatile DestroyMode destroyMode;

        Item(final String key, final int id) {
            this.key = key;
            this.id = id;
        }

        boolean isDestroyed() {
            return destroyedAt.get() != 0;
        }

        @Override
        public String toString() {
            return key + "#" + id;
        }
    }

    final AtomicInteger made = new AtomicInteger();
    final AtomicInteger destroyed = new AtomicInteger();
    final AtomicInteger calls = new AtomicInteger();
    /** Calls whose key was not the object's own. */
    final AtomicInteger wrongKey = new AtomicInteger();
    final Map<Integer, Item> all = new ConcurrentHashMap<>();
    /** Ids of the objects whose validation returns false. */
    final Set<Integer> invalid = ConcurrentHashMap.newKeySet();
    /** Makes on core's maintenance thread (the evictor's) fail with this exception while set. */
    volatile RuntimeException evictorMakeFailure;

    @Override
    public Item create(final String key) {
        final RuntimeException failure = evictorMakeFailure;
        if (failure != null && Thread.currentThread().getName().equals(Reclaimer.THREAD_NAME)) {
            throw failure;
        }
        final Item i = new Item(key, made.incrementAndGet());
        all.put(i.id, i);
        return i;
    }

    @Override
    public PooledObject<Item> wrap(final Item obj) {
        return new DefaultPooledObject<>(obj);
    }

    private Item record(final String key, final PooledObject<Item> p, final String call) {
        calls.incrementAndGet();
        final Item i = p.getObject();
        if (!i.key.equals(key)) {
            wrongKey.incrementAndGet();
        }
        i.calls.add(call);
        return i;
    }

    @Override
    public void activateObject(final String key, final PooledObject<Item> p) {
        record(key, p, "activate");
    }

    @Override
    public boolean validateObject(final String key, final PooledObject<Item> p) {
        return !invalid.contains(record(key, p, "validate").id);
    }

    @Override
    public void passivateObject(final String key, final PooledObject<Item> p) {
        record(key, p, "passivate");
    }

    @Override
    public void destroyObject(final String key, final PooledObject<Item> p, final DestroyMode mode) {
        final Item i = record(key, p, "destroy");
        i.destroyMode = mode;
        if (!i.destroyedAt.compareAndSet(0, System.nanoTime())) {
            throw new AssertionError(i + " destroyed twice");
        }
        destroyed.incrementAndGet();
    }

    /** @return the objects of a key not destroyed */
    long live(final String key) {
        return all.values().stream().filter(i -> i.key.equals(key) && !i.isDestroyed()).count();
    }
}
