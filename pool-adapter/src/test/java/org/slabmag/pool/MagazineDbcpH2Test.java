package org.slabmag.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.dbcp2.ConnectionFactory;
import org.apache.commons.dbcp2.DelegatingConnection;
import org.apache.commons.dbcp2.DelegatingPreparedStatement;
import org.apache.commons.dbcp2.PStmtKey;
import org.apache.commons.dbcp2.PoolableConnection;
import org.apache.commons.dbcp2.PoolableConnectionFactory;
import org.apache.commons.dbcp2.PoolingConnection;
import org.apache.commons.dbcp2.PoolingDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DBCP2 as a real consumer: a {@link PoolingDataSource} over a {@link MagazineObjectPool} of
 * {@link PoolableConnection}s to an in-memory H2 database, and a {@link PoolingConnection} whose prepared-statement
 * pool is a {@link MagazineKeyedObjectPool}. Physical connections are counted by a wrapping
 * {@link ConnectionFactory} and by H2's {@code INFORMATION_SCHEMA.SESSIONS}.
 */
class MagazineDbcpH2Test {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final int MAX_TOTAL = 4;

    /** Opens physical connections and remembers them all. */
    private static final class CountingConnectionFactory implements ConnectionFactory {
        final String url;
        final ConcurrentLinkedQueue<Connection> opened = new ConcurrentLinkedQueue<>();

        CountingConnectionFactory(final String url) {
            this.url = url;
        }

        @Override
        public Connection createConnection() throws SQLException {
            final Connection c = DriverManager.getConnection(url, "sa", "");
            opened.add(c);
            return c;
        }

        int stillOpen() throws SQLException {
            int n = 0;
            for (final Connection c : opened) {
                if (!c.isClosed()) {
                    n++;
                }
            }
            return n;
        }
    }

    private String url;
    /** A connection outside the pool that keeps the database and counts sessions. */
    private Connection observer;
    private CountingConnectionFactory physical;
    private MagazineObjectPool<PoolableConnection> pool;
    private PoolingDataSource<PoolableConnection> ds;

    @BeforeEach
    void setUp() throws SQLException {
        url = "jdbc:h2:mem:slabmag" + DATABASES.incrementAndGet();
        observer = DriverManager.getConnection(url, "sa", "");
        try (Statement s = observer.createStatement()) {
            s.execute("CREATE TABLE rows_seen (id INT PRIMARY KEY, thread_name VARCHAR(64))");
        }
        physical = new CountingConnectionFactory(url);
        final PoolableConnectionFactory factory = new PoolableConnectionFactory(physical, null);
        factory.setValidationQuery("SELECT 1");
        factory.setDefaultAutoCommit(Boolean.TRUE);
        final MagazineObjectPoolConfig config = new MagazineObjectPoolConfig();
        config.setMaxTotal(MAX_TOTAL);
        config.setMaxWait(Duration.ofSeconds(20));
        config.setTestOnBorrow(true);
        config.setJmxEnabled(false);
        pool = new MagazineObjectPool<>(factory, config);
        factory.setPool(pool); // DBCP2 wires only GenericObjectPool by itself
        ds = new PoolingDataSource<>(pool);
        ds.setAccessToUnderlyingConnectionAllowed(true);
    }

    @AfterEach
    void tearDown() throws SQLException {
        ds.close();
        observer.close();
    }

