package org.slabmag.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufLeakListeners;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slabmag.SlabAllocator;

/**
 * A real echo server and client over 127.0.0.1 whose channels allocate from a {@link SlabByteBufAllocator}:
 * length-prefixed messages of 1 byte to 1 MiB (log-uniform, both extremes included) go through the
 * transport's reads, {@code ByteToMessageDecoder} cumulation, slicing and writes on both sides, and every
 * echoed payload is compared byte for byte. The leak detector runs at PARANOID and any leak report fails
 * the test; after the channels and event loops are gone the allocator's used memory must be zero.
 */
class EchoServerTest {
    private static final int CONNECTIONS = 2;
    private static final int MESSAGES_PER_CONNECTION = 1500;
    private static final int MAX_PAYLOAD = 1 << 20;
    private static final int IN_FLIGHT = 8;
    private static final long TIMEOUT_SECONDS = 40;

    private static ResourceLeakDetector.Level previousLevel;
    private static final List<String> LEAKS = new ArrayList<>();

    enum Transport {
        NIO, EPOLL
    }

    @BeforeAll
    static void paranoidLeakDetection() {
        previousLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ByteBufLeakListeners.set((resourceType, records) -> {
            synchronized (LEAKS) {
                LEAKS.add(resourceType + ": " + records);
            }
        });
    }

    /** Buffers leaked before this test (by other test classes in this JVM) are reported now and ignored. */
    @BeforeEach
    void forgetEarlierLeaks() throws InterruptedException {
        LeakChecks.flush();
        synchronized (LEAKS) {
            LEAKS.clear();
        }
    }

