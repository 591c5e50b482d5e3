package io.larder.sdk.definitions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.google.protobuf.Duration;
import io.larder.proto.core.DataFormatProto.FileFormat;
import io.larder.proto.core.DataFormatProto.StreamFormat;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.DataSourceProto.DataSource.SourceType;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.types.ValueProto.ValueType;
import io.larder.sdk.definitions.Definition.Kind;
import java.io.StringReader;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefinitionFilesTest {

  private static final FeatureTableSpec DRIVER_RATINGS =
      FeatureTableSpec.newBuilder()
          .setName("driver_ratings")
          .addEntities("driver_id")
          .addFeatures(feature("acceptance_rate", ValueType.Enum.FLOAT))
          .setMaxAge(Duration.newBuilder().setSeconds(86_400))
          .setBatchSource(
              DataSource.newBuilder()
                  .setType(SourceType.BATCH_FILE)
                  .setEventTimestampColumn("ts")
                  .setFileOptions(
                      DataSource.FileOptions.newBuilder()
                          .setFileUrl("s3://bucket/ratings")
                          .setFileFormat(
                              FileFormat.newBuilder()
                                  .setParquetFormat(
                                      FileFormat.ParquetFormat.getDefaultInstance()))))
          .build();

  @Test
  void readsEveryDocumentOfAFileInOrderWithItsProjectAndLine() throws Exception {
    Path file = resource("driver_trips.yaml");

    List<Definition> definitions = DefinitionFiles.read(file);

    assertThat(definitions)
        .extracting(Definition::kind, Definition::name, Definition::project, Definition::line)
        .containsExactly(
            tuple(Kind.ENTITY, "driver_id", null, 2),
            tuple(Kind.FEATURE_TABLE, "driver_trips", "demo", 10),
            tuple(Kind.FEATURE_TABLE, "driver_ratings", null, 49));
    assertThat(definitions).allSatisfy(d -> assertThat(d.source()).isEqualTo(file.toString()));
    assertThat(definitions.get(1).location()).isEqualTo(file + ":10");

    assertThat(definitions.get(0).entitySpec())
        .isEqualTo(
            EntitySpecV2.newBuilder()
                .setName("driver_id")
                .setValueType(ValueType.Enum.INT64)
                .setDescription("Driver identifier")
                .putLabels("team", "mobility")
                .build());
    assertThat(definitions.get(1).featureTableSpec())
        .isEqualTo(
            FeatureTableSpec.newBuilder()
                .setName("driver_trips")
                .addEntities("driver_id")
                .addFeatures(feature("trips_today", ValueType.Enum.INT32))
                .addFeatures(
                    feature("rating", ValueType.Enum.DOUBLE).toBuilder().putLabels("unit", "stars"))
                .putLabels("team", "mobility")
                // As written: YAML would read 1.10 as the number 1.1.
                .putLabels("version", "1.10")
                .setMaxAge(Duration.newBuilder().setSeconds(3_600))
                .setBatchSource(
                    DataSource.newBuilder()
                        .setType(SourceType.BATCH_FILE)
                        .setEventTimestampColumn("event_timestamp")
                        .setCreatedTimestampColumn("created")
                        .setDatePartitionColumn("date")
                        .putFieldMapping("trips", "trips_today")
                        .setFileOptions(
                            DataSource.FileOptions.newBuilder()
                                .setFileUrl("file:///data/driver_trips/*.parquet")
                                .setFileFormat(
                                    FileFormat.newBuilder()
                                        .setParquetFormat(
                                            FileFormat.ParquetFormat.getDefaultInstance()))))
                .setStreamSource(
                    DataSource.newBuilder()
                        .setType(SourceType.STREAM_KAFKA)
                        .setEventTimestampColumn("event_timestamp")
                        .setKafkaOptions(
                            DataSource.KafkaOptions.newBuilder()
                                .setBootstrapServers("localhost:9092")
                                .setTopic("driver_trips")
                                .setMessageFormat(
                                    StreamFormat.newBuilder()
                                        .setProtoFormat(
                                            StreamFormat.ProtoFormat.newBuilder()
                                                .setClassPath("io.example.DriverTrips")))))
                .build());
    assertThat(definitions.get(2).featureTableSpec()).isEqualTo(DRIVER_RATINGS);
  }

  @Test
  void readsProtoFieldNamesAndFeastKindsAsCamelCase() throws Exception {
    List<Definition> definitions = DefinitionFiles.read(resource("proto_names.yaml"));

    assertThat(definitions).singleElement().extracting(Definition::spec).isEqualTo(DRIVER_RATINGS);
    assertThat(definitions.get(0).kind()).isEqualTo(Kind.FEATURE_TABLE);
  }

  @Test
  void readsTheYamlFilesOfADirectoryByName() throws Exception {
    Path dir = resource("dir");

    List<Definition> definitions = DefinitionFiles.read(dir);

    assertThat(definitions)
        .extracting(Definition::name, Definition::source)
        .containsExactly(
            tuple("driver_id", dir.resolve("a_entities.yaml").toString()),
            tuple("driver_ratings", dir.resolve("b_tables.yml").toString()));
  }

  @Test
  void skipsEmptyDocuments() {
    List<Definition> definitions =
        read(
            """
            ---
            kind: Entity
            spec: {name: driver_id, valueType: INT64}
            ---
            # nothing here
            ---
            """);

    assertThat(definitions).singleElement().extracting(Definition::line).isEqualTo(2);
  }

  @Test
  void namesTheFileAndLineOfAMisspeltFieldInAFeature() throws Exception {
    Path file = resource("errors/misspelt_field.yaml");

    assertThatThrownBy(() -> DefinitionFiles.read(file))
        .isInstanceOf(DefinitionException.class)
        .hasMessage(
            file
                + ":14: FeatureTable spec: Cannot find field: valueTyp in message"
                + " feast.core.FeatureSpecV2")
        .satisfies(
            error -> {
              assertThat(((DefinitionException) error).source()).isEqualTo(file.toString());
              assertThat(((DefinitionException) error).line()).isEqualTo(14);
            });
  }

  @Test
  void refusesAMissingKind() {
    assertRefused(
        """
        kind: Entity
        spec: {name: driver_id}
        ---

        spec: {name: driver_trips}
        """,
        "definitions.yaml:5: missing kind (Entity or FeatureTable)");
  }

  @Test
  void refusesAnUnknownKindAtItsLine() {
    assertRefused(
        """
        # a feature set is Feast 0.7's
        project: demo
        kind: FeatureSet
        spec: {name: driver_trips}
        """,
        "definitions.yaml:3: unknown kind FeatureSet (Entity or FeatureTable)");
  }

  @Test
  void refusesADocumentWithoutSpec() {
    assertRefused(
        """
        kind: FeatureTable
        project: demo
        """,
        "definitions.yaml:1: FeatureTable: missing spec");
  }

  @Test
  void refusesAnUnknownTopLevelKey() {
    assertRefused(
        """
        kind: Entity
        projct: demo
        spec: {name: driver_id}
        """,
        "definitions.yaml:2: unknown key projct (a definition has kind, project, spec and meta)");
  }

  @Test
  void refusesASpecWithoutName() {
    assertRefused(
        """
        kind: Entity

        spec:
          valueType: INT64
        """,
        "definitions.yaml:3: Entity spec: missing name");
  }

  @Test
  void reportsYamlSyntaxErrorsAtTheirLine() {
    assertRefused(
        """
        kind: Entity
        spec:
          name: driver_id
          description: a: b
        """,
        "definitions.yaml:4: YAML: mapping values are not allowed here");
    assertRefused(
        """
        kind: FeatureTable
        spec:
          name: driver_trips
          entities: [driver_id
        """,
        "definitions.yaml:4: YAML: while parsing a flow sequence: expected ',' or ']', but got"
            + " <stream end>");
  }

  @Test
  void refusesAKeyWrittenTwice() {
    assertRefused(
        """
        kind: Entity
        spec:
          name: driver_id
          valueType: INT64
          name: driver
        """,
        "definitions.yaml:5: duplicate key name");
  }

  @Test
  void reportsAValueOfTheWrongTypeAtItsField() {
    assertRefused(
        """
        kind: FeatureTable
        spec:
          name: driver_trips
          features:
            - name: rating
              valueType: DOUBEL
        """,
        "definitions.yaml:6: FeatureTable spec: Invalid enum value: DOUBEL for enum type:"
            + " feast.types.ValueType.Enum");
    assertRefused(
        """
        kind: FeatureTable
        spec:
          name: driver_trips
          maxAge: 1h
        """,
        "definitions.yaml:4: FeatureTable spec: Failed to parse duration: \"1h\"");
    assertRefused(
        """
        kind: FeatureTable
        spec:
          name: driver_trips
          entities:
            driver_id: INT64
        """,
        "definitions.yaml:4: FeatureTable spec: Expected an array for entities but found"
            + " {\"driver_id\":\"INT64\"}");
  }

  @Test
  void reportsAnUnknownFieldDeepInASource() {
    assertRefused(
        """
        kind: FeatureTable
        spec:
          name: driver_trips
          streamSource:
            type: STREAM_KAFKA
            kafkaOptions:
              bootstrapServers: localhost:9092
              topics: driver_trips
        """,
        "definitions.yaml:8: FeatureTable spec: Cannot find field: topics in message"
            + " feast.core.DataSource.KafkaOptions");
  }

  @Test
  void refusesAMissingFileAndADirectoryWithoutDefinitions(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("driver_trips.yaml");
    assertThatThrownBy(() -> DefinitionFiles.read(missing))
        .isInstanceOf(DefinitionException.class)
        .hasMessage(missing + ": no such file");

    Files.writeString(dir.resolve("notes.txt"), "kind: Entity");
    assertThatThrownBy(() -> DefinitionFiles.read(dir))
        .isInstanceOf(DefinitionException.class)
        .hasMessage(dir + ": no *.yaml or *.yml files");
  }

  private static List<Definition> read(String yaml) {
    return DefinitionFiles.read(new StringReader(yaml), "definitions.yaml");
  }

  private static void assertRefused(String yaml, String message) {
    ThrowingCallable reading = () -> read(yaml);
    assertThatThrownBy(reading).isInstanceOf(DefinitionException.class).hasMessage(message);
  }

  private static FeatureSpecV2 feature(String name, ValueType.Enum type) {
    return FeatureSpecV2.newBuilder().setName(name).setValueType(type).build();
  }

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(DefinitionFilesTest.class.getResource("/definitions/" + name).toURI());
  }
}
