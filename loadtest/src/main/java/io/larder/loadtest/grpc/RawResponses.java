package io.larder.loadtest.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import io.larder.proto.larder.StreamingServingServiceGrpc;
import io.larder.proto.serving.ServingServiceGrpc;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldValues;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The gateway's RPCs with answers kept as bytes. The driver shares two cores with the gateway and
 * Redis: decoding every answer (rows x features map entries) would take CPU from the thing being
 * measured. It counts the rows by skimming the top-level fields and decodes only the first row.
 */
final class RawResponses {

  private RawResponses() {}

  static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  private static final MethodDescriptor.Marshaller<GetOnlineFeaturesRequestV2> REQUEST =
      ProtoUtils.marshaller(GetOnlineFeaturesRequestV2.getDefaultInstance());

  /** feast.serving.ServingService/GetOnlineFeaturesV2, answer as bytes. */
  static final MethodDescriptor<GetOnlineFeaturesRequestV2, byte[]> GET_ONLINE_FEATURES =
      ServingServiceGrpc.getGetOnlineFeaturesV2Method().toBuilder(REQUEST, BYTES).build();

  /** larder.serving.StreamingServingService/StreamOnlineFeatures, each row as bytes. */
  static final MethodDescriptor<GetOnlineFeaturesRequestV2, byte[]> STREAM_ONLINE_FEATURES =
      StreamingServingServiceGrpc.getStreamOnlineFeaturesMethod().toBuilder(REQUEST, BYTES).build();

  /** A GetOnlineFeaturesResponse's row count and first row (null when it has none). */
  record Summary(int rows, FieldValues firstRow) {}

  // GetOnlineFeaturesResponse.field_values = 1; StreamedFeatureRow.row = 2.
  private static final int FIELD_VALUES = 1;
  private static final int STREAMED_ROW = 2;

  static Summary summarizeResponse(byte[] response) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(response);
      int rows = 0;
      ByteString first = null;
      int tag;
      while ((tag = in.readTag()) != 0) {
        if (WireFormat.getTagFieldNumber(tag) == FIELD_VALUES) {
          if (rows++ == 0) {
            first = in.readBytes();
            continue;
          }
        }
        in.skipField(tag);
      }
      return new Summary(rows, first == null ? null : FieldValues.parseFrom(first));
    } catch (InvalidProtocolBufferException e) {
      throw new ResponseCheck.WrongAnswerException("undecodable answer: " + e.getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The row of one StreamedFeatureRow message. */
  static FieldValues streamedRow(byte[] message) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(message);
      int tag;
      while ((tag = in.readTag()) != 0) {
        if (WireFormat.getTagFieldNumber(tag) == STREAMED_ROW) {
          return FieldValues.parseFrom(in.readBytes());
        }
        in.skipField(tag);
      }
      return FieldValues.getDefaultInstance();
    } catch (InvalidProtocolBufferException e) {
      throw new ResponseCheck.WrongAnswerException("undecodable row: " + e.getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
