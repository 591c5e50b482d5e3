package io.larder.registry.api.http;

import io.larder.proto.core.CoreServiceProto.ApplyEntityResponse;
import io.larder.proto.core.CoreServiceProto.ApplyFeatureTableResponse;
import io.larder.proto.core.CoreServiceProto.ArchiveProjectResponse;
import io.larder.proto.core.CoreServiceProto.CreateProjectRequest;
import io.larder.proto.core.CoreServiceProto.CreateProjectResponse;
import io.larder.proto.core.CoreServiceProto.DeleteFeatureTableResponse;
import io.larder.proto.core.CoreServiceProto.GetEntityResponse;
import io.larder.proto.core.CoreServiceProto.GetFeastCoreVersionResponse;
import io.larder.proto.core.CoreServiceProto.GetFeatureTableResponse;
import io.larder.proto.core.CoreServiceProto.ListEntitiesResponse;
import io.larder.proto.core.CoreServiceProto.ListFeatureTablesResponse;
import io.larder.proto.core.CoreServiceProto.ListFeaturesResponse;
import io.larder.proto.core.CoreServiceProto.ListProjectsResponse;
import io.larder.proto.core.CoreServiceProto.ListStoresResponse;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.core.StoreProto.Store;
import io.larder.proto.larder.RegistryExtProto.DeleteEntityResponse;
import io.larder.proto.larder.RegistryExtProto.ListFeatureTableRevisionsResponse;
import io.larder.registry.RegistryException;
import io.larder.registry.RegistryVersion;
import io.larder.registry.api.Access;
import io.larder.registry.change.ChangeFeed;
import io.larder.registry.entity.EntityService;
import io.larder.registry.featuretable.FeatureTableService;
import io.larder.registry.project.ProjectService;
import io.larder.registry.storeconfig.StoreConfigService;
import io.larder.support.http.ProtoJson;
import io.larder.support.security.Caller;
import io.larder.support.security.HttpCallers;
import io.larder.support.security.ProjectRole;
import io.larder.support.security.SecurityProperties;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** Adapts HTTP requests to the registry's services; same semantics as the gRPC API. */
@Component
class RegistryHttpHandlers {

  private final RegistryVersion version;
  private final ProjectService projects;
  private final EntityService entities;
  private final FeatureTableService tables;
  private final StoreConfigService stores;
  private final ChangeFeed changes;
  private final HttpCallers callers;
  private final boolean authentication;

  RegistryHttpHandlers(
      RegistryVersion version,
      ProjectService projects,
      EntityService entities,
      FeatureTableService tables,
      StoreConfigService stores,
      ChangeFeed changes,
      HttpCallers callers,
      SecurityProperties security) {
    this.callers = callers;
    this.authentication = security.enabled();
    this.version = version;
    this.projects = projects;
    this.entities = entities;
    this.tables = tables;
    this.stores = stores;
    this.changes = changes;
  }

  Mono<ServerResponse> version(ServerRequest request) {
    return ProtoJson.ok(
        GetFeastCoreVersionResponse.newBuilder().setVersion(version.value()).build());
  }

  /** The caller and their roles, so a client (the console) offers only what they may do. */
  Mono<ServerResponse> me(ServerRequest request) {
    return callers
        .of(request)
        .flatMap(
            caller ->
                ServerResponse.ok()
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(CallerView.of(caller, authentication)));
  }

  /**
   * The answer of {@code GET /api/v1/me} (plain JSON: no proto message describes it).
   *
   * @param subject the token's subject; {@code anonymous} with authentication off
   * @param authentication whether the registry checks tokens
   * @param roles project (or {@code *}, every project) to reader, writer or admin
   */
  record CallerView(String subject, boolean authentication, Map<String, String> roles) {

    static CallerView of(Caller caller, boolean authentication) {
      Map<String, String> roles = new TreeMap<>();
      caller.roles().forEach((project, role) -> roles.put(project, role.label()));
      return new CallerView(caller.subject(), authentication, roles);
    }
  }

  Mono<ServerResponse> listProjects(ServerRequest request) {
    return callers
        .of(request)
        .flatMapMany(caller -> projects.list().filter(name -> Access.mayList(caller, name)))
        .collectList()
        .flatMap(
            names -> ProtoJson.ok(ListProjectsResponse.newBuilder().addAllProjects(names).build()));
  }

