package org.slabmag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The promise of {@link UncheckedBlocks}: memory an adapter owns is refused to a user's
 * {@link SlabAllocator#free}, at every size (slab classes, page runs, huge blocks) and in every mode
 * (thread caches or not, hardened or not), through both adapter paths; the refusal changes nothing, and the
 * adapter's own free still works.
 */
class AdapterOwnedMemoryTest {
    private static final int CHUNK = 1 << 20;
    private static final int[] SIZES = {16, 64, 4096, 64 << 10, (64 << 10) + 1, CHUNK, CHUNK + 1};

    static Stream<Arguments> modes() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (boolean caches : new boolean[] {true, false}) {
            for (boolean hardened : new boolean[] {false, true}) {
                for (boolean checkedPath : new boolean[] {false, true}) {
                    b.add(Arguments.of(caches, hardened, checkedPath));
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "threadCaches={0} hardened={1} allocateChecked={2}")
    @MethodSource("modes")
    void aUsersFreeOfAdapterMemoryIsRefusedAndChangesNothing(boolean caches, boolean hardened, boolean checkedPath) {
        try (SlabAllocator a = SlabAllocator.builder().chunkSize(CHUNK).threadCaches(caches).hardened(hardened)
                .jmx(false).decay(java.time.Duration.ZERO).build()) {
            UncheckedBlocks adapter = UncheckedBlocks.of(a);
            for (int size : SIZES) {
                long address = checkedPath ? adapter.allocateChecked(size) : adapter.allocate(size);
                RuntimeException refused = assertThrows(RuntimeException.class, () -> a.free(address, size),
                    "a user's free of an adapter's " + size + "-byte block");
                if (!(refused instanceof IllegalArgumentException || refused instanceof IllegalStateException)) {
                    throw new AssertionError("unexpected exception type", refused);
                }
                long other = a.allocate(size);
                if (other == address) {
                    throw new AssertionError("the adapter's block was handed to a second owner: " + size);
                }
                a.free(other, size);
                if (checkedPath) {
                    adapter.freeChecked(address, size);
                } else {
                    adapter.free(address, size);
                }
            }
            a.trim();
            assertEquals(0, a.stats().usedBytes(), "every block came back");
        }
    }

    @ParameterizedTest(name = "threadCaches={0} hardened={1}")
    @MethodSource("modes")
    void anAdaptersCheckedFreeOfUserMemoryIsRefused(boolean caches, boolean hardened, boolean ignored) {
        try (SlabAllocator a = SlabAllocator.builder().chunkSize(CHUNK).threadCaches(caches).hardened(hardened)
                .jmx(false).decay(java.time.Duration.ZERO).build()) {
            UncheckedBlocks adapter = UncheckedBlocks.of(a);
            for (int size : SIZES) {
                long address = a.allocate(size);
                assertThrows(IllegalArgumentException.class, () -> adapter.freeChecked(address, size),
                    "an adapter's checked free of a user's " + size + "-byte block");
                a.free(address, size);
                long owned = adapter.allocateChecked(size);
                adapter.freeChecked(owned, size);
                assertThrows(IllegalStateException.class, () -> adapter.freeChecked(owned, size),
                    "a second checked free of " + size + " bytes is a double free");
            }
            a.trim();
            assertEquals(0, a.stats().usedBytes());
        }
    }
}
