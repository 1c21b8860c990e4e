package org.fwdlearn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.fwdlearn.core.Matrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdxReaderTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void readsImagesAndLabelsExactly(boolean gz) {
    byte[][] set = Fixtures.writeIdxSet(dir, 7, 3, 4, 5, gz, 11);
    String s = gz ? ".gz" : "";
    Dataset d = IdxReader.readDataset("t", dir.resolve("train-images-idx3-ubyte" + s),
        dir.resolve("train-labels-idx1-ubyte" + s), 10, null);
    assertEquals(7, d.size());
    assertEquals(20, d.features());
    assertArrayEquals(new int[] {1, 4, 5}, d.shape());
    for (int i = 0; i < 7; i++) {
      assertEquals(set[2][i] & 0xFF, d.labels()[i]);
      for (int j = 0; j < 20; j++) {
        // b / 255f is the exact float32 quotient, as torchvision's ToTensor computes it
        assertEquals((set[0][i * 20 + j] & 0xFF) / 255f, d.x().get(i, j));
      }
    }
  }

  @Test
  void standardisesWithTheFloat32FormulaOfTheReference() {
    byte[] px = new byte[256];
    for (int b = 0; b < 256; b++) {
      px[b] = (byte) b;
    }
    Path f = Fixtures.writeIdx(dir.resolve("img"), new int[] {1, 16, 16}, px, false);
    Matrix m = IdxReader.readImages(f, Standardization.MNIST);
    for (int b = 0; b < 256; b++) {
      float expected = (b / 255f - 0.1307f) / 0.3081f;
      assertEquals(expected, m.get(0, b), "byte " + b);
    }
    assertEquals(0f, IdxReader.readImages(f, null).get(0, 0));
    assertEquals(1f, IdxReader.readImages(f, null).get(0, 255));
  }

  @Test
  void gzipIsRecognisedByContentNotName() {
    byte[] raw = Fixtures.idx(new int[] {3}, new byte[] {1, 2, 3});
    Path f = Fixtures.write(dir.resolve("labels.raw"), Fixtures.gzip(raw));
    assertArrayEquals(new int[] {1, 2, 3}, IdxReader.readLabels(f, 10));
  }

  @Test
  void emptyDatasetIsValid() {
    Path x = Fixtures.writeIdx(dir.resolve("x"), new int[] {0, 28, 28}, new byte[0], true);
    Path y = Fixtures.writeIdx(dir.resolve("y"), new int[] {0}, new byte[0], false);
    Dataset d = IdxReader.readDataset("empty", x, y, 10, null);
    assertEquals(0, d.size());
    assertEquals(784, d.features());
  }

  @Test
  void wrongMagicNamesFileOffsetAndBothNumbers() {
    Path f = Fixtures.writeIdx(dir.resolve("labels"), new int[] {2}, new byte[] {1, 2}, false);
    DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.read(f, 3));
    assertEquals(0, e.offset());
    assertEquals(f.toString(), e.file());
    assertTrue(e.getMessage().contains("0x00000803") && e.getMessage().contains("0x00000801"), e.getMessage());
    assertTrue(e.getMessage().startsWith(f.toString() + ": at byte 0: expected"), e.getMessage());
  }

  @Test
  void unsupportedDataTypeIsAWrongMagic() {
    byte[] raw = Fixtures.idx(new int[] {1}, new byte[4]);
    raw[2] = 0x0D; // float data
    Path f = Fixtures.write(dir.resolve("floats"), raw);
    DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.readLabels(f, 10));
    assertTrue(e.found().contains("0x00000D01"), e.getMessage());
  }

  @Test
  void truncatedRawFileSaysHowManyBytesAreMissing() {
    byte[] raw = Fixtures.idx(new int[] {4, 2, 2}, new byte[16]);
    Path f = Fixtures.write(dir.resolve("short"), Arrays.copyOf(raw, raw.length - 5));
    DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.read(f, 3));
    assertEquals(raw.length - 5, e.offset());
    assertTrue(e.expected().startsWith("5 more bytes"), e.getMessage());
    assertEquals("end of file", e.found());
  }

  @Test
  void truncatedHeaderIsReportedWhereTheFileEnds() {
    Path f = Fixtures.write(dir.resolve("tiny"), new byte[] {0, 0, 8, 3, 0, 0});
    DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.read(f, 3));
    assertEquals(6, e.offset());
    assertTrue(e.found().contains("end of file after 2 of 12 bytes"), e.getMessage());
  }

  @Test
  void trailingBytesAreRejected() {
    byte[] raw = Fixtures.idx(new int[] {2}, new byte[] {1, 2});
    Path f = Fixtures.write(dir.resolve("long"), Arrays.copyOf(raw, raw.length + 3));
    DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.readLabels(f, 10));
    assertEquals(raw.length, e.offset());
    assertEquals("3 more bytes", e.found());
    Path g = Fixtures.write(dir.resolve("long.gz"), Fixtures.gzip(Arrays.copyOf(raw, raw.length + 3)));
    DatasetFormatException eg = assertThrows(DatasetFormatException.class, () -> IdxReader.readLabels(g, 10));
    assertTrue(eg.decompressed());
    assertEquals(raw.length, eg.offset());
  }

  @Test
  void headerClaimingHugeDataInATinyRawFileFailsBeforeAllocating() {
    ByteBuffer b = ByteBuffer.allocate(16).putInt(0x0803).putInt(2_000_000).putInt(1000).putInt(1000);
    Path f = Fixtures.write(dir.resolve("liar"), b.array());
    DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.read(f, 3));
    assertTrue(e.getMessage().contains("2000000x1000"), e.getMessage());
  }

  @Test
  void headerClaimingMoreDataThanAGzipStreamHoldsFailsWithoutHugeAllocation() {
    // claims 2^31 - 17 bytes (the largest accepted payload) but holds 10: the reader must grow its buffer only
    // as bytes arrive, so it fails on end of data instead of allocating 2 GB (and 8 GB of floats)
    ByteBuffer b = ByteBuffer.allocate(26).putInt(0x0803).putInt(Integer.MAX_VALUE - 16).putInt(1).putInt(1);
    Path f = Fixtures.write(dir.resolve("liar.gz"), Fixtures.gzip(b.array()));
    DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.read(f, 3));
    assertTrue(e.decompressed());
    assertEquals(26, e.offset());
    assertEquals("end of data", e.found());
  }

  @Test
  void dimensionsWhoseProductExceedsTheLimitAreRejectedFromTheHeader() {
    ByteBuffer b = ByteBuffer.allocate(16).putInt(0x0803).putInt(70000).putInt(70000).putInt(1);
    Path f = Fixtures.write(dir.resolve("big.gz"), Fixtures.gzip(b.array()));
    DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.read(f, 3));
    assertEquals(8, e.offset());
    ByteBuffer neg = ByteBuffer.allocate(16).putInt(0x0803).putInt(-1).putInt(1).putInt(1);
    Path g = Fixtures.write(dir.resolve("neg"), neg.array());
    DatasetFormatException eg = assertThrows(DatasetFormatException.class, () -> IdxReader.read(g, 3));
    assertEquals(4, eg.offset());
    assertEquals("4294967295", eg.found());
  }

  @Test
  void hugeImagesAreRejectedEvenWhenThereAreNone() {
    // 0 images of 65536x65536: no data, but one image would not fit a row of a matrix
    ByteBuffer b = ByteBuffer.allocate(16).putInt(0x0803).putInt(0).putInt(65536).putInt(65536);
    Path f = Fixtures.write(dir.resolve("zero"), b.array());
    DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(f, null));
    assertEquals(12, e.offset());
    assertTrue(e.found().contains("0x65536x65536"), e.getMessage());
    ByteBuffer labels = ByteBuffer.allocate(8).putInt(0x0801).putInt(Integer.MAX_VALUE);
    Path g = Fixtures.write(dir.resolve("labels.gz"), Fixtures.gzip(labels.array()));
    assertEquals(4, assertThrows(DatasetFormatException.class, () -> IdxReader.readLabels(g, 10)).offset());
  }

  @Test
  void labelOutOfRangeNamesItsOffset() {
    Path f = Fixtures.writeIdx(dir.resolve("y"), new int[] {4}, new byte[] {1, 2, 10, 3}, false);
    DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.readLabels(f, 10));
    assertEquals(8 + 2, e.offset());
    assertEquals("10", e.found());
    assertEquals("a label in [0, 10)", e.expected());
    Path g = Fixtures.writeIdx(dir.resolve("y255"), new int[] {1}, new byte[] {(byte) 255}, true);
    assertEquals("255", assertThrows(DatasetFormatException.class, () -> IdxReader.readLabels(g, 10)).found());
  }

  @Test
  void imageAndLabelCountsMustAgree() {
    Path x = Fixtures.writeIdx(dir.resolve("x"), new int[] {3, 2, 2}, new byte[12], false);
    Path y = Fixtures.writeIdx(dir.resolve("y"), new int[] {2}, new byte[2], false);
    DatasetFormatException e =
        assertThrows(DatasetFormatException.class, () -> IdxReader.readDataset("m", x, y, 10, null));
    assertEquals(y.toString(), e.file());
    assertEquals(4, e.offset());
    assertTrue(e.expected().startsWith("3 labels"), e.getMessage());
    assertEquals("2 labels", e.found());
  }

  @Test
  void corruptGzipIsAFormatError() throws Exception {
    byte[] gz = Fixtures.gzip(Fixtures.idx(new int[] {50, 4, 4}, Fixtures.randomBytes(1, 800)));
    byte[] bad = gz.clone();
    bad[gz.length / 2] ^= 0x5A;
    Path f = Fixtures.write(dir.resolve("bad.gz"), bad);
    DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.read(f, 3));
    assertTrue(e.decompressed() || e.offset() == 0, e.getMessage());
    byte[] crc = gz.clone();
    crc[gz.length - 6] ^= 1; // the CRC-32 in the trailer
    Path g = Fixtures.write(dir.resolve("crc.gz"), crc);
    DatasetFormatException ec = assertThrows(DatasetFormatException.class, () -> IdxReader.read(g, 3));
    assertEquals("a valid gzip stream", ec.expected());
    Path h = Fixtures.write(dir.resolve("cut.gz"), Arrays.copyOf(gz, gz.length - 20));
    assertThrows(DatasetFormatException.class, () -> IdxReader.read(h, 3));
    Path i = Fixtures.write(dir.resolve("header.gz"), Arrays.copyOf(gz, 5));
    DatasetFormatException eh = assertThrows(DatasetFormatException.class, () -> IdxReader.read(i, 3));
    assertEquals(0, eh.offset());
    assertTrue(Files.exists(i));
  }

  @Test
  void missingFileIsAnIoErrorNotAFormatError() {
    assertThrows(java.io.UncheckedIOException.class, () -> IdxReader.read(dir.resolve("nope"), 1));
  }
}
