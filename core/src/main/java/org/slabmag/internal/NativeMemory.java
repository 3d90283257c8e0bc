package org.slabmag.internal;

import org.agrona.UnsafeApi;

/**
 * Raw native memory from the operating system, through Agrona's {@link UnsafeApi}
 * ({@code jdk.internal.misc.Unsafe}), which needs
 * {@code --add-opens java.base/jdk.internal.misc=ALL-UNNAMED} on JDK 17 and later.
 *
 * <p>Thread-safe (stateless).
 */
public final class NativeMemory {
    /**
     * The smallest reservation glibc always serves with a private {@code mmap}, so that freeing it
     * unmaps it and the process's resident memory drops: glibc's malloc raises its mmap threshold
     * dynamically to the size of freed mapped blocks, up to {@code DEFAULT_MMAP_THRESHOLD_MAX}
     * (32 MiB on 64-bit), after which smaller blocks come from its heaps and stay resident after
     * free. Requests above that ceiling are always mapped. Costs address space, not memory: only
     * touched pages are resident.
     */
    public static final long ALWAYS_MAPPED = (32L << 20) + 4096;

    /** The JVM option Agrona 2.x needs. */
    public static final String ADD_OPENS = "--add-opens java.base/jdk.internal.misc=ALL-UNNAMED";

    private NativeMemory() {
    }

    /**
     * Checks that Agrona's unsafe access works in this JVM.
     *
     * @throws IllegalStateException naming the missing JVM option when it does not
     */
    public static void ensureAccessible() {
        try {
            UnsafeApi.pageSize();
        } catch (LinkageError | RuntimeException e) {
            throw new IllegalStateException("slabmag cannot reach native memory: start the JVM with "
                + ADD_OPENS + " (Agrona 2.x uses jdk.internal.misc.Unsafe)", e);
        }
    }

    /**
     * Reserves {@code bytes} of native memory.
     *
     * @return the address, never 0
     * @throws OutOfMemoryError when the operating system refuses
     */
    static long reserve(long bytes) {
        return UnsafeApi.allocateMemory(bytes);
    }

    /** Returns memory obtained from {@link #reserve(long)}. */
    static void release(long address) {
        UnsafeApi.freeMemory(address);
    }
}
