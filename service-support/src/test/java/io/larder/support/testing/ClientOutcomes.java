package io.larder.support.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;

/**
 * What the bad-input suites accept from a service: an answer, or a client error with a message;
 * never INTERNAL/UNKNOWN or a 5xx.
 */
public final class ClientOutcomes {

  public static final Set<Status.Code> GRPC =
      Set.of(
          Status.Code.OK,
          Status.Code.INVALID_ARGUMENT,
          Status.Code.NOT_FOUND,
          Status.Code.ALREADY_EXISTS,
          Status.Code.FAILED_PRECONDITION,
          Status.Code.RESOURCE_EXHAUSTED);

  private ClientOutcomes() {}

  /** Runs the call; it answers or fails with one of {@link #GRPC} and a description. */
  public static void assertGrpc(Runnable call) {
    Status status;
    try {
      call.run();
      status = Status.OK;
    } catch (StatusRuntimeException e) {
      status = e.getStatus();
    }
    assertThat(status.getCode()).as("%s", status).isIn(GRPC);
    if (!status.isOk()) {
      assertThat(status.getDescription()).isNotBlank();
    }
  }

  /**
   * Sends the request (a JSON body unless {@code body} is null); it answers 2xx-4xx, and a 4xx
   * carries a problem body with a detail.
   */
  public static void assertHttp(
      HttpClient http, String base, String method, String path, String body, Duration timeout)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout);
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode())
        .as("%s %s: %s", method, path.length() > 200 ? path.substring(0, 200) : path, answer.body())
        .isBetween(200, 499);
    if (answer.statusCode() >= 400) {
      assertThat(answer.body()).as("HTTP %d", answer.statusCode()).contains("\"detail\"");
    }
  }
}
