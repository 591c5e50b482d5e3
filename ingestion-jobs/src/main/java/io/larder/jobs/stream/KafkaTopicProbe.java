package io.larder.jobs.stream;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Utils;

/**
 * Asks the Kafka servers whether a topic exists. While no server accepts a TCP connection the
 * answer comes from that attempt alone: an AdminClient would retry in the background, logging every
 * second, and log its whole configuration each time it is created. Once one does, an AdminClient
 * (kept across looks) describes the topic.
 */
final class KafkaTopicProbe implements TopicWait.Probe {

  /** How long one look may take when the servers do not answer. */
  private static final int LOOK_TIMEOUT_MS = 5_000;

  private static final int CONNECT_TIMEOUT_MS = 1_000;

  private final String servers;
  private Admin admin;

  KafkaTopicProbe(String servers) {
    this.servers = servers;
  }

  @Override
  public TopicWait.Look look(String topic) throws InterruptedException {
    String unreachable = unreachable();
    if (unreachable != null) {
      close();
      return TopicWait.Look.missing("no server reachable: " + unreachable);
    }
    try {
      if (admin == null) {
        admin =
            Admin.create(
                Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                    AdminClientConfig.CLIENT_ID_CONFIG, "larder-topic-wait",
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, LOOK_TIMEOUT_MS,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, LOOK_TIMEOUT_MS));
      }
      // Describing asks for metadata without auto-creating the topic (unlike a producer's request).
      admin
          .describeTopics(List.of(topic), new DescribeTopicsOptions().timeoutMs(LOOK_TIMEOUT_MS))
          .allTopicNames()
          .get(2L * LOOK_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      return TopicWait.Look.EXISTS;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return TopicWait.Look.missing("the servers do not have it yet");
      }
      return TopicWait.Look.missing("describing the topic failed: " + e.getCause());
    } catch (TimeoutException e) {
      return TopicWait.Look.missing("servers did not answer in " + 2 * LOOK_TIMEOUT_MS + " ms");
    } catch (KafkaException e) {
      // Admin.create refuses bootstrap names that do not resolve; try again next look.
      return TopicWait.Look.missing("servers not reachable: " + e);
    }
  }

  /** Null when one of the servers accepts a connection, else what each one said. */
  private String unreachable() {
    List<String> failures = new ArrayList<>();
    for (String server : servers.split(",")) {
      if (server.isBlank()) {
        continue;
      }
      String address = server.strip();
      try (Socket socket = new Socket()) {
        socket.connect(
            new InetSocketAddress(Utils.getHost(address), Utils.getPort(address)),
            CONNECT_TIMEOUT_MS);
        return null;
      } catch (IOException | RuntimeException e) {
        failures.add(address + " " + e.getClass().getSimpleName() + ": " + e.getMessage());
      }
    }
    return String.join(", ", failures);
  }

  @Override
  public void close() {
    if (admin != null) {
      admin.close(Duration.ofSeconds(1));
      admin = null;
    }
  }
}
