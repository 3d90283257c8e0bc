package org.slabmag.internal.magazine;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Which threads get a private cache, how a thread finds its own, and the registry of all of them, so
 * that statistics can sum them, other threads can look into them, and the caches of threads that
 * ended are taken back without their help and without finalizers.
 *
 * <p><b>Who gets one.</b> A platform thread gets a private cache after its first {@code warmUpCalls}
 * calls (tcmalloc's slow start), so threads that call a few times and end never register one.
 * Virtual threads never do: they are many and short-lived, and a private cache each would strand
 * what it holds (measured before this design: 100,000 virtual threads held about 63 GiB of cached
 * blocks). Threads without one use the {@link Stripes}.
 *
 * <p><b>Finding it.</b> {@link #find} reads a slot table indexed by thread id and trusts an entry
 * only if its final {@code owner} is the calling thread, so a racy read of the table is harmless
 * (a few loads, against a {@code ThreadLocal}'s dependent loads and weak-reference barrier); on a
 * miss {@link #privateCache} consults a {@code ThreadLocal}.
 *
 * <p><b>Reclaim.</b> {@link #reclaimDead} finds caches whose owner is no longer alive and hands each
 * to the {@code onRetire} consumer. {@code Thread.isAlive() == false} happens-after everything the dead
 * thread did (JLS 17.4.4), so its plain fields are safe to read then. Registration scans again once
 * the registry has doubled since the last scan, so it is O(1) amortised.
 *
 * <p>Thread-safe. A lock guards the registry and is taken only on slow paths; {@link #snapshot()} is
 * a racy view (each element is a cache once registered, or null) for callers that treat what they
 * find as hints.
 *
 * @param <C> the type of cache
 */
public final class ThreadCaches<C extends MagazineRack<?>> {
    private static final int SLOTS = 256;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(MagazineRack[].class);
    /** {@code Thread.isVirtual()} on JDK 21+; null before, where no thread is virtual. */
    private static final MethodHandle IS_VIRTUAL;

    static {
        MethodHandle isVirtual;
        try {
            isVirtual = MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual",
                MethodType.methodType(boolean.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            isVirtual = null;
        }
        IS_VIRTUAL = isVirtual;
    }

    private final MagazineRack<?>[] slots = new MagazineRack<?>[SLOTS];
    private final ThreadLocal<C> local = new ThreadLocal<>();
    /** Calls a platform thread has made without a private cache, while warming up. */
    private final ThreadLocal<int[]> warmUp = ThreadLocal.withInitial(() -> new int[1]);
    private final Function<Thread, C> newCache;
    private final Consumer<? super C> onRetire;
    private final int warmUpCalls;
    private final ReentrantLock lock = new ReentrantLock();
    /** Registered caches in {@code [0, count)}; republished (volatile) when it grows. */
    private volatile MagazineRack<?>[] caches = new MagazineRack<?>[16];
    private int count;
    /** Caches left after the last scan for dead threads; registration scans again at twice as many. */
    private int sizeAfterScan;

    /**
     * An empty registry.
     *
     * @param newCache    makes the private cache of a thread (called by that thread)
     * @param warmUpCalls calls a platform thread makes before it gets a private cache (0: at once)
     * @param onRetire    receives each cache retired (its thread ended, or it was retired by its
     *                    owner), once, after it left the registry
     */
    public ThreadCaches(Function<Thread, C> newCache, int warmUpCalls, Consumer<? super C> onRetire) {
        if (warmUpCalls < 0) {
            throw new IllegalArgumentException("warmUpCalls must be >= 0: " + warmUpCalls);
        }
        this.newCache = newCache;
        this.warmUpCalls = warmUpCalls;
        this.onRetire = onRetire;
    }

    /**
     * The calling thread's private cache if the slot table has it: the fast path.
     *
     * @param t the calling thread
     * @return its cache, or null (then call {@link #privateCache})
     */
    public C find(Thread t) {
        return find(slots, t);
    }

    /**
     * {@link #find} through a {@link #slotTable()} the caller keeps in a final field of its own: one
     * dependent load fewer on the caller's fast path.
     *
     * @param <C>   the type of cache
     * @param table a slot table from {@link #slotTable()}
     * @param t     the calling thread
     * @return its cache, or null
     */
    @SuppressWarnings("unchecked")
    public static <C extends MagazineRack<?>> C find(MagazineRack<?>[] table, Thread t) {
        MagazineRack<?> cache = table[slot(t)];
        return cache != null && cache.owner == t ? (C) cache : null;
    }

    /** {@return the slot table, for {@link #find(MagazineRack[], Thread)}; must not be modified} */
    public MagazineRack<?>[] slotTable() {
        return slots;
    }

    /**
     * The calling thread's private cache when {@link #find} missed it, made and registered on first
     * use; or null if the thread has none: virtual threads always, platform threads while warming up.
     *
     * @param t the calling thread
     * @return its cache, or null (then use a stripe)
     */
    public C privateCache(Thread t) {
        if (isVirtual(t)) {
            return null;
        }
        C cache = local.get();
        if (cache == null) {
            if (warmUpCalls > 0) {
                int[] calls = warmUp.get();
                if (calls[0] < warmUpCalls) {
                    calls[0]++;
                    return null;
                }
                warmUp.remove();
            }
            cache = newCache.apply(t);
            register(cache);
            local.set(cache);
        }
        int i = slot(t);
        MagazineRack<?> holder = slots[i];
        if (holder == null || !holder.owner.isAlive()) {
            slots[i] = cache;
        }
        return cache;
    }

    /** {@return the calling thread's private cache if it has one, without making one} */
    public C ownCache() {
        return local.get();
    }

    private void register(C cache) {
        lock.lock();
        try {
            if (count >= Math.max(64, 2 * sizeAfterScan)) {
                reclaimDeadLocked();
            }
            MagazineRack<?>[] array = caches;
            if (count == array.length) {
                array = Arrays.copyOf(array, count * 2);
            }
            array[count++] = cache;
            caches = array;
        } finally {
            lock.unlock();
        }
    }

    /** Retires the calling thread's private cache, if it has one: it leaves the registry, then {@code onRetire}. */
    public void retireOwn() {
        C cache = local.get();
        if (cache == null) {
            return;
        }
        local.remove();
        lock.lock();
        try {
            if (removeLocked(cache)) {
                retireLocked(cache);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Retires the caches of dead threads; skips the work if another thread is at it.
     *
     * @return whether this call retired any
     */
    public boolean reclaimDead() {
        if (lock.tryLock()) {
            try {
                return reclaimDeadLocked();
            } finally {
                lock.unlock();
            }
        }
        return false;
    }

    /**
     * Runs {@code action} on every registered cache, under the registry lock (dead threads' caches are
     * retired first), so that no cache is retired meanwhile.
     *
     * @param action what to do; must not call back into this registry
     */
    @SuppressWarnings("unchecked")
    public void forEach(Consumer<? super C> action) {
        lock.lock();
        try {
            reclaimDeadLocked();
            MagazineRack<?>[] array = caches;
            for (int i = 0; i < count; i++) {
                action.accept((C) array[i]);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The registered caches, for a walk without the registry's lock.
     *
     * @return a racy view of the registry: elements are registered caches, possibly retired since,
     *         or null; the array must not be modified
     */
    public MagazineRack<?>[] snapshot() {
        return caches;
    }

    /** {@return the caches registered now} */
    public int size() {
        lock.lock();
        try {
            return count;
        } finally {
            lock.unlock();
        }
    }

    @SuppressWarnings("unchecked")
    private boolean reclaimDeadLocked() {
        int before = count;
        MagazineRack<?>[] array = caches;
        for (int i = count - 1; i >= 0; i--) {
            C cache = (C) array[i];
            if (!cache.owner.isAlive()) {
                array[i] = array[--count];
                array[count] = null;
                retireLocked(cache);
            }
        }
        sizeAfterScan = count;
        return count < before;
    }

    private boolean removeLocked(C cache) {
        MagazineRack<?>[] array = caches;
        for (int i = 0; i < count; i++) {
            if (array[i] == cache) {
                array[i] = array[--count];
                array[count] = null;
                return true;
            }
        }
        return false;
    }

    private void retireLocked(C cache) {
        SLOT.compareAndSet(slots, slot(cache.owner), cache, null);
        onRetire.accept(cache);
    }

    /**
     * Whether {@code t} is a virtual thread, through {@code Thread.isVirtual()} where the JDK has it.
     *
     * @param t a thread, not null
     * @return whether it is a virtual thread (never, before JDK 21)
     */
    public static boolean isVirtual(Thread t) {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (boolean) IS_VIRTUAL.invokeExact(t);
        } catch (Throwable e) {
            throw new AssertionError("Thread.isVirtual() failed", e);
        }
    }

    @SuppressWarnings("deprecation") // Thread.threadId() is JDK 19+; getId() is the same final value
    private static int slot(Thread t) {
        return (int) t.getId() & (SLOTS - 1);
    }
}
