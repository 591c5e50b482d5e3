package io.larder.orchestrator.registry;

import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTable;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The registry's tables and entities of every project that is not archived, as last read: the
 * control loop's picture of what should run. Refreshed by project when the change feed names one,
 * whole on resyncs; a failed read keeps the last picture (so a registry outage never looks like
 * every table was deleted).
 */
@Component
public class TableDefinitions {

  private static final Logger log = LoggerFactory.getLogger(TableDefinitions.class);

  private final RegistryClient registry;
  private final Set<String> dirty = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean fullWanted = new AtomicBoolean(true);
  private volatile Map<String, Project> projects = Map.of();
  private volatile boolean loaded;
  private volatile String lastFailure;

  TableDefinitions(RegistryClient registry) {
    this.registry = registry;
  }

  /** A project's definitions. */
  public record Project(
      String name, Map<String, FeatureTable> tables, List<EntitySpecV2> entities) {}

  /** Whether a full read has succeeded at least once. */
  public boolean loaded() {
    return loaded;
  }

  public Map<String, Project> projects() {
    return projects;
  }

  public void markDirty(String project) {
    dirty.add(project.isEmpty() ? "default" : project);
  }

  public void markAll() {
    fullWanted.set(true);
  }

  /** Re-reads what was marked; on failure keeps the old picture and the marks. */
  public Mono<Void> refresh() {
    boolean full = fullWanted.getAndSet(false);
    Set<String> wanted = new HashSet<>(dirty);
    dirty.removeAll(wanted);
    if (!full && wanted.isEmpty()) {
      return Mono.empty();
    }
    return registry
        .projects()
        .flatMap(
            listed -> {
              Set<String> toRead = full ? new HashSet<>(listed) : new HashSet<>(wanted);
              toRead.retainAll(listed);
              return Flux.fromIterable(toRead)
                  .flatMap(this::read, 4)
                  .collectList()
                  .doOnNext(
                      read -> {
                        Map<String, Project> next = new HashMap<>(full ? Map.of() : projects);
                        // Projects no longer listed were archived (or never existed).
                        next.keySet().retainAll(listed);
                        read.forEach(project -> next.put(project.name(), project));
                        projects = Map.copyOf(next);
                        if (full) {
                          loaded = true;
                        }
                        if (lastFailure != null) {
                          log.info("registry at {} answers again", registry.target());
                          lastFailure = null;
                        }
                      });
            })
        .then()
        .onErrorResume(
            error -> {
              if (full) {
                fullWanted.set(true);
              }
              dirty.addAll(wanted);
              if (!error.getMessage().equals(lastFailure)) {
                log.warn(
                    "registry read failed; keeping the last definitions: {}", error.getMessage());
              }
              lastFailure = error.getMessage();
              return Mono.empty();
            });
  }

  private Mono<Project> read(String project) {
    return Mono.zip(registry.tables(project), registry.entities(project))
        .map(
            both -> {
              Map<String, FeatureTable> tables = new HashMap<>();
              both.getT1().forEach(table -> tables.put(table.getSpec().getName(), table));
              return new Project(project, Map.copyOf(tables), both.getT2());
            });
  }
}
