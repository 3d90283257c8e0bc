package org.slabmag.netty;

import java.nio.ByteOrder;

/** Netty's buffer contract suite over big-endian slab direct buffers. */
class SlabBigEndianDirectByteBufTest extends AbstractSlabDirectByteBufTest {
    SlabBigEndianDirectByteBufTest() {
        super(ByteOrder.BIG_ENDIAN);
    }
}