    @AfterAll
    static void restoreLeakDetection() {
        ByteBufLeakListeners.set(null);
        ResourceLeakDetector.setLevel(previousLevel);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void echoesRandomSizedMessagesWithoutLeaks(Transport transport) throws Exception {
        if (transport == Transport.EPOLL) {
            assumeTrue(Epoll.isAvailable(), () -> "epoll unavailable: " + Epoll.unavailabilityCause());
        }
        SlabAllocator slab = SlabAllocator.create();
        SlabByteBufAllocator alloc = new SlabByteBufAllocator(slab, true);
        IoHandlerFactory ioHandlers = transport == Transport.NIO ? NioIoHandler.newFactory() : EpollIoHandler.newFactory();
        Class<? extends ServerChannel> serverChannel =
            transport == Transport.NIO ? NioServerSocketChannel.class : EpollServerSocketChannel.class;
        Class<? extends Channel> clientChannel =
            transport == Transport.NIO ? NioSocketChannel.class : EpollSocketChannel.class;

        EventLoopGroup serverGroup = new MultiThreadIoEventLoopGroup(2, ioHandlers);
        EventLoopGroup clientGroup = new MultiThreadIoEventLoopGroup(2, ioHandlers);
        try {
            Channel server = new ServerBootstrap()
                .group(serverGroup)
                .channel(serverChannel)
                .option(ChannelOption.ALLOCATOR, alloc)
                .childOption(ChannelOption.ALLOCATOR, alloc)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(MAX_PAYLOAD + 8, 0, 4), new Echo());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();

            List<Client> clients = new ArrayList<>();
            List<Channel> channels = new ArrayList<>();
            for (int c = 0; c < CONNECTIONS; c++) {
                Client client = new Client(alloc, 0x5EED0000L + c * 7919L);
                clients.add(client);
                channels.add(new Bootstrap()
                    .group(clientGroup)
                    .channel(clientChannel)
                    .option(ChannelOption.ALLOCATOR, alloc)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(MAX_PAYLOAD + 8, 0, 4, 0, 4), client);
                        }
                    })
                    .connect(server.localAddress()).sync().channel());
            }
            // The first messages are allocated here and released by the event loops after the write.
            for (int c = 0; c < CONNECTIONS; c++) {
                clients.get(c).start(channels.get(c));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            for (Client client : clients) {
                long left = deadline - System.nanoTime();
                try {
                    assertEquals(MESSAGES_PER_CONNECTION, client.done.get(Math.max(left, 1), TimeUnit.NANOSECONDS));
                } catch (TimeoutException e) {
                    fail("echo did not finish in " + TIMEOUT_SECONDS + " s: " + client.received + " of "
                        + MESSAGES_PER_CONNECTION + " messages back");
                }
            }
            for (Channel ch : channels) {
                ch.close().sync();
            }
            server.close().sync();
        } finally {
            clientGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS);
            serverGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS);
            assertTrue(clientGroup.awaitTermination(10, TimeUnit.SECONDS));
            assertTrue(serverGroup.awaitTermination(10, TimeUnit.SECONDS));
        }
        LeakChecks.flush();
        synchronized (LEAKS) {
            assertTrue(LEAKS.isEmpty(), () -> LEAKS.size() + " leaks reported, the first:\n" + LEAKS.get(0));
        }
        // Event loop threads have ended (happens-before through awaitTermination), so stats are exact.
        assertEquals(0, alloc.metric().liveDirectMemory(), () -> "direct memory still in use: " + alloc.stats());
        assertEquals(0, alloc.metric().usedHeapMemory());
        slab.close();
    }

    /** Writes every frame back as it came, flushing once per read burst. */
    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /**
     * Sends {@link #MESSAGES_PER_CONNECTION} messages {@code [length][id][payload]}, keeping at most
     * {@link #IN_FLIGHT} unanswered, and checks each echo against the payload regenerated from its id.
     */
    private static final class Client extends SimpleChannelInboundHandler<ByteBuf> {
        final CompletableFuture<Integer> done = new CompletableFuture<>();
        private final SlabByteBufAllocator alloc;
        private final long seed;
        private final int[] sizes = new int[MESSAGES_PER_CONNECTION];
        private volatile int received;
        private int sent;

        Client(SlabByteBufAllocator alloc, long seed) {
            this.alloc = alloc;
            this.seed = seed;
            SplittableRandom random = new SplittableRandom(seed);
            double logMax = Math.log(MAX_PAYLOAD);
            for (int i = 0; i < sizes.length; i++) {
                sizes[i] = (int) Math.min(MAX_PAYLOAD, Math.max(1, Math.round(Math.exp(random.nextDouble() * logMax))));
            }
            sizes[0] = 1;
            sizes[1] = MAX_PAYLOAD;
            sizes[2] = 65537;
        }

        void start(Channel channel) {
            for (int i = 0; i < IN_FLIGHT; i++) {
                channel.write(message(sent++));
            }
            channel.flush();
        }

        private ByteBuf message(int id) {
            byte[] payload = payload(id);
            ByteBuf buf = alloc.directBuffer(8 + payload.length);
            return buf.writeInt(4 + payload.length).writeInt(id).writeBytes(payload);
        }

        private byte[] payload(int id) {
            byte[] payload = new byte[sizes[id]];
            new SplittableRandom(seed * 31 + id).nextBytes(payload);
            return payload;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            int expectedId = received;
            int id = frame.readInt();
            if (id != expectedId) {
                throw new AssertionError("expected message " + expectedId + ", got " + id);
            }
            byte[] actual = new byte[frame.readableBytes()];
            frame.readBytes(actual);
            byte[] expected = payload(id);
            int mismatch = Arrays.mismatch(expected, actual);
            if (mismatch >= 0) {
                throw new AssertionError("message " + id + " (" + expected.length + " bytes) differs at byte "
                    + mismatch + " of " + actual.length);
            }
            received = expectedId + 1;
            if (sent < MESSAGES_PER_CONNECTION) {
                ctx.writeAndFlush(message(sent++));
            }
            if (received == MESSAGES_PER_CONNECTION) {
                done.complete(received);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.completeExceptionally(new IllegalStateException("connection closed after " + received + " messages"));
        }
    }
}
