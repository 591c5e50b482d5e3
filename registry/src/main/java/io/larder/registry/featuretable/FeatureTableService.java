package io.larder.registry.featuretable;

import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTable;
import io.larder.proto.core.FeatureTableProto.FeatureTableMeta;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.larder.RegistryExtProto.Change.Action;
import io.larder.proto.larder.RegistryExtProto.Change.Kind;
import io.larder.registry.Labels;
import io.larder.registry.Names;
import io.larder.registry.RegistryException;
import io.larder.registry.Timestamps;
import io.larder.registry.change.ChangeLog;
import io.larder.registry.entity.EntityStore;
import io.larder.registry.project.ProjectService;
import io.larder.registry.write.RegistryWrites;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Feature tables: groups of features keyed by the same entities, with their sources. */
@Service
public class FeatureTableService {

  private final FeatureTableStore tables;
  private final EntityStore entities;
  private final ProjectService projects;
  private final ChangeLog changes;
  private final RegistryWrites writes;
  private final Clock clock;

  FeatureTableService(
      FeatureTableStore tables,
      EntityStore entities,
      ProjectService projects,
      ChangeLog changes,
      RegistryWrites writes,
      Clock clock) {
    this.tables = tables;
    this.entities = entities;
    this.projects = projects;
    this.changes = changes;
    this.writes = writes;
    this.clock = clock;
  }

  /** Creates or updates; an identical spec changes nothing, any other change is a new revision. */
  public Mono<FeatureTable> apply(String requestedProject, FeatureTableSpec spec) {
    String project = Names.project(requestedProject);
    return Mono.fromCallable(
            () -> {
              FeatureTableValidator.validate(spec);
              // Before comparing and hashing, so re-applying the spec as written is a no-op.
              return StreamFormatLabel.normalize(spec);
            })
        .flatMap(
            stored ->
                writes.inWriteTransaction(
                    () ->
                        projects
                            .requireWritable(project)
                            .then(requireEntities(project, stored.getEntitiesList()))
                            .then(
                                tables
                                    .find(project, stored.getName())
                                    .map(Optional::of)
                                    .defaultIfEmpty(Optional.empty()))
                            .flatMap(
                                existing -> applyOver(project, stored, existing.orElse(null)))));
  }

  private Mono<Void> requireEntities(String project, List<String> names) {
    return Flux.fromIterable(names)
        .concatMap(
            name ->
                entities
                    .find(project, name)
                    .switchIfEmpty(
                        // INVALID_ARGUMENT, as Feast 0.9 answers: clients written for it branch on
                        // it.
                        Mono.error(
                            RegistryException.invalid(
                                "table_spec.entities: entity '%s' is not registered in project"
                                    + " '%s'; apply it first",
                                name, project))))
        .then();
  }

  private Mono<FeatureTable> applyOver(
      String project, FeatureTableSpec spec, FeatureTable existing) {
    if (existing != null && existing.getSpec().equals(spec)) {
      return Mono.just(existing);
    }
    if (existing != null
        && !Set.copyOf(existing.getSpec().getEntitiesList())
            .equals(Set.copyOf(spec.getEntitiesList()))) {
      return Mono.error(
          // INVALID_ARGUMENT, as Feast 0.9 answers a change of a table's entities.
          RegistryException.invalid(
              "table_spec.entities: the entities of table '%s' are %s and cannot change;"
                  + " delete the table or apply a new one",
              spec.getName(), existing.getSpec().getEntitiesList()));
    }
    if (existing != null) {
      try {
        OnlineLayoutLabel.checkUnchanged(existing.getSpec(), spec);
      } catch (RegistryException refused) {
        return Mono.error(refused);
      }
    }
    return saveRevision(project, spec, existing);
  }

  /**
   * Switches a table to another online layout, once the job service has copied its rows: a new
   * revision that differs in the layout label only. Refused when the table changed since the copy
   * began ({@code expectedHash}, unless empty); a table already in the layout is answered as is.
   */
  public Mono<FeatureTable> changeOnlineLayout(
      String requestedProject, String name, String layout, String expectedHash) {
    String project = Names.project(requestedProject);
    return Mono.fromCallable(
            () -> {
              if (name == null || name.isEmpty()) {
                throw RegistryException.invalid("name: must not be empty");
              }
              return OnlineLayoutLabel.named("layout", layout);
            })
        .flatMap(
            wanted ->
                writes.inWriteTransaction(
                    () ->
                        projects
                            .requireWritable(project)
                            .then(tables.find(project, name))
                            .switchIfEmpty(Mono.error(notFound(project, name)))
                            .flatMap(
                                existing -> {
                                  if (OnlineLayoutLabel.of(existing.getSpec()).equals(wanted)) {
                                    return Mono.just(existing);
                                  }
                                  if (!expectedHash.isEmpty()
                                      && !expectedHash.equals(existing.getMeta().getHash())) {
                                    return Mono.<FeatureTable>error(
                                        RegistryException.failedPrecondition(
                                            "feature table '%s' changed since its rows were copied"
                                                + " (now revision %d); copy them again",
                                            name, existing.getMeta().getRevision()));
                                  }
                                  FeatureTableSpec next =
                                      existing.getSpec().toBuilder()
                                          .putLabels(OnlineLayoutLabel.KEY, wanted)
                                          .build();
                                  return saveRevision(project, next, existing);
                                })));
  }

