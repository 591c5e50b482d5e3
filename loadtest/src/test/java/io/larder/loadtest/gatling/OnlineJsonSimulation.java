package io.larder.loadtest.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.larder.loadtest.shape.OnlineRequests;

/**
 * POST /api/v1/features/online at a fixed arrival rate (open model: {@code constantUsersPerSec},
 * one request per virtual user), random entities per request. Parameters: {@link SimulationParams}.
 *
 * <pre>
 * mvn -pl loadtest gatling:test \
 *   -Dgatling.simulationClass=io.larder.loadtest.gatling.OnlineJsonSimulation \
 *   -Drate=100 -Dduration=30 -Drows=10 -DbaseUrl=http://127.0.0.1:8081 -Dproject=loadtest
 * </pre>
 */
public class OnlineJsonSimulation extends Simulation {

  private final SimulationParams params = SimulationParams.fromSystemProperties();
  private final OnlineRequests requests = params.requests();

  // Connections shared by all virtual users, like a service calling the gateway; per-user
  // connections would measure TCP set-up instead.
  private final HttpProtocolBuilder protocol =
      http.baseUrl(params.baseUrl())
          .contentTypeHeader("application/json")
          .acceptHeader("application/json")
          .shareConnections();

  private final ScenarioBuilder scenario =
      scenario("online JSON " + requests.shapeName())
          .exec(
              http(requests.shapeName())
                  .post("/api/v1/features/online")
                  .body(StringBody(session -> requests.nextJson()))
                  .check(status().is(200))
                  .check(
                      bodyString()
                          .transform(body -> HttpBodies.checkJson(body, requests.rows()))
                          .is(HttpBodies.OK)));

  {
    setUp(scenario.injectOpen(constantUsersPerSec(params.rate()).during(params.duration())))
        .protocols(protocol)
        .assertions(global().failedRequests().percent().lte(params.maxFailedPercent()));
  }
}
