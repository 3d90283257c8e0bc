package org.slabmag.pool;

import java.sql.Connection;
import java.util.Properties;

import org.apache.commons.dbcp2.DriverConnectionFactory;
import org.apache.commons.dbcp2.PoolableConnection;
import org.apache.commons.dbcp2.PoolableConnectionFactory;
import org.apache.commons.dbcp2.PoolingDataSource;
import org.apache.commons.dbcp2.TestConnectionPool;
import org.apache.commons.dbcp2.TesterDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * DBCP2's own connection-pool suite ({@link TestConnectionPool}, from {@code commons-dbcp2:tests}) over a
 * {@link PoolingDataSource} whose pool is a {@link MagazineObjectPool}, wired as DBCP2's {@code TestPoolingDataSource}
 * wires its {@code GenericObjectPool} (that class itself cannot be reused: it builds its pool in a private field),
 * against DBCP2's test driver.
 */
class MagazineDbcpConnectionPoolTest extends TestConnectionPool {
    private PoolingDataSource<PoolableConnection> ds;

    @BeforeEach
    void setUp() {
        final Properties properties = new Properties();
        properties.setProperty("user", "userName");
        properties.setProperty("password", "password");
        final PoolableConnectionFactory factory = new PoolableConnectionFactory(
                new DriverConnectionFactory(new TesterDriver(), "jdbc:apache:commons:testdriver", properties), null);
        factory.setValidationQuery("SELECT DUMMY FROM DUAL");
        factory.setDefaultReadOnly(Boolean.TRUE);
        factory.setDefaultAutoCommit(Boolean.TRUE);
        final MagazineObjectPoolConfig config = new MagazineObjectPoolConfig();
        config.setMaxTotal(getMaxTotal());
        config.setMaxWait(getMaxWaitDuration());
        config.setJmxEnabled(false);
        final MagazineObjectPool<PoolableConnection> pool = new MagazineObjectPool<>(factory, config);
        factory.setPool(pool);
        ds = new PoolingDataSource<>(pool);
        ds.setAccessToUnderlyingConnectionAllowed(true);
    }

    @Override
    protected Connection getConnection() throws Exception {
        return ds.getConnection();
    }

    @Override
    @AfterEach
    public void tearDown() throws Exception {
        ds.close();
        super.tearDown();
    }
}