    private int sessions() throws SQLException {
        try (Statement s = observer.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static Connection innermost(final Connection c) {
        return ((DelegatingConnection<?>) c).getInnermostDelegate();
    }

    @Test
    void validatedConnectionsAreReused() throws SQLException {
        final Connection first;
        try (Connection c = ds.getConnection()) {
            first = innermost(c);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 41 + 1")) {
                assertTrue(rs.next());
                assertEquals(42, rs.getInt(1));
            }
        }
        try (Connection c = ds.getConnection()) {
            assertSame(first, innermost(c), "the validated connection is lent again");
        }
        assertEquals(1, physical.opened.size());
        assertEquals(1, pool.getNumIdle());
        assertEquals(2, sessions(), "the pooled connection and the observer");
    }

    @Test
    void concurrentStatementsNeverShareAConnection() throws Exception {
        final int threads = 6;
        final int perThread = 150;
        final Set<Connection> inUse = ConcurrentHashMap.newKeySet();
        final AtomicInteger shared = new AtomicInteger();
        final AtomicInteger ids = new AtomicInteger();
        final AtomicInteger inserted = new AtomicInteger();
        final ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        final List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            final Thread w = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    try (Connection c = ds.getConnection()) {
                        final Connection raw = innermost(c);
                        if (!inUse.add(raw)) {
                            shared.incrementAndGet();
                        }
                        try (PreparedStatement ps = c.prepareStatement("INSERT INTO rows_seen VALUES (?, ?)")) {
                            ps.setInt(1, ids.incrementAndGet());
                            ps.setString(2, Thread.currentThread().getName());
                            inserted.addAndGet(ps.executeUpdate());
                        } finally {
                            inUse.remove(raw);
                        }
                    } catch (final Throwable e) {
                        unexpected.add(e);
                    }
                }
            }, "h2-worker-" + t);
            w.start();
            workers.add(w);
        }
        for (final Thread w : workers) {
            w.join(60_000);
            assertFalse(w.isAlive(), w + " is stuck");
        }
        assertTrue(unexpected.isEmpty(), () -> "unexpected: " + unexpected);
        assertEquals(0, shared.get(), "a connection used by two threads at once");
        assertEquals(threads * perThread, inserted.get());
        try (Statement s = observer.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*), COUNT(DISTINCT thread_name) FROM rows_seen")) {
            rs.next();
            assertEquals(inserted.get(), rs.getInt(1), "rows inserted == rows counted");
            assertEquals(threads, rs.getInt(2));
        }
        assertTrue(physical.opened.size() <= MAX_TOTAL, () -> physical.opened.size() + " physical connections");
        assertEquals(0, pool.getNumActive());
        assertEquals(physical.opened.size(), pool.getNumIdle());
    }

    @Test
    void aBrokenConnectionIsReplacedAndAnInvalidatedOneIsClosed() throws Exception {
        final Connection broken;
        try (Connection c = ds.getConnection()) {
            broken = innermost(c);
            broken.close(); // the database side goes away under the pool
        }
        assertEquals(0, pool.getNumIdle(), "a connection closed underneath is not pooled again");
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            assertNotSame(broken, innermost(c));
            assertTrue(s.execute("SELECT 1"));
        }
        final Connection c = ds.getConnection();
        final Connection raw = innermost(c);
        pool.invalidateObject((PoolableConnection) ((DelegatingConnection<?>) c).getDelegate());
        assertTrue(raw.isClosed(), "invalidation closes the physical connection");
        c.close(); // must not throw or give the connection back
        try (Connection again = ds.getConnection(); Statement s = again.createStatement()) {
            assertTrue(s.execute("SELECT 1"), "the pool recovers");
        }
        assertEquals(0, pool.getNumActive());
        assertEquals(1, physical.stillOpen());
        assertEquals(2, sessions());
    }

    @Test
    void closingThePoolWhileConnectionsAreInUseLeaksNothing() throws Exception {
        final List<Connection> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(ds.getConnection());
        }
        try (Connection idle = ds.getConnection()) {
            assertTrue(idle.isValid(1));
        }
        assertEquals(1 + 4, sessions());
        ds.close();
        assertTrue(pool.isClosed());
        for (final Connection c : held) {
            try (Statement s = c.createStatement()) {
                assertTrue(s.execute("SELECT 1"), "a connection on loan still works after the pool closed");
            }
            c.close();
            assertTrue(c.isClosed());
        }
        assertEquals(0, physical.stillOpen(), "every physical connection is closed");
        assertEquals(1, sessions(), "only the observer is left");
        assertEquals(0, pool.getNumActive() + pool.getNumIdle());
    }

    @Test
    void aKeyedPoolServesAsThePreparedStatementPool() throws Exception {
        final PoolingConnection conn = new PoolingConnection(physical.createConnection());
        final MagazineKeyedObjectPoolConfig config = new MagazineKeyedObjectPoolConfig();
        config.setMaxTotalPerKey(2);
        config.setMaxTotal(3);
        final MagazineKeyedObjectPool<PStmtKey, DelegatingPreparedStatement> statements =
                new MagazineKeyedObjectPool<>(conn, config);
        conn.setStatementPool(statements);
        final String[] sql = {"SELECT ? + 1", "SELECT ? * 2", "SELECT ? - 3", "SELECT ? / 4"};
        final List<Statement> physicalStatements = new ArrayList<>();
        for (int round = 0; round < 20; round++) {
            for (int k = 0; k < sql.length; k++) {
                try (PreparedStatement ps = conn.prepareStatement(sql[k])) {
                    final Statement inner = ((DelegatingPreparedStatement) ps).getInnermostDelegate();
                    if (!physicalStatements.contains(inner)) {
                        physicalStatements.add(inner);
                    }
                    ps.setInt(1, 40 + round);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next());
                        final int x = 40 + round;
                        final int expected = k == 0 ? x + 1 : k == 1 ? x * 2 : k == 2 ? x - 3 : x / 4;
                        assertEquals(expected, rs.getInt(1), sql[k]);
                    }
                }
            }
            if (round == 0) {
                assertEquals(3, statements.getNumTotal(), "maxTotal across statements");
            }
        }
        try (PreparedStatement a = conn.prepareStatement(sql[0]); PreparedStatement b = conn.prepareStatement(sql[0])) {
            final Statement innerA = ((DelegatingPreparedStatement) a).getInnermostDelegate();
            final Statement innerB = ((DelegatingPreparedStatement) b).getInnermostDelegate();
            assertNotSame(innerA, innerB, "two loans of one key");
            for (final Statement inner : List.of(innerA, innerB)) {
                if (!physicalStatements.contains(inner)) {
                    physicalStatements.add(inner);
                }
            }
        }
        assertTrue(statements.getNumTotal() <= 3);
        assertEquals(0, statements.getNumActive());
        assertEquals(statements.getCreatedCount() - statements.getDestroyedCount(), statements.getNumIdle());
        int closedByEviction = 0;
        for (final Statement p : physicalStatements) {
            if (p.isClosed()) {
                closedByEviction++;
            }
        }
        assertEquals(physicalStatements.size() - statements.getNumIdle(), closedByEviction,
                "statements evicted to make room were really closed");
        conn.close();
        assertTrue(statements.isClosed());
        for (final Statement p : physicalStatements) {
            assertTrue(p.isClosed(), "closing the connection closes every pooled statement");
        }
        assertEquals(0, statements.getNumIdle());
    }
}
