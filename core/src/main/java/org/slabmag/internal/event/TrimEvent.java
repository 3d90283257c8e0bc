package org.slabmag.internal.event;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * The heap gave its spare slabs and free chunks back (SlabAllocator.trim(), or the heap making room before it
 * reports the memory limit). Emitted through {@link SlabEvents}.
 */
@Name("org.slabmag.Trim")
@Label("Heap Trimmed")
@Description("The heap gave its spare slabs and free chunks back (SlabAllocator.trim(), or the heap making "
    + "room before it reports the memory limit).")
@Category({"slabmag", "Heap"})
@Enabled(false)
@StackTrace(false)
final class TrimEvent extends jdk.jfr.Event {
    @Label("Bytes Returned")
    @Description("Reserved bytes this trim gave back to the operating system")
    @DataAmount
    long bytes;

    @Label("Bytes Reserved After")
    @Description("Reserved bytes left after the trim")
    @DataAmount
    long reservedAfter;
}
