package io.larder.registry.entity;

import io.larder.proto.core.EntityProto.Entity;
import io.larder.proto.core.EntityProto.EntityMeta;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.larder.RegistryExtProto.Change.Action;
import io.larder.proto.larder.RegistryExtProto.Change.Kind;
import io.larder.registry.Labels;
import io.larder.registry.Names;
import io.larder.registry.RegistryException;
import io.larder.registry.Timestamps;
import io.larder.registry.ValueTypes;
import io.larder.registry.change.ChangeLog;
import io.larder.registry.featuretable.FeatureTableStore;
import io.larder.registry.project.ProjectService;
import io.larder.registry.write.RegistryWrites;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Entities: the keys that feature values are looked up by. */
@Service
public class EntityService {

  private final EntityStore entities;
  private final FeatureTableStore tables;
  private final ProjectService projects;
  private final ChangeLog changes;
  private final RegistryWrites writes;
  private final Clock clock;

  EntityService(
      EntityStore entities,
      FeatureTableStore tables,
      ProjectService projects,
      ChangeLog changes,
      RegistryWrites writes,
      Clock clock) {
    this.entities = entities;
    this.tables = tables;
    this.projects = projects;
    this.changes = changes;
    this.writes = writes;
    this.clock = clock;
  }

  /** Creates or updates; an identical spec changes nothing. */
  public Mono<Entity> apply(String requestedProject, EntitySpecV2 spec) {
    String project = Names.project(requestedProject);
    return Mono.fromRunnable(() -> validate(spec))
        .then(
            writes.inWriteTransaction(
                () ->
                    projects
                        .requireWritable(project)
                        .then(
                            entities
                                .find(project, spec.getName())
                                .map(Optional::of)
                                .defaultIfEmpty(Optional.empty()))
                        .flatMap(existing -> applyOver(project, spec, existing.orElse(null)))));
  }

  private Mono<Entity> applyOver(String project, EntitySpecV2 spec, Entity existing) {
    if (existing != null && existing.getSpec().equals(spec)) {
      return Mono.just(existing);
    }
    Mono<Void> typeChangeAllowed =
        existing == null || existing.getSpec().getValueType() == spec.getValueType()
            ? Mono.empty()
            : refuseTypeChangeIfUsed(project, existing.getSpec(), spec);
    Instant now = Timestamps.now(clock);
    Entity entity =
        Entity.newBuilder()
            .setSpec(spec)
            .setMeta(
                EntityMeta.newBuilder()
                    .setCreatedTimestamp(
                        existing == null
                            ? Timestamps.of(now)
                            : existing.getMeta().getCreatedTimestamp())
                    .setLastUpdatedTimestamp(Timestamps.of(now)))
            .build();
    return typeChangeAllowed
        .then(entities.save(project, entity))
        .then(changes.record(project, Kind.ENTITY, spec.getName(), Action.APPLIED, 0, now))
        .thenReturn(entity);
  }

  private Mono<Void> refuseTypeChangeIfUsed(
      String project, EntitySpecV2 stored, EntitySpecV2 requested) {
    return tables
        .list(project)
        .filter(table -> table.getSpec().getEntitiesList().contains(stored.getName()))
        .map(table -> table.getSpec().getName())
        .collectList()
        .flatMap(
            users ->
                users.isEmpty()
                    ? Mono.empty()
                    : Mono.error(
                        // INVALID_ARGUMENT, as Feast 0.9 answers a change of an entity's type.
                        RegistryException.invalid(
                            "spec.value_type: entity '%s' is %s and used by feature tables %s;"
                                + " its type cannot change to %s",
                            stored.getName(),
                            stored.getValueType(),
                            users,
                            requested.getValueType())));
  }

  public Mono<Entity> get(String requestedProject, String name) {
    String project = Names.project(requestedProject);
    if (name == null || name.isEmpty()) {
      return Mono.error(RegistryException.invalid("name: must not be empty"));
    }
    return entities
        .find(project, name)
        .switchIfEmpty(
            Mono.error(
                RegistryException.notFound(
                    "entity '%s' does not exist in project '%s'", name, project)));
  }

  /** Deletes an entity; refused while a feature table of its project uses it. */
  public Mono<Void> delete(String requestedProject, String name) {
    String project = Names.project(requestedProject);
    if (name == null || name.isEmpty()) {
      return Mono.error(RegistryException.invalid("name: must not be empty"));
    }
    return writes.inWriteTransaction(
        () ->
            projects
                .requireWritable(project)
                .then(get(project, name))
                .flatMap(
                    entity ->
                        tables
                            .list(project)
                            .filter(t -> t.getSpec().getEntitiesList().contains(name))
                            .map(t -> t.getSpec().getName())
                            .collectList())
                .flatMap(
                    users ->
                        users.isEmpty()
                            ? entities
                                .delete(project, name)
                                .then(
                                    changes.record(
                                        project,
                                        Kind.ENTITY,
                                        name,
                                        Action.DELETED,
                                        0,
                                        Timestamps.now(clock)))
                            : Mono.error(
                                RegistryException.failedPrecondition(
                                    "entity '%s' is used by feature tables %s; delete or change"
                                        + " them first",
                                    name, users))));
  }

  /** The project's entities that carry all of {@code labels}. */
  public Flux<Entity> list(String requestedProject, Map<String, String> labels) {
    return entities
        .list(Names.project(requestedProject))
        .filter(entity -> Labels.containsAll(entity.getSpec().getLabelsMap(), labels));
  }

  static void validate(EntitySpecV2 spec) {
    Names.checkColumnName("spec.name", spec.getName());
    ValueTypes.check("spec.value_type", spec.getValueTypeValue());
  }
}
