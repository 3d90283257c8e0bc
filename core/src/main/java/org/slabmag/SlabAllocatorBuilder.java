package org.slabmag;

import java.time.Duration;

import org.slabmag.internal.heap.SizeClasses;

/**
 * Configures a {@link SlabAllocator}. Every setter validates its argument at once
 * ({@link IllegalArgumentException} naming the value). Not thread-safe; {@link #build()} may be
 * called more than once, each call making an independent allocator.
 */
public final class SlabAllocatorBuilder {
    /** Smallest chunk: twice the largest slab. */
    public static final int MIN_CHUNK_SIZE = 1 << 20;
    /** Largest chunk. */
    public static final int MAX_CHUNK_SIZE = 1 << 30;

    private int chunkSize = 4 << 20;
    private long maxMemory = Long.MAX_VALUE;
    private boolean hardened = Boolean.getBoolean("slabmag.hardened");
    private boolean threadCaches = true;
    private int magazineBytes = 64 << 10;
    private int depotBytes = 256 << 10;
    private Duration reclaimInterval = Duration.ofSeconds(1);
    private Duration decay = Duration.ofSeconds(10);
    private int threadCacheWarmUp = 256;
    private boolean jmx = true;
    private String jmxName;

    SlabAllocatorBuilder() {
    }

    /**
     * Size of the chunks reserved from the OS and divided into runs of pages; requests above it
     * get dedicated memory. A power of two from 1 MiB to 1 GiB; default 4 MiB.
     *
     * @param bytes the chunk size in bytes, a power of two from {@link #MIN_CHUNK_SIZE} to {@link #MAX_CHUNK_SIZE}
     * @return this builder
     * @throws IllegalArgumentException if {@code bytes} is not such a power of two
     */
    public SlabAllocatorBuilder chunkSize(int bytes) {
        if (bytes < MIN_CHUNK_SIZE || bytes > MAX_CHUNK_SIZE || Integer.bitCount(bytes) != 1) {
            throw new IllegalArgumentException("chunkSize must be a power of two from " + MIN_CHUNK_SIZE
                + " to " + MAX_CHUNK_SIZE + ": " + bytes);
        }
        this.chunkSize = bytes;
        return this;
    }

