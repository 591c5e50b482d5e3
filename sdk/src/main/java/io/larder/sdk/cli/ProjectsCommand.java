package io.larder.sdk.cli;

import io.larder.sdk.LarderClient;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "projects",
    description = "Creates, lists and archives projects.",
    subcommands = {
      ProjectsCommand.Create.class,
      ProjectsCommand.Archive.class,
      ProjectsCommand.ListProjects.class
    })
final class ProjectsCommand {

  @Command(name = "create", description = "Creates a project.")
  static final class Create extends LarderCommand {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    int run() {
      try (LarderClient client = root().client()) {
        client.createProject(name);
      }
      out().println("project " + name + " created");
      return 0;
    }
  }

  @Command(name = "archive", description = "Archives a project (its stream jobs stop).")
  static final class Archive extends LarderCommand {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    int run() {
      try (LarderClient client = root().client()) {
        client.archiveProject(name);
      }
      out().println("project " + name + " archived");
      return 0;
    }
  }

  @Command(name = "list", description = "Lists the projects that are not archived.")
  static final class ListProjects extends LarderCommand {
    @Override
    int run() {
      List<String> projects;
      try (LarderClient client = root().client()) {
        projects = client.listProjects();
      }
      Output output = output();
      if (output.format() == Output.Format.TABLE) {
        output.table(List.of("NAME"), projects.stream().map(List::of).toList());
      } else {
        var array = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
        projects.forEach(array::add);
        output.print(array);
      }
      return 0;
    }
  }
}
