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
 * A request above the chunk size got dedicated memory from the operating system. Emitted through {@link
 * SlabEvents}.
 */
@Name("org.slabmag.HugeBlockAllocated")
@Label("Huge Block Allocated")
@Description("A request above the chunk size got dedicated memory from the operating system.")
@Category({"slabmag", "Memory"})
@Enabled(false)
@StackTrace(false)
final class HugeBlockAllocatedEvent extends jdk.jfr.Event {
    @Label("Address")
    @Description("Address handed to the caller")
    @MemoryAddress
    long address;

    @Label("Bytes")
    @Description("Page-rounded size of the block, as counted in totalBytes")
    @DataAmount
    long bytes;
}
