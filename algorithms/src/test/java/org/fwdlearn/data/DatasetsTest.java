package org.fwdlearn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
  private static final int PIX = CifarReader.IMAGE_BYTES;

  @TempDir Path dir;

  @Test
  void cacheDirIsTheEnvironmentVariableOrUnderHome() {
    assertEquals(Path.of("/data/x"), Datasets.cacheDir("/data/x", "/home/u"));
    assertEquals(Path.of("/home/u/.cache/fwdlearn"), Datasets.cacheDir(null, "/home/u"));
    assertEquals(Path.of("/home/u/.cache/fwdlearn"), Datasets.cacheDir("  ", "/home/u"));
  }

  @Test
  void namesAndClasses() {
    assertEquals(List.of("mnist", "fashion-mnist", "cifar10", "cifar100", "cifar100-coarse"), Datasets.names());
    assertEquals(100, Datasets.numClasses("CIFAR100"));
    assertEquals(100, Datasets.numClasses("cifar100-fine"));
    assertEquals(20, Datasets.numClasses("cifar100-coarse"));
    assertEquals(10, Datasets.numClasses("fashion-mnist"));
    assertEquals(Standardization.CIFAR10, Datasets.standardization("cifar10"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.numClasses("svhn"));
    assertTrue(e.getMessage().contains("'svhn'") && e.getMessage().contains("cifar100-coarse"), e.getMessage());
  }

  @Test
  void mnistLikeSetsLoadFromANamedDirectoryRawOrGzip() {
    Path gz = dir.resolve("gz");
    byte[][] set = Fixtures.writeIdxSet(gz, 12, 5, 28, 28, true, 21);
    Fixtures.writeIdxSet(dir.resolve("raw"), 12, 5, 28, 28, false, 21);
    for (String name : List.of(Datasets.MNIST, Datasets.FASHION_MNIST)) {
      DatasetSplit a = Datasets.load(name, gz, false);
      DatasetSplit b = Datasets.load(name, dir.resolve("raw"), false);
      assertEquals(name + "-train", a.train().name());
      assertEquals(12, a.train().size());
      assertEquals(5, a.test().size());
      assertTrue(a.train().x().contentEquals(b.train().x()));
      assertArrayEquals(a.test().labels(), b.test().labels());
      assertEquals(set[3][4] & 0xFF, a.test().labels()[4]);
      assertEquals((set[1][5 * 784 - 1] & 0xFF) / 255f, a.test().x().get(4, 783));
      Standardization s = Datasets.standardization(name);
      DatasetSplit st = Datasets.load(name, gz, true);
      float b0 = (set[0][100] & 0xFF) / 255f;
      assertEquals((b0 - s.mean()[0]) / s.std()[0], st.train().x().get(0, 100));
    }
  }

  @Test
  void cifarLoadsFromTheDirectoryOrTheSubdirectoryTheArchiveExtractsTo() {
    Path ten = dir.resolve("c10").resolve("cifar-10-batches-bin");
    for (int b = 1; b <= 5; b++) {
      Fixtures.write(ten.resolve("data_batch_" + b + ".bin"),
          Fixtures.cifar(CifarReaderTest.labels10(b, b + 1), Fixtures.randomBytes(b, 2 * PIX)));
    }
    Fixtures.write(ten.resolve("test_batch.bin"), Fixtures.cifar(CifarReaderTest.labels10(9), new byte[PIX]));
    DatasetSplit s = Datasets.load("cifar10", dir.resolve("c10"), false);
    assertEquals(10, s.train().size());
    assertArrayEquals(new int[] {1, 2, 2, 3, 3, 4, 4, 5, 5, 6}, s.train().labels());
    assertArrayEquals(new int[] {9}, s.test().labels());
    assertEquals(s.train().size(), Datasets.load("cifar10", ten, true).train().size());
    List<String> problems = Datasets.verify("cifar10", ten);
    assertEquals(6, problems.size(), problems.toString());
    assertTrue(problems.get(0).contains("expected 30730000 bytes"), problems.get(0));

    Path hundred = dir.resolve("c100");
    Fixtures.write(hundred.resolve("train.bin"), Fixtures.cifar(new byte[][] {{3, 33}, {4, 44}}, new byte[2 * PIX]));
    Fixtures.write(hundred.resolve("test.bin"), Fixtures.cifar(new byte[][] {{5, 55}}, new byte[PIX]));
    DatasetSplit fine = Datasets.load("cifar100", hundred, false);
    DatasetSplit coarse = Datasets.load("cifar100-coarse", hundred, false);
    assertArrayEquals(new int[] {33, 44}, fine.train().labels());
    assertArrayEquals(new int[] {5}, coarse.test().labels());
    assertEquals("cifar100-coarse-test", coarse.test().name());
  }

  @Test
  void missingDatasetsSayWhatToRunOrInstall() {
    Path empty = dir.resolve("empty");
    DatasetNotFoundException m =
        assertThrows(DatasetNotFoundException.class, () -> Datasets.load("mnist", empty, false));
    assertTrue(m.getMessage().contains("./fwdlearn data fetch mnist"), m.getMessage());
    assertTrue(m.getMessage().contains(empty.toString()), m.getMessage());
    DatasetNotFoundException f =
        assertThrows(DatasetNotFoundException.class, () -> Datasets.load("fashion-mnist", empty, false));
    assertTrue(f.getMessage().contains("apt-get install dataset-fashion-mnist"), f.getMessage());
    DatasetNotFoundException c =
        assertThrows(DatasetNotFoundException.class, () -> Datasets.load("cifar10", empty, false));
    assertTrue(c.remedy().contains("download the CIFAR-10 binary version") && c.remedy().contains("--data-dir"),
        c.getMessage());
    assertTrue(c.getMessage().contains(empty.resolve("cifar-10-batches-bin").toString()), c.getMessage());
    DatasetNotFoundException h =
        assertThrows(DatasetNotFoundException.class, () -> Datasets.locate("cifar100-coarse", empty));
    assertTrue(h.remedy().contains("CIFAR-100 binary version"), h.getMessage());
  }

  @Test
  void aPartlyPresentSetNamesTheMissingFile() throws Exception {
    Fixtures.writeIdxSet(dir, 3, 2, 2, 2, true, 1);
    Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));
    DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class, () -> Datasets.load("mnist", dir, false));
    assertTrue(e.getMessage().contains("for t10k-labels-idx1-ubyte[.gz]."), e.getMessage());
  }

  @Test
  void aMalformedFileIsAFormatErrorNotANotFound() {
    Fixtures.writeIdxSet(dir, 3, 2, 2, 2, false, 1);
    Fixtures.writeIdx(dir.resolve("train-labels-idx1-ubyte"), new int[] {3}, new byte[] {0, 1, 99}, false);
    DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Datasets.load("mnist", dir, false));
    assertEquals(10, e.offset());
  }

  @Test
  void dataMainCommands() {
    Fixtures.writeIdxSet(dir, 4, 2, 3, 3, true, 2);
    StringBuilder out = new StringBuilder();
    StringBuilder err = new StringBuilder();
    assertEquals(0, run(out, err, "list"));
    assertEquals(String.join("\n", Datasets.names()) + "\n", out.toString());
    assertEquals(0, run(out, err, "info", "fashion-mnist", "--data-dir", dir.toString()));
    assertTrue(out.toString().contains("fashion-mnist-train: 4 examples of 1x3x3, 10 classes"), out.toString());
    assertEquals(1, run(out, err, "verify", "fashion-mnist", "--data-dir", dir.toString()));
    assertTrue(err.toString().contains("SHA-256 expected b0564c3e"), err.toString());
    assertEquals(1, run(out, err, "info", "cifar10", "--data-dir", dir.toString()));
    assertTrue(err.toString().contains("CIFAR-10 cannot be fetched automatically"), err.toString());
    assertEquals(2, run(out, err, "fetch", "cifar10"));
    assertEquals(2, run(out, err, "frobnicate"));
    assertEquals(2, run(out, err));
    assertEquals(2, run(out, err, "info", "mnist", "--data-dir"));
  }

  private static int run(StringBuilder out, StringBuilder err, String... args) {
    out.setLength(0);
    err.setLength(0);
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int rc = DataMain.run(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true,
        StandardCharsets.UTF_8));
    out.append(o.toString(StandardCharsets.UTF_8));
    err.append(e.toString(StandardCharsets.UTF_8));
    return rc;
  }
}
