package io.larder.registry;

import static io.larder.registry.support.RegistryFixtures.applyTable;
import static io.larder.registry.support.RegistryFixtures.assertStatusOf;
import static io.larder.registry.support.RegistryFixtures.changesOf;
import static io.larder.registry.support.RegistryFixtures.entity;
import static io.larder.registry.support.RegistryFixtures.feature;
import static io.larder.registry.support.RegistryFixtures.getTable;
import static io.larder.registry.support.RegistryFixtures.latestSequence;
import static io.larder.registry.support.RegistryFixtures.table;
import static io.larder.registry.support.RegistryFixtures.uniqueProject;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status.Code;
import io.larder.proto.core.CoreServiceProto.ApplyFeatureTableResponse;
import io.larder.proto.core.CoreServiceProto.CreateProjectRequest;
import io.larder.proto.core.CoreServiceProto.ListEntitiesRequest;
import io.larder.proto.core.EntityProto.Entity;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTable;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.larder.RegistryExtProto.Change;
import io.larder.proto.larder.RegistryExtProto.ListFeatureTableRevisionsRequest;
import io.larder.proto.types.ValueProto.ValueType;
import io.larder.registry.support.GrpcClients;
import io.larder.support.grpc.GrpcServerLifecycle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import reactor.core.publisher.Flux;

/** Races: concurrent applies of one table, of one identical spec, of one entity, of one project. */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"larder.grpc.port=0", "larder.grpc.host=127.0.0.1"})
class ConcurrentApplyIT {

  private static final String DRIVER = "driver";
  private static final int N = 16;
  private static final Duration RACE_TIMEOUT = Duration.ofSeconds(60);

  @Autowired GrpcServerLifecycle grpcServer;

  private GrpcClients clients;

  @BeforeEach
  void connect() {
    clients = GrpcClients.connect(grpcServer.port());
  }

  @AfterEach
  void disconnect() {
    clients.close();
  }

  @Test
  void concurrentAppliesOfDifferentSpecsOfOneTableAllSucceedWithRevisionsOneToN() {
    String project = projectWithDriver();
    Map<Long, FeatureTableSpec> variants = new HashMap<>();
    long before = latestSequence(clients);

    List<FeatureTable> applied = applyConcurrently(project, ConcurrentApplyIT::variant);

    List<Long> oneToN = LongStream.rangeClosed(1, N).boxed().toList();
    assertThat(applied).hasSize(N);
    assertThat(applied)
        .extracting(table -> table.getMeta().getRevision())
        .containsExactlyInAnyOrderElementsOf(oneToN);
    assertThat(applied)
        .extracting(FeatureTable::getSpec)
        .containsExactlyInAnyOrderElementsOf(
            IntStream.rangeClosed(1, N).mapToObj(ConcurrentApplyIT::variant).toList());
    for (FeatureTable table : applied) {
      variants.put(table.getMeta().getRevision(), table.getSpec());
    }

    FeatureTable stored = clients.core().getFeatureTable(getTable(project, "trips")).getTable();
    assertThat(stored.getMeta().getRevision()).isEqualTo(N);
    assertThat(stored.getSpec()).isEqualTo(variants.get((long) N));

    List<FeatureTable> revisions = revisions(project, "trips");
    assertThat(revisions)
        .extracting(t -> t.getMeta().getRevision())
        .containsExactlyElementsOf(oneToN);
    for (FeatureTable revision : revisions) {
      assertThat(revision.getSpec())
          .as("spec of revision %d", revision.getMeta().getRevision())
          .isEqualTo(variants.get(revision.getMeta().getRevision()));
    }

    List<Change> tableChanges =
        changesOf(clients, project, before).stream()
            .filter(change -> change.getKind() == Change.Kind.FEATURE_TABLE)
            .filter(change -> change.getName().equals("trips"))
            .toList();
    assertThat(tableChanges).hasSize(N);
    assertThat(tableChanges)
        .allSatisfy(change -> assertThat(change.getAction()).isEqualTo(Change.Action.APPLIED));
    assertThat(tableChanges).extracting(Change::getRevision).containsExactlyElementsOf(oneToN);
  }