    /**
     * Limit on the bytes held resident: reserved from the OS (chunks and dedicated blocks) less the free
     * pages of kept chunks given back to it ({@link AllocatorStats#residentBytes()}); default unlimited.
     * Before an allocation passes it, the allocator gives back what it caches and what it can of its
     * free pages; if that is not enough, the allocation throws {@link SlabOutOfMemoryError}. Where
     * pages cannot be given back one by one (off Linux, or {@code -Dslabmag.releasePages=false}),
     * resident and reserved bytes are the same. Reserved bytes stay within twice the limit.
     *
     * @param bytes the limit in bytes, positive; {@link Long#MAX_VALUE} for no limit
     * @return this builder
     * @throws IllegalArgumentException if {@code bytes <= 0}
     */
    public SlabAllocatorBuilder maxMemory(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("maxMemory must be positive: " + bytes);
        }
        this.maxMemory = bytes;
        return this;
    }

    /**
     * Hardened mode: the state byte every block carries is changed by compare-and-set instead of
     * plain writes, so that two threads freeing the same block at the same moment are caught too
     * ({@link IllegalStateException}); an atomic operation per allocate and free. Double frees ordered
     * by happens-before are caught in either mode, as long as the block was not handed out again in
     * between; neither mode catches a stale free after the block was reused (it frees the new owner's
     * block), which would need a quarantine of freed blocks.
     * Default: the system property {@code slabmag.hardened}, else false.
     *
     * @param hardened true for compare-and-set on the state byte, false for plain writes
     * @return this builder
     */
    public SlabAllocatorBuilder hardened(boolean hardened) {
        this.hardened = hardened;
        return this;
    }

    /**
     * Per-thread magazines and the depot in front of the locked heap; default true. Without them
     * every call takes the heap lock: slower under concurrency, smallest footprint.
     *
     * @param enabled false to send every call to the locked heap
     * @return this builder
     */
    public SlabAllocatorBuilder threadCaches(boolean enabled) {
        this.threadCaches = enabled;
        return this;
    }

    /**
     * Target bytes per magazine, which sets its initial rounds per size class as
     * {@code clamp(bytes / blockSize, 8, 128)}; default 64 KiB. From 1 KiB to 16 MiB.
     *
     * @param bytes the target bytes per magazine, from 1024 to 16 MiB
     * @return this builder
     * @throws IllegalArgumentException if {@code bytes} is out of that range
     */
    public SlabAllocatorBuilder magazineBytes(int bytes) {
        if (bytes < 1024 || bytes > 16 << 20) {
            throw new IllegalArgumentException("magazineBytes must be from 1024 to 16 MiB: " + bytes);
        }
        this.magazineBytes = bytes;
        return this;
    }

    /**
     * Target bytes of full magazines the depot keeps per size class (between 4 and 64 magazines);
     * default 256 KiB. From 1 KiB to 1 GiB. Cached blocks keep their slabs, and so their chunks, from
     * going back to the OS until the working-set reclaim, decay or {@link SlabAllocator#trim()} returns
     * them: a larger depot saves trips to the heap lock but holds more memory after a burst.
     *
     * @param bytes the target bytes of full magazines per size class, from 1024 to 1 GiB
     * @return this builder
     * @throws IllegalArgumentException if {@code bytes} is out of that range
     */
    public SlabAllocatorBuilder depotBytes(int bytes) {
        if (bytes < 1024 || bytes > 1 << 30) {
            throw new IllegalArgumentException("depotBytes must be from 1024 to 1 GiB: " + bytes);
        }
        this.depotBytes = bytes;
        return this;
    }

    /**
     * How often the depots give back magazines nobody needed and caches of dead threads are taken
     * back (checked on slow paths); default 1 second, at least 1 millisecond.
     *
     * @param interval the reclaim period, at least 1 ms, not null; longer than 292 years means never
     * @return this builder
     * @throws IllegalArgumentException if {@code interval} is null or shorter than 1 ms
     */
    public SlabAllocatorBuilder reclaimInterval(Duration interval) {
        if (interval == null || interval.compareTo(Duration.ofMillis(1)) < 0) {
            throw new IllegalArgumentException("reclaimInterval must be at least 1 ms: " + interval);
        }
        this.reclaimInterval = interval;
        return this;
    }

    /**
     * Decay time: memory freed and not reused for about this long goes back to the heap, and free
     * chunks to the operating system, without a call to {@link SlabAllocator#trim()}, also while the
     * process is idle (jemalloc's {@code dirty_decay_ms}). The work runs every half decay time on one
     * daemon thread shared by all allocators, which holds them weakly. Default 10 seconds; zero turns
     * decay off; otherwise at least 10 milliseconds.
     *
     * @param decay the decay time, zero (off) or at least 10 ms, not null
     * @return this builder
     * @throws IllegalArgumentException if {@code decay} is null, negative, or between zero and 10 ms
     */
    public SlabAllocatorBuilder decay(Duration decay) {
        if (decay == null || decay.isNegative() || (!decay.isZero() && decay.compareTo(Duration.ofMillis(10)) < 0)) {
            throw new IllegalArgumentException("decay must be zero (off) or at least 10 ms: " + decay);
        }
        this.decay = decay;
        return this;
    }

    /**
     * Whether the allocator registers a {@link SlabAllocatorMXBean} in the platform MBean server; default true.
     * With false nothing is registered, whatever {@link #jmxName(String)} says. While registered, the MBean server
     * holds the allocator (as it holds a {@code GenericObjectPool}): close allocators you are done with.
     *
     * @param enabled false to register no MBean
     * @return this builder
     */
    public SlabAllocatorBuilder jmx(boolean enabled) {
        this.jmx = enabled;
        return this;
    }

    /**
     * Calls a platform thread makes through the shared, striped magazines before it gets private ones
     * (a slow start, as tcmalloc's), so that threads that allocate a few times and end leave no cache
     * behind; virtual threads always use the shared magazines. Default 256; 0 gives every platform
     * thread private magazines at its first call. From 0 to 1,000,000.
     *
     * @param calls the calls through shared magazines before private ones, from 0 to 1,000,000
     * @return this builder
     * @throws IllegalArgumentException if {@code calls} is out of that range
     */
    public SlabAllocatorBuilder threadCacheWarmUp(int calls) {
        if (calls < 0 || calls > 1_000_000) {
            throw new IllegalArgumentException("threadCacheWarmUp must be from 0 to 1000000: " + calls);
        }
        this.threadCacheWarmUp = calls;
        return this;
    }

    /**
     * The name in the MBean's ObjectName {@code org.slabmag:type=SlabAllocator,name=<name>}. Default: none, and
     * the allocator takes {@code slabmag-1}, {@code slabmag-2}, ... (skipping numbers already registered);
     * registration under a default name never fails {@link #build()} (a failure is logged and the allocator runs
     * without an MBean). A name given here is registered as given: if it is taken (an open allocator has it) or
     * refused, {@link #build()} throws {@link IllegalStateException} naming it. Each build registers the name
     * again, so a builder with a name builds one open allocator at a time.
     *
     * @param name non-empty, without {@code , = : " * ?} or line breaks
     * @return this builder
     * @throws IllegalArgumentException if {@code name} is null, empty or has one of those characters
     */
    public SlabAllocatorBuilder jmxName(String name) {
        AllocatorMBean.objectName(name);
        this.jmxName = name;
        return this;
    }

    /**
     * Makes the allocator and registers its MBean (see {@link #jmx(boolean)}). No memory is reserved until the
     * first allocation.
     *
     * @return a new open allocator with this builder's settings
     * @throws IllegalStateException if the JVM lacks {@code --add-opens java.base/jdk.internal.misc=ALL-UNNAMED},
     *                               or if the explicit {@link #jmxName(String)} cannot be registered
     */
    public SlabAllocator build() {
        if (chunkSize < SizeClasses.maxSlabBytes() * 2) {
            throw new IllegalArgumentException("chunkSize too small for the largest slab: " + chunkSize);
        }
        long reclaimNanos = reclaimInterval.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0
            ? Long.MAX_VALUE : reclaimInterval.toNanos(); // longer than 292 years: never
        long decayNanos = decay.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : decay.toNanos();
        return new SlabAllocator(chunkSize, maxMemory, hardened, threadCaches, magazineBytes, depotBytes,
            reclaimNanos, decayNanos, threadCacheWarmUp, jmx, jmxName);
    }
}
