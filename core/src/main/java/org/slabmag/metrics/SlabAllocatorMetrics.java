package org.slabmag.metrics;

import java.util.function.ToLongFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.slabmag.AllocatorStats;
import org.slabmag.SlabAllocator;

/**
 * Binds a {@link SlabAllocator}'s figures to a Micrometer {@link MeterRegistry}, every meter tagged
 * {@code name=<name>} plus the extra tags:
 * <table>
 * <caption>Meters</caption>
 * <tr><th>meter</th><th>type</th><th>base unit</th><th>value</th></tr>
 * <tr><td>{@code slabmag.memory.reserved}</td><td>gauge</td><td>bytes</td><td>{@link AllocatorStats#totalBytes()}</td></tr>
 * <tr><td>{@code slabmag.memory.resident}</td><td>gauge</td><td>bytes</td>
 *     <td>{@link AllocatorStats#residentBytes()} (what {@code maxMemory} bounds)</td></tr>
 * <tr><td>{@code slabmag.memory.used}</td><td>gauge</td><td>bytes</td><td>{@link AllocatorStats#usedBytes()}</td></tr>
 * <tr><td>{@code slabmag.memory.cached}</td><td>gauge</td><td>bytes</td><td>{@link AllocatorStats#cachedBytes()}</td></tr>
 * <tr><td>{@code slabmag.chunks}</td><td>gauge</td><td>chunks</td><td>{@link AllocatorStats#chunks()}</td></tr>
 * <tr><td>{@code slabmag.allocations}</td><td>function counter</td><td>operations</td>
 *     <td>{@link AllocatorStats#allocations()}</td></tr>
 * <tr><td>{@code slabmag.deallocations}</td><td>function counter</td><td>operations</td>
 *     <td>{@link AllocatorStats#deallocations()}</td></tr>
 * </table>
 *
 * <p>The meters hold the allocator weakly (Micrometer's default), so binding does not keep an allocator alive.
 * Each read takes one {@link SlabAllocator#stats()} snapshot (the heap lock, briefly); once the allocator is
 * closed or collected every meter reads {@link Double#NaN}.
 *
 * <p>Immutable and thread-safe; {@link #bindTo} may be called for several registries.
 */
public final class SlabAllocatorMetrics implements MeterBinder {
    private final SlabAllocator allocator;
    private final Tags tags;

    /**
     * A binder for {@code allocator}'s meters, tagged with {@code name} only.
     *
     * @param allocator the allocator to observe
     * @param name      the value of the {@code name} tag, non-empty
     * @throws IllegalArgumentException if an argument is null or {@code name} is empty
     */
    public SlabAllocatorMetrics(SlabAllocator allocator, String name) {
        this(allocator, name, Tags.empty());
    }

    /**
     * A binder for {@code allocator}'s meters, tagged with {@code name} and {@code tags}.
     *
     * @param allocator the allocator to observe
     * @param name      the value of the {@code name} tag, non-empty
     * @param tags      more tags for every meter
     * @throws IllegalArgumentException if an argument is null or {@code name} is empty
     */
    public SlabAllocatorMetrics(SlabAllocator allocator, String name, Iterable<Tag> tags) {
        if (allocator == null) {
            throw new IllegalArgumentException("allocator must not be null");
        }
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("name must be a non-empty string: " + (name == null ? "null" : "\"\""));
        }
        if (tags == null) {
            throw new IllegalArgumentException("tags must not be null (use Tags.empty())");
        }
        this.allocator = allocator;
        this.tags = Tags.concat(tags, "name", name);
    }

    /**
     * Registers the meters.
     *
     * @throws IllegalArgumentException if {@code registry} is null
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        if (registry == null) {
            throw new IllegalArgumentException("registry must not be null");
        }
        gauge(registry, "slabmag.memory.reserved", "Bytes reserved from the operating system (chunks and huge blocks)",
            BaseUnits.BYTES, AllocatorStats::totalBytes);
        gauge(registry, "slabmag.memory.resident", "Reserved bytes less free pages given back to the operating system",
            BaseUnits.BYTES, AllocatorStats::residentBytes);
        gauge(registry, "slabmag.memory.used", "Bytes of live blocks, counted by usable (size-class) size",
            BaseUnits.BYTES, AllocatorStats::usedBytes);
        gauge(registry, "slabmag.memory.cached", "Bytes of free blocks held in thread magazines and depots",
            BaseUnits.BYTES, AllocatorStats::cachedBytes);
        gauge(registry, "slabmag.chunks", "Chunks reserved from the operating system", "chunks",
            AllocatorStats::chunks);
        FunctionCounter.builder("slabmag.allocations", allocator, a -> read(a, AllocatorStats::allocations))
            .description("Allocations since the allocator was created").baseUnit(BaseUnits.OPERATIONS)
            .tags(tags).register(registry);
        FunctionCounter.builder("slabmag.deallocations", allocator, a -> read(a, AllocatorStats::deallocations))
            .description("Frees since the allocator was created").baseUnit(BaseUnits.OPERATIONS)
            .tags(tags).register(registry);
    }

    private void gauge(MeterRegistry registry, String meter, String description, String unit,
                       ToLongFunction<AllocatorStats> figure) {
        Gauge.builder(meter, allocator, a -> read(a, figure)).description(description).baseUnit(unit).tags(tags)
            .register(registry);
    }

    /** One figure of a fresh snapshot, or NaN once the allocator is closed. */
    private static double read(SlabAllocator allocator, ToLongFunction<AllocatorStats> figure) {
        if (allocator.isClosed()) {
            return Double.NaN;
        }
        try {
            return figure.applyAsLong(allocator.stats());
        } catch (IllegalStateException closedMeanwhile) {
            if (allocator.isClosed()) {
                return Double.NaN;
            }
            throw closedMeanwhile;
        }
    }
}
