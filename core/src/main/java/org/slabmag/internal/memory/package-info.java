/**
 * Native memory from the operating system: the lowest layer; <b>not an API</b>.
 *
 * <p>{@link org.slabmag.internal.memory.NativeMemory} reserves and releases address ranges (through Agrona's
 * {@code UnsafeApi}, so glibc's {@code malloc}/{@code free}; reservations of at least
 * {@link org.slabmag.internal.memory.NativeMemory#ALWAYS_MAPPED} bytes are always {@code mmap}ed and
 * {@code munmap}ed by glibc) and gives the pages of a range back with {@code madvise}: through the FFM API on
 * JDK 22+, through the JDK's own unload of mapped memory ({@code jdk.internal.misc.ScopedMemoryAccess}) on
 * JDK 17 to 21, both reached reflectively so that the code compiles for Java 17.
 *
 * <p>Rules: this is the only package that touches {@code Unsafe} (the build's forbidden-API check enforces
 * it), {@code ScopedMemoryAccess} or the FFM API (both reached by name, in {@code NativeMemory} only). It
 * knows nothing of chunks, blocks or threads; callers own what they reserve and must release it once.
 * Thread-safe: every method is a call into the OS; the only state is the page-release route, linked once,
 * and its count of failures in a row, after which it is given up.
 */
package org.slabmag.internal.memory;
