package io.larder.gateway.api.http;

import java.nio.ByteBuffer;
import java.util.Arrays;
import tools.jackson.core.io.NumberOutput;

/** A growable byte array for JSON being written; ASCII text is copied char by char, no encoder. */
final class JsonBytes {

  private byte[] bytes;
  private int size;

  JsonBytes(int capacity) {
    this.bytes = new byte[Math.max(16, capacity)];
  }

  void write(int b) {
    ensure(1);
    bytes[size++] = (byte) b;
  }

  void write(byte[] source) {
    write(source, 0, source.length);
  }

  void write(byte[] source, int from, int length) {
    ensure(length);
    System.arraycopy(source, from, bytes, size, length);
    size += length;
  }

  /** Text known to be ASCII (JSON punctuation, numbers, names). */
  void writeAscii(String text) {
    int length = text.length();
    ensure(length);
    for (int i = 0; i < length; i++) {
      bytes[size + i] = (byte) text.charAt(i);
    }
    size += length;
  }

  /** A long in decimal, straight into the array. */
  void writeLong(long value) {
    ensure(20);
    size = NumberOutput.outputLong(value, bytes, size);
  }

  void writeInt(int value) {
    ensure(11);
    size = NumberOutput.outputInt(value, bytes, size);
  }

  int size() {
    return size;
  }

  /** The bytes written so far, without a copy; the buffer must not be written to afterwards. */
  ByteBuffer toByteBuffer() {
    return ByteBuffer.wrap(bytes, 0, size);
  }

  byte[] toByteArray() {
    return Arrays.copyOf(bytes, size);
  }

  private void ensure(int more) {
    if (size + more > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
    }
  }
}
