package org.slabmag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import jdk.jfr.Configuration;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.SettingDescriptor;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code org.slabmag.*} JFR events: recorded with a {@link Recording}, read back with {@link RecordingFile}. */
class JfrEventsTest {
    static final int MIB = 1 << 20;
    static final List<String> EVENTS = List.of("org.slabmag.ChunkReserved", "org.slabmag.ChunkReleased",
        "org.slabmag.PagesReleased", "org.slabmag.HugeBlockAllocated", "org.slabmag.HugeBlockFreed",
        "org.slabmag.Trim", "org.slabmag.MemoryLimitReached", "org.slabmag.ThreadCacheReclaimed");
    static final Path JFC = Path.of("..", "docs", "slabmag.jfc");

    @TempDir
    Path dir;

    interface Ops {
        void run() throws Exception;
    }

    /** Runs {@code ops} under a recording with the slabmag events on (or off), returns its slabmag events. */
    List<RecordedEvent> record(boolean enable, Ops ops) throws Exception {
        Path file = dir.resolve("r" + System.nanoTime() + ".jfr");
        try (Recording r = new Recording()) {
            if (enable) {
                for (String e : EVENTS) {
                    r.enable(e).withoutStackTrace();
                }
            }
            r.start();
            ops.run();
            r.stop();
            r.dump(file);
        }
        return RecordingFile.readAllEvents(file).stream()
            .filter(e -> e.getEventType().getName().startsWith("org.slabmag."))
            .collect(Collectors.toList());
    }

