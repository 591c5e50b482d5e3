package io.larder.registry;

import static io.larder.registry.support.RegistryFixtures.fileSource;
import static io.larder.registry.support.RegistryFixtures.uniqueProject;

import com.google.protobuf.util.JsonFormat;
import io.larder.proto.core.CoreServiceProto.ApplyEntityRequest;
import io.larder.proto.core.CoreServiceProto.ApplyFeatureTableRequest;
import io.larder.proto.core.CoreServiceProto.CreateProjectRequest;
import io.larder.proto.core.CoreServiceProto.GetFeatureTableRequest;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.types.ValueProto.ValueType;
import io.larder.registry.support.GrpcClients;
import io.larder.support.grpc.GrpcServerLifecycle;
import io.larder.support.testing.ClientOutcomes;
import java.net.http.HttpClient;
import java.time.Duration;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Random and malformed definitions against a running registry over gRPC and HTTP: names of any
 * shape and length, deep label maps, unknown value-type numbers, features and entities that do or
 * do not exist, arbitrary JSON. Each is applied or refused with a client error and a message, never
 * INTERNAL/UNKNOWN or a 5xx.
 */
class BadInputPropertiesIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(15);
  private static final String PROJECT = uniqueProject();
  private static ConfigurableApplicationContext registry;
  private static GrpcClients clients;
  private static HttpClient http;
  private static String httpBase;

  @BeforeContainer
  static void start() {
    registry =
        new SpringApplicationBuilder(RegistryApplication.class)
            .run("--larder.grpc.port=0", "--larder.grpc.host=127.0.0.1", "--server.port=0");
    clients = GrpcClients.connect(registry.getBean(GrpcServerLifecycle.class).port());
    clients.core().createProject(CreateProjectRequest.newBuilder().setName(PROJECT).build());
    clients
        .core()
        .applyEntity(
            ApplyEntityRequest.newBuilder()
                .setProject(PROJECT)
                .setSpec(
                    EntitySpecV2.newBuilder()
                        .setName("driver")
                        .setValueType(ValueType.Enum.INT64)
                        .build())
                .build());
    http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    httpBase =
        "http://127.0.0.1:" + ((WebServerApplicationContext) registry).getWebServer().getPort();
  }

  @AfterContainer
  static void stop() throws InterruptedException {
    if (clients != null) {
      clients.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  @Property(tries = 150)
  void anyEntityIsAppliedOrRefusedWithAClientError(
      @ForAll("names") String name,
      @ForAll("valueTypes") int valueType,
      @ForAll("labels") java.util.Map<String, String> labels)
      throws Exception {
    EntitySpecV2 spec =
        EntitySpecV2.newBuilder()
            .setName(name)
            .setValueTypeValue(valueType)
            .putAllLabels(labels)
            .build();
    ClientOutcomes.assertGrpc(
        () ->
            clients
                .core()
                .applyEntity(
                    ApplyEntityRequest.newBuilder().setProject(PROJECT).setSpec(spec).build()));
    httpOutcome("PUT", "/api/v1/projects/" + PROJECT + "/entities", print(spec));
  }

  @Property(tries = 150)
  void anyFeatureTableIsAppliedOrRefusedWithAClientError(
      @ForAll("tables") FeatureTableSpec spec, @ForAll("names") String project) throws Exception {
    for (String target : new String[] {PROJECT, project}) {
      ClientOutcomes.assertGrpc(
          () ->
              clients
                  .core()
                  .applyFeatureTable(
                      ApplyFeatureTableRequest.newBuilder()
                          .setProject(target)
                          .setTableSpec(spec)
                          .build()));
    }
    ClientOutcomes.assertGrpc(
        () ->
            clients
                .core()
                .getFeatureTable(
                    GetFeatureTableRequest.newBuilder()
                        .setProject(project)
                        .setName(spec.getName())
                        .build()));
    httpOutcome("PUT", "/api/v1/projects/" + PROJECT + "/feature-tables", print(spec));
  }

  @Property(tries = 150)
  void anyBodyIsAnsweredWithAClientError(@ForAll("bodies") String body) throws Exception {
    httpOutcome("PUT", "/api/v1/projects/" + PROJECT + "/entities", body);
    httpOutcome("PUT", "/api/v1/projects/" + PROJECT + "/feature-tables", body);
    httpOutcome("POST", "/api/v1/projects", body);
  }

  @Provide
  Arbitrary<String> names() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(12),
        Arbitraries.strings().ofMaxLength(40),
        Arbitraries.strings().withCharRange('a', 'z').ofLength(100_000),
        Arbitraries.of("", "default", "driver", "event_timestamp", "a b", "-x", "Driver"));
  }

  @Provide
  Arbitrary<Integer> valueTypes() {
    return Arbitraries.oneOf(
        Arbitraries.integers().between(0, 20), Arbitraries.integers(), Arbitraries.just(-1));
  }

  @Provide
  Arbitrary<java.util.Map<String, String>> labels() {
    return Arbitraries.maps(
            Arbitraries.strings().ofMaxLength(30),
            Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(30),
                Arbitraries.strings().withCharRange('a', 'z').ofLength(10_000)))
        .ofMaxSize(50);
  }

  @Provide
  Arbitrary<FeatureTableSpec> tables() {
    Arbitrary<FeatureSpecV2> feature =
        Combinators.combine(names(), valueTypes())
            .as((n, t) -> FeatureSpecV2.newBuilder().setName(n).setValueTypeValue(t).build());
    return Combinators.combine(
            names(),
            Arbitraries.of("driver", "nope", "").list().ofMaxSize(3),
            feature.list().ofMaxSize(5),
            labels(),
            Arbitraries.longs())
        .as(
            (name, entities, features, labels, maxAge) ->
                FeatureTableSpec.newBuilder()
                    .setName(name)
                    .addAllEntities(entities)
                    .addAllFeatures(features)
                    .putAllLabels(labels)
                    .setMaxAge(
                        com.google.protobuf.Duration.newBuilder()
                            .setSeconds(maxAge % 315_576_000_000L)
                            .build())
                    .setBatchSource(fileSource("file:///tmp/" + Math.abs(maxAge % 100)))
                    .build());
  }

  @Provide
  Arbitrary<String> bodies() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(200),
        Arbitraries.of(
            "",
            "{}",
            "[]",
            "null",
            "{\"name\":",
            "{\"name\":\"x\",\"valueType\":\"NOPE\"}",
            "{\"name\":\"x\",\"valueType\":999}",
            "{\"name\":\"x\",\"unknown\":1}",
            "{\"name\":{\"deep\":{\"deeper\":[1,2,3]}}}",
            "{\"maxAge\":\"forever\"}"),
        Arbitraries.integers()
            .between(1, 2000)
            .map(depth -> "[".repeat(depth) + "]".repeat(depth)));
  }

  private static void httpOutcome(String method, String path, String body) throws Exception {
    ClientOutcomes.assertHttp(http, httpBase, method, path, body, TIMEOUT);
  }

  private static String print(com.google.protobuf.MessageOrBuilder message) throws Exception {
    return JsonFormat.printer().print(message);
  }
}
