package org.slabmag.netty;

import io.netty.buffer.ByteBuf;
import io.netty.util.ResourceLeakDetector;

/** Helpers to make Netty's leak detector report what has leaked so far. */
final class LeakChecks {
    private LeakChecks() {
    }

    /**
     * Collects garbage, waits for the collected buffers' references to be enqueued, then makes the
     * buffer leak detector poll its queue (it does so when it tracks a new buffer), so that every buffer
     * that became unreachable before this call without being released has been reported.
     */
    static void flush() throws InterruptedException {
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        try {
            for (int round = 0; round < 3; round++) {
                System.gc();
                Thread.sleep(50);
                // A tracked buffer: at PARANOID every allocation goes through the detector, which polls.
                ByteBuf probe = TestAllocators.SHARED.directBuffer(1);
                probe.release();
            }
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
    }
}
