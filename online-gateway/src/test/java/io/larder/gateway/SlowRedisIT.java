package io.larder.gateway;

import static io.larder.gateway.support.Specs.float64;
import static io.larder.gateway.support.Specs.int64;
import static io.larder.gateway.support.Specs.string;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.larder.gateway.store.redis.DelayingRedisProxy;
import io.larder.gateway.store.redis.RedisServerProcess;
import io.larder.gateway.store.redis.RedisTestSupport;
import io.larder.gateway.support.FakeRegistry;
import io.larder.gateway.support.GatewayClients;
import io.larder.gateway.support.OnlineStoreTestData;
import io.larder.gateway.support.Specs;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.support.grpc.GrpcServerLifecycle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A slow Redis (a proxy delaying every reply) under a running gateway: answers slower than the
 * chunk budget end UNAVAILABLE within it and then open the breaker (fast failures), a caller's
 * short deadline ends DEADLINE_EXCEEDED without opening it, a full bulkhead sheds load at once, and
 * the gateway answers again as soon as Redis is fast again. Prints the figures as a table.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "larder.grpc.port=0",
      "larder.grpc.host=127.0.0.1",
      "larder.redis.command-timeout=250ms",
      "larder.redis.max-concurrent-batches=8"
    })
@DirtiesContext
@Timeout(120)
class SlowRedisIT {

  private static final Duration BUDGET = Duration.ofMillis(250);
  private static final FakeRegistry registry = FakeRegistry.started();
  private static final RedisServerProcess redis =
      new RedisServerProcess(RedisTestSupport.freePort()).start();
  private static final DelayingRedisProxy proxy = new DelayingRedisProxy(redis.port());

  @DynamicPropertySource
  static void wiring(DynamicPropertyRegistry properties) {
    properties.add("larder.registry.target", registry::target);
    properties.add("larder.redis.uri", proxy::uri);
  }

  @AfterAll
  static void stopAll() {
    proxy.close();
    registry.stop();
    redis.close();
  }

  @Autowired GrpcServerLifecycle grpcServer;
  @LocalServerPort int httpPort;

  /** One call's outcome: its status code and how long it took. */
  record Outcome(Status.Code code, long millis, String message) {}

  @Test
  void slowRepliesAreBoundedByTheBudgetsShedByBreakerAndBulkheadAndCancelledByDeadlines()
      throws Exception {
    String project = "slow_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    registry.setTables(project, OnlineFeaturesIT.TABLES, OnlineFeaturesIT.ENTITIES);
    GetOnlineFeaturesRequestV2 request =
        Specs.request(project)
            .features("driver_stats:trips", "driver_stats:name")
            .row(Map.of("driver_id", int64(1)))
            .build();
    List<String> table = new ArrayList<>();
    try (OnlineStoreTestData data = OnlineStoreTestData.connect(redis.uri());
        GatewayClients clients = GatewayClients.connect(grpcServer.port(), httpPort)) {
      data.writeRow(
          project,
          Map.of("driver_id", int64(1)),
          "driver_stats",
          Map.of("trips", int64(10), "rating", float64(4.5), "name", string("ann")),
          Instant.parse("2030-01-01T00:00:00Z"));
      clients.awaitProject(project, "driver_stats:trips");

      // 50 ms per reply, inside the budget: answered, and no slower than the delay allows.
      proxy.delayReplies(Duration.ofMillis(50));
      List<Outcome> slow = sequential(clients, request, 40, Duration.ofSeconds(5));
      table.add(row("+50 ms, 40 calls", slow));
      assertThat(slow).allMatch(o -> o.code() == Status.Code.OK);
      assertThat(percentile(slow, 0.99)).isLessThan(BUDGET.toMillis() + 150);

      // A caller's 40 ms deadline against 150 ms replies: DEADLINE_EXCEEDED near the deadline,
      // and those cancellations do not count against Redis.
      proxy.delayReplies(Duration.ofMillis(150));
      List<Outcome> deadlines = sequential(clients, request, 30, Duration.ofMillis(40));
      table.add(row("+150 ms, 40 ms deadline, 30 calls", deadlines));
      assertThat(deadlines).allMatch(o -> o.code() == Status.Code.DEADLINE_EXCEEDED);
      assertThat(percentile(deadlines, 0.99)).isLessThan(40 + 150);
      List<Outcome> afterDeadlines = sequential(clients, request, 3, Duration.ofSeconds(5));
      assertThat(afterDeadlines)
          .as("the breaker stayed closed: patient callers are answered")
          .allMatch(o -> o.code() == Status.Code.OK);

      // 600 ms per reply, beyond the 250 ms budget: UNAVAILABLE within it, then the breaker
      // opens and failures are immediate.
      proxy.delayReplies(Duration.ofMillis(600));
      List<Outcome> beyond = sequential(clients, request, 40, Duration.ofSeconds(5));
      table.add(row("+600 ms, 40 calls", beyond));
      assertThat(beyond).allMatch(o -> o.code() == Status.Code.UNAVAILABLE);
      assertThat(beyond.stream().mapToLong(Outcome::millis).max().orElseThrow())
          .isLessThan(BUDGET.toMillis() + 200);
      List<Outcome> failedFast =
          beyond.stream().filter(o -> o.message().contains("circuit breaker open")).toList();
      assertThat(failedFast).as("circuit open: most calls fail fast").hasSizeGreaterThan(20);
      assertThat(failedFast.stream().mapToLong(Outcome::millis).max().orElseThrow())
          .isLessThan(100);

      // Fast again: answered within 2 s, without a restart.
      proxy.delayReplies(Duration.ZERO);
      long back = System.nanoTime();
      Outcome recovered = call(clients, request, Duration.ofSeconds(5));
      while (recovered.code() != Status.Code.OK
          && System.nanoTime() - back < Duration.ofSeconds(2).toNanos()) {
        Thread.sleep(20);
        recovered = call(clients, request, Duration.ofSeconds(5));
      }
      long recoveryMillis = (System.nanoTime() - back) / 1_000_000;
      // The first answer was one of the half-open breaker's probes; the rest close it.
      assertThat(sequential(clients, request, 5, Duration.ofSeconds(5)))
          .allMatch(o -> o.code() == Status.Code.OK);
      table.add("| back to +0 ms | answered OK " + recoveryMillis + " ms later | | | |");
      assertThat(recovered.code()).isEqualTo(Status.Code.OK);

      // 40 calls at once against 200 ms replies and 8 batches allowed in flight: the rest are
      // turned away at once instead of queueing.
      proxy.delayReplies(Duration.ofMillis(200));
      List<Outcome> burst = concurrent(clients, request, 40);
      table.add(row("+200 ms, 40 concurrent, bulkhead 8", burst));
      List<Outcome> shed = burst.stream().filter(o -> o.code() != Status.Code.OK).toList();
      assertThat(shed).isNotEmpty();
      assertThat(shed)
          .allMatch(o -> o.code() == Status.Code.UNAVAILABLE)
          .allMatch(o -> o.message().contains("too many reads in flight"));
      assertThat(burst.stream().filter(o -> o.code() == Status.Code.OK).count())
          .isGreaterThanOrEqualTo(8);
      assertThat(shed.stream().mapToLong(Outcome::millis).max().orElseThrow())
          .as("shed at once")
          .isLessThan(150);
      proxy.delayReplies(Duration.ZERO);
    } finally {
      System.out.println(
          "slow Redis under the gateway (command-timeout 250 ms, max-concurrent-batches 8):\n"
              + "| phase | codes | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|\n"
              + String.join("\n", table));
    }
  }