  Mono<ServerResponse> createProject(ServerRequest request) {
    return ProtoJson.<CreateProjectRequest>body(request, CreateProjectRequest::newBuilder)
        .flatMap(
            create ->
                allowed(request, ProjectRole.ADMIN, create.getName(), "create projects")
                    .then(Mono.defer(() -> projects.create(create.getName()))))
        .then(
            ProtoJson.respond(
                ServerResponse.status(201), CreateProjectResponse.getDefaultInstance()));
  }

  Mono<ServerResponse> archiveProject(ServerRequest request) {
    return allowed(request, ProjectRole.ADMIN, request.pathVariable("project"), "archive projects")
        .then(
            Mono.defer(
                () ->
                    projects
                        .archive(request.pathVariable("project"))
                        .then(ProtoJson.ok(ArchiveProjectResponse.getDefaultInstance()))));
  }

  Mono<ServerResponse> applyEntity(ServerRequest request) {
    return allowed(request, ProjectRole.WRITER, request.pathVariable("project"), "apply entities")
        .then(
            Mono.defer(
                () ->
                    ProtoJson.<EntitySpecV2>body(request, EntitySpecV2::newBuilder)
                        .flatMap(spec -> entities.apply(request.pathVariable("project"), spec))
                        .flatMap(
                            entity ->
                                ProtoJson.ok(
                                    ApplyEntityResponse.newBuilder().setEntity(entity).build()))));
  }

  Mono<ServerResponse> listEntities(ServerRequest request) {
    return allowed(request, ProjectRole.READER, request.pathVariable("project"), "list entities")
        .then(
            Mono.defer(
                () ->
                    Mono.fromCallable(() -> labels(request))
                        .flatMapMany(
                            labels -> entities.list(request.pathVariable("project"), labels))
                        .collectList()
                        .flatMap(
                            found ->
                                ProtoJson.ok(
                                    ListEntitiesResponse.newBuilder()
                                        .addAllEntities(found)
                                        .build()))));
  }

  Mono<ServerResponse> getEntity(ServerRequest request) {
    return allowed(request, ProjectRole.READER, request.pathVariable("project"), "read entities")
        .then(
            Mono.defer(
                () ->
                    entities
                        .get(request.pathVariable("project"), request.pathVariable("name"))
                        .flatMap(
                            entity ->
                                ProtoJson.ok(
                                    GetEntityResponse.newBuilder().setEntity(entity).build()))));
  }

  Mono<ServerResponse> applyFeatureTable(ServerRequest request) {
    return allowed(
            request, ProjectRole.WRITER, request.pathVariable("project"), "apply feature tables")
        .then(
            Mono.defer(
                () ->
                    ProtoJson.<FeatureTableSpec>body(request, FeatureTableSpec::newBuilder)
                        .flatMap(spec -> tables.apply(request.pathVariable("project"), spec))
                        .flatMap(
                            table ->
                                ProtoJson.ok(
                                    ApplyFeatureTableResponse.newBuilder()
                                        .setTable(table)
                                        .build()))));
  }

  Mono<ServerResponse> listFeatureTables(ServerRequest request) {
    return allowed(
            request, ProjectRole.READER, request.pathVariable("project"), "list feature tables")
        .then(
            Mono.defer(
                () ->
                    Mono.fromCallable(() -> labels(request))
                        .flatMapMany(labels -> tables.list(request.pathVariable("project"), labels))
                        .collectList()
                        .flatMap(
                            found ->
                                ProtoJson.ok(
                                    ListFeatureTablesResponse.newBuilder()
                                        .addAllTables(found)
                                        .build()))));
  }

  Mono<ServerResponse> getFeatureTable(ServerRequest request) {
    return allowed(
            request, ProjectRole.READER, request.pathVariable("project"), "read feature tables")
        .then(
            Mono.defer(
                () ->
                    tables
                        .get(request.pathVariable("project"), request.pathVariable("name"))
                        .flatMap(
                            table ->
                                ProtoJson.ok(
                                    GetFeatureTableResponse.newBuilder()
                                        .setTable(table)
                                        .build()))));
  }

