package io.larder.loadtest.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A small HTTP/2 client without TLS (h2c) that speaks HTTP/2 from the first byte (prior knowledge,
 * as the gateway's Reactor Netty server accepts): a few connections opened up front, requests
 * spread over them round-robin, each its own stream. Answers are not buffered: each DATA frame is
 * handed to a {@link JsonAnswerScan} and released.
 */
final class H2cClient implements AutoCloseable {

  /** A call that did not get a good answer; {@code code} names the error in the report. */
  static final class HttpCallException extends RuntimeException {
    private final String code;

    HttpCallException(String code, String message) {
      super(message, null, false, false);
      this.code = code;
    }

    String code() {
      return code;
    }
  }

  // Large answers (10,000 rows x 50 features is ~30 MB of JSON) should not stall on flow control.
  private static final int STREAM_WINDOW = 4 << 20;
  private static final int CONNECTION_WINDOW = 64 << 20;
  private static final int DEFAULT_WINDOW = 65_535;
  private static final int MAX_FRAME = 256 << 10;

  private final EventLoopGroup group;
  private final List<Channel> connections;
  private final String authority;
  private final AtomicInteger next = new AtomicInteger();

  private H2cClient(EventLoopGroup group, List<Channel> connections, String authority) {
    this.group = group;
    this.connections = connections;
    this.authority = authority;
  }

  static H2cClient connect(String host, int port, int connections, int threads)
      throws InterruptedException {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
    List<Channel> channels = new ArrayList<>();
    try {
      Bootstrap bootstrap =
          new Bootstrap()
              .group(group)
              .channel(NioSocketChannel.class)
              .option(ChannelOption.TCP_NODELAY, true)
              .handler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                      channel
                          .pipeline()
                          .addLast(
                              Http2FrameCodecBuilder.forClient()
                                  .initialSettings(
                                      Http2Settings.defaultSettings()
                                          .initialWindowSize(STREAM_WINDOW)
                                          .maxFrameSize(MAX_FRAME))
                                  .build(),
                              // The server opens no streams; nothing to handle there.
                              new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                  });
      for (int i = 0; i < connections; i++) {
        Channel channel = bootstrap.connect(new InetSocketAddress(host, port)).sync().channel();
        channel.writeAndFlush(
            new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - DEFAULT_WINDOW));
        channels.add(channel);
      }
    } catch (InterruptedException | RuntimeException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
    return new H2cClient(group, channels, host + ":" + port);
  }

  /**
   * POSTs {@code body} and completes with {@code verdict} of the scanned answer once it has fully
   * arrived; fails with an {@link HttpCallException} for a status other than 200 ({@code
   * HTTP_503}), a reset stream, a lost connection or the deadline.
   */
  <T> CompletableFuture<T> post(
      String path,
      String contentType,
      String accept,
      byte[] body,
      long deadlineNanos,
      Function<JsonAnswerScan, T> verdict) {
    Channel connection = connections.get(Math.floorMod(next.getAndIncrement(), connections.size()));
    CompletableFuture<T> result = new CompletableFuture<>();
    Answer<T> answer = new Answer<>(result, verdict);
    new Http2StreamChannelBootstrap(connection)
        .handler(answer)
        .open()
        .addListener(
            (Future<Http2StreamChannel> opened) -> {
              if (!opened.isSuccess()) {
                result.completeExceptionally(
                    new HttpCallException("UNAVAILABLE", "no stream: " + opened.cause()));
                return;
              }
              Http2StreamChannel stream = opened.getNow();
              answer.deadline =
                  stream
                      .eventLoop()
                      .schedule(
                          () -> {
                            if (result.completeExceptionally(
                                new HttpCallException("DEADLINE_EXCEEDED", "no answer in time"))) {
                              stream.close();
                            }
                          },
                          deadlineNanos,
                          TimeUnit.NANOSECONDS);
              Http2Headers headers =
                  new DefaultHttp2Headers()
                      .method("POST")
                      .scheme("http")
                      .authority(authority)
                      .path(path);
              headers.set(HttpHeaderNames.CONTENT_TYPE, contentType);
              headers.set(HttpHeaderNames.ACCEPT, accept);
              headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
              stream.write(new DefaultHttp2HeadersFrame(headers));
              stream
                  .writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true))
                  .addListener(
                      written -> {
                        if (!written.isSuccess()) {
                          answer.fail(
                              new HttpCallException("UNAVAILABLE", "not sent: " + written.cause()));
                          stream.close();
                        }
                      });
            });
    return result;
  }

  @Override
  public void close() {
    for (Channel channel : connections) {
      channel.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** One stream's answer: status from the headers, body bytes through the scan. */
  private static final class Answer<T> extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<T> result;
    private final Function<JsonAnswerScan, T> verdict;
    private final JsonAnswerScan scan = new JsonAnswerScan();
    private int status;
    volatile ScheduledFuture<?> deadline;

    Answer(CompletableFuture<T> result, Function<JsonAnswerScan, T> verdict) {
      this.result = result;
      this.verdict = verdict;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2HeadersFrame) {
          Http2HeadersFrame headers = (Http2HeadersFrame) msg;
          CharSequence code = headers.headers().status();
          if (status == 0 && code != null) {
            status = Integer.parseInt(code.toString());
          }
          if (headers.isEndStream()) {
            finish(ctx);
          }
        } else if (msg instanceof Http2DataFrame) {
          Http2DataFrame data = (Http2DataFrame) msg;
          if (status == 200 && !result.isDone()) {
            data.content().forEachByte(scan);
          }
          if (data.isEndStream()) {
            finish(ctx);
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      fail(new HttpCallException("STREAM_CLOSED", "stream closed before the answer ended"));
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      fail(new HttpCallException("UNAVAILABLE", cause.toString()));
      ctx.close();
    }

    void fail(HttpCallException error) {
      cancelDeadline();
      result.completeExceptionally(error);
    }

    private void finish(ChannelHandlerContext ctx) {
      cancelDeadline();
      if (result.isDone()) {
        return;
      }
      if (status != 200) {
        result.completeExceptionally(
            new HttpCallException("HTTP_" + status, "answered HTTP " + status));
        ctx.close();
        return;
      }
      try {
        result.complete(verdict.apply(scan));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    }

    private void cancelDeadline() {
      ScheduledFuture<?> pending = deadline;
      if (pending != null) {
        pending.cancel(false);
      }
    }
  }
}
