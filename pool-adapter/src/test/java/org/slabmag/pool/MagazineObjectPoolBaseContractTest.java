package org.slabmag.pool;

import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.ObjectPool;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.PooledObjectFactory;
import org.apache.commons.pool2.TestBaseObjectPool;
import org.apache.commons.pool2.impl.DefaultPooledObject;

/**
 * Commons Pool's {@link TestBaseObjectPool} (which includes the {@code AbstractTestObjectPool} suite) against
 * {@link MagazineObjectPool} with one-object magazines, so that the inherited tests also cross the depot and the
 * magazine exchanges. Within one thread the pool is LIFO: a magazine is a stack, and exchanges keep the most
 * recently returned objects on top.
 */
class MagazineObjectPoolBaseContractTest extends TestBaseObjectPool {
    private static MagazineObjectPoolConfig config() {
        final MagazineObjectPoolConfig config = new MagazineObjectPoolConfig();
        config.setMaxTotal(-1);
        config.setMaxIdle(-1);
        config.setTestOnBorrow(true);
        config.setMagazineSize(1);
        return config;
    }

    @Override
    protected Object getNthObject(final int n) {
        return String.valueOf(n);
    }

    @Override
    protected boolean isLifo() {
        return true;
    }

    @Override
    protected boolean isFifo() {
        return false;
    }

    @Override
    protected <E extends Exception> ObjectPool<String> makeEmptyPool(final int minCapacity) {
        return new MagazineObjectPool<>(new NumberedStrings(), config());
    }

    @Override
    protected <E extends Exception> ObjectPool<Object> makeEmptyPool(final PooledObjectFactory<Object> factory) {
        return new MagazineObjectPool<>(factory, config());
    }

    /** Makes "0", "1", "2", ... as distinct String instances. */
    private static final class NumberedStrings extends BasePooledObjectFactory<String> {
        private final AtomicInteger next = new AtomicInteger();

        @Override
        public String create() {
            return String.valueOf(next.getAndIncrement());
        }

        @Override
        public PooledObject<String> wrap(final String obj) {
            return new DefaultPooledObject<>(obj);
        }
    }
}
