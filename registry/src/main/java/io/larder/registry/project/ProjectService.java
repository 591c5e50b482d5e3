package io.larder.registry.project;

import io.larder.proto.larder.RegistryExtProto.Change.Action;
import io.larder.proto.larder.RegistryExtProto.Change.Kind;
import io.larder.registry.Names;
import io.larder.registry.RegistryException;
import io.larder.registry.Timestamps;
import io.larder.registry.change.ChangeLog;
import io.larder.registry.write.RegistryWrites;
import java.time.Clock;
import java.util.Optional;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Projects: Feast's namespaces. */
@Service
public class ProjectService {

  private final ProjectStore projects;
  private final ChangeLog changes;
  private final RegistryWrites writes;
  private final Clock clock;

  ProjectService(ProjectStore projects, ChangeLog changes, RegistryWrites writes, Clock clock) {
    this.projects = projects;
    this.changes = changes;
    this.writes = writes;
    this.clock = clock;
  }

  public Mono<Void> create(String name) {
    return Mono.fromRunnable(() -> Names.checkProject("name", name))
        .then(
            writes.inWriteTransaction(
                () ->
                    projects
                        .insertIfAbsent(name)
                        .flatMap(
                            created ->
                                created
                                    ? recordCreated(name)
                                    : Mono.error(
                                        RegistryException.alreadyExists(
                                            "project '%s' already exists", name)))));
  }

  public Mono<Void> archive(String name) {
    if (name == null || name.isEmpty()) {
      return Mono.error(RegistryException.invalid("name: must not be empty"));
    }
    if (Names.DEFAULT_PROJECT.equals(name)) {
      return Mono.error(
          RegistryException.failedPrecondition("the default project cannot be archived"));
    }
    return writes.inWriteTransaction(
        () ->
            projects
                .find(name)
                .switchIfEmpty(
                    Mono.error(RegistryException.notFound("project '%s' does not exist", name)))
                .flatMap(
                    project ->
                        project.archived()
                            ? Mono.<Void>empty()
                            : projects
                                .archive(name)
                                .then(
                                    changes.record(
                                        name,
                                        Kind.PROJECT,
                                        name,
                                        Action.ARCHIVED,
                                        0,
                                        Timestamps.now(clock)))));
  }

  public Flux<String> list() {
    return projects.listActive();
  }

  /**
   * Inside a write transaction: makes sure {@code project} can take writes, creating it when it
   * does not exist yet (as Feast's apply does) and refusing an archived one.
   */
  public Mono<Void> requireWritable(String project) {
    return Mono.fromRunnable(() -> Names.checkProject("project", project))
        .then(projects.find(project).map(Optional::of).defaultIfEmpty(Optional.empty()))
        .flatMap(
            found -> {
              if (found.isEmpty()) {
                return projects
                    .insertIfAbsent(project)
                    .flatMap(created -> created ? recordCreated(project) : Mono.empty());
              }
              if (found.get().archived()) {
                return Mono.error(
                    // INVALID_ARGUMENT, as Feast 0.9 answers a write into an archived project.
                    RegistryException.invalid(
                        "project '%s' is archived and takes no writes", project));
              }
              return Mono.empty();
            });
  }

  private Mono<Void> recordCreated(String name) {
    return changes.record(name, Kind.PROJECT, name, Action.APPLIED, 0, Timestamps.now(clock));
  }
}
