package org.slabmag.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.agrona.MutableDirectBuffer;
import org.apache.commons.pool2.PooledObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slabmag.SlabAllocator;

/**
 * Pooled slab buffers whose allocator is closed before the pool (issue 14): buffers on loan and idle keep
 * their memory, only new buffers fail, and closing the pool afterwards frees every buffer without an
 * exception.
 */
class ClosedAllocatorPoolTest {
    @ParameterizedTest(name = "hardened={0}")
    @ValueSource(booleans = {false, true})
    void closingTheAllocatorBeforeThePoolIsSafe(boolean hardened) throws Exception {
        SlabAllocator allocator = SlabAllocator.builder().hardened(hardened).build();
        int[] capacities = {16, 1000, 70_000, (4 << 20) + 1};
        List<MagazineObjectPool<MutableDirectBuffer>> pools = new ArrayList<>();
        List<MutableDirectBuffer> onLoan = new ArrayList<>();
        List<Exception> swallowed = new ArrayList<>();
        for (int capacity : capacities) {
            MagazineObjectPoolConfig config = new MagazineObjectPoolConfig();
            config.setSwallowedExceptionListener(swallowed::add);
            MagazineObjectPool<MutableDirectBuffer> pool =
                new MagazineObjectPool<>(new SlabBufferFactory(allocator, capacity, true), config);
            pools.add(pool);
            MutableDirectBuffer a = pool.borrowObject();
            MutableDirectBuffer b = pool.borrowObject();
            pool.returnObject(b); // idle
            a.setMemory(0, capacity, (byte) 5);
            onLoan.add(a);
        }
        SlabBufferKeyedFactory keyed = new SlabBufferKeyedFactory(allocator, false);
        PooledObject<MutableDirectBuffer> made = keyed.makeObject(64);

        allocator.close();

        for (int i = 0; i < capacities.length; i++) {
            MutableDirectBuffer a = onLoan.get(i);
            assertEquals(5, a.getByte(capacities[i] - 1), "memory on loan stays mapped");
            a.putByte(0, (byte) 6);
            MagazineObjectPool<MutableDirectBuffer> pool = pools.get(i);
            pool.returnObject(a); // passivation zeroes it: writes to a block the closed allocator keeps
            MutableDirectBuffer again = pool.borrowObject();
            assertEquals(0, again.getByte(0));
            MutableDirectBuffer other = pool.borrowObject();
            assertThrows(IllegalStateException.class, pool::borrowObject, "a new buffer needs new memory");
            pool.returnObject(again);
            pool.close();
            pool.returnObject(other);
            assertEquals(2, pool.getCreatedCount());
            assertEquals(2, pool.getDestroyedCount(), "idle and returned buffers are freed without an exception");
        }
        assertEquals(List.of(), swallowed, "no destroy failed");
        assertThrows(IllegalStateException.class, () -> keyed.makeObject(64));
        assertTrue(keyed.validateObject(64, made));
        keyed.destroyObject(64, made);
        assertFalse(keyed.validateObject(64, made));
        assertEquals(0, made.getObject().capacity(), "a destroyed buffer is zero-length");
    }
}
