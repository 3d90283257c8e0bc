package org.slabmag.internal.memory;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
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

    /** The page size this class gives pages back by: the allocator's ({@code SizeClasses.PAGE_SIZE}). */
    public static final int PAGE_SIZE = 4096;

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
     * reads. On Linux it takes one of two routes, both linked on first use and reached reflectively so
     * that this class compiles for Java 17:
     * <ul>
     * <li>JDK 22 and later: a downcall to {@code madvise} through the FFM API. JDK 24+ warns once about
     * native access unless the JVM runs with {@code --enable-native-access=ALL-UNNAMED} (the shaded
     * jars say {@code Enable-Native-Access: ALL-UNNAMED} in their manifest).</li>
     * <li>JDK 17 to 21: the JDK's own {@code madvise} behind {@code MappedByteBuffer} and mapped memory
     * segments, {@code jdk.internal.misc.ScopedMemoryAccess.unload}, which lives in the package
     * slabmag already needs opened ({@link #ADD_OPENS}); no further option.</li>
     * </ul>
     * It does nothing and returns false off Linux, with {@code -Dslabmag.releasePages=false}, where
     * neither route links (for example {@code --illegal-native-access=deny} on JDK 24+), where the
     * operating system's page is not {@value #PAGE_SIZE} bytes (16 KiB and 64 KiB kernels: the kernel
     * would round a 4 KiB range out to its page and zero live neighbours), for a range not aligned to
     * the page, and for good after 16 calls in a row failed.
     *
     * @return whether the pages were given back
     * @param address the first byte of the range, page-aligned
     * @param bytes   the length of the range, a multiple of the page size
     */
    public static boolean releasePages(long address, long bytes) {
        if (((address | bytes) & (PAGE_SIZE - 1)) != 0 || bytes <= 0 || PageRelease.failedForGood) {
            return false;
        }
        boolean done;
        try {
            MethodHandle madvise = PageRelease.MADVISE;
            if (madvise != null) {
                done = (int) madvise.invokeExact(address, bytes, PageRelease.MADV_DONTNEED) == 0;
            } else {
                MethodHandle unload = PageRelease.UNLOAD;
                if (unload == null) {
                    return false;
                }
                unload.invokeExact(address, bytes);
                done = true;
            }
        } catch (Error e) {
            throw e;
        } catch (Throwable e) { // madvise refused (the JDK's unload throws IOException), or the route broke
            done = false;
        }
        PageRelease.count(done);
        return done;
    }

    /**
     * Whether {@link #releasePages} can give pages back in this JVM.
     *
     * @return true if one of the routes of {@link #releasePages} could be linked (Linux, not turned off);
     *     links it
     */
    public static boolean canReleasePages() {
        return (PageRelease.MADVISE != null || PageRelease.UNLOAD != null) && !PageRelease.failedForGood;
    }

    /**
     * The two routes to {@code madvise(MADV_DONTNEED)}, linked on first use; at most one is not null.
     * The failure count is read and written by threads holding different heaps' locks: a lost update
     * only delays turning the routes off.
     */
    private static final class PageRelease {
        static final int MADV_DONTNEED = 4;
        /** Calls failing in a row after which the routes are given up. */
        static final int MAX_FAILURES = 16;
        private static final boolean ENABLED = System.getProperty("os.name", "").startsWith("Linux")
            && Boolean.parseBoolean(System.getProperty("slabmag.releasePages", "true"))
            && osPageSize() == PAGE_SIZE;
        /** {@code (long address, long bytes, int advice) int}: the FFM downcall (JDK 22+). */
        static final MethodHandle MADVISE = ENABLED && Runtime.version().feature() >= 22 ? linkMadvise() : null;
        /** {@code (long address, long bytes) void}: the JDK's own unload of mapped memory (JDK 17 to 21). */
        static final MethodHandle UNLOAD = ENABLED && Runtime.version().feature() < 22 ? linkUnload() : null;

        private static volatile int failuresInARow;
        static volatile boolean failedForGood;

        static void count(boolean done) {
            if (done) {
                if (failuresInARow != 0) {
                    failuresInARow = 0;
                }
            } else if (++failuresInARow >= MAX_FAILURES) {
                failedForGood = true;
            }
        }

        private static int osPageSize() {
            try {
                return UnsafeApi.pageSize();
            } catch (LinkageError | RuntimeException e) {
                return -1;
            }
        }

        private static MethodHandle linkMadvise() {
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

        /**
         * Binds {@code ScopedMemoryAccess.unload(scope, address, isSync, size)} to no scope and
         * {@code isSync = false}. Its first parameter's type changed between releases (a scope, then a
         * memory session), so it is found by name and the other three parameters' types.
         */
        private static MethodHandle linkUnload() {
            try {
                Class<?> access = Class.forName("jdk.internal.misc.ScopedMemoryAccess");
                Object instance = access.getMethod("getScopedMemoryAccess").invoke(null);
                for (Method m : access.getMethods()) {
                    Class<?>[] p = m.getParameterTypes();
                    if (m.getName().equals("unload") && p.length == 4 && !p[0].isPrimitive()
                        && p[1] == long.class && p[2] == boolean.class && p[3] == long.class) {
                        m.setAccessible(true);
                        MethodHandle unload = MethodHandles.lookup().unreflect(m);
                        unload = MethodHandles.insertArguments(unload, 0, instance, null);
                        unload = MethodHandles.insertArguments(unload, 1, false);
                        return unload.asType(MethodType.methodType(void.class, long.class, long.class));
                    }
                }
                return null;
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                return null; // package not opened, or the JDK changed: pages stay until their chunk goes
            }
        }
    }
}
