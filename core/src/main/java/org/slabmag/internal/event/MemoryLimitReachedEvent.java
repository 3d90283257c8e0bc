package org.slabmag.internal.event;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A reservation would have passed maxMemory even after trimming; a SlabOutOfMemoryError follows unless flushing
 * the thread caches makes room. Emitted through {@link SlabEvents}.
 */
@Name("org.slabmag.MemoryLimitReached")
@Label("Memory Limit Reached")
@Description("A reservation would have passed maxMemory even after trimming; a SlabOutOfMemoryError follows "
    + "unless flushing the thread caches makes room.")
@Category({"slabmag", "Heap"})
@Enabled(false)
@StackTrace(true)
final class MemoryLimitReachedEvent extends jdk.jfr.Event {
    @Label("Requested")
    @Description("Bytes the failed reservation needed")
    @DataAmount
    long requested;

    @Label("Limit")
    @Description("The allocator maxMemory")
    @DataAmount
    long limit;

    @Label("Usage")
    @Description("Bytes held resident at that moment (reserved less pages given back), which the limit bounds")
    @DataAmount
    long usage;
}
