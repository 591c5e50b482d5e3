package io.larder.jobs.stream;

import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.spark.sql.api.java.UDF1;

/**
 * Whether message bytes are exactly one record of the schema. Spark's from_avro answers a struct of
 * nulls for garbage in PERMISSIVE mode, which would look like a message with a null entity.
 */
final class AvroDecodable implements UDF1<byte[], Boolean> {

  private final String schemaJson;
  private transient GenericDatumReader<Object> reader;

  AvroDecodable(String schemaJson) {
    this.schemaJson = schemaJson;
    new Schema.Parser().parse(schemaJson); // a bad schema fails on the driver, at start
  }

  @Override
  public Boolean call(byte[] bytes) {
    if (bytes == null) {
      return false;
    }
    if (reader == null) {
      reader = new GenericDatumReader<>(new Schema.Parser().parse(schemaJson));
    }
    try {
      BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, null);
      reader.read(null, decoder);
      return decoder.isEnd();
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
