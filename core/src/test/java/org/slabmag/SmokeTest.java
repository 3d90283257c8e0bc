package org.slabmag;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void allocatesAndFreesEveryKind() {
        try (SlabAllocator a = SlabAllocator.create()) {
            int[] sizes = {1, 16, 17, 100, 129, 256, 257, 4096, 5000, 65536, 65537, 1 << 20, 4 << 20, (4 << 20) + 1,
                    9 << 20};
            long[] addrs = new long[sizes.length];
            for (int i = 0; i < sizes.length; i++) {
                addrs[i] = a.allocate(sizes[i]);
                assertEquals(0, addrs[i] & 15, "aligned");
            }
            AllocatorStats s = a.stats();
            System.out.println(s);
            for (int i = 0; i < sizes.length; i++) {
                a.free(addrs[i], sizes[i]);
            }
            s = a.stats();
            System.out.println(s);
            assertEquals(0, s.usedBytes());
            assertEquals(0, s.requestedBytes());
            a.trim();
            s = a.stats();
            System.out.println(s);
            assertEquals(0, s.totalBytes());
        }
    }
}
