package io.larder.sdk.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every command needs: the root's settings, its output and where to print. */
abstract class LarderCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  LarderCli root() {
    CommandLine line = spec.commandLine();
    while (line.getParent() != null) {
      line = line.getParent();
    }
    return line.getCommand();
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  Output output() {
    return new Output(out(), root().output);
  }

  @Override
  public final Integer call() throws Exception {
    try {
      return run();
    } finally {
      out().flush();
      err().flush();
    }
  }

  abstract int run() throws Exception;
}
