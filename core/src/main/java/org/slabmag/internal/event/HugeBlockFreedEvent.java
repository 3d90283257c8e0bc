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
 * A huge block went back to the operating system. Emitted through {@link SlabEvents}.
 */
@Name("org.slabmag.HugeBlockFreed")
@Label("Huge Block Freed")
@Description("A huge block went back to the operating system.")
@Category({"slabmag", "Memory"})
@Enabled(false)
@StackTrace(false)
final class HugeBlockFreedEvent extends jdk.jfr.Event {
    @Label("Address")
    @Description("Address the caller freed")
    @MemoryAddress
    long address;

    @Label("Bytes")
    @Description("Page-rounded size of the block")
    @DataAmount
    long bytes;
}
