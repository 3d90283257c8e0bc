package io.netty.buffer;

import io.netty.util.ResourceLeakDetector;

/**
 * Test access to the leak detector Netty uses for every {@link ByteBuf} (a package-private static of
 * {@link AbstractByteBuf}, created once per JVM, so a custom factory installed by a test may come too
 * late; a listener on the existing detector does not).
 */
public final class ByteBufLeakListeners {
    private ByteBufLeakListeners() {
    }

    /**
     * Makes {@code listener} receive every leak the buffer leak detector reports from now on,
     * replacing any previous listener ({@code null} removes it).
     */
    public static void set(ResourceLeakDetector.LeakListener listener) {
        AbstractByteBuf.leakDetector.setLeakListener(listener);
    }
}
