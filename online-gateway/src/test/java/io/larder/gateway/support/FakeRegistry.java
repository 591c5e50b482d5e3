package io.larder.gateway.support;

import com.google.protobuf.Timestamp;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.larder.proto.core.CoreServiceProto.ListEntitiesRequest;
import io.larder.proto.core.CoreServiceProto.ListEntitiesResponse;
import io.larder.proto.core.CoreServiceProto.ListFeatureTablesRequest;
import io.larder.proto.core.CoreServiceProto.ListFeatureTablesResponse;
import io.larder.proto.core.CoreServiceProto.ListProjectsRequest;
import io.larder.proto.core.CoreServiceProto.ListProjectsResponse;
import io.larder.proto.core.EntityProto.Entity;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTable;
import io.larder.proto.core.FeatureTableProto.FeatureTableMeta;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.core.ReactorCoreServiceGrpc;
import io.larder.proto.larder.ReactorRegistryExtServiceGrpc;
import io.larder.proto.larder.RegistryExtProto.Change;
import io.larder.proto.larder.RegistryExtProto.ListChangesRequest;
import io.larder.proto.larder.RegistryExtProto.ListChangesResponse;
import io.larder.proto.larder.RegistryExtProto.WatchChangesRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A registry for the gateway's tests: a real gRPC server on 127.0.0.1 serving CoreService's
 * ListProjects / ListFeatureTables / ListEntities and RegistryExtService's ListChanges /
 * WatchChanges from specs the test sets. Every {@link #setTables} is recorded as changes and
 * streamed to watchers, like the real registry's change feed. State survives {@link #stop} and
 * {@link #restart} (like the registry's database).
 *
 * <pre>{@code
 * FakeRegistry registry = FakeRegistry.started();          // free port
 * registry.setTables("p", List.of(table), List.of(entity));
 * // point the gateway at it: larder.registry.target = registry.target()
 * registry.stop();                                         // registry gone; gateway keeps its cache
 * }</pre>
 */
public final class FakeRegistry implements AutoCloseable {

  public static final String DEFAULT_PROJECT = "default";

  private final Map<String, Project> projects = new ConcurrentHashMap<>();
  private final List<Change> changes = new CopyOnWriteArrayList<>();
  private final Sinks.Many<Change> liveChanges = Sinks.many().replay().all();
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicInteger listProjectsCalls = new AtomicInteger();
  private final AtomicInteger listFeatureTablesCalls = new AtomicInteger();
  private final AtomicInteger watchCalls = new AtomicInteger();
  private final AtomicInteger listChangesCalls = new AtomicInteger();
  private volatile boolean changeFeed = true;
  private volatile Server server;
  private volatile int port;

  private record Project(List<FeatureTableSpec> tables, List<EntitySpecV2> entities) {}

  public FakeRegistry() {
    projects.put(DEFAULT_PROJECT, new Project(List.of(), List.of()));
  }

  /** A registry already serving on a free port. */
  public static FakeRegistry started() {
    return new FakeRegistry().start(0);
  }

  /**
   * Starts serving on {@code port} (0: a free one).
   *
   * @return this
   */
  public synchronized FakeRegistry start(int port) {
    if (server != null) {
      throw new IllegalStateException("already serving on " + this.port);
    }
    try {
      server =
          NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
              .addService(new Core())
              .addService(new Ext())
              .build()
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("fake registry cannot bind 127.0.0.1:" + port, e);
    }
    this.port = server.getPort();
    return this;
  }

  /** Serves again on the port it had before {@link #stop}, with the same state. */
  public synchronized FakeRegistry restart() {
    if (port == 0) {
      throw new IllegalStateException("never started");
    }
    return start(port);
  }

  /** Goes away like a crashed registry: open calls and change feeds break at once. */
  public synchronized void stop() {
    Server running = server;
    if (running == null) {
      return;
    }
    running.shutdownNow();
    try {
      running.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server = null;
  }

  @Override
  public void close() {
    stop();
  }

  public boolean running() {
    return server != null;
  }

  public int port() {
    return port;
  }

  /** The gRPC target to give the gateway ({@code larder.registry.target}). */
  public String target() {
    return "127.0.0.1:" + port;
  }

  /**
   * Replaces a project's tables and entities (creating the project), recording a change for the
   * project (when new), each entity and each table, as applying them to the registry would.
   */
  public void setTables(
      String project, List<FeatureTableSpec> tables, List<EntitySpecV2> entities) {
    Project previous =
        projects.put(project, new Project(List.copyOf(tables), List.copyOf(entities)));
    if (previous == null) {
      record(project, Change.Kind.PROJECT, project, Change.Action.APPLIED);
    }
    for (EntitySpecV2 entity : entities) {
      record(project, Change.Kind.ENTITY, entity.getName(), Change.Action.APPLIED);
    }
    for (FeatureTableSpec table : tables) {
      record(project, Change.Kind.FEATURE_TABLE, table.getName(), Change.Action.APPLIED);
    }
    if (previous != null) {
      for (FeatureTableSpec old : previous.tables()) {
        if (tables.stream().noneMatch(table -> table.getName().equals(old.getName()))) {
          record(project, Change.Kind.FEATURE_TABLE, old.getName(), Change.Action.DELETED);
        }
      }
    }
  }

  /** Archives a project: it is no longer listed. */
  public void archiveProject(String project) {
    if (projects.remove(project) != null) {
      record(project, Change.Kind.PROJECT, project, Change.Action.ARCHIVED);
    }
  }

  /**
   * With {@code false}, RegistryExtService answers UNIMPLEMENTED, like a Feast 0.9 Core without
   * Larder's change feed; the gateway then relies on its periodic reload.
   */
  public void changeFeed(boolean enabled) {
    this.changeFeed = enabled;
  }

  public long latestSequence() {
    return sequence.get();
  }

  public int listProjectsCalls() {
    return listProjectsCalls.get();
  }

  public int listFeatureTablesCalls() {
    return listFeatureTablesCalls.get();
  }

  /** How many WatchChanges calls were made (a reconnecting watcher makes several). */
  public int watchCalls() {
    return watchCalls.get();
  }

  /** ListChanges calls, answered or not. */
  public int listChangesCalls() {
    return listChangesCalls.get();
  }

  private synchronized void record(
      String project, Change.Kind kind, String name, Change.Action action) {
    Instant now = Instant.now();
    Change change =
        Change.newBuilder()
            .setSequence(sequence.incrementAndGet())
            .setProject(project)
            .setKind(kind)
            .setName(name)
            .setAction(action)
            .setRevision(1)
            .setChangedAt(
                Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
            .build();
    changes.add(change);
    liveChanges.emitNext(change, Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
  }

  private static String project(String requested) {
    return requested.isEmpty() ? DEFAULT_PROJECT : requested;
  }

  private final class Core extends ReactorCoreServiceGrpc.CoreServiceImplBase {

    @Override
    public Mono<ListProjectsResponse> listProjects(ListProjectsRequest request) {
      listProjectsCalls.incrementAndGet();
      return Mono.fromSupplier(
          () ->
              ListProjectsResponse.newBuilder()
                  .addAllProjects(projects.keySet().stream().sorted().toList())
                  .build());
    }

    @Override
    public Mono<ListFeatureTablesResponse> listFeatureTables(ListFeatureTablesRequest request) {
      listFeatureTablesCalls.incrementAndGet();
      return Mono.fromSupplier(
          () -> {
            Project found = projects.get(project(request.getFilter().getProject()));
            ListFeatureTablesResponse.Builder response = ListFeatureTablesResponse.newBuilder();
            if (found != null) {
              for (FeatureTableSpec table : found.tables()) {
                response.addTables(
                    FeatureTable.newBuilder()
                        .setSpec(table)
                        .setMeta(FeatureTableMeta.newBuilder().setRevision(1)));
              }
            }
            return response.build();
          });
    }

    @Override
    public Mono<ListEntitiesResponse> listEntities(ListEntitiesRequest request) {
      return Mono.fromSupplier(
          () -> {
            Project found = projects.get(project(request.getFilter().getProject()));
            ListEntitiesResponse.Builder response = ListEntitiesResponse.newBuilder();
            if (found != null) {
              for (EntitySpecV2 entity : found.entities()) {
                response.addEntities(Entity.newBuilder().setSpec(entity));
              }
            }
            return response.build();
          });
    }
  }

  private final class Ext extends ReactorRegistryExtServiceGrpc.RegistryExtServiceImplBase {

    @Override
    public Mono<ListChangesResponse> listChanges(ListChangesRequest request) {
      listChangesCalls.incrementAndGet();
      if (!changeFeed) {
        return Mono.error(Status.UNIMPLEMENTED.asRuntimeException());
      }
      return Mono.fromSupplier(
          () -> {
            int limit = request.getLimit() == 0 ? 100 : request.getLimit();
            List<Change> page = new ArrayList<>();
            for (Change change : changes) {
              if (change.getSequence() > request.getSinceSequence() && page.size() < limit) {
                page.add(change);
              }
            }
            return ListChangesResponse.newBuilder()
                .addAllChanges(page)
                .setLatestSequence(sequence.get())
                .build();
          });
    }

    @Override
    public Flux<Change> watchChanges(WatchChangesRequest request) {
      watchCalls.incrementAndGet();
      if (!changeFeed) {
        return Flux.error(Status.UNIMPLEMENTED.asRuntimeException());
      }
      return liveChanges
          .asFlux()
          .filter(change -> change.getSequence() > request.getSinceSequence());
    }
  }
}