  Mono<ServerResponse> deleteEntity(ServerRequest request) {
    return allowed(request, ProjectRole.WRITER, request.pathVariable("project"), "delete entities")
        .then(
            Mono.defer(
                () ->
                    entities
                        .delete(request.pathVariable("project"), request.pathVariable("name"))
                        .then(ProtoJson.ok(DeleteEntityResponse.getDefaultInstance()))));
  }

  Mono<ServerResponse> deleteFeatureTable(ServerRequest request) {
    return allowed(
            request, ProjectRole.WRITER, request.pathVariable("project"), "delete feature tables")
        .then(
            Mono.defer(
                () ->
                    tables
                        .delete(request.pathVariable("project"), request.pathVariable("name"))
                        .then(ProtoJson.ok(DeleteFeatureTableResponse.getDefaultInstance()))));
  }

  Mono<ServerResponse> listRevisions(ServerRequest request) {
    return allowed(
            request,
            ProjectRole.READER,
            request.pathVariable("project"),
            "read feature table revisions")
        .then(
            Mono.defer(
                () ->
                    tables
                        .revisions(request.pathVariable("project"), request.pathVariable("name"))
                        .collectList()
                        .flatMap(
                            revisions ->
                                ProtoJson.ok(
                                    ListFeatureTableRevisionsResponse.newBuilder()
                                        .addAllRevisions(revisions)
                                        .build()))));
  }

  Mono<ServerResponse> listFeatures(ServerRequest request) {
    return allowed(request, ProjectRole.READER, request.pathVariable("project"), "list features")
        .then(
            Mono.defer(
                () ->
                    Mono.fromCallable(() -> labels(request))
                        .flatMap(
                            labels ->
                                tables.features(
                                    request.pathVariable("project"),
                                    request.queryParams().getOrDefault("entity", List.of()),
                                    labels))
                        .flatMap(
                            features ->
                                ProtoJson.ok(
                                    ListFeaturesResponse.newBuilder()
                                        .putAllFeatures(features)
                                        .build()))));
  }

  Mono<ServerResponse> listStores(ServerRequest request) {
    return stores
        .list(request.queryParam("name").orElse(""))
        .collectList()
        .flatMap(found -> ProtoJson.ok(ListStoresResponse.newBuilder().addAllStore(found).build()));
  }

  Mono<ServerResponse> updateStore(ServerRequest request) {
    return allowedEverywhere(request, ProjectRole.ADMIN, "configure stores")
        .then(
            Mono.defer(
                () ->
                    ProtoJson.<Store>body(request, Store::newBuilder)
                        .flatMap(stores::update)
                        .flatMap(ProtoJson::ok)));
  }

  Mono<ServerResponse> listChanges(ServerRequest request) {
    return allowedEverywhere(request, ProjectRole.READER, "read the change feed")
        .then(
            Mono.defer(
                () ->
                    Mono.fromCallable(
                            () ->
                                new long[] {
                                  longParam(request, "since", 0), longParam(request, "limit", 0)
                                })
                        .flatMap(
                            params ->
                                changes.list(
                                    params[0],
                                    (int)
                                        Math.max(
                                            Math.min(params[1], Integer.MAX_VALUE),
                                            Integer.MIN_VALUE)))
                        .flatMap(ProtoJson::ok)));
  }

  private Mono<Void> allowed(
      ServerRequest request, ProjectRole role, String project, String action) {
    return callers.of(request).flatMap(caller -> Access.require(caller, role, project, action));
  }

  private Mono<Void> allowedEverywhere(ServerRequest request, ProjectRole role, String action) {
    return callers.of(request).flatMap(caller -> Access.requireEverywhere(caller, role, action));
  }

  /** Repeated {@code label=key:value} query parameters. */
  private static Map<String, String> labels(ServerRequest request) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (String label : request.queryParams().getOrDefault("label", List.of())) {
      int colon = label.indexOf(':');
      if (colon <= 0) {
        throw RegistryException.invalid("label: '%s' must be key:value", label);
      }
      labels.put(label.substring(0, colon), label.substring(colon + 1));
    }
    return labels;
  }

  private static long longParam(ServerRequest request, String name, long fallback) {
    String value = request.queryParam(name).orElse(null);
    if (value == null || value.isEmpty()) {
      return fallback;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw RegistryException.invalid("%s: '%s' is not a number", name, value);
    }
  }
}
