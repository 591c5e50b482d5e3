package io.larder.jobs.sdk;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.larder.proto.core.CoreServiceGrpc;
import io.larder.proto.core.CoreServiceGrpc.CoreServiceBlockingStub;
import io.larder.proto.core.CoreServiceProto.GetFeatureTableRequest;
import io.larder.proto.core.CoreServiceProto.ListEntitiesRequest;
import io.larder.proto.core.EntityProto.Entity;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Specs read from the registry's Feast 0.9 {@code CoreService} on the driver, each call with its
 * own deadline; gRPC failures become the SDK's exceptions here and nowhere else.
 */
final class RegistrySpecs implements FeatureSpecs {

  private final ManagedChannel channel;
  private final String target;
  private final Duration deadline;

  RegistrySpecs(ManagedChannel channel, String target, Duration deadline) {
    this.channel = channel;
    this.target = target;
    this.deadline = deadline;
  }

  @Override
  public FeatureTableSpec table(String project, String name) {
    GetFeatureTableRequest request =
        GetFeatureTableRequest.newBuilder().setProject(project).setName(name).build();
    try {
      return stub().getFeatureTable(request).getTable().getSpec();
    } catch (StatusRuntimeException e) {
      throw translated(
          e, "GetFeatureTable", "feature table '%s' not found in project '%s'", name, project);
    }
  }

  @Override
  public Map<String, EntitySpecV2> entities(String project) {
    ListEntitiesRequest request =
        ListEntitiesRequest.newBuilder()
            .setFilter(ListEntitiesRequest.Filter.newBuilder().setProject(project))
            .build();
    try {
      Map<String, EntitySpecV2> byName = new LinkedHashMap<>();
      for (Entity entity : stub().listEntities(request).getEntitiesList()) {
        byName.put(entity.getSpec().getName(), entity.getSpec());
      }
      return byName;
    } catch (StatusRuntimeException e) {
      throw translated(e, "ListEntities", "project '%s' not found", project);
    }
  }

  private CoreServiceBlockingStub stub() {
    return CoreServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  private RuntimeException translated(
      StatusRuntimeException e, String call, String notFound, Object... names) {
    Status status = e.getStatus();
    String answer =
        status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
    return switch (status.getCode()) {
      case NOT_FOUND ->
          new SpecNotFoundException(notFound.formatted(names) + " (registry at " + target + ")", e);
      case UNAVAILABLE ->
          new RegistryUnavailableException(
              "could not reach the registry at " + target + " (" + call + ": " + answer + ")", e);
      case DEADLINE_EXCEEDED ->
          new RegistryUnavailableException(
              "the registry at %s did not answer %s within %s ms"
                  .formatted(target, call, deadline.toMillis()),
              e);
      default ->
          new IllegalStateException(
              "the registry at " + target + " failed " + call + ": " + answer, e);
    };
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
