package org.slabmag.pool;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.pool2.AbstractTestKeyedObjectPool;
import org.apache.commons.pool2.BaseKeyedPooledObjectFactory;
import org.apache.commons.pool2.KeyedObjectPool;
import org.apache.commons.pool2.KeyedPooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;

/**
 * Commons Pool's own {@link KeyedObjectPool} contract suite against {@link MagazineKeyedObjectPool}. As for
 * {@link MagazineObjectPoolContractTest}, the suite expects validation on borrow from pools other than
 * {@code GenericKeyedObjectPool}, hence testOnBorrow in {@link #makeEmptyPool(KeyedPooledObjectFactory)}. Idle
 * objects are reused most-recently-returned first per thread, which the pool does not promise, so the suite's order
 * checks (lifo, fifo) are off.
 */
class MagazineKeyedObjectPoolContractTest extends AbstractTestKeyedObjectPool {
    /** Makes {@code key + "-" + n} for the n-th object of a key, as {@link #getNthObject} expects. */
    private static final class NumberingFactory extends BaseKeyedPooledObjectFactory<Object, Object> {
        private final Map<Object, AtomicInteger> counters = new ConcurrentHashMap<>();

        @Override
        public Object create(final Object key) {
            return key + "-" + counters.computeIfAbsent(key, k -> new AtomicInteger()).getAndIncrement();
        }

        @Override
        public PooledObject<Object> wrap(final Object value) {
            return new DefaultPooledObject<>(value);
        }
    }

    @Override
    protected Object getNthObject(final Object key, final int n) {
        return key + "-" + n;
    }

    @Override
    protected boolean isFifo() {
        return false;
    }

    @Override
    protected boolean isLifo() {
        return false;
    }

    @Override
    protected <E extends Exception> KeyedObjectPool<Object, Object> makeEmptyPool(final int minCapacity) {
        final MagazineKeyedObjectPoolConfig config = new MagazineKeyedObjectPoolConfig();
        config.setMaxTotalPerKey(minCapacity);
        config.setMaxIdlePerKey(minCapacity);
        return new MagazineKeyedObjectPool<>(new NumberingFactory(), config);
    }

    @Override
    protected <E extends Exception> KeyedObjectPool<Object, Object> makeEmptyPool(
            final KeyedPooledObjectFactory<Object, Object> factory) {
        final MagazineKeyedObjectPoolConfig config = new MagazineKeyedObjectPoolConfig();
        config.setMaxTotalPerKey(-1);
        config.setMaxIdlePerKey(-1);
        config.setTestOnBorrow(true);
        return new MagazineKeyedObjectPool<>(factory, config);
    }

    @Override
    protected Object makeKey(final int n) {
        return "key" + n;
    }
}
