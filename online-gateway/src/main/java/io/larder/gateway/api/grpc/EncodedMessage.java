package io.larder.gateway.api.grpc;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor.Marshaller;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * A protobuf message that writes its own bytes (an answer encoded straight from the store's bytes),
 * for gRPC's response marshaller: gRPC drains it into its frames, so no message tree and no
 * whole-response byte array is built.
 */
abstract class EncodedMessage {

  /** Marshals any EncodedMessage; parsing (client side only) keeps the bytes as they are. */
  static final Marshaller<EncodedMessage> MARSHALLER =
      new Marshaller<>() {
        @Override
        public InputStream stream(EncodedMessage message) {
          return new Stream(message);
        }

        @Override
        public EncodedMessage parse(InputStream stream) {
          try {
            return of(stream.readAllBytes());
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  abstract int serializedSize();

  abstract void writeTo(CodedOutputStream out) throws IOException;

  final byte[] toByteArray() {
    byte[] bytes = new byte[serializedSize()];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException("an encoded message does not fit its computed size", e);
    }
    out.checkNoSpaceLeft();
    return bytes;
  }

  /** An already built message, for the answers the direct encoders leave to protobuf. */
  static EncodedMessage of(MessageLite message) {
    return new EncodedMessage() {
      @Override
      int serializedSize() {
        return message.getSerializedSize();
      }

      @Override
      void writeTo(CodedOutputStream out) throws IOException {
        message.writeTo(out);
      }
    };
  }

  static EncodedMessage of(byte[] bytes) {
    return new EncodedMessage() {
      @Override
      int serializedSize() {
        return bytes.length;
      }

      @Override
      void writeTo(CodedOutputStream out) throws IOException {
        out.writeRawBytes(bytes);
      }
    };
  }

  /**
   * What gRPC reads the message from: drained straight into the transport's buffers (the usual
   * path), or read as a stream, for which the bytes are built once.
   */
  private static final class Stream extends InputStream implements Drainable, KnownLength {
    private static final int MAX_BUFFER = 16 * 1024;

    /**
     * Up to this size an answer is encoded into one array (protobuf's fastest encoder), then copied
     * once.
     */
    private static final int MAX_ARRAY = 256 * 1024;

    private EncodedMessage message;
    private ByteArrayInputStream bytes;

    Stream(EncodedMessage message) {
      this.message = message;
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      if (message != null) {
        int size = message.serializedSize();
        if (size <= MAX_ARRAY) {
          target.write(message.toByteArray());
          message = null;
          return size;
        }
        CodedOutputStream out =
            CodedOutputStream.newInstance(target, Math.max(64, Math.min(size, MAX_BUFFER)));
        message.writeTo(out);
        out.flush();
        message = null;
        return size;
      }
      if (bytes != null) {
        int left = bytes.available();
        bytes.transferTo(target);
        return left;
      }
      return 0;
    }

    @Override
    public int available() {
      if (message != null) {
        return message.serializedSize();
      }
      return bytes == null ? 0 : bytes.available();
    }

    @Override
    public int read() {
      return buffered() == null ? -1 : bytes.read();
    }

    @Override
    public int read(byte[] b, int off, int len) {
      return buffered() == null ? -1 : bytes.read(b, off, len);
    }

    private ByteArrayInputStream buffered() {
      if (message != null) {
        bytes = new ByteArrayInputStream(message.toByteArray());
        message = null;
      }
      return bytes;
    }
  }
}
