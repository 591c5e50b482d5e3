package io.larder.loadtest.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LoadRunnerTest {

  private static final Duration DRAIN = Duration.ofSeconds(2);
  private final ScheduledExecutorService server = Executors.newScheduledThreadPool(2);

  @AfterEach
  void stopServer() {
    server.shutdownNow();
  }

  /** A fake target answering each call after {@code millis} with {@code rows} rows. */
  private LoadRunner.Call answeringAfter(long millis, int rows, AtomicInteger inFlight) {
    return () -> {
      inFlight.incrementAndGet();
      CompletableFuture<CallResult> answer = new CompletableFuture<>();
      server.schedule(
          () -> {
            inFlight.decrementAndGet();
            answer.complete(new CallResult(rows, 1, 1));
          },
          millis,
          TimeUnit.MILLISECONDS);
      return answer;
    };
  }

  @Test
  void theOpenModelCountsExactlyTheRequestsDueInTheMeasuredWindow() {
    Tally tally =
        LoadRunner.open(
            answeringAfter(2, 10, new AtomicInteger()),
            200,
            Duration.ofMillis(100),
            Duration.ofMillis(500),
            1_000,
            DRAIN,
            e -> "ERR");

    assertThat(tally.ok()).isEqualTo(100);
    assertThat(tally.rows()).isEqualTo(1_000);
    assertThat(tally.errors()).isEmpty();
    assertThat(tally.latency().getTotalCount()).isEqualTo(100);
    assertThat(tally.latency().getValueAtPercentile(50))
        .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(2));
  }

  @Test
  void failuresAreCountedByNameAndKeptOutOfTheLatencies() {
    AtomicInteger calls = new AtomicInteger();
    LoadRunner.Call everyOtherFails =
        () ->
            calls.incrementAndGet() % 2 == 0
                ? CompletableFuture.failedFuture(new IllegalStateException("down"))
                : CompletableFuture.completedFuture(new CallResult(1, 0, 1));

    Tally tally =
        LoadRunner.open(
            everyOtherFails,
            200,
            Duration.ZERO,
            Duration.ofMillis(500),
            1_000,
            DRAIN,
            e -> e.getClass().getSimpleName());

    assertThat(tally.ok()).isEqualTo(50);
    assertThat(tally.errors()).containsEntry("IllegalStateException", 50L);
    assertThat(tally.latency().getTotalCount()).isEqualTo(50);
    assertThat(tally.valuesPresent()).isZero();
    assertThat(tally.valuesChecked()).isEqualTo(50);
  }

  @Test
  void aTargetThatNeverAnswersFillsTheBacklogInsteadOfTheHeap() {
    LoadRunner.Call neverAnswers = CompletableFuture::new;

    Tally tally =
        LoadRunner.open(
            neverAnswers,
            1_000,
            Duration.ZERO,
            Duration.ofMillis(200),
            50,
            Duration.ofMillis(100),
            e -> "ERR");

    assertThat(tally.ok()).isZero();
    assertThat(tally.errors()).containsEntry(LoadRunner.CLIENT_BACKLOG, 150L);
  }

  @Test
  void theClosedModelKeepsExactlyConcurrencyCallsInFlight() {
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    LoadRunner.Call target = answeringAfter(1, 10, inFlight);
    LoadRunner.Call watched =
        () -> {
          CompletableFuture<CallResult> call = target.start();
          peak.accumulateAndGet(inFlight.get(), Math::max);
          return call;
        };

    Tally tally =
        LoadRunner.closed(
            watched, 4, Duration.ofMillis(100), Duration.ofMillis(400), DRAIN, e -> "ERR");

    assertThat(peak.get()).isEqualTo(4);
    assertThat(tally.ok()).isGreaterThan(100);
    assertThat(tally.rows()).isEqualTo(tally.ok() * 10);
    assertThat(tally.errors()).isEmpty();
  }

  @Test
  void theClosedModelLoopsOverCallsThatCompleteAtOnceWithoutGrowingTheStack() {
    LoadRunner.Call immediate = () -> CompletableFuture.completedFuture(new CallResult(1, 1, 1));

    Tally tally =
        LoadRunner.closed(immediate, 1, Duration.ZERO, Duration.ofMillis(200), DRAIN, e -> "ERR");

    assertThat(tally.ok()).isGreaterThan(10_000);
  }
}
