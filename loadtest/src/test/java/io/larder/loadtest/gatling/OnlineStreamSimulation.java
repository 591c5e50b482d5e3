package io.larder.loadtest.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.larder.loadtest.shape.OnlineRequests;

/**
 * POST /api/v1/features/online/stream (NDJSON, one StreamedFeatureRow per line) at a fixed arrival
 * rate (open model). Gatling times the whole response, so this measures time to the last row.
 * Gatling speaks HTTP/1.1 here (its HTTP/2 needs TLS/ALPN; the gateway's h2c is not reachable from
 * it), so the rows arrive chunked. Parameters: {@link SimulationParams}.
 *
 * <pre>
 * mvn -pl loadtest gatling:test \
 *   -Dgatling.simulationClass=io.larder.loadtest.gatling.OnlineStreamSimulation \
 *   -Drate=20 -Dduration=30 -Drows=1000 -DbaseUrl=http://127.0.0.1:8081 -Dproject=loadtest
 * </pre>
 */
public class OnlineStreamSimulation extends Simulation {

  private final SimulationParams params = SimulationParams.fromSystemProperties();
  private final OnlineRequests requests = params.requests();

  private final HttpProtocolBuilder protocol =
      http.baseUrl(params.baseUrl())
          .contentTypeHeader("application/json")
          .acceptHeader("application/x-ndjson")
          .shareConnections();

  private final ScenarioBuilder scenario =
      scenario("online NDJSON stream " + requests.shapeName())
          .exec(
              http(requests.shapeName() + " stream")
                  .post("/api/v1/features/online/stream")
                  .body(StringBody(session -> requests.nextJson()))
                  .check(status().is(200))
                  .check(
                      header("Content-Type")
                          .transform(type -> type.startsWith("application/x-ndjson"))
                          .is(true))
                  .check(
                      bodyString()
                          .transform(body -> HttpBodies.checkNdjson(body, requests.rows()))
                          .is(HttpBodies.OK)));

  {
    setUp(scenario.injectOpen(constantUsersPerSec(params.rate()).during(params.duration())))
        .protocols(protocol)
        .assertions(global().failedRequests().percent().lte(params.maxFailedPercent()));
  }
}
