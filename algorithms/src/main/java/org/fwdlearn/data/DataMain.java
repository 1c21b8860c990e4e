package org.fwdlearn.data;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A small command line for datasets, with no dependencies beyond fwdlearn-core, so that scripts can fetch and
 * check data before the CLI module is built:
 * <pre>
 * java -cp core/target/classes:algorithms/target/classes org.fwdlearn.data.DataMain fetch mnist [--cache DIR]
 * ... DataMain verify NAME [--data-dir DIR]
 * ... DataMain info NAME [--data-dir DIR] [--standardize]
 * ... DataMain list
 * </pre>
 * Exit status 0 on success, 1 on a failure (message on stderr), 2 on a usage error.
 */
public final class DataMain {
  private DataMain() {}

  /** Runs a command; see the class comment. */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs a command, printing to {@code out} and {@code err}; returns the exit status. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    List<String> rest = new ArrayList<>();
    Path dataDir = null;
    Path cache = null;
    boolean standardize = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--data-dir", "--cache" -> {
          if (i + 1 >= args.length) {
            return usage(err, args[i] + " needs a directory");
          }
          Path p = Path.of(args[++i]);
          if (args[i - 1].equals("--cache")) {
            cache = p;
          } else {
            dataDir = p;
          }
        }
        case "--standardize" -> standardize = true;
        case "-h", "--help" -> {
          usage(out, null);
          return 0;
        }
        default -> rest.add(args[i]);
      }
    }
    if (rest.isEmpty()) {
      return usage(err, "no command");
    }
    String cmd = rest.get(0);
    try {
      switch (cmd) {
        case "list" -> {
          for (String n : Datasets.names()) {
            out.println(n);
          }
          return 0;
        }
        case "fetch" -> {
          if (rest.size() != 2 || !rest.get(1).equals(Datasets.MNIST)) {
            return usage(err, "only 'fetch mnist' is possible: other datasets cannot be fetched ("
                + "fashion-mnist: apt-get install dataset-fashion-mnist; CIFAR: see 'info cifar10')");
          }
          Path dir = MnistFetcher.fetchMnist(cache != null ? cache : Datasets.cacheDir(), err::println);
          out.println(dir);
          return 0;
        }
        case "verify" -> {
          if (rest.size() != 2) {
            return usage(err, "verify needs a dataset name");
          }
          List<String> problems = Datasets.verify(rest.get(1), dataDir);
          if (problems.isEmpty()) {
            out.println(rest.get(1) + ": OK (" + Datasets.locate(rest.get(1), dataDir) + ")");
            return 0;
          }
          problems.forEach(err::println);
          return 1;
        }
        case "info" -> {
          if (rest.size() != 2) {
            return usage(err, "info needs a dataset name");
          }
          long t0 = System.nanoTime();
          DatasetSplit s = Datasets.load(rest.get(1), dataDir, standardize, err::println);
          long ms = (System.nanoTime() - t0) / 1_000_000;
          for (Dataset d : List.of(s.train(), s.test())) {
            int[] sh = d.shape();
            out.println(d.name() + ": " + d.size() + " examples of " + sh[0] + "x" + sh[1] + "x" + sh[2] + ", "
                + d.numClasses() + " classes");
          }
          out.println("loaded in " + ms + " ms");
          return 0;
        }
        default -> {
          return usage(err, "unknown command '" + cmd + "'");
        }
      }
    } catch (IOException | RuntimeException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
  }

  private static int usage(PrintStream s, String problem) {
    if (problem != null) {
      s.println("error: " + problem);
    }
    s.println("usage: DataMain fetch mnist [--cache DIR]");
    s.println("       DataMain verify NAME [--data-dir DIR]");
    s.println("       DataMain info NAME [--data-dir DIR] [--standardize]");
    s.println("       DataMain list");
    s.println("names: " + String.join(", ", Datasets.names()) + "; cache: " + Datasets.cacheDir());
    return problem == null ? 0 : 2;
  }
}
