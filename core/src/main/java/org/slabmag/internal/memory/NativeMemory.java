package org.slabmag.internal.memory;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import java.util.Optional;

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
     * @param bytes how many bytes, positive
     * @throws OutOfMemoryError when the operating system refuses
     */
    public static long reserve(long bytes) {
        return UnsafeApi.allocateMemory(bytes);
    }

    /**
     * Returns memory obtained from {@link #reserve(long)}.
     *
     * @param address an address {@link #reserve(long)} returned and not released since
     */
    public static void release(long address) {
        UnsafeApi.freeMemory(address);
    }

    /**
     * Gives the physical pages of {@code [address, address + bytes)} back to the operating system
     * while keeping the range reserved ({@code madvise(MADV_DONTNEED)}): resident memory drops at once,
     * and a later touch maps zeroed pages. The range must be page-aligned and hold nothing anyone
     * reads. Available on Linux with JDK 22 or later (the FFM API, reached reflectively so that this
     * class compiles for Java 17); elsewhere, or with {@code -Dslabmag.releasePages=false}, it does
     * nothing. The first call links {@code madvise}: JDK 24+ then warns once about native access
     * unless the JVM runs with {@code --enable-native-access=ALL-UNNAMED}.
     *
     * @return whether the pages were given back
     * @param address the first byte of the range, page-aligned
     * @param bytes   the length of the range, a multiple of the page size
     */
    public static boolean releasePages(long address, long bytes) {
        MethodHandle madvise = PageAdvice.MADVISE;
        if (madvise == null) {
            return false;
        }
        try {
            return (int) madvise.invokeExact(address, bytes, PageAdvice.MADV_DONTNEED) == 0;
        } catch (Throwable e) {
            return false;
        }
    }

    /**
     * Whether {@link #releasePages} can give pages back in this JVM.
     *
     * @return true if the {@code madvise} downcall could be linked (Linux, JDK 22+, not turned off); links it
     */
    public static boolean canReleasePages() {
        return PageAdvice.MADVISE != null;
    }

    /** The {@code madvise} downcall, linked on first use. */
    private static final class PageAdvice {
        static final int MADV_DONTNEED = 4;
        static final MethodHandle MADVISE = link();

        private static MethodHandle link() {
            if (Runtime.version().feature() < 22 || !System.getProperty("os.name", "").startsWith("Linux")
                || !Boolean.parseBoolean(System.getProperty("slabmag.releasePages", "true"))) {
                return null;
            }
            try {
                Class<?> linkerType = Class.forName("java.lang.foreign.Linker");
                Class<?> layoutType = Class.forName("java.lang.foreign.MemoryLayout");
                Class<?> descriptorType = Class.forName("java.lang.foreign.FunctionDescriptor");
                Class<?> segmentType = Class.forName("java.lang.foreign.MemorySegment");
                Class<?> lookupType = Class.forName("java.lang.foreign.SymbolLookup");
                Class<?> optionType = Class.forName("java.lang.foreign.Linker$Option");
                Class<?> values = Class.forName("java.lang.foreign.ValueLayout");
                Object linker = linkerType.getMethod("nativeLinker").invoke(null);
                Object lookup = linkerType.getMethod("defaultLookup").invoke(linker);
                Optional<?> symbol = (Optional<?>) lookupType.getMethod("find", String.class).invoke(lookup, "madvise");
                if (symbol.isEmpty()) {
                    return null;
                }
                Object javaLong = values.getField("JAVA_LONG").get(null);
                Object javaInt = values.getField("JAVA_INT").get(null);
                Object arguments = Array.newInstance(layoutType, 3);
                Array.set(arguments, 0, javaLong);
                Array.set(arguments, 1, javaLong);
                Array.set(arguments, 2, javaInt);
                Object descriptor = descriptorType.getMethod("of", layoutType, arguments.getClass())
                    .invoke(null, javaInt, arguments);
                Object options = Array.newInstance(optionType, 0);
                MethodHandle handle = (MethodHandle) linkerType
                    .getMethod("downcallHandle", segmentType, descriptorType, options.getClass())
                    .invoke(linker, symbol.get(), descriptor, options);
                return handle.asType(MethodType.methodType(int.class, long.class, long.class, int.class));
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                return null; // native access denied, or no FFM: pages stay until their chunk goes
            }
        }
    }
}