  private Mono<FeatureTable> saveRevision(
      String project, FeatureTableSpec spec, FeatureTable existing) {
    Mono<Long> revision =
        existing != null
            ? Mono.just(existing.getMeta().getRevision() + 1)
            : tables.maxRevision(project, spec.getName()).map(max -> max + 1);
    Instant now = Timestamps.now(clock);
    return revision.flatMap(
        next -> {
          FeatureTable table =
              FeatureTable.newBuilder()
                  .setSpec(spec)
                  .setMeta(
                      FeatureTableMeta.newBuilder()
                          .setCreatedTimestamp(
                              existing == null
                                  ? Timestamps.of(now)
                                  : existing.getMeta().getCreatedTimestamp())
                          .setLastUpdatedTimestamp(Timestamps.of(now))
                          .setRevision(next)
                          .setHash(SpecHash.of(spec)))
                  .build();
          return tables
              .save(project, table)
              .then(
                  changes.record(
                      project, Kind.FEATURE_TABLE, spec.getName(), Action.APPLIED, next, now))
              .thenReturn(table);
        });
  }

  public Mono<FeatureTable> get(String requestedProject, String name) {
    String project = Names.project(requestedProject);
    if (name == null || name.isEmpty()) {
      return Mono.error(RegistryException.invalid("name: must not be empty"));
    }
    return tables.find(project, name).switchIfEmpty(Mono.error(notFound(project, name)));
  }

  /** The project's tables that carry all of {@code labels}. */
  public Flux<FeatureTable> list(String requestedProject, Map<String, String> labels) {
    return tables
        .list(Names.project(requestedProject))
        .filter(table -> Labels.containsAll(table.getSpec().getLabelsMap(), labels));
  }

  public Mono<Void> delete(String requestedProject, String name) {
    String project = Names.project(requestedProject);
    if (name == null || name.isEmpty()) {
      return Mono.error(RegistryException.invalid("name: must not be empty"));
    }
    return writes.inWriteTransaction(
        () ->
            projects
                .requireWritable(project)
                .then(tables.find(project, name))
                .switchIfEmpty(Mono.error(notFound(project, name)))
                .flatMap(
                    table ->
                        tables
                            .delete(project, name)
                            .then(
                                changes.record(
                                    project,
                                    Kind.FEATURE_TABLE,
                                    name,
                                    Action.DELETED,
                                    table.getMeta().getRevision(),
                                    Timestamps.now(clock)))));
  }

  public Flux<FeatureTable> revisions(String requestedProject, String name) {
    String project = Names.project(requestedProject);
    return tables.revisions(project, name).switchIfEmpty(Mono.error(notFound(project, name)));
  }

  /**
   * Feast's ListFeatures: {@code table:feature} of the project's tables whose entity set equals
   * {@code entities} (when given), keeping features that carry all of {@code labels}.
   */
  public Mono<Map<String, FeatureSpecV2>> features(
      String requestedProject, List<String> entities, Map<String, String> labels) {
    Set<String> wantedEntities = new HashSet<>(entities);
    return tables
        .list(Names.project(requestedProject))
        .filter(
            table ->
                wantedEntities.isEmpty()
                    || new HashSet<>(table.getSpec().getEntitiesList()).equals(wantedEntities))
        .collect(
            LinkedHashMap::new,
            (Map<String, FeatureSpecV2> features, FeatureTable table) ->
                table.getSpec().getFeaturesList().stream()
                    .filter(feature -> Labels.containsAll(feature.getLabelsMap(), labels))
                    .forEach(
                        feature ->
                            features.put(
                                table.getSpec().getName() + ":" + feature.getName(), feature)));
  }

  private static RegistryException notFound(String project, String name) {
    return RegistryException.notFound(
        "feature table '%s' does not exist in project '%s'", name, project);
  }
}
