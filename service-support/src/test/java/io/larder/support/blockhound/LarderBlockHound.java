package io.larder.support.blockhound;

import reactor.blockhound.BlockHound;

/**
 * Installs BlockHound for a service's tests, once per JVM: any blocking call on an event-loop
 * thread then fails the request that made it.
 *
 * <p>Reactor's own threads and Reactor Netty's event loops are covered by the integrations
 * BlockHound loads itself. This class adds what it cannot know, in one commented list.
 */
public final class LarderBlockHound {

  private static volatile boolean installed;

  private LarderBlockHound() {}

  public static synchronized void install() {
    if (installed) {
      return;
    }
    BlockHound.install(
        builder ->
            builder
                // gRPC's shaded Netty event loops run our handlers (directExecutor): non-blocking.
                .nonBlockingThreadPredicate(
                    current ->
                        current.or(
                            thread ->
                                thread.getName().startsWith("grpc-nio-worker")
                                    || thread.getName().startsWith("grpc-default-worker")
                                    || thread.getName().startsWith("grpc-epoll-worker")))
                // Logback appends under a lock held for microseconds: not a request-path wait.
                .allowBlockingCallsInside("ch.qos.logback.core.OutputStreamAppender", "writeBytes")
                .allowBlockingCallsInside("ch.qos.logback.core.ConsoleAppender", "subAppend")
                // PostgreSQL SCRAM login draws its nonce from SecureRandom (/dev/urandom never
                // waits); it runs once per new pooled connection, not per request.
                .allowBlockingCallsInside("com.ongres.scram.common.ScramFunctions", "nonce")
                // Resilience4j takes a ReentrantLock for ~1 µs when the circuit breaker moves from
                // open to half-open; two threads meeting there may park for that long.
                .allowBlockingCallsInside(
                    "io.github.resilience4j.circuitbreaker.internal.CircuitBreakerStateMachine$OpenState",
                    "toHalfOpenState")
                // Netty's adaptive allocator takes a StampedLock for a moment when it adds
                // magazines under contention (large answers allocate many buffers at once).
                .allowBlockingCallsInside(
                    "io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines")
                .allowBlockingCallsInside(
                    "io.grpc.netty.shaded.io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup",
                    "tryExpandMagazines"));
    installed = true;
  }
}
