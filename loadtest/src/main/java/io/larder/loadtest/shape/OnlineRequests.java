package io.larder.loadtest.shape;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.larder.proto.serving.ServingServiceProto.FeatureReferenceV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2.EntityRow;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Gateway requests of one shape ({@code rows} entity rows x the first {@code features} features of
 * the benchmark data) with fresh random entity ids each time; the same for gRPC and HTTP.
 */
public final class OnlineRequests {

  private static final JsonFormat.Printer JSON =
      JsonFormat.printer().omittingInsignificantWhitespace();

  private final BenchmarkShape shape;
  private final int rows;
  private final int features;
  private final List<FeatureReferenceV2> featureRefs;

  public OnlineRequests(BenchmarkShape shape, int rows, int features) {
    if (rows < 1 || rows > shape.entities()) {
      throw new IllegalArgumentException(
          "rows must be between 1 and the number of entities (%d), got %d"
              .formatted(shape.entities(), rows));
    }
    this.shape = shape;
    this.rows = rows;
    this.features = features;
    this.featureRefs = shape.featureRefs(features);
  }

  public int rows() {
    return rows;
  }

  public int features() {
    return features;
  }

  public String shapeName() {
    return BenchmarkShape.requestShapeName(rows, features);
  }

  /** A request for {@code rows} distinct random entities. */
  public GetOnlineFeaturesRequestV2 next() {
    return forIds(EntityIds.distinct(rows, shape.entities()));
  }

  public GetOnlineFeaturesRequestV2 forIds(long[] entityIds) {
    GetOnlineFeaturesRequestV2.Builder request =
        GetOnlineFeaturesRequestV2.newBuilder()
            .setProject(shape.project())
            .addAllFeatures(featureRefs);
    for (long id : entityIds) {
      request.addEntityRows(
          EntityRow.newBuilder().putFields(shape.entityName(), shape.entityValue(id)));
    }
    return request.build();
  }

  /** {@link #next()} in the protobuf JSON mapping, the HTTP endpoints' body. */
  public String nextJson() {
    return toJson(next());
  }

  public static String toJson(GetOnlineFeaturesRequestV2 request) {
    try {
      return JSON.print(request);
    } catch (InvalidProtocolBufferException e) {
      throw new UncheckedIOException(e);
    }
  }
}
