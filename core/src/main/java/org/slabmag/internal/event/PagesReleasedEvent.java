package org.slabmag.internal.event;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.MemoryAddress;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * Pages of native memory were given back to the operating system (a chunk or huge block released, or unused
 * pages decommitted). Emitted through {@link SlabEvents}.
 */
@Name("org.slabmag.PagesReleased")
@Label("Pages Released")
@Description("Pages of native memory were given back to the operating system (a chunk or huge block "
    + "released, or unused pages decommitted).")
@Category({"slabmag", "Memory"})
@Enabled(false)
@StackTrace(false)
final class PagesReleasedEvent extends jdk.jfr.Event {
    @Label("Address")
    @Description("Start of the range given back")
    @MemoryAddress
    long address;

    @Label("Bytes")
    @Description("Bytes given back")
    @DataAmount
    long bytes;
}
