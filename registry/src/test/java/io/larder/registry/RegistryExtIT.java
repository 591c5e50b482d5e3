package io.larder.registry;

import static io.larder.registry.support.RegistryFixtures.assertStatus;
import static io.larder.registry.support.RegistryFixtures.changesOf;
import static io.larder.registry.support.RegistryFixtures.entity;
import static io.larder.registry.support.RegistryFixtures.feature;
import static io.larder.registry.support.RegistryFixtures.latestSequence;
import static io.larder.registry.support.RegistryFixtures.table;
import static io.larder.registry.support.RegistryFixtures.uniqueProject;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status.Code;
import io.larder.proto.core.CoreServiceProto.ArchiveProjectRequest;
import io.larder.proto.core.CoreServiceProto.CreateProjectRequest;
import io.larder.proto.core.CoreServiceProto.DeleteFeatureTableRequest;
import io.larder.proto.core.CoreServiceProto.GetEntityRequest;
import io.larder.proto.core.FeatureTableProto.FeatureTable;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.larder.RegistryExtProto.Change;
import io.larder.proto.larder.RegistryExtProto.ChangeOnlineLayoutRequest;
import io.larder.proto.larder.RegistryExtProto.DeleteEntityRequest;
import io.larder.proto.larder.RegistryExtProto.ListChangesRequest;
import io.larder.proto.larder.RegistryExtProto.ListChangesResponse;
import io.larder.proto.larder.RegistryExtProto.ListFeatureTableRevisionsRequest;
import io.larder.proto.larder.RegistryExtProto.WatchChangesRequest;
import io.larder.proto.types.ValueProto.ValueType;
import io.larder.registry.support.GrpcClients;
import io.larder.support.grpc.GrpcServerLifecycle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** Pins RegistryExtService: table revision history, the paged change log and the change feed. */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"larder.grpc.port=0", "larder.grpc.host=127.0.0.1"})
class RegistryExtIT {

  private static final String DRIVER = "driver";

  /** How long a live change may take to reach a watcher (the contract says ~1 s). */
  private static final Duration WATCH_TIMEOUT = Duration.ofSeconds(5);

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

  // ---------------------------------------------------------------- ListFeatureTableRevisions

  @Test
  void revisionsListEveryStoredSpecOldestFirst() {
    String project = projectWithDriver();
    FeatureTableSpec v1 = trips();
    FeatureTableSpec v2 = v1.toBuilder().putLabels("team", "rides").build();
    FeatureTableSpec v3 =
        v2.toBuilder().addFeatures(feature("rating", ValueType.Enum.DOUBLE)).build();
    clients.apply(project, v1);
    clients.apply(project, v1);
    clients.apply(project, v2);
    FeatureTable latest = clients.apply(project, v3);

    List<FeatureTable> revisions = revisions(project, "trips");

    assertThat(revisions).extracting(t -> t.getMeta().getRevision()).containsExactly(1L, 2L, 3L);
    assertThat(revisions).extracting(FeatureTable::getSpec).containsExactly(v1, v2, v3);
    assertThat(revisions.get(2).getMeta().getRevision()).isEqualTo(latest.getMeta().getRevision());
  }

  @Test
  void aDeletedTableKeepsItsRevisionsAndReApplyingContinuesThem() {
    String project = projectWithDriver();
    FeatureTableSpec v1 = trips();
    FeatureTableSpec v2 = v1.toBuilder().putLabels("team", "rides").build();
    clients.apply(project, v1);
    clients.apply(project, v2);
    deleteTable(project, "trips");

    assertThat(revisions(project, "trips"))
        .extracting(t -> t.getMeta().getRevision())
        .containsExactly(1L, 2L);

    clients.apply(project, v1);

    List<FeatureTable> revisions = revisions(project, "trips");
    assertThat(revisions).extracting(t -> t.getMeta().getRevision()).containsExactly(1L, 2L, 3L);
    assertThat(revisions).extracting(FeatureTable::getSpec).containsExactly(v1, v2, v1);
  }

  @Test
  void revisionsOfATableThatNeverExistedFailWithNotFound() {
    String project = projectWithDriver();
    assertStatus(() -> revisions(project, "no_such_table"), Code.NOT_FOUND, "no_such_table");
  }

  // ---------------------------------------------------------------- ChangeOnlineLayout

