package io.larder.registry.featuretable;

import com.google.protobuf.CodedOutputStream;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of a spec's deterministic encoding (map entries sorted), so equal specs hash equal. */
final class SpecHash {

  private SpecHash() {}

  static String of(FeatureTableSpec spec) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(spec.getSerializedSize());
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.useDeterministicSerialization();
      spec.writeTo(out);
      out.flush();
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
