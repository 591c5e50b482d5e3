package io.larder.jobs.stream;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.api.java.UDF1;

/**
 * Protobuf message bytes to protobuf JSON (field names as in the .proto), described by a descriptor
 * set, so protobuf messages then go through the same parsing as JSON ones; bytes that are not such
 * a message give null (a dead letter).
 */
final class ProtobufToJson implements UDF1<byte[], String> {

  private final byte[] descriptorSet;
  private final String messageName;
  private transient Descriptor descriptor;
  private transient JsonFormat.Printer printer;

  ProtobufToJson(byte[] descriptorSet, String messageName) {
    this.descriptorSet = descriptorSet.clone();
    this.messageName = messageName;
    describe(); // fails on the driver, at start, when the descriptor or the name is wrong
  }

  @Override
  public String call(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    if (descriptor == null) {
      descriptor = describe();
      printer = JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();
    }
    try {
      return printer.print(DynamicMessage.parseFrom(descriptor, bytes));
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }

  private Descriptor describe() {
    try {
      FileDescriptorSet set = FileDescriptorSet.parseFrom(descriptorSet);
      Map<String, FileDescriptorProto> protos = new HashMap<>();
      set.getFileList().forEach(file -> protos.put(file.getName(), file));
      Map<String, FileDescriptor> built = new HashMap<>();
      for (FileDescriptorProto file : set.getFileList()) {
        Descriptor found = build(file, protos, built).findMessageTypeByName(simpleName(file));
        if (found != null) {
          return found;
        }
      }
    } catch (InvalidProtocolBufferException | DescriptorValidationException e) {
      throw new IllegalArgumentException(
          "protobuf descriptor set cannot be read: " + e.getMessage(), e);
    }
    throw new IllegalArgumentException(
        "protobuf message '" + messageName + "' is not in the descriptor set");
  }

  /** The message's name inside {@code file}'s package, or a name that matches nothing. */
  private String simpleName(FileDescriptorProto file) {
    String prefix = file.getPackage().isEmpty() ? "" : file.getPackage() + ".";
    return messageName.startsWith(prefix) ? messageName.substring(prefix.length()) : "\0";
  }

  private static FileDescriptor build(
      FileDescriptorProto file,
      Map<String, FileDescriptorProto> protos,
      Map<String, FileDescriptor> built)
      throws DescriptorValidationException {
    FileDescriptor done = built.get(file.getName());
    if (done != null) {
      return done;
    }
    FileDescriptor[] dependencies = new FileDescriptor[file.getDependencyCount()];
    for (int i = 0; i < dependencies.length; i++) {
      String name = file.getDependency(i);
      FileDescriptorProto dependency = protos.get(name);
      if (dependency == null) {
        throw new IllegalArgumentException(
            "protobuf descriptor set lacks '" + name + "' (use protoc --include_imports)");
      }
      dependencies[i] = build(dependency, protos, built);
    }
    FileDescriptor descriptor = FileDescriptor.buildFrom(file, dependencies);
    built.put(file.getName(), descriptor);
    return descriptor;
  }
}