  @Test
  void theLayoutSwitchIsANewRevisionThatDiffersInTheLabelOnlyAndIsIdempotent() {
    String project = projectWithDriver();
    FeatureTable v1 = clients.apply(project, trips());

    FeatureTable switched = changeLayout(project, "trips", "packed", v1.getMeta().getHash());

    assertThat(switched.getMeta().getRevision()).isEqualTo(2);
    assertThat(switched.getSpec())
        .isEqualTo(v1.getSpec().toBuilder().putLabels("larder.io/online-layout", "packed").build());
    assertThat(switched.getMeta().getHash()).isNotEqualTo(v1.getMeta().getHash());
    // Asked again (a job service that restarted mid-switch): answered as it is.
    assertThat(changeLayout(project, "trips", "packed", v1.getMeta().getHash()))
        .isEqualTo(switched);
    // An apply that changes the layout stays refused, and names the way to move.
    assertStatus(
        () -> clients.apply(project, trips()),
        Code.FAILED_PRECONDITION,
        "larder feature-tables migrate-layout trips --layout hash");
  }

  @Test
  void theLayoutSwitchIsRefusedWhenTheTableChangedSinceTheCopyOrTheLayoutIsUnknown() {
    String project = projectWithDriver();
    FeatureTable v1 = clients.apply(project, trips());
    clients.apply(project, trips().toBuilder().putLabels("team", "rides").build());

    assertStatus(
        () -> changeLayout(project, "trips", "packed", v1.getMeta().getHash()),
        Code.FAILED_PRECONDITION,
        "changed since its rows were copied");
    assertStatus(
        () -> changeLayout(project, "trips", "columnar", ""),
        Code.INVALID_ARGUMENT,
        "layout: must be one of hash, packed");
    assertStatus(
        () -> changeLayout(project, "no_such_table", "packed", ""),
        Code.NOT_FOUND,
        "no_such_table");
  }

  private FeatureTable changeLayout(String project, String name, String layout, String hash) {
    return clients
        .ext()
        .changeOnlineLayout(
            ChangeOnlineLayoutRequest.newBuilder()
                .setProject(project)
                .setName(name)
                .setLayout(layout)
                .setExpectedHash(hash)
                .build())
        .getTable();
  }

  // ---------------------------------------------------------------- DeleteEntity

