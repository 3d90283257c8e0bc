package org.slabmag.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.slabmag.pool.PoolTesting.JOIN_MILLIS;
import static org.slabmag.pool.PoolTesting.async;
import static org.slabmag.pool.PoolTesting.awaitWaiters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.DestroyMode;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.junit.jupiter.api.Test;
import org.slabmag.pool.TrackedFactory.Tracked;

class MagazineObjectPoolTest {

    private static MagazineObjectPoolConfig config(final int maxTotal) {
        final MagazineObjectPoolConfig c = new MagazineObjectPoolConfig();
        c.setMaxTotal(maxTotal);
        c.setMaxIdle(-1);
        return c;
    }

    private static void runInThread(final ThrowingRunnable body) throws Exception {
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (final Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        t.join(JOIN_MILLIS);
        assertFalse(t.isAlive(), "helper thread did not finish");
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    private static Throwable failureOf(final CompletableFuture<?> f) throws Exception {
        final ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(JOIN_MILLIS, TimeUnit.MILLISECONDS));
        return e.getCause();
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void defaultsMatchGenericObjectPoolConfig() {
        final MagazineObjectPoolConfig c = new MagazineObjectPoolConfig();
        final GenericObjectPoolConfig<Object> g = new GenericObjectPoolConfig<>();
        assertEquals(g.getMaxTotal(), c.getMaxTotal());
        assertEquals(g.getMaxIdle(), c.getMaxIdle());
        assertEquals(g.getMinIdle(), c.getMinIdle());
        assertEquals(g.getBlockWhenExhausted(), c.getBlockWhenExhausted());
        assertEquals(g.getMaxWaitDuration(), c.getMaxWait());
        assertEquals(g.getTestOnCreate(), c.getTestOnCreate());
        assertEquals(g.getTestOnBorrow(), c.getTestOnBorrow());
        assertEquals(g.getTestOnReturn(), c.getTestOnReturn());
        assertEquals(8, c.getMaxTotal());
        assertEquals(Duration.ofMillis(-1), c.getMaxWait());
    }

    @Test
    void fromCopiesTheSettingsThatApply() {
        final GenericObjectPoolConfig<Object> g = new GenericObjectPoolConfig<>();
        g.setMaxTotal(3);
        g.setMaxIdle(2);
        g.setMinIdle(1);
        g.setBlockWhenExhausted(false);
        g.setMaxWait(Duration.ofSeconds(7));
        g.setTestOnCreate(true);
        g.setTestOnBorrow(true);
        g.setTestOnReturn(true);
        final MagazineObjectPoolConfig c = MagazineObjectPoolConfig.from(g);
        assertEquals(3, c.getMaxTotal());
        assertEquals(2, c.getMaxIdle());
        assertEquals(1, c.getMinIdle());
        assertFalse(c.getBlockWhenExhausted());
        assertEquals(Duration.ofSeconds(7), c.getMaxWait());
        assertTrue(c.getTestOnCreate() && c.getTestOnBorrow() && c.getTestOnReturn());
        assertThrows(IllegalArgumentException.class, () -> c.setMagazineSize(0));
    }

    @Test
    void aReturnedObjectIsLentAgain() throws Exception {
        final TrackedFactory f = new TrackedFactory();
        try (MagazineObjectPool<Tracked> pool = new MagazineObjectPool<>(f)) {
            final Tracked a = pool.borrowObject();
            pool.returnObject(a);
            assertSame(a, pool.borrowObject());
            assertEquals(1, f.made.get());
            assertEquals(2, f.activated.get());
            assertEquals(1, f.passivated.get());
            assertEquals(0, f.validated.get());
            assertEquals(1, pool.getNumActive());
            assertEquals(0, pool.getNumIdle());
        }
    }

    @Test
    void anObjectReturnedByAnotherThreadIsLentAgainWithoutCreatingOne() throws Exception {
        final TrackedFactory f = new TrackedFactory();
        try (MagazineObjectPool<Tracked> pool = new MagazineObjectPool<>(f, config(-1))) {
            final Tracked a = pool.borrowObject();
            final CountDownLatch returned = new CountDownLatch(1);
            final CountDownLatch done = new CountDownLatch(1);
            final CompletableFuture<Void> helper = async(() -> {
                pool.returnObject(a);
                returned.countDown();
                done.await();
                return null;
            });
            assertTrue(returned.await(JOIN_MILLIS, TimeUnit.MILLISECONDS));
            assertEquals(1, pool.getNumIdle());
            assertSame(a, pool.borrowObject(), "taken from the live returning thread's magazine");
            assertEquals(1, f.made.get());
            done.countDown();
            helper.get(JOIN_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void idleObjectsOfATerminatedThreadAreLentAgain() throws Exception {
        final TrackedFactory f = new TrackedFactory();
        final MagazineObjectPoolConfig c = config(-1);
        c.setMagazineSize(2);
        try (MagazineObjectPool<Tracked> pool = new MagazineObjectPool<>(f, c)) {
            runInThread(() -> {
                final List<Tracked> held = new ArrayList<>();
                for (int i = 0; i < 9; i++) {
                    held.add(pool.borrowObject());
                }
                for (final Tracked t : held) {
                    pool.returnObject(t);
                }
            });
            assertEquals(9, pool.getNumIdle());
            final List<Tracked> again = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                again.add(pool.borrowObject());
            }
            assertEquals(9, f.made.get(), "every idle object of the dead thread was found");
            assertEquals(9, again.stream().distinct().count());
            assertEquals(0, pool.getNumIdle());
            for (final Tracked t : again) {
                pool.returnObject(t);
            }
        }
        assertEquals(9, f.destroyed.get());
        assertTrue(f.live.isEmpty());
    }

    @Test
    void threadsComingAndGoingReuseTheSameObject() throws Exception {
        final TrackedFactory f = new TrackedFactory();
        try (MagazineObjectPool<Tracked> pool = new MagazineObjectPool<>(f, config(-1))) {
            for (int i = 0; i < 300; i++) {
                runInThread(() -> pool.returnObject(pool.borrowObject()));
            }
            assertEquals(1, f.made.get());
            assertEquals(1, pool.getNumIdle());
        }
    }

    @Test
    void exhaustedPoolThatMustNotBlockThrowsNoSuchElement() throws Exception {
        final MagazineObjectPoolConfig c = config(2);
        c.setBlockWhenExhausted(false);
        try (MagazineObjectPool<Tracked> pool = new MagazineObjectPool<>(new TrackedFactory(), c)) {
            final Tracked a = pool.borrowObject();
            pool.borrowObject();
            assertThrows(NoSuchElementException.class, pool::borrowObject);
            pool.returnObject(a);
            assertSame(a, pool.borrowObject());
        }
    }

    @Test
    void exhaustedPoolWaitsUpToMaxWait() throws Exception {
        final MagazineObjectPoolConfig c = config(1);
        c.setMaxWait(Duration.ofMillis(100));
        try (MagazineObjectPool<Tracked> pool = new MagazineObjectPool<>(new TrackedFactory(), c)) {
            pool.borrowObject();
            final long start = System.nanoTime();
            final NoSuchElementException e = assertThrows(NoSuchElementException.class, pool::borrowObject);
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(100));
            assertTrue(e.getMessage().startsWith("Timeout waiting for idle object"), e.getMessage());
            assertThrows(NoSuchElementException.class, () -> pool.borrowObject(Duration.ZERO));
            assertEquals(0, pool.getNumWaiters());
        }
    }

    @Test
    void aWaiterIsWokenByAReturnOnAnotherThread() throws Exception {
        try (MagazineObjectPool<Tracked> pool = new MagazineObjectPool<>(new TrackedFactory(), config(1))) {
            final Tracked a = pool.borrowObject();
            final CompletableFuture<Tracked> waiter = async(pool::borrowObject);
            awaitWaiters(pool, 1);
            pool.returnObject(a);
            assertSame(a, waiter.get(JOIN_MILLIS, TimeUnit.MILLISECONDS));
        }
    }

    @Test
    void aWaiterIsWokenByAnInvalidation() throws Exception {
        final TrackedFactory f = new TrackedFactory();
        try (MagazineObjectPool<Tracked> pool = new MagazineObjectPool<>(f, config(1))) {
            final Tracked a = pool.borrowObject();
            final CompletableFuture<Tracked> waiter = async(pool::borrowObject);
            awaitWaiters(pool, 1);
            pool.invalidateObject(a);
            final Tracked b = waiter.get(JOIN_MILLIS, TimeUnit.MILLISECONDS);
            assertNotSame(a, b);
            assertEquals(2, f.made.get());
        }
    }

    @Test
    void closeWakesWaitersWithIllegalStateException() throws Exception {
        final TrackedFactory f = new TrackedFactory();
        final MagazineObjectPool<Tracked> pool = new MagazineObjectPool<>(f, config(1));
        final Tracked a = pool.borrowObject();
        final CompletableFuture<Tracked> w1 = async(pool::borrowObject);
        final CompletableFuture<Tracked> w2 = async(pool::borrowObject);
        awaitWaiters(pool, 2);
        pool.close();
        assertInstanceOf(IllegalStateException.class, failureOf(w1));
        assertInstanceOf(IllegalStateException.class, failureOf(w2));
        assertEquals(1, pool.getNumActive());
        pool.returnObject(a);
        assertEquals(0, pool.getNumActive());
        assertEquals(1, f.destroyed.get());
    }

    @Test
    void anInterruptedWaiterThrowsInterruptedException() throws Exception {
        try (MagazineObjectPool<Tracked> pool = new MagazineObjectPool<>(new TrackedFactory(), config(1))) {
            pool.borrowObject();
            final AtomicReference<Throwable> thrown = new AtomicReference<>();
            final Thread t = new Thread(() -> {
                try {
                    pool.borrowObject();
                } catch (final Exception e) {
                    thrown.set(e);
                }
            });
            t.start();
            awaitWaiters(pool, 1);
            t.interrupt();
            t.join(JOIN_MILLIS);
            assertInstanceOf(InterruptedException.class, thrown.get());
            assertEquals(0, pool.getNumWaiters());
        }
    }

    @Test
    void returningNullOrAForeignObjectFailsAndThePoolKeepsWorking() throws Exception {
        final TrackedFactory f = new TrackedFactory();
        try (MagazineObjectPool<Tracked> pool = new MagazineObjectPool<>(f)) {
            final Tracked a = pool.borrowObject();
            assertThrows(NullPointerException.class, () -> pool.returnObject(null));
            assertThrows(NullPointerException.class, () -> pool.invalidateObject(null));
            final IllegalStateException foreign =
                    assertThrows(IllegalStateException.class, () -> pool.returnObject(new Tracked(-1)));
            assertEquals("Returned object not currently part of this pool", foreign.getMessage());
            assertThrows(IllegalStateException.class, () -> pool.invalidateObject(new Tracked(-2)));
            assertEquals(1, pool.getNumActive());
            pool.returnObject(a);
            assertSame(a, pool.borrowObject());
            assertEquals(1, f.passivated.get());
        }
    }

    @Test
    void aDoubleReturnFailsAndDoesNotLendTheObjectTwice() throws Exception {
        final TrackedFactory f = new TrackedFactory();
        try (MagazineObjectPool<Tracked> pool = new MagazineObjectPool<>(f)) {
            final Tracked a = pool.borrowObject();
            pool.returnObject(a);
            final IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.returnObject(a));
            assertEquals("Object has already been returned to this pool or is invalid", e.getMessage());
            assertEquals(1, f.passivated.get());
            assertEquals(1, pool.getNumIdle());
            final Tracked b = pool.borrowObject();
            final Tracked c = pool.borrowObject();
            assertSame(a, b);
            assertNotSame(b, c);
        }
    }

    @Test
    void anInvalidatedObjectCannotBeReturned() throws Exception {
        final TrackedFactory f = new TrackedFactory();
        try (MagazineObjectPool<Tracked> pool = new MagazineObjectPool<>(f)) {
            final Tracked a = pool.borrowObject();
            pool.invalidateObject(a, DestroyMode.ABANDONED);
            assertEquals(DestroyMode.ABANDONED, a.destroyMode);
            assertThrows(IllegalStateException.class, () -> pool.returnObject(a));
            assertThrows(IllegalStateException.class, () -> pool.invalidateObject(a));
            assertEquals(0, pool.getNumActive());
            assertEquals(1, f.destroyed.get());
        }
    }

    @Test
    void afterCloseBorrowAndAddFailButReturnsDestroy() throws Exception {
        final TrackedFactory f = new TrackedFactory();
        final MagazineObjectPool<Tracked> pool = new MagazineObjectPool<>(f);
        final Tracked a = pool.borrowObject();
        final Tracked b = pool.borrowObject();
        pool.returnObject(b);
        pool.close();
        assertTrue(pool.isClosed());
        assertEquals(1, f.destroyed.get(), "the idle object is destroyed by close");
        assertEquals("Pool not open", assertThrows(IllegalStateException.class, pool::borrowObject).getMessage());
        assertThrows(IllegalStateException.class, pool::addObject);
        assertThrows(IllegalStateException.class, () -> pool.returnObject(new Tracked(-1)));
        pool.returnObject(a);
        assertTrue(a.destroyed);
        assertThrows(IllegalStateException.class, () -> pool.returnObject(a));
        assertEquals(0, pool.getNumActive() + pool.getNumIdle());
        assertTrue(f.live.isEmpty());
        pool.close();
    }

    @Test
    void aFailedActivationOfAnIdleObjectDestroysItAndBorrowGoesOn() throws Exception {
        final TrackedFactory f = new TrackedFactory();
        try (MagazineObjectPool<Tracked> pool = new MagazineObjectPool<>(f, config(-1))) {
            pool.addObject();
            pool.addObject();
            f.failActivate = true;
            final NoSuchElementException e = assertThrows(NoSuchElementException.class, pool::borrowObject);
            assertEquals("Unable to activate object", e.getMessage());
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertEquals(3, f.made.get(), "two idle objects tried, then a new one");
            assertEquals(3, f.destroyed.get());
            f.failActivate = false;
            pool.returnObject(pool.borrowObject());
            assertEquals(1, pool.getNumIdle());
        }
    }

    @Test
    void validationOnBorrowCreateAndReturn() throws Exception {
        final TrackedFactory f = new TrackedFactory();
        final MagazineObjectPoolConfig c = config(-1);
        c.setTestOnCreate(true);
        c.setTestOnBorrow(true);
        c.setTestOnReturn(true);
        try (MagazineObjectPool<Tracked> pool = new MagazineObjectPool<>(f, c)) {
            final Tracked a = pool.borrowObject();
            assertEquals(2, f.validated.get(), "on create and on borrow");
            pool.returnObject(a);
            assertEquals(3, f.validated.get());
            f.invalid = true;
            assertEquals("Unable to validate object",
                    assertThrows(NoSuchElementException.class, pool::borrowObject).getMessage());
            assertEquals(2, f.destroyed.get(), "the idle object, then the new one");
            pool.addObject();
            assertEquals(0, pool.getNumIdle(), "addObject drops an object that fails validation on create");
            f.invalid = false;
            final Tracked b = pool.borrowObject();
            f.invalid = true;
            pool.returnObject(b);
            assertTrue(b.destroyed, "failed validation on return");
            assertEquals(0, pool.getNumIdle() + pool.getNumActive());
        }
    }

    @Test
    void aValidationThatThrowsCountsAsInvalid() throws Exception {
        final TrackedFactory f = new TrackedFactory();
        final List<Exception> swallowed = new ArrayList<>();
        final MagazineObjectPoolConfig c = config(-1);
        c.setTestOnBorrow(true);
        c.setTestOnReturn(true);
        c.setSwallowedExceptionListener(swallowed::add);
        try (MagazineObjectPool<Tracked> pool = new MagazineObjectPool<>(f, c)) {
            final Tracked a = pool.borrowObject();
            f.failValidate = true;
            pool.returnObject(a);
            assertTrue(a.destroyed);
            assertEquals(List.of("validate fails"), swallowed.stream().map(Exception::getMessage).toList());
            final NoSuchElementException e = assertThrows(NoSuchElementException.class, pool::borrowObject);
            assertEquals("validate fails", e.getCause().getMessage());
            assertEquals(0, pool.getNumIdle() + pool.getNumActive());
            assertEquals(2, f.destroyed.get());
        }
    }

    @Test
    void aFailedPassivationOnReturnDestroysTheObjectAndReportsIt() throws Exception {
        final TrackedFactory f = new TrackedFactory();
        final List<Exception> swallowed = new ArrayList<>();
        final MagazineObjectPoolConfig c = config(-1);
        c.setSwallowedExceptionListener(swallowed::add);
        try (MagazineObjectPool<Tracked> pool = new MagazineObjectPool<>(f, c)) {
            final Tracked a = pool.borrowObject();
            f.failPassivate = true;
            pool.returnObject(a);
            assertTrue(a.destroyed);
            assertEquals(1, swallowed.size());
            assertEquals("passivate fails", swallowed.get(0).getMessage());
            assertEquals(0, pool.getNumIdle() + pool.getNumActive());
        }
    }

    @Test
    void aFailedPassivationInAddObjectPropagatesAndTheObjectIsDestroyedLater() throws Exception {
        final TrackedFactory f = new TrackedFactory();
        try (MagazineObjectPool<Tracked> pool = new MagazineObjectPool<>(f, config(-1))) {
            f.failPassivate = true;
            assertThrows(IllegalStateException.class, pool::addObject);
            assertEquals(1, pool.getNumActive(), "condemned, counted as active");
            assertEquals(0, f.destroyed.get());
            f.failPassivate = false;
            pool.addObject();
            assertEquals(1, f.destroyed.get(), "destroyed on the next slow path");
            assertEquals(0, pool.getNumActive());
            assertEquals(1, pool.getNumIdle());
        }
    }

    @Test
    void aFailedMakeReleasesItsCapacity() throws Exception {
        final TrackedFactory f = new TrackedFactory();
        try (MagazineObjectPool<Tracked> pool = new MagazineObjectPool<>(f, config(1))) {
            f.failMake = true;
            assertThrows(IllegalStateException.class, pool::borrowObject);
            assertThrows(IllegalStateException.class, pool::addObject);
            f.failMake = false;
            assertEquals(1, pool.borrowObject().id);
        }
    }

    @Test
    void factoryMisbehaviourIsReported() throws Exception {
        final BasePooledObjectFactory<Object> nulls = new BasePooledObjectFactory<>() {
            @Override
            public Object create() {
                return null;
            }

            @Override
            public PooledObject<Object> wrap(final Object obj) {
                return new DefaultPooledObject<>(obj);
            }
        };
        try (MagazineObjectPool<Object> pool = new MagazineObjectPool<>(nulls, config(1))) {
            assertThrows(NullPointerException.class, pool::borrowObject);
            assertEquals(0, pool.getNumActive());
        }
        final Object singleton = new Object();
        final BasePooledObjectFactory<Object> same = new BasePooledObjectFactory<>() {
            @Override
            public Object create() {
                return singleton;
            }

            @Override
            public PooledObject<Object> wrap(final Object obj) {
                return new DefaultPooledObject<>(obj);
            }
        };
        try (MagazineObjectPool<Object> pool = new MagazineObjectPool<>(same, config(2))) {
            assertSame(singleton, pool.borrowObject());
            assertThrows(IllegalStateException.class, pool::borrowObject);
            assertEquals(1, pool.getNumActive());
            pool.returnObject(singleton);
            assertSame(singleton, pool.borrowObject());
        }
    }

    @Test
    void maxIdleDestroysSurplusIdleObjects() throws Exception {
        final TrackedFactory f = new TrackedFactory();
        final MagazineObjectPoolConfig c = config(20);
        c.setMaxIdle(4);
        try (MagazineObjectPool<Tracked> pool = new MagazineObjectPool<>(f, c)) {
            assertEquals(2, pool.getMagazineCapacity(), "clamped to maxIdle / 2");
            final List<Tracked> held = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                held.add(pool.borrowObject());
            }
            for (final Tracked t : held) {
                pool.returnObject(t);
            }
            final int idle = pool.getNumIdle();
            assertTrue(idle <= 4 + 2 * 2, "depot cap plus one thread's two magazines: " + idle);
            assertEquals(20 - idle, f.destroyed.get());
        }
    }

    @Test
    void preparePoolAddsMinIdleObjects() throws Exception {
        final MagazineObjectPoolConfig c = config(3);
        c.setMinIdle(5);
        try (MagazineObjectPool<Tracked> pool = new MagazineObjectPool<>(new TrackedFactory(), c)) {
            pool.preparePool();
            assertEquals(3, pool.getNumIdle(), "bounded by maxTotal");
            pool.addObject();
            assertEquals(3, pool.getNumIdle(), "addObject at maxTotal does nothing");
        }
    }

    @Test
    void clearDestroysIdleObjectsInOtherThreadsMagazines() throws Exception {
        final TrackedFactory f = new TrackedFactory();
        try (MagazineObjectPool<Tracked> pool = new MagazineObjectPool<>(f, config(-1))) {
            final Tracked mine = pool.borrowObject();
            final CountDownLatch parked = new CountDownLatch(1);
            final CountDownLatch cleared = new CountDownLatch(1);
            final CompletableFuture<Tracked> helper = async(() -> {
                final Tracked a = pool.borrowObject();
                final Tracked b = pool.borrowObject();
                pool.returnObject(a);
                pool.returnObject(b);
                parked.countDown();
                cleared.await();
                return pool.borrowObject();
            });
            assertTrue(parked.await(JOIN_MILLIS, TimeUnit.MILLISECONDS));
            pool.returnObject(mine);
            assertEquals(3, pool.getNumIdle());
            pool.clear();
            assertEquals(0, pool.getNumIdle());
            assertEquals(3, f.destroyed.get());
            cleared.countDown();
            final Tracked fresh = helper.get(JOIN_MILLIS, TimeUnit.MILLISECONDS);
            assertFalse(fresh.destroyed, "stale magazine references are skipped");
            assertEquals(4, fresh.id);
        }
    }
}
