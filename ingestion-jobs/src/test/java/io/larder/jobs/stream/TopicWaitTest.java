package io.larder.jobs.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TopicWaitTest {

  private static final Duration POLL = Duration.ofMillis(20);

  @Test
  void returnsOnceTheTopicExistsWaitingOutMissingTopicsAndUnreachableServers() throws Exception {
    Probe probe =
        new Probe(
            TopicWait.Look.missing("servers not reachable"),
            TopicWait.Look.missing("the servers do not have it yet"),
            TopicWait.Look.missing("the servers do not have it yet"),
            TopicWait.Look.EXISTS);

    long started = System.nanoTime();
    TopicWait.await(probe, "rides", "kafka:9092", POLL, Duration.ofMinutes(1), () -> false);

    assertThat(probe.looks.get()).isEqualTo(4);
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .as("slept between looks, never spun")
        .isGreaterThanOrEqualTo(POLL.multipliedBy(3));
  }

  @Test
  void anExistingTopicIsLookedAtOnce() throws Exception {
    Probe probe = new Probe(TopicWait.Look.EXISTS);

    TopicWait.await(
        probe, "rides", "kafka:9092", Duration.ofHours(1), Duration.ofHours(1), () -> false);

    assertThat(probe.looks.get()).isEqualTo(1);
  }

  @Test
  void anInterruptEndsTheWaitAtOnce() throws Exception {
    Probe never = new Probe(TopicWait.Look.missing("not yet"));
    Thread[] waiter = new Thread[1];
    CompletableFuture<Throwable> ended = new CompletableFuture<>();
    waiter[0] =
        new Thread(
            () -> {
              try {
                TopicWait.await(
                    never,
                    "rides",
                    "kafka:9092",
                    Duration.ofHours(1),
                    Duration.ofHours(1),
                    () -> false);
                ended.complete(null);
              } catch (Throwable e) {
                ended.complete(e);
              }
            });
    waiter[0].start();
    while (never.looks.get() == 0) {
      Thread.sleep(5);
    }
    waiter[0].interrupt();

    assertThat(ended.get(5, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
  }

  @Test
  void aStoppedJobStopsWaiting() {
    Probe never = new Probe(TopicWait.Look.missing("not yet"));
    assertThatThrownBy(
            () ->
                TopicWait.await(
                    never,
                    "rides",
                    "kafka:9092",
                    POLL,
                    Duration.ofMinutes(1),
                    () -> never.looks.get() >= 3))
        .isInstanceOf(CancellationException.class)
        .hasMessageContaining("topic rides on servers kafka:9092");
    assertThat(never.looks.get()).isEqualTo(3);
  }

  /** Answers its looks in order, repeating the last one. */
  private static final class Probe implements TopicWait.Probe {
    final Deque<TopicWait.Look> answers;
    final AtomicInteger looks = new AtomicInteger();

    Probe(TopicWait.Look... answers) {
      this.answers = new ArrayDeque<>(List.of(answers));
    }

    @Override
    public TopicWait.Look look(String topic) {
      looks.incrementAndGet();
      return answers.size() > 1 ? answers.poll() : answers.peek();
    }

    @Override
    public void close() {}
  }
}
