package io.larder.orchestrator.support;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.larder.proto.core.CoreServiceGrpc;
import io.larder.proto.core.CoreServiceProto.ApplyEntityRequest;
import io.larder.proto.core.CoreServiceProto.ApplyFeatureTableRequest;
import io.larder.proto.core.CoreServiceProto.ArchiveProjectRequest;
import io.larder.proto.core.CoreServiceProto.DeleteFeatureTableRequest;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTable;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.types.ValueProto.ValueType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The real registry, run from its jar for a test class, with its own schema and ports. */
public final class Registry implements AutoCloseable {

  private final int grpcPort;
  private final int httpPort;
  private final String schema;
  private final Path logDir;
  private final ManagedChannel channel;
  private ServiceProcess process;

  private Registry(int grpcPort, int httpPort, String schema, Path logDir) {
    this.grpcPort = grpcPort;
    this.httpPort = httpPort;
    this.schema = schema;
    this.logDir = logDir;
    this.channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
  }

  public static Registry start(Path logDir) throws IOException, InterruptedException {
    Registry registry =
        new Registry(
            ServiceProcess.freePort(),
            ServiceProcess.freePort(),
            TestSchemas.name("orch_it_registry"),
            logDir);
    registry.startProcess();
    return registry;
  }

  /** Stops the process (its definitions stay in PostgreSQL); {@link #restart} brings it back. */
  public void stop() {
    process.close();
  }

  /** The same registry again: same ports, same schema. */
  public void restart() throws IOException, InterruptedException {
    startProcess();
  }

  private void startProcess() throws IOException, InterruptedException {
    process =
        ServiceProcess.start(
            "registry",
            ServiceProcess.jar("registry", "larder-registry"),
            Map.of(
                "LARDER_REGISTRY_GRPC_PORT", String.valueOf(grpcPort),
                "LARDER_REGISTRY_HTTP_PORT", String.valueOf(httpPort),
                "LARDER_REGISTRY_SCHEMA", schema),
            grpcPort,
            logDir,
            "--larder.grpc.host=127.0.0.1",
            "--larder.registry.watch-poll-interval=100ms");
  }

  public String target() {
    return "127.0.0.1:" + grpcPort;
  }

  public CoreServiceGrpc.CoreServiceBlockingStub core() {
    return CoreServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  public void applyEntity(String project, String name, ValueType.Enum type) {
    core()
        .applyEntity(
            ApplyEntityRequest.newBuilder()
                .setProject(project)
                .setSpec(EntitySpecV2.newBuilder().setName(name).setValueType(type))
                .build());
  }

  public FeatureTable applyTable(String project, FeatureTableSpec spec) {
    return core()
        .applyFeatureTable(
            ApplyFeatureTableRequest.newBuilder().setProject(project).setTableSpec(spec).build())
        .getTable();
  }

  public void deleteTable(String project, String name) {
    core()
        .deleteFeatureTable(
            DeleteFeatureTableRequest.newBuilder().setProject(project).setName(name).build());
  }

  public void archive(String project) {
    core().archiveProject(ArchiveProjectRequest.newBuilder().setName(project).build());
  }

  @Override
  public void close() {
    channel.shutdownNow();
    process.close();
    TestSchemas.drop(schema);
  }
}
