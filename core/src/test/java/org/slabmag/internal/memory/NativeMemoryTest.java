package org.slabmag.internal.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.agrona.UnsafeApi;
import org.junit.jupiter.api.Test;

/**
 * Page release on every supported JDK: the pages of a range leave the process (the present bits of
 * {@code /proc/self/pagemap}), the range stays reserved and reads back as zeroes, and the pages around
 * it keep their contents.
 */
class NativeMemoryTest {
    private static final int PAGE = 4096;

    @Test
    void releasedPagesLeaveTheProcessAndReadAsZero() throws IOException {
        assumeTrue(System.getProperty("os.name", "").startsWith("Linux"), "page release is Linux-only");
        assertTrue(NativeMemory.canReleasePages(), "a route to madvise on JDK " + Runtime.version().feature());
        int pages = 64;
        long reserved = NativeMemory.reserve((long) (pages + 1) * PAGE);
        try {
            long base = (reserved + PAGE - 1) & -(long) PAGE;
            for (int i = 0; i < pages; i++) {
                UnsafeApi.putLong(base + (long) i * PAGE, 1000L + i);
            }
            assertEquals(pages, presentPages(base, pages), "all pages written");

            assertTrue(NativeMemory.releasePages(base + 8L * PAGE, 32L * PAGE));

            assertEquals(pages - 32, presentPages(base, pages), "32 pages given back");
            for (int i = 0; i < pages; i++) {
                long expected = i >= 8 && i < 40 ? 0L : 1000L + i;
                assertEquals(expected, UnsafeApi.getLong(base + (long) i * PAGE), "page " + i);
            }
            assertFalse(NativeMemory.releasePages(base + 48L * PAGE + 8, PAGE), "an unaligned range is refused");
            assertFalse(NativeMemory.releasePages(base + 48L * PAGE, PAGE / 2), "so is a part of a page");
            assertEquals(1048L, UnsafeApi.getLong(base + 48L * PAGE), "and nothing around it changed");
            assertTrue(NativeMemory.canReleasePages(), "refusals do not count as failures");
            UnsafeApi.putLong(base + 10L * PAGE, 7L); // a released page serves again
            assertEquals(7L, UnsafeApi.getLong(base + 10L * PAGE));
        } finally {
            NativeMemory.release(reserved);
        }
    }

    /** Pages of {@code [address, address + pages * 4096)} present in memory, from {@code /proc/self/pagemap}. */
    private static int presentPages(long address, int pages) throws IOException {
        byte[] entries = new byte[pages * 8];
        try (RandomAccessFile pagemap = new RandomAccessFile("/proc/self/pagemap", "r")) {
            pagemap.seek(address / PAGE * 8);
            pagemap.readFully(entries);
        }
        ByteBuffer b = ByteBuffer.wrap(entries).order(ByteOrder.nativeOrder());
        int present = 0;
        for (int i = 0; i < pages; i++) {
            if (b.getLong(i * 8) < 0) { // bit 63: page present
                present++;
            }
        }
        return present;
    }
}
