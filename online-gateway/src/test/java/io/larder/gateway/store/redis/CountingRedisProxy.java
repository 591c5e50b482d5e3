package io.larder.gateway.store.redis;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy between a Redis client and Redis on 127.0.0.1 that counts the commands the client
 * sends (by parsing RESP) and can hold Redis's replies back until a given number of commands has
 * arrived. With replies held, a client that waits for a reply before its next command shows up as 1
 * command, one that pipelines as all of them, whatever TCP does with segment boundaries.
 */
final class CountingRedisProxy implements AutoCloseable {

  private final int upstreamPort;
  private final ServerSocket server;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();

  // Guarded by lock: what the client sent since the gate was armed, and the gate.
  private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
  private int parsedUpTo;
  private int commandsSeen;
  private String countedCommand;
  private int expectedCommands;
  private long holdUntilNanos;
  private boolean holding;
  private int commandsBeforeFirstReply = -1;

  CountingRedisProxy(int upstreamPort) {
    this.upstreamPort = upstreamPort;
    try {
      this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    daemon("proxy-accept", this::acceptLoop);
  }

  int port() {
    return server.getLocalPort();
  }

  /**
   * From now on count the client's {@code command}s, and hold every reply until {@code expected} of
   * them arrived or {@code maxHold} passed.
   */
  void holdRepliesUntil(String command, int expected, Duration maxHold) {
    synchronized (lock) {
      sent.reset();
      parsedUpTo = 0;
      commandsSeen = 0;
      countedCommand = command;
      expectedCommands = expected;
      holdUntilNanos = System.nanoTime() + maxHold.toNanos();
      holding = true;
      commandsBeforeFirstReply = -1;
    }
  }

  /** How many counted commands the client had sent when the first reply was let through. */
  int commandsBeforeFirstReply() {
    synchronized (lock) {
      return commandsBeforeFirstReply;
    }
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

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        sockets.add(client);
        sockets.add(upstream);
        daemon("proxy-c2s", () -> pump(client, upstream, true));
        daemon("proxy-s2c", () -> pump(upstream, client, false));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pump(Socket from, Socket to, boolean fromClient) {
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        if (fromClient) {
          clientSent(buffer, n);
        } else {
          awaitGate();
        }
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // connection closed
    } finally {
      try {
        from.close();
        to.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  private void clientSent(byte[] buffer, int n) {
    synchronized (lock) {
      if (countedCommand == null) {
        return;
      }
      sent.write(buffer, 0, n);
      countCompleteCommands();
      lock.notifyAll();
    }
  }

  private void awaitGate() {
    synchronized (lock) {
      if (!holding) {
        return;
      }
      while (commandsSeen < expectedCommands) {
        long waitNanos = holdUntilNanos - System.nanoTime();
        if (waitNanos <= 0) {
          break;
        }
        try {
          lock.wait(Math.max(1, waitNanos / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      commandsBeforeFirstReply = commandsSeen;
      holding = false;
    }
  }

  /** Parses RESP arrays of bulk strings (what clients send) from where the last parse ended. */
  private void countCompleteCommands() {
    byte[] data = sent.toByteArray();
    while (true) {
      int[] position = {parsedUpTo};
      String name = parseCommand(data, position);
      if (name == null) {
        return;
      }
      parsedUpTo = position[0];
      if (name.equalsIgnoreCase(countedCommand)) {
        commandsSeen++;
      }
    }
  }

  private static String parseCommand(byte[] data, int[] position) {
    int p = position[0];
    if (p >= data.length) {
      return null;
    }
    if (data[p] != '*') {
      throw new IllegalStateException("not a RESP array at byte " + p);
    }
    long[] number = new long[1];
    p = parseNumber(data, p + 1, number);
    if (p < 0) {
      return null;
    }
    String name = null;
    for (long element = 0; element < number[0]; element++) {
      if (p >= data.length) {
        return null;
      }
      if (data[p] != '$') {
        throw new IllegalStateException("not a RESP bulk string at byte " + p);
      }
      long[] length = new long[1];
      p = parseNumber(data, p + 1, length);
      if (p < 0 || p + length[0] + 2 > data.length) {
        return null;
      }
      if (element == 0) {
        name = new String(data, p, (int) length[0], StandardCharsets.US_ASCII);
      }
      p += (int) length[0] + 2;
    }
    position[0] = p;
    return name;
  }

  /** Reads digits up to CRLF; returns the position after it, or -1 when incomplete. */
  private static int parseNumber(byte[] data, int p, long[] into) {
    long value = 0;
    while (p < data.length && data[p] != '\r') {
      value = value * 10 + (data[p] - '0');
      p++;
    }
    if (p + 1 >= data.length) {
      return -1;
    }
    into[0] = value;
    return p + 2;
  }

  private static void daemon(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    thread.start();
  }
}
