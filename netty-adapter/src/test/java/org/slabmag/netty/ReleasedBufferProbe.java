package org.slabmag.netty;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.netty.buffer.ByteBuf;
import io.netty.util.IllegalReferenceCountException;
import org.slabmag.SlabAllocator;

/**
 * A child-JVM program for {@link ReleasedBufferAccessTest}: releases direct buffers (and keeps slices,
 * duplicates and the buffers themselves), returns their chunks to the OS, then makes every kind of access
 * through the stale references. Each must throw {@link IndexOutOfBoundsException},
 * {@link IllegalReferenceCountException} or (Netty's capacity checks) {@link IllegalArgumentException}; it
 * prints {@code probe ok <n>} and exits 0, or prints the access that misbehaved and exits 2. A JVM crash is
 * the failure this guards against.
 */
public final class ReleasedBufferProbe {
    private ReleasedBufferProbe() {
    }

    public static void main(String[] args) {
        SlabAllocator slab = SlabAllocator.builder().chunkSize(1 << 20).build();
        SlabByteBufAllocator alloc = new SlabByteBufAllocator(slab);
        int checked = 0;
        List<String> failures = new ArrayList<>();
        for (int capacity : new int[] {0, 16, 1000, 70_000, 300_000, (1 << 20) + 10}) {
            ByteBuf buf = alloc.directBuffer(capacity, Math.max(capacity, 1) * 4);
            buf.writeZero(capacity);
            ByteBuf slice = buf.slice();
            ByteBuf duplicate = buf.duplicate();
            buf.retainedSlice().release();
            if (!buf.release()) {
                failures.add("buffer of " + capacity + " not released");
            }
            slab.trim(); // the chunks of the released blocks go back to the OS
            for (Map.Entry<String, Consumer<ByteBuf>> access : accesses().entrySet()) {
                for (ByteBuf stale : new ByteBuf[] {buf, slice, duplicate}) {
                    String name = access.getKey() + " on " + stale.getClass().getSimpleName() + " of " + capacity;
                    try {
                        access.getValue().accept(stale);
                        failures.add(name + ": no exception");
                    } catch (IndexOutOfBoundsException | IllegalReferenceCountException expected) {
                        checked++;
                    } catch (IllegalArgumentException e) {
                        checked++; // Netty's own check of maxCapacity, which throws this with checkBounds=false
                    } catch (UnsupportedOperationException e) {
                        if (stale != slice || !access.getKey().equals("capacity(grow)")) {
                            failures.add(name + ": " + e); // a slice cannot change its capacity, released or not
                        }
                    } catch (RuntimeException e) {
                        failures.add(name + ": " + e);
                    }
                }
            }
        }
        if (!failures.isEmpty()) {
            failures.forEach(System.out::println);
            System.exit(2);
        }
        System.out.println("probe ok " + checked);
    }

    private static Map<String, Consumer<ByteBuf>> accesses() {
        Map<String, Consumer<ByteBuf>> m = new LinkedHashMap<>();
        m.put("getByte", b -> b.getByte(0));
        m.put("getShort", b -> b.getShort(0));
        m.put("getMedium", b -> b.getUnsignedMedium(0));
        m.put("getInt", b -> b.getInt(0));
        m.put("getLongLE", b -> b.getLongLE(0));
        m.put("readByte", ByteBuf::readByte);
        m.put("readLong", ByteBuf::readLong);
        m.put("setByte", b -> b.setByte(0, 1));
        m.put("setLong", b -> b.setLong(0, 1));
        m.put("writeByte", b -> b.writeByte(1));
        m.put("writeLong", b -> b.writeLong(1));
        m.put("setZero", b -> b.setZero(0, 8));
        m.put("getBytes(byte[])", b -> b.getBytes(0, new byte[8]));
        m.put("setBytes(byte[])", b -> b.setBytes(0, new byte[8]));
        m.put("getBytes(ByteBuffer)", b -> b.getBytes(0, ByteBuffer.allocate(8)));
        m.put("nioBuffer", b -> b.nioBuffer(0, 8).get(0));
        m.put("internalNioBuffer", b -> b.internalNioBuffer(0, 8).get(0));
        m.put("memoryAddress", b -> b.memoryAddress());
        m.put("capacity(grow)", b -> b.capacity(Math.min(64, b.maxCapacity())));
        m.put("copy", b -> b.copy(0, 8));
        m.put("toString", b -> b.toString(0, 8, StandardCharsets.ISO_8859_1));
        m.put("forEachByte", b -> b.forEachByte(0, 8, x -> true));
        return m;
    }
}