  @Test
  void anUnusedEntityIsDeletedAndTheChangeRecorded() {
    String project = projectWithDriver();
    long before = latestSequence(clients);

    deleteEntity(project, DRIVER);

    assertStatus(
        () ->
            clients
                .core()
                .getEntity(
                    GetEntityRequest.newBuilder().setProject(project).setName(DRIVER).build()),
        Code.NOT_FOUND,
        DRIVER);
    assertThat(listChanges(before, 100).getChangesList())
        .extracting(Change::getProject, Change::getKind, Change::getName, Change::getAction)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                project, Change.Kind.ENTITY, DRIVER, Change.Action.DELETED));
    assertStatus(() -> deleteEntity(project, DRIVER), Code.NOT_FOUND, DRIVER);
  }

  @Test
  void anEntityATableUsesIsNotDeleted() {
    String project = projectWithDriver();
    clients.apply(project, trips());

    assertStatus(() -> deleteEntity(project, DRIVER), Code.FAILED_PRECONDITION, "trips");

    deleteTable(project, "trips");
    deleteEntity(project, DRIVER);
  }

  // ---------------------------------------------------------------- ListChanges

  @Test
  void everyWriteThatChangesSomethingIsRecordedInCommitOrder() {
    String project = uniqueProject();
    FeatureTableSpec v1 = trips();
    FeatureTableSpec v2 = v1.toBuilder().putLabels("team", "rides").build();
    long before = latestSequence(clients);

    createProject(project);
    clients.apply(project, entity(DRIVER, ValueType.Enum.STRING));
    clients.apply(project, entity(DRIVER, ValueType.Enum.STRING)); // identical: no change
    clients.apply(
        project,
        entity(DRIVER, ValueType.Enum.STRING).toBuilder().setDescription("changed").build());
    clients.apply(project, v1);
    clients.apply(project, v1); // identical: no change
    clients.apply(project, v2);
    deleteTable(project, "trips");
    clients.apply(project, v1);
    archiveProject(project);
    archiveProject(project); // already archived: no-op, no change

    List<Change> changes = changesOf(clients, project, before);

    assertThat(changes)
        .extracting(RegistryExtIT::describe)
        .containsExactly(
            "PROJECT/APPLIED",
            "ENTITY/APPLIED driver",
            "ENTITY/APPLIED driver",
            "FEATURE_TABLE/APPLIED trips r1",
            "FEATURE_TABLE/APPLIED trips r2",
            "FEATURE_TABLE/DELETED trips",
            "FEATURE_TABLE/APPLIED trips r3",
            "PROJECT/ARCHIVED");
    assertThat(changes).extracting(Change::getSequence).isSorted().doesNotHaveDuplicates();
    assertThat(changes).allSatisfy(change -> assertThat(change.hasChangedAt()).isTrue());
  }

  @Test
  void aProjectCreatedByAnApplyIsRecordedAsAppliedProject() {
    String project = uniqueProject();
    long before = latestSequence(clients);

    clients.apply(project, entity(DRIVER, ValueType.Enum.STRING));

    assertThat(changesOf(clients, project, before))
        .extracting(RegistryExtIT::describe)
        .containsExactlyInAnyOrder("PROJECT/APPLIED", "ENTITY/APPLIED driver");
  }

  @Test
  void changesArePagedBySinceAndLimitInAscendingOrder() {
    String project = uniqueProject();
    long before = latestSequence(clients);
    createProject(project);
    for (String name : List.of("a", "b", "c", "d")) {
      clients.apply(project, entity(name, ValueType.Enum.STRING));
    }

    List<Change> paged = new ArrayList<>();
    long since = before;
    for (int page = 0; page < 10_000; page++) {
      ListChangesResponse response = listChanges(since, 2);
      if (page == 0) {
        assertThat(response.getChangesList()).hasSize(2);
      }
      assertThat(response.getChangesList()).hasSizeLessThanOrEqualTo(2);
      if (response.getChangesCount() == 0) {
        break;
      }
      for (Change change : response.getChangesList()) {
        assertThat(change.getSequence()).isGreaterThan(since);
        since = change.getSequence();
        if (change.getProject().equals(project)) {
          paged.add(change);
        }
      }
      assertThat(response.getLatestSequence()).isGreaterThanOrEqualTo(since);
    }

    assertThat(paged)
        .extracting(RegistryExtIT::describe)
        .containsExactly(
            "PROJECT/APPLIED",
            "ENTITY/APPLIED a",
            "ENTITY/APPLIED b",
            "ENTITY/APPLIED c",
            "ENTITY/APPLIED d");
    assertThat(paged).isEqualTo(changesOf(clients, project, before));
  }

  @Test
  void aZeroLimitReturnsAtMostOneHundredChanges() {
    String project = uniqueProject();
    long before = latestSequence(clients);
    createProject(project);
    for (int i = 0; i < 101; i++) {
      clients.apply(project, entity("e_" + i, ValueType.Enum.STRING));
    }

    ListChangesResponse response = listChanges(before, 0);

    assertThat(response.getChangesList()).hasSize(100);
    assertThat(response.getChanges(0).getSequence()).isGreaterThan(before);
  }

  @Test
  void aLimitAboveOneThousandReturnsAtMostOneThousandChanges() {
    ListChangesResponse response = listChanges(0, 5000);
    assertThat(response.getChangesList()).hasSizeLessThanOrEqualTo(1000);
  }

  @Test
  void aNegativeLimitIsRefused() {
    assertStatus(() -> listChanges(0, -1), Code.INVALID_ARGUMENT, "limit");
  }

  @Test
  void latestSequenceIsTheNewestSequenceOverall() {
    String project = uniqueProject();
    long before = latestSequence(clients);
    createProject(project);
    clients.apply(project, entity(DRIVER, ValueType.Enum.STRING));
    List<Change> mine = changesOf(clients, project, before);
    long newest = mine.get(mine.size() - 1).getSequence();

    ListChangesResponse response = listChanges(before, 1);

    assertThat(response.getChangesList()).hasSize(1);
    assertThat(response.getLatestSequence()).isGreaterThanOrEqualTo(newest);
    ListChangesResponse after = listChanges(response.getLatestSequence(), 100);
    assertThat(after.getChangesList()).isEmpty();
    assertThat(after.getLatestSequence()).isEqualTo(response.getLatestSequence());
  }

  // ---------------------------------------------------------------- WatchChanges

  @Test
  void watchingFromTheLatestSequenceStreamsNewChangesAsTheyAreCommitted() {
    String project = uniqueProject();
    createProject(project);
    long since = latestSequence(clients);

    StepVerifier.create(watch(project, since))
        .expectSubscription()
        .then(
            () -> {
              clients.apply(project, entity(DRIVER, ValueType.Enum.STRING));
              clients.apply(project, trips());
            })
        .assertNext(
            change -> {
              assertThat(describe(change)).isEqualTo("ENTITY/APPLIED driver");
              assertThat(change.getSequence()).isGreaterThan(since);
            })
        .assertNext(
            change -> assertThat(describe(change)).isEqualTo("FEATURE_TABLE/APPLIED trips r1"))
        .thenCancel()
        .verify(WATCH_TIMEOUT);
  }

  @Test
  void watchingReplaysChangesAfterTheGivenSequenceThenStreamsLiveOnes() {
    String project = uniqueProject();
    createProject(project);
    long since = latestSequence(clients);
    clients.apply(project, entity(DRIVER, ValueType.Enum.STRING));
    FeatureTableSpec v1 = trips();
    clients.apply(project, v1);

    StepVerifier.create(watch(project, since))
        .assertNext(change -> assertThat(describe(change)).isEqualTo("ENTITY/APPLIED driver"))
        .assertNext(
            change -> assertThat(describe(change)).isEqualTo("FEATURE_TABLE/APPLIED trips r1"))
        .then(() -> clients.apply(project, v1.toBuilder().putLabels("team", "rides").build()))
        .assertNext(
            change -> assertThat(describe(change)).isEqualTo("FEATURE_TABLE/APPLIED trips r2"))
        .thenCancel()
        .verify(WATCH_TIMEOUT);
  }

  @Test
  void watchedChangesEqualTheListedOnes() {
    String project = uniqueProject();
    long since = latestSequence(clients);
    createProject(project);
    clients.apply(project, entity(DRIVER, ValueType.Enum.STRING));
    clients.apply(project, trips());
    List<Change> listed = changesOf(clients, project, since);
    assertThat(listed).hasSize(3);

    StepVerifier.create(watch(project, since).take(3))
        .expectNextSequence(listed)
        .expectComplete()
        .verify(WATCH_TIMEOUT);
  }

  // ---------------------------------------------------------------- helpers

  /** "KIND/ACTION", plus " name" for entities and tables, plus " rN" for applied tables. */
  private static String describe(Change change) {
    StringBuilder text =
        new StringBuilder(change.getKind().name()).append('/').append(change.getAction().name());
    if (change.getKind() != Change.Kind.PROJECT) {
      text.append(' ').append(change.getName());
    }
    if (change.getKind() == Change.Kind.FEATURE_TABLE
        && change.getAction() == Change.Action.APPLIED) {
      text.append(" r").append(change.getRevision());
    }
    return text.toString();
  }

  private static FeatureTableSpec trips() {
    return table("trips", DRIVER, feature("trips", ValueType.Enum.INT64));
  }

  /** The change feed from since, only the changes of project, with a 30 s call deadline. */
  private Flux<Change> watch(String project, long since) {
    return clients
        .reactiveExt(Duration.ofSeconds(30))
        .watchChanges(WatchChangesRequest.newBuilder().setSinceSequence(since).build())
        .filter(change -> change.getProject().equals(project));
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

  private void deleteEntity(String project, String name) {
    clients
        .ext()
        .deleteEntity(DeleteEntityRequest.newBuilder().setProject(project).setName(name).build());
  }

  private ListChangesResponse listChanges(long since, int limit) {
    return clients
        .ext()
        .listChanges(
            ListChangesRequest.newBuilder().setSinceSequence(since).setLimit(limit).build());
  }

  private void createProject(String name) {
    clients.core().createProject(CreateProjectRequest.newBuilder().setName(name).build());
  }

  private void archiveProject(String name) {
    clients.core().archiveProject(ArchiveProjectRequest.newBuilder().setName(name).build());
  }

  private void deleteTable(String project, String name) {
    clients
        .core()
        .deleteFeatureTable(
            DeleteFeatureTableRequest.newBuilder().setProject(project).setName(name).build());
  }
}
