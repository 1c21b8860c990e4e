package org.fwdlearn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarReaderTest {
  private static final int PIX = CifarReader.IMAGE_BYTES;

  @TempDir Path dir;

  static byte[][] labels10(int... y) {
    byte[][] b = new byte[y.length][];
    for (int i = 0; i < y.length; i++) {
      b[i] = new byte[] {(byte) y[i]};
    }
    return b;
  }

  @Test
  void cifar10RecordsBecomeRowsInFileOrderWithChannelMajorPixels() {
    byte[] px1 = Fixtures.randomBytes(5, 3 * PIX);
    byte[] px2 = Fixtures.randomBytes(6, 2 * PIX);
    Path f1 = Fixtures.write(dir.resolve("data_batch_1.bin"), Fixtures.cifar(labels10(3, 9, 0), px1));
    Path f2 = Fixtures.write(dir.resolve("data_batch_2.bin"), Fixtures.cifar(labels10(7, 1), px2));
    Dataset d = CifarReader.readCifar10("c", List.of(f1, f2), null);
    assertEquals(5, d.size());
    assertEquals(PIX, d.features());
    assertArrayEquals(new int[] {3, 32, 32}, d.shape());
    assertArrayEquals(new int[] {3, 9, 0, 7, 1}, d.labels());
    assertEquals(10, d.numClasses());
    byte[] all = new byte[5 * PIX];
    System.arraycopy(px1, 0, all, 0, px1.length);
    System.arraycopy(px2, 0, all, px1.length, px2.length);
    for (int i = 0; i < 5; i++) {
      for (int j = 0; j < PIX; j++) {
        assertEquals((all[i * PIX + j] & 0xFF) / 255f, d.x().get(i, j));
      }
    }
  }

  @Test
  void cifar10StandardisationIsPerChannel() {
    byte[] px = new byte[PIX];
    Arrays.fill(px, 0, 1024, (byte) 10);
    Arrays.fill(px, 1024, 2048, (byte) 20);
    Arrays.fill(px, 2048, 3072, (byte) 30);
    Path f = Fixtures.write(dir.resolve("b.bin"), Fixtures.cifar(labels10(4), px));
    Dataset d = CifarReader.readCifar10("c", List.of(f), Standardization.CIFAR10);
    float[] mean = {0.4914f, 0.4822f, 0.4465f};
    float[] std = {0.2470f, 0.2435f, 0.2616f};
    for (int c = 0; c < 3; c++) {
      float expected = ((10 * (c + 1)) / 255f - mean[c]) / std[c];
      assertEquals(expected, d.x().get(0, c * 1024), "channel " + c + " first pixel");
      assertEquals(expected, d.x().get(0, c * 1024 + 1023), "channel " + c + " last pixel");
    }
  }

  @Test
  void cifar100KeepsFineOrCoarseLabels() {
    byte[][] lab = {{19, 99}, {0, 0}, {7, 42}};
    byte[] px = Fixtures.randomBytes(8, 3 * PIX);
    Path f = Fixtures.write(dir.resolve("train.bin"), Fixtures.cifar(lab, px));
    Dataset fine = CifarReader.readCifar100("f", f, true, null);
    Dataset coarse = CifarReader.readCifar100("c", f, false, null);
    assertArrayEquals(new int[] {99, 0, 42}, fine.labels());
    assertArrayEquals(new int[] {19, 0, 7}, coarse.labels());
    assertEquals(100, fine.numClasses());
    assertEquals(20, coarse.numClasses());
    assertTrue(fine.x().contentEquals(coarse.x()));
    assertEquals((px[2 * PIX + 5] & 0xFF) / 255f, fine.x().get(2, 5));
  }

  @Test
  void lengthNotAMultipleOfTheRecordNamesTheRemainder() {
    byte[] ok = Fixtures.cifar(labels10(1, 2), new byte[2 * PIX]);
    Path f = Fixtures.write(dir.resolve("cut.bin"), Arrays.copyOf(ok, ok.length - 1));
    DatasetFormatException e =
        assertThrows(DatasetFormatException.class, () -> CifarReader.readCifar10("c", List.of(f), null));
    assertEquals(CifarReader.CIFAR10_RECORD, e.offset());
    assertTrue(e.found().contains("1 records and 3072 bytes"), e.getMessage());
    assertTrue(e.expected().contains("3073-byte records"), e.getMessage());
  }

  @Test
  void aCifar10FileReadAsCifar100IsCaughtByItsLength() {
    Path f = Fixtures.write(dir.resolve("ten.bin"), Fixtures.cifar(labels10(1, 2, 3), new byte[3 * PIX]));
    assertThrows(DatasetFormatException.class, () -> CifarReader.readCifar100("c", f, true, null));
  }

  @Test
  void emptyFileIsRejected() {
    Path f = Fixtures.write(dir.resolve("empty.bin"), new byte[0]);
    DatasetFormatException e =
        assertThrows(DatasetFormatException.class, () -> CifarReader.readCifar10("c", List.of(f), null));
    assertEquals("an empty file", e.found());
  }

  @Test
  void labelsOutOfRangeNameTheirOffset() {
    Path f = Fixtures.write(dir.resolve("bad.bin"), Fixtures.cifar(labels10(1, 10), new byte[2 * PIX]));
    DatasetFormatException e =
        assertThrows(DatasetFormatException.class, () -> CifarReader.readCifar10("c", List.of(f), null));
    assertEquals(CifarReader.CIFAR10_RECORD, e.offset());
    assertEquals("10", e.found());
    // CIFAR-100: the fine label is checked even when the coarse labels are wanted, and vice versa
    Path g = Fixtures.write(dir.resolve("fine.bin"), Fixtures.cifar(new byte[][] {{1, 2}, {3, 100}}, new byte[2 * PIX]));
    DatasetFormatException eg =
        assertThrows(DatasetFormatException.class, () -> CifarReader.readCifar100("c", g, false, null));
    assertEquals(CifarReader.CIFAR100_RECORD + 1, eg.offset());
    assertEquals("a fine label in [0, 100)", eg.expected());
    Path h = Fixtures.write(dir.resolve("coarse.bin"), Fixtures.cifar(new byte[][] {{20, 2}}, new byte[PIX]));
    DatasetFormatException eh =
        assertThrows(DatasetFormatException.class, () -> CifarReader.readCifar100("c", h, true, null));
    assertEquals(0, eh.offset());
    assertEquals("a coarse label in [0, 20)", eh.expected());
  }

  @Test
  void aBadSecondFileMeansNoDataset() {
    Path f1 = Fixtures.write(dir.resolve("a.bin"), Fixtures.cifar(labels10(1), new byte[PIX]));
    Path f2 = Fixtures.write(dir.resolve("b.bin"), Fixtures.cifar(labels10(11), new byte[PIX]));
    DatasetFormatException e =
        assertThrows(DatasetFormatException.class, () -> CifarReader.readCifar10("c", List.of(f1, f2), null));
    assertEquals(f2.toString(), e.file());
  }
}
