package org.slabmag.netty;

import java.nio.ByteOrder;

/** Netty's buffer contract suite over slab direct buffers viewed in little-endian order. */
class SlabLittleEndianDirectByteBufTest extends AbstractSlabDirectByteBufTest {
    SlabLittleEndianDirectByteBufTest() {
        super(ByteOrder.LITTLE_ENDIAN);
    }
}
