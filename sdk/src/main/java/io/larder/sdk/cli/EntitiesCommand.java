package io.larder.sdk.cli;

import io.larder.proto.core.EntityProto.Entity;
import io.larder.sdk.LarderClient;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "entities",
    description = "Applies, describes, lists and deletes entities.",
    subcommands = {
      ApplyCommand.Entities.class,
      EntitiesCommand.Describe.class,
      EntitiesCommand.ListEntities.class,
      EntitiesCommand.Delete.class
    })
final class EntitiesCommand {

  @Command(name = "describe", description = "Shows an entity.")
  static final class Describe extends LarderCommand {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    int run() {
      Entity entity;
      try (LarderClient client = root().client()) {
        entity = client.getEntity(root().project, name);
      }
      output().message(entity);
      return 0;
    }
  }

  @Command(name = "list", description = "Lists the project's entities.")
  static final class ListEntities extends LarderCommand {
    @Override
    int run() {
      List<Entity> entities;
      try (LarderClient client = root().client()) {
        entities = client.listEntities(root().project);
      }
      output()
          .list(
              entities,
              List.of("NAME", "TYPE", "DESCRIPTION"),
              e ->
                  List.of(
                      e.getSpec().getName(),
                      e.getSpec().getValueType().name(),
                      e.getSpec().getDescription()));
      return 0;
    }
  }

  @Command(name = "delete", description = "Deletes an entity no feature table uses.")
  static final class Delete extends LarderCommand {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    int run() {
      try (LarderClient client = root().client()) {
        client.deleteEntity(root().project, name);
      }
      out().println("entity " + name + " deleted");
      return 0;
    }
  }
}
