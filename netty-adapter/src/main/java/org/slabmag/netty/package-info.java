/**
 * A Netty {@link io.netty.buffer.ByteBufAllocator} backed by slabmag:
 * {@link org.slabmag.netty.SlabByteBufAllocator} hands out direct buffers whose memory comes from a
 * {@link org.slabmag.SlabAllocator}, and reports its use through
 * {@link org.slabmag.netty.SlabByteBufAllocatorMetric}.
 *
 * <p>Typical use: {@code bootstrap.option(ChannelOption.ALLOCATOR, SlabByteBufAllocator.DEFAULT)} and the
 * same as a child option on a server. The JVM needs
 * {@code --add-opens java.base/jdk.internal.misc=ALL-UNNAMED}; nothing else depends on the JDK version
 * (17 and later) or on Netty having {@code sun.misc.Unsafe}.
 */
package org.slabmag.netty;
