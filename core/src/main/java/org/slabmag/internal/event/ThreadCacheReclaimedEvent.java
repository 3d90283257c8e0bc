package org.slabmag.internal.event;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * The magazines of one thread went back to the depot or heap: the thread ended, or it called trim(). Emitted
 * through {@link SlabEvents}.
 */
@Name("org.slabmag.ThreadCacheReclaimed")
@Label("Thread Cache Reclaimed")
@Description("The magazines of one thread went back to the depot or heap: the thread ended, or it called trim().")
@Category({"slabmag", "Thread Caches"})
@Enabled(false)
@StackTrace(false)
final class ThreadCacheReclaimedEvent extends jdk.jfr.Event {
    @Label("Bytes")
    @Description("Bytes of free blocks its magazines held")
    @DataAmount
    long bytes;

    @Label("Thread Name")
    @Description("Name of the thread that owned the cache")
    String threadName;

    @Label("Thread Ended")
    @Description("True if the thread had ended (its cache was taken back by another thread), false for its own trim()")
    boolean threadEnded;
}
