package org.slabmag.pool;

import org.apache.commons.pool2.AbstractTestObjectPool;
import org.apache.commons.pool2.ObjectPool;
import org.apache.commons.pool2.PooledObjectFactory;

/**
 * Commons Pool's own {@link ObjectPool} contract suite against {@link MagazineObjectPool}, unbounded as the suite
 * asks. The suite expects validation on borrow from pools other than {@code GenericObjectPool} (whose test turns
 * it on itself), hence testOnBorrow.
 */
class MagazineObjectPoolContractTest extends AbstractTestObjectPool {
    @Override
    protected <E extends Exception> ObjectPool<Object> makeEmptyPool(final PooledObjectFactory<Object> factory) {
        final MagazineObjectPoolConfig config = new MagazineObjectPoolConfig();
        config.setMaxTotal(-1);
        config.setMaxIdle(-1);
        config.setTestOnBorrow(true);
        return new MagazineObjectPool<>(factory, config);
    }
}
