package org.slabmag;

/** Run in a child JVM by {@link AddOpensTest}: creates an allocator and uses it. */
public final class AddOpensProbe {
    private AddOpensProbe() {
    }

    public static void main(String[] args) {
        try (SlabAllocator a = SlabAllocator.create()) {
            a.free(a.allocate(16), 16);
        } catch (IllegalStateException e) {
            System.out.println("first attempt: " + e.getMessage()); // then again: Agrona's class is now unusable
        }
        try (SlabAllocator a = SlabAllocator.create()) {
            long p = a.allocate(100);
            a.free(p, 100);
            System.out.println("allocator works");
        }
    }
}