  private static List<Outcome> sequential(
      GatewayClients clients, GetOnlineFeaturesRequestV2 request, int calls, Duration deadline) {
    List<Outcome> outcomes = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      outcomes.add(call(clients, request, deadline));
    }
    return outcomes;
  }

  private static Outcome call(
      GatewayClients clients, GetOnlineFeaturesRequestV2 request, Duration deadline) {
    long started = System.nanoTime();
    try {
      var answer =
          clients
              .serving()
              .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
              .getOnlineFeaturesV2(request);
      assertThat(answer.getFieldValues(0).getStatusesOrThrow("driver_stats:trips"))
          .isEqualTo(FieldStatus.PRESENT);
      return new Outcome(Status.Code.OK, elapsedMillis(started), "");
    } catch (io.grpc.StatusRuntimeException e) {
      return new Outcome(
          e.getStatus().getCode(),
          elapsedMillis(started),
          String.valueOf(e.getStatus().getDescription()));
    }
  }

  private static List<Outcome> concurrent(
      GatewayClients clients, GetOnlineFeaturesRequestV2 request, int calls) {
    return Flux.range(0, calls)
        .flatMap(
            i ->
                Mono.defer(
                    () -> {
                      long started = System.nanoTime();
                      return clients
                          .reactiveServing()
                          .getOnlineFeaturesV2(request)
                          .map(ok -> new Outcome(Status.Code.OK, elapsedMillis(started), ""))
                          .onErrorResume(
                              error ->
                                  Mono.just(
                                      new Outcome(
                                          Status.fromThrowable(error).getCode(),
                                          elapsedMillis(started),
                                          String.valueOf(
                                              Status.fromThrowable(error).getDescription()))));
                    }),
            calls)
        .collectList()
        .block(Duration.ofSeconds(30));
  }

  private static long elapsedMillis(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }

  private static long percentile(List<Outcome> outcomes, double quantile) {
    List<Long> millis = new ArrayList<>(outcomes.stream().map(Outcome::millis).toList());
    Collections.sort(millis);
    return millis.get((int) Math.min(millis.size() - 1, Math.ceil(quantile * millis.size()) - 1));
  }

  private static String row(String phase, List<Outcome> outcomes) {
    Map<Status.Code, Long> codes =
        outcomes.stream()
            .collect(
                java.util.stream.Collectors.groupingBy(
                    Outcome::code, java.util.TreeMap::new, java.util.stream.Collectors.counting()));
    return "| %s | %s | %d | %d | %d |"
        .formatted(
            phase,
            codes,
            percentile(outcomes, 0.5),
            percentile(outcomes, 0.99),
            outcomes.stream().mapToLong(Outcome::millis).max().orElse(0));
  }
}