  @Test
  void concurrentIdenticalAppliesOfANewTableCreateRevisionOneAndOneChange() {
    String project = projectWithDriver();
    long before = latestSequence(clients);

    List<FeatureTable> applied = applyConcurrently(project, i -> trips());

    FeatureTable stored = clients.core().getFeatureTable(getTable(project, "trips")).getTable();
    assertThat(stored.getMeta().getRevision()).isEqualTo(1);
    assertThat(stored.getSpec()).isEqualTo(trips());
    assertThat(applied).hasSize(N).allSatisfy(table -> assertThat(table).isEqualTo(stored));
    assertThat(revisions(project, "trips"))
        .extracting(t -> t.getMeta().getRevision())
        .containsExactly(1L);
    assertThat(changesOf(clients, project, before))
        .filteredOn(change -> change.getKind() == Change.Kind.FEATURE_TABLE)
        .singleElement()
        .satisfies(
            change -> {
              assertThat(change.getName()).isEqualTo("trips");
              assertThat(change.getAction()).isEqualTo(Change.Action.APPLIED);
              assertThat(change.getRevision()).isEqualTo(1);
            });
  }

  @Test
  void concurrentAppliesOfDifferentTablesAllCreateRevisionOne() {
    String project = projectWithDriver();

    List<FeatureTable> applied =
        applyConcurrently(
            project, i -> table("t_" + i, DRIVER, feature("f", ValueType.Enum.INT64)));

    assertThat(applied).allSatisfy(table -> assertThat(table.getMeta().getRevision()).isEqualTo(1));
    assertThat(applied)
        .extracting(table -> table.getSpec().getName())
        .containsExactlyInAnyOrderElementsOf(
            IntStream.rangeClosed(1, N).mapToObj(i -> "t_" + i).toList());
  }

  @Test
  void concurrentAppliesOfOneNewEntityInANewProjectAllSucceedAndStoreOneEntity() throws Exception {
    String project = uniqueProject();
    EntitySpecV2 spec = entity(DRIVER, ValueType.Enum.STRING);
    long before = latestSequence(clients);

    List<Entity> applied = race(8, () -> clients.apply(project, spec));

    List<Entity> stored =
        clients
            .core()
            .listEntities(
                ListEntitiesRequest.newBuilder()
                    .setFilter(ListEntitiesRequest.Filter.newBuilder().setProject(project))
                    .build())
            .getEntitiesList();
    assertThat(stored).hasSize(1);
    assertThat(stored.get(0).getSpec()).isEqualTo(spec);
    assertThat(applied)
        .hasSize(8)
        .allSatisfy(entity -> assertThat(entity).isEqualTo(stored.get(0)));
    assertThat(changesOf(clients, project, before))
        .extracting(change -> change.getKind() + "/" + change.getAction())
        .containsExactlyInAnyOrder("PROJECT/APPLIED", "ENTITY/APPLIED");
  }

  @Test
  void concurrentCreationOfOneProjectSucceedsOnceAndOtherwiseFailsWithAlreadyExists()
      throws Exception {
    String project = uniqueProject();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> calls = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        calls.add(
            pool.submit(
                () -> {
                  start.await();
                  return clients
                      .core()
                      .createProject(CreateProjectRequest.newBuilder().setName(project).build());
                }));
      }
      start.countDown();
      int succeeded = 0;
      for (Future<?> call : calls) {
        try {
          call.get(RACE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
          succeeded++;
        } catch (ExecutionException e) {
          assertStatusOf(e.getCause(), Code.ALREADY_EXISTS, project);
        }
      }
      assertThat(succeeded).isEqualTo(1);
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  // ---------------------------------------------------------------- helpers

  /** N ApplyFeatureTable calls in flight at once over the Reactor stub, in completion order. */
  private List<FeatureTable> applyConcurrently(
      String project, Function<Integer, FeatureTableSpec> specOf) {
    List<FeatureTable> applied =
        Flux.range(1, N)
            .flatMap(
                i -> clients.reactiveCore().applyFeatureTable(applyTable(project, specOf.apply(i))),
                N)
            .map(ApplyFeatureTableResponse::getTable)
            .collectList()
            .block(RACE_TIMEOUT);
    assertThat(applied).isNotNull();
    return applied;
  }

  /** Runs call on n threads released at the same instant; answers the results. */
  private static <T> List<T> race(int n, Callable<T> call) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  return call.call();
                }));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> future : futures) {
        results.add(future.get(RACE_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  private static FeatureTableSpec trips() {
    return table("trips", DRIVER, feature("trips", ValueType.Enum.INT64));
  }

  /** The i-th distinct spec of table trips: differs only in the label "variant". */
  private static FeatureTableSpec variant(int i) {
    return trips().toBuilder().putLabels("variant", Integer.toString(i)).build();
  }

  private String projectWithDriver() {
    String project = uniqueProject();
    clients.apply(project, entity(DRIVER, ValueType.Enum.STRING));
    return project;
  }

  private List<FeatureTable> revisions(String project, String name) {
    return clients
        .ext()
        .listFeatureTableRevisions(
            ListFeatureTableRevisionsRequest.newBuilder().setProject(project).setName(name).build())
        .getRevisionsList();
  }
}