    static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals("org.slabmag." + name))
            .collect(Collectors.toList());
    }

    @Test
    void chunksReservedAndReleasedOneEventEachWithAddressAndBytes() throws Exception {
        long[] blocks = new long[3];
        List<RecordedEvent> ev = record(true, () -> {
            try (SlabAllocator a = SlabAllocator.builder().chunkSize(MIB).threadCaches(false).jmx(false).build()) {
                for (int i = 0; i < 3; i++) {
                    blocks[i] = a.allocate(MIB); // a whole chunk each
                }
                for (long b : blocks) {
                    a.free(b, MIB); // the heap keeps one free chunk, releases the others
                }
                a.trim(); // releases the last one
                assertEquals(0, a.stats().totalBytes());
            }
        });
        List<RecordedEvent> reserved = named(ev, "ChunkReserved");
        List<RecordedEvent> released = named(ev, "ChunkReleased");
        assertEquals(3, reserved.size(), ev::toString);
        assertEquals(3, released.size(), ev::toString);
        Set<Long> addresses = new HashSet<>();
        for (long b : blocks) {
            addresses.add(b);
        }
        for (RecordedEvent e : reserved) {
            assertEquals(MIB, e.getLong("bytes"));
            assertTrue(addresses.contains(e.getLong("address")), "the chunk is the block that filled it: " + e);
        }
        assertEquals(addresses, released.stream().map(e -> e.getLong("address")).collect(Collectors.toSet()));
        released.forEach(e -> assertEquals(MIB, e.getLong("bytes")));
        List<RecordedEvent> pages = named(ev, "PagesReleased");
        assertEquals(3, pages.size(), "every released chunk gives its pages back");
        assertEquals(3L * MIB, pages.stream().mapToLong(e -> e.getLong("bytes")).sum());
        List<RecordedEvent> trims = named(ev, "Trim");
        assertEquals(1, trims.size(), ev::toString);
        assertEquals(MIB, trims.get(0).getLong("bytes"), "the trim returned the one chunk the heap kept");
        assertEquals(0, trims.get(0).getLong("reservedAfter"));
    }

    @Test
    void hugeBlocksAllocatedAndFreed() throws Exception {
        long[] block = new long[2];
        int size = 3 * MIB + 5;
        List<RecordedEvent> ev = record(true, () -> {
            try (SlabAllocator a = SlabAllocator.builder().chunkSize(MIB).jmx(false).build()) {
                block[0] = a.allocate(size);
                block[1] = a.allocate(2 * MIB);
                a.free(block[0], size);
                a.free(block[1], 2 * MIB);
            }
        });
        List<RecordedEvent> allocated = named(ev, "HugeBlockAllocated");
        List<RecordedEvent> freed = named(ev, "HugeBlockFreed");
        assertEquals(2, allocated.size(), ev::toString);
        assertEquals(2, freed.size(), ev::toString);
        long pageRounded = (size + 4095L) & -4096L;
        assertEquals(Map.of(block[0], pageRounded, block[1], 2L * MIB),
            allocated.stream().collect(Collectors.toMap(e -> e.getLong("address"), e -> e.getLong("bytes"))));
        assertEquals(Map.of(block[0], pageRounded, block[1], 2L * MIB),
            freed.stream().collect(Collectors.toMap(e -> e.getLong("address"), e -> e.getLong("bytes"))));
        assertEquals(0, named(ev, "ChunkReserved").size(), "huge blocks take no chunk");
        assertEquals(pageRounded + 2L * MIB,
            named(ev, "PagesReleased").stream().mapToLong(e -> e.getLong("bytes")).sum());
    }

    @Test
    void memoryLimitReachedNamesRequestLimitAndUsage() throws Exception {
        List<RecordedEvent> ev = record(true, () -> {
            try (SlabAllocator a = SlabAllocator.builder().chunkSize(MIB).maxMemory(2L * MIB).threadCaches(false)
                .jmx(false).build()) {
                a.allocate(MIB);
                a.allocate(MIB);
                assertThrows(SlabOutOfMemoryError.class, () -> a.allocate(MIB));
                assertThrows(SlabOutOfMemoryError.class, () -> a.allocate(5 * MIB));
            }
        });
        List<RecordedEvent> limit = named(ev, "MemoryLimitReached");
        assertFalse(limit.isEmpty(), ev::toString);
        Set<Long> requested = new HashSet<>();
        for (RecordedEvent e : limit) {
            assertEquals(2L * MIB, e.getLong("limit"));
            assertEquals(2L * MIB, e.getLong("usage"));
            requested.add(e.getLong("requested"));
        }
        assertEquals(Set.of((long) MIB, 5L * MIB), requested, "one chunk, then one huge block");
        assertTrue(named(ev, "Trim").stream().allMatch(e -> e.getLong("bytes") == 0),
            "the heap tried trimming first, which freed nothing");
    }

    @Test
    void threadCacheReclaimedForAnEndedThreadAndForOwnTrim() throws Exception {
        long[] cached = new long[1];
        String[] ownName = {Thread.currentThread().getName()};
        List<RecordedEvent> ev = record(true, () -> {
            try (SlabAllocator a = SlabAllocator.builder().jmx(false).threadCacheWarmUp(0).build()) {
                Thread t = new Thread(() -> {
                    long[] b = new long[10];
                    for (int i = 0; i < b.length; i++) {
                        b[i] = a.allocate(64);
                    }
                    for (long x : b) {
                        a.free(x, 64);
                    }
                    cached[0] = a.stats().cachedBytes();
                }, "slabmag-jfr-worker");
                t.start();
                t.join();
                a.stats(); // takes back the ended thread's cache
                long x = a.allocate(100);
                a.free(x, 100);
                a.trim(); // retires this thread's own cache
            }
        });
        List<RecordedEvent> reclaimed = named(ev, "ThreadCacheReclaimed");
        assertEquals(2, reclaimed.size(), ev::toString);
        RecordedEvent dead = reclaimed.get(0);
        assertEquals("slabmag-jfr-worker", dead.getString("threadName"));
        assertTrue(dead.getBoolean("threadEnded"));
        assertTrue(cached[0] > 0);
        assertEquals(cached[0], dead.getLong("bytes"), "what the worker's magazines held");
        RecordedEvent own = reclaimed.get(1);
        assertEquals(ownName[0], own.getString("threadName"));
        assertFalse(own.getBoolean("threadEnded"));
        assertTrue(own.getLong("bytes") >= 112, "at least the 112-byte block just freed: " + own);
    }

    @Test
    void offByDefaultAndDescribed() throws Exception {
        List<RecordedEvent> ev = record(false, () -> {
            try (SlabAllocator a = SlabAllocator.builder().chunkSize(MIB).jmx(false).build()) {
                a.free(a.allocate(4 * MIB), 4 * MIB);
                a.free(a.allocate(100), 100);
                a.trim();
            }
            try (SlabAllocator a = SlabAllocator.builder().chunkSize(MIB).maxMemory(MIB).jmx(false).build()) {
                assertThrows(SlabOutOfMemoryError.class, () -> a.allocate(2 * MIB));
            }
        });
        assertEquals(List.of(), ev, "a recording that does not enable them records none");
        Map<String, EventType> types = FlightRecorder.getFlightRecorder().getEventTypes().stream()
            .filter(t -> t.getName().startsWith("org.slabmag.")).collect(Collectors.toMap(EventType::getName, t -> t));
        assertEquals(new HashSet<>(EVENTS), types.keySet(), "every event was registered by the operations above");
        for (EventType t : types.values()) {
            assertNotNull(t.getLabel(), t.getName());
            assertNotNull(t.getDescription(), t.getName());
            assertEquals("slabmag", t.getCategoryNames().get(0), t.getName());
            SettingDescriptor enabled = t.getSettingDescriptors().stream()
                .filter(s -> s.getName().equals("enabled")).findFirst().orElseThrow();
            assertEquals("false", enabled.getDefaultValue(), t.getName() + " is off unless a recording enables it");
            t.getFields().forEach(f -> assertNotNull(f.getLabel(), t.getName() + "." + f.getName()));
        }
    }

    @Test
    void theShippedJfcEnablesEveryEvent() throws Exception {
        assertTrue(Files.exists(JFC), JFC.toAbsolutePath().toString());
        Map<String, String> settings = Configuration.create(JFC).getSettings();
        List<String> missing = new ArrayList<>();
        for (String e : EVENTS) {
            if (!"true".equals(settings.get(e + "#enabled"))) {
                missing.add(e);
            }
        }
        assertEquals(List.of(), missing);
        List<RecordedEvent> ev;
        Path file = dir.resolve("jfc.jfr");
        try (Recording r = new Recording(Configuration.create(JFC))) {
            r.start();
            try (SlabAllocator a = SlabAllocator.builder().chunkSize(MIB).jmx(false).build()) {
                a.free(a.allocate(MIB), MIB);
                a.trim();
            }
            r.stop();
            r.dump(file);
        }
        ev = RecordingFile.readAllEvents(file);
        assertEquals(1, named(ev, "ChunkReserved").size());
        assertEquals(1, named(ev, "ChunkReleased").size());
    }
}
