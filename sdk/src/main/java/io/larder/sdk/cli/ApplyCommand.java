package io.larder.sdk.cli;

import com.google.protobuf.Message;
import io.grpc.Status;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.sdk.LarderClient;
import io.larder.sdk.LarderException;
import io.larder.sdk.definitions.Definition;
import io.larder.sdk.definitions.DefinitionFiles;
import io.larder.sdk.definitions.SpecDiff;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Applies YAML definitions: shows what will change (a diff against the registry), then applies the
 * changed ones, entities before tables. {@code --dry-run} only shows.
 */
@Command(
    name = "apply",
    description =
        "Applies entities and feature tables from YAML (kind: Entity / kind: FeatureTable).")
class ApplyCommand extends LarderCommand {

  @Option(
      names = {"-f", "--file"},
      required = true,
      description = "YAML file, or a directory of them; several documents per file.")
  Path file;

  @Option(names = "--dry-run", description = "Show the changes, apply nothing.")
  boolean dryRun;

  Set<Definition.Kind> kinds() {
    return Set.of(Definition.Kind.ENTITY, Definition.Kind.FEATURE_TABLE);
  }

  @Override
  int run() {
    List<Definition> definitions =
        DefinitionFiles.read(file).stream()
            .filter(d -> kinds().contains(d.kind()))
            .sorted(Comparator.comparing(Definition::kind))
            .toList();
    if (definitions.isEmpty()) {
      throw new IllegalArgumentException(
          "%s holds no %s definitions"
              .formatted(
                  file,
                  kinds().size() == 1
                      ? kinds().iterator().next().yamlName()
                      : "Entity or FeatureTable"));
    }
    try (LarderClient client = root().client()) {
      int changed = 0;
      for (Definition definition : definitions) {
        String project = definition.project() == null ? root().project : definition.project();
        List<String> diff =
            SpecDiff.diff(
                withoutDerivedFormat(current(client, project, definition), definition.spec()),
                definition.spec());
        if (diff.isEmpty()) {
          out()
              .printf(
                  "= %s %s/%s unchanged%n", definition.kind().noun(), project, definition.name());
          continue;
        }
        diff.forEach(out()::println);
        changed++;
        if (!dryRun) {
          if (definition.kind() == Definition.Kind.ENTITY) {
            client.applyEntity(project, definition.entitySpec());
          } else {
            client.applyFeatureTable(project, definition.featureTableSpec());
          }
        }
      }
      out()
          .printf(
              dryRun
                  ? "dry run: %d of %d would change, nothing applied%n"
                  : "applied %d of %d (the rest unchanged)%n",
              changed,
              definitions.size());
    }
    return 0;
  }

  /**
   * The registry fills a Kafka source's message format in from the {@code larder.io/stream-format}
   * label; a definition that leaves it to the label has not changed it.
   */
  private static Message withoutDerivedFormat(Message current, Message wanted) {
    if (current instanceof FeatureTableSpec table
        && wanted instanceof FeatureTableSpec definition
        && table.getLabelsMap().containsKey("larder.io/stream-format")
        && !definition.getStreamSource().getKafkaOptions().hasMessageFormat()) {
      FeatureTableSpec.Builder builder = table.toBuilder();
      builder.getStreamSourceBuilder().getKafkaOptionsBuilder().clearMessageFormat();
      return builder.build();
    }
    return current;
  }

  private static Message current(LarderClient client, String project, Definition definition) {
    try {
      return definition.kind() == Definition.Kind.ENTITY
          ? client.getEntity(project, definition.name()).getSpec()
          : client.getFeatureTable(project, definition.name()).getSpec();
    } catch (LarderException e) {
      if (e.code() == Status.Code.NOT_FOUND) {
        return null;
      }
      throw e;
    }
  }

  @Command(name = "apply", description = "Applies the entities (kind: Entity) of YAML definitions.")
  static final class Entities extends ApplyCommand {
    @Override
    Set<Definition.Kind> kinds() {
      return Set.of(Definition.Kind.ENTITY);
    }
  }

  @Command(
      name = "apply",
      description = "Applies the feature tables (kind: FeatureTable) of YAML definitions.")
  static final class FeatureTables extends ApplyCommand {
    @Override
    Set<Definition.Kind> kinds() {
      return Set.of(Definition.Kind.FEATURE_TABLE);
    }
  }
}
