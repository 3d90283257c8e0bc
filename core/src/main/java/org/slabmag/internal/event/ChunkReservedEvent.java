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
 * A chunk of native memory was reserved from the operating system. Emitted through {@link SlabEvents}.
 */
@Name("org.slabmag.ChunkReserved")
@Label("Chunk Reserved")
@Description("A chunk of native memory was reserved from the operating system.")
@Category({"slabmag", "Memory"})
@Enabled(false)
@StackTrace(false)
final class ChunkReservedEvent extends jdk.jfr.Event {
    @Label("Address")
    @Description("Start of the chunk (aligned to its size)")
    @MemoryAddress
    long address;

    @Label("Bytes")
    @Description("Size of the chunk, as counted in totalBytes")
    @DataAmount
    long bytes;
}
