package org.slabmag.pool.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

class IdentityTableTest {
    @Test
    void findsByIdentityNotEquality() {
        final IdentityTable<Object> table = new IdentityTable<>();
        final String a = new String("same");
        final String b = new String("same");
        final PoolEntry<Object> ea = Entries.idle(a);
        assertTrue(table.insert(ea));
        assertSame(ea, table.find(a));
        assertNull(table.find(b));
        assertNull(table.find(null));
        assertFalse(table.insert(Entries.idle(a)), "one entry per object");
        assertTrue(table.insert(Entries.idle(b)));
        assertEquals(2, table.size());
    }

    @Test
    void agreesWithAModelThroughGrowthRemovalAndShrinking() {
        final IdentityTable<Object> table = new IdentityTable<>();
        final List<PoolEntry<Object>> present = new ArrayList<>();
        final List<PoolEntry<Object>> removed = new ArrayList<>();
        final Random rnd = new Random(42);
        for (int step = 0; step < 20_000; step++) {
            final boolean grow = step < 10_000 ? rnd.nextInt(3) != 0 : rnd.nextInt(3) == 0;
            if (grow || present.isEmpty()) {
                final PoolEntry<Object> e = Entries.idle();
                assertTrue(table.insert(e));
                present.add(e);
            } else {
                final PoolEntry<Object> e = present.remove(rnd.nextInt(present.size()));
                assertTrue(table.remove(e));
                assertFalse(table.remove(e));
                removed.add(e);
            }
            if (step % 997 == 0) {
                for (final PoolEntry<Object> e : present) {
                    assertSame(e, table.find(e.object()));
                }
                for (final PoolEntry<Object> e : removed) {
                    assertNull(table.find(e.object()));
                }
                assertEquals(present.size(), table.size());
                final Set<PoolEntry<Object>> visited = new HashSet<>();
                table.forEach(visited::add);
                assertEquals(new HashSet<>(present), visited);
            }
        }
    }
}
