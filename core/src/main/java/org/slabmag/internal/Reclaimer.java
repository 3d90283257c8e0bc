package org.slabmag.internal;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one background thread that gives unused memory back for every allocator of the JVM (as Commons
 * Pool's {@code EvictionTimer} serves every pool, or jemalloc's background thread every arena): each
 * registered {@link Task} runs every period, also while the process is otherwise idle, so memory
 * freed and not reused goes back to the heap and the operating system without anyone calling
 * {@code trim()}.
 *
 * <p>The thread is a daemon named {@value #THREAD_NAME}, started lazily by the first
 * {@link #register} and ended when no task is left; a later registration starts a new one. Tasks are
 * held weakly: an allocator that became unreachable without {@code close()} is not kept alive by it
 * (its task is dropped once collected). A task that returns false, or throws
 * {@link IllegalStateException} (its allocator closed meanwhile), is dropped.
 *
 * <p>Thread-safe. A task runs on the reclaimer thread only, never twice at once.
 */
public final class Reclaimer {
    /** The name of the reclaimer thread. */
    public static final String THREAD_NAME = "slabmag-reclaimer";

    /** Work done every period. */
    public interface Task {
        /**
         * Gives back what was unused since the last run.
         *
         * @return false when this task is finished (its allocator closed) and should be dropped
         */
        boolean run();
    }

    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final Condition CHANGED = LOCK.newCondition();
    private static final List<Entry> ENTRIES = new ArrayList<>();
    private static Thread thread;

    private Reclaimer() {
    }

    /**
     * Runs {@code task} every {@code periodNanos}, first one period from now, until it returns false
     * or becomes unreachable.
     *
     * @param task        the task, not null; held weakly
     * @param periodNanos the period in nanoseconds, positive
     * @throws IllegalArgumentException if {@code periodNanos <= 0}
     */
    public static void register(Task task, long periodNanos) {
        if (periodNanos <= 0) {
            throw new IllegalArgumentException("period must be positive: " + periodNanos);
        }
        LOCK.lock();
        try {
            ENTRIES.add(new Entry(task, periodNanos, System.nanoTime() + periodNanos));
            if (thread == null) {
                thread = new Thread(Reclaimer::loop, THREAD_NAME);
                thread.setDaemon(true);
                thread.start();
            }
            CHANGED.signal();
        } finally {
            LOCK.unlock();
        }
    }

    /**
     * Tasks registered now and not yet dropped (for tests).
     *
     * @return the number of registered tasks, {@code >= 0}
     */
    public static int tasks() {
        LOCK.lock();
        try {
            return ENTRIES.size();
        } finally {
            LOCK.unlock();
        }
    }

    /**
     * Whether the reclaimer thread runs now (for tests).
     *
     * @return true from a registration until the thread, finding no task left, ends; false before and after
     */
    public static boolean isRunning() {
        LOCK.lock();
        try {
            return thread != null;
        } finally {
            LOCK.unlock();
        }
    }

    private static void loop() {
        List<Entry> due = new ArrayList<>();
        for (;;) {
            LOCK.lock();
            try {
                long now = System.nanoTime();
                long wait = Long.MAX_VALUE;
                for (int i = ENTRIES.size() - 1; i >= 0; i--) {
                    Entry e = ENTRIES.get(i);
                    if (e.task.get() == null) {
                        ENTRIES.remove(i);
                    } else if (now - e.next >= 0) {
                        due.add(e);
                    } else {
                        wait = Math.min(wait, e.next - now);
                    }
                }
                if (due.isEmpty()) {
                    if (ENTRIES.isEmpty()) {
                        thread = null;
                        return;
                    }
                    try {
                        CHANGED.awaitNanos(Math.min(wait, TimeUnit.SECONDS.toNanos(1)));
                    } catch (InterruptedException ignored) {
                        // nothing to stop: the loop looks at its tasks again
                    }
                    continue;
                }
            } finally {
                LOCK.unlock();
            }
            for (Entry e : due) {
                boolean keep = runOnce(e);
                LOCK.lock();
                try {
                    if (keep) {
                        e.next = System.nanoTime() + e.period;
                    } else {
                        ENTRIES.remove(e);
                    }
                } finally {
                    LOCK.unlock();
                }
            }
            due.clear();
        }
    }

    private static boolean runOnce(Entry e) {
        Task task = e.task.get();
        if (task == null) {
            return false;
        }
        try {
            return task.run();
        } catch (IllegalStateException closed) {
            return false;
        } catch (RuntimeException | Error bug) {
            Thread t = Thread.currentThread();
            t.getUncaughtExceptionHandler().uncaughtException(t, bug);
            return false;
        }
    }

    /** A task, weakly held, and when it runs next. Fields other than the final ones under the lock. */
    private static final class Entry {
        final WeakReference<Task> task;
        final long period;
        long next;

        Entry(Task task, long period, long next) {
            this.task = new WeakReference<>(task);
            this.period = period;
            this.next = next;
        }
    }
}
