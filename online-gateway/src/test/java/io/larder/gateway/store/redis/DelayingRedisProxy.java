package io.larder.gateway.store.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy in front of Redis on 127.0.0.1 that delays every reply by a settable time (a slow
 * Redis, or a slow network to it): replies keep their order, and one held back does not stop the
 * client's commands reaching Redis.
 */
public final class DelayingRedisProxy implements AutoCloseable {

  private final int upstreamPort;
  private final ServerSocket server;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile long delayNanos;

  public DelayingRedisProxy(int upstreamPort) {
    this.upstreamPort = upstreamPort;
    try {
      this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    daemon("delay-proxy-accept", this::acceptLoop);
  }

  public String uri() {
    return "redis://127.0.0.1:" + server.getLocalPort();
  }

  /** Replies read from Redis from now on reach the client this much later. */
  public void delayReplies(Duration delay) {
    delayNanos = delay.toNanos();
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    for (Socket socket : sockets) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  private record Held(long dueNanos, byte[] bytes) {}

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        sockets.add(client);
        sockets.add(upstream);
        daemon("delay-proxy-c2s", () -> pump(client, upstream));
        LinkedBlockingQueue<Held> replies = new LinkedBlockingQueue<>();
        daemon("delay-proxy-s2c-read", () -> hold(upstream, client, replies));
        daemon("delay-proxy-s2c-write", () -> release(replies, client, upstream));
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void pump(Socket from, Socket to) {
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // connection closed
    } finally {
      closeBoth(from, to);
    }
  }

  private void hold(Socket upstream, Socket client, LinkedBlockingQueue<Held> replies) {
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = upstream.getInputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        replies.add(new Held(System.nanoTime() + delayNanos, Arrays.copyOf(buffer, n)));
      }
    } catch (IOException e) {
      // connection closed
    } finally {
      replies.add(new Held(0, null));
    }
  }

  private static void release(LinkedBlockingQueue<Held> replies, Socket client, Socket upstream) {
    try (OutputStream out = client.getOutputStream()) {
      while (true) {
        Held held = replies.poll(1, TimeUnit.SECONDS);
        if (held == null) {
          if (client.isClosed()) {
            return;
          }
          continue;
        }
        if (held.bytes() == null) {
          return;
        }
        long wait = held.dueNanos() - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        out.write(held.bytes());
        out.flush();
      }
    } catch (IOException e) {
      // connection closed
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeBoth(client, upstream);
    }
  }

  private static void closeBoth(Socket a, Socket b) {
    try {
      a.close();
      b.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  private static void daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
  }
}
