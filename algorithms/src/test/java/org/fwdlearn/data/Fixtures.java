package org.fwdlearn.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/** Writes small data files in the exact IDX, CIFAR and tar formats, for tests. */
final class Fixtures {
  private Fixtures() {}

  /** An IDX file of unsigned bytes: magic 0x000008DD, the dims, the data. */
  static byte[] idx(int[] dims, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
    b.putInt(0x0800 | dims.length);
    for (int d : dims) {
      b.putInt(d);
    }
    b.put(data);
    return b.array();
  }

  static byte[] gzip(byte[] raw) {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
      gz.write(raw);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bos.toByteArray();
  }

  static Path write(Path file, byte[] content) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      return Files.write(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code n} random bytes from a seeded generator. */
  static byte[] randomBytes(long seed, int n) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** {@code n} labels in [0, classes) from a seeded generator. */
  static byte[] randomLabels(long seed, int n, int classes) {
    Random r = new Random(seed);
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) r.nextInt(classes);
    }
    return b;
  }

  /**
   * Writes the four MNIST-like files (train: nTrain images, test: nTest, rows x cols) to {@code dir}, gzipped
   * (with .gz appended) or raw; returns the train pixels followed by test pixels, train labels, test labels.
   */
  static byte[][] writeIdxSet(Path dir, int nTrain, int nTest, int rows, int cols, boolean gz, long seed) {
    byte[] trainX = randomBytes(seed, nTrain * rows * cols);
    byte[] testX = randomBytes(seed + 1, nTest * rows * cols);
    byte[] trainY = randomLabels(seed + 2, nTrain, 10);
    byte[] testY = randomLabels(seed + 3, nTest, 10);
    String s = gz ? ".gz" : "";
    writeIdx(dir.resolve("train-images-idx3-ubyte" + s), new int[] {nTrain, rows, cols}, trainX, gz);
    writeIdx(dir.resolve("train-labels-idx1-ubyte" + s), new int[] {nTrain}, trainY, gz);
    writeIdx(dir.resolve("t10k-images-idx3-ubyte" + s), new int[] {nTest, rows, cols}, testX, gz);
    writeIdx(dir.resolve("t10k-labels-idx1-ubyte" + s), new int[] {nTest}, testY, gz);
    return new byte[][] {trainX, testX, trainY, testY};
  }

  static Path writeIdx(Path file, int[] dims, byte[] data, boolean gz) {
    byte[] raw = idx(dims, data);
    return write(file, gz ? gzip(raw) : raw);
  }

  /**
   * CIFAR records: per record the label bytes (1 for CIFAR-10, coarse then fine for CIFAR-100) then 3072 pixel
   * bytes.
   */
  static byte[] cifar(byte[][] labelBytes, byte[] pixels) {
    int n = labelBytes.length;
    int lb = n == 0 ? 1 : labelBytes[0].length;
    ByteBuffer b = ByteBuffer.allocate(n * (lb + CifarReader.IMAGE_BYTES));
    for (int i = 0; i < n; i++) {
      b.put(labelBytes[i]);
      b.put(pixels, i * CifarReader.IMAGE_BYTES, CifarReader.IMAGE_BYTES);
    }
    return b.array();
  }

  /** A gzip-compressed ustar archive of the given entries (name -> content), in order. */
  static byte[] tgz(Map<String, byte[]> entries, boolean paxForLongNames) {
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    for (Map.Entry<String, byte[]> e : entries.entrySet()) {
      String name = e.getKey();
      if (paxForLongNames) {
        String rec = "path=" + name + "\n";
        int base = 1 + rec.length(); // the space and the record; LEN counts its own digits too
        int d = 1;
        while (String.valueOf(base + d).length() != d) {
          d++;
        }
        int len = base + d;
        byte[] pax = (len + " " + rec).getBytes(StandardCharsets.UTF_8);
        tarEntry(tar, "PaxHeader/x", 'x', pax);
        name = "placeholder-name";
      }
      tarEntry(tar, name, '0', e.getValue());
    }
    tar.writeBytes(new byte[1024]);
    return gzip(tar.toByteArray());
  }

  static void tarEntry(ByteArrayOutputStream tar, String name, char type, byte[] content) {
    byte[] h = new byte[512];
    byte[] nb = name.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(nb, 0, h, 0, Math.min(nb.length, 100));
    putOctal(h, 100, 8, 0644);
    putOctal(h, 108, 8, 0);
    putOctal(h, 116, 8, 0);
    putOctal(h, 124, 12, content.length);
    putOctal(h, 136, 12, 0);
    h[156] = (byte) type;
    System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
    h[263] = '0';
    h[264] = '0';
    for (int i = 148; i < 156; i++) {
      h[i] = ' ';
    }
    long sum = 0;
    for (byte x : h) {
      sum += x & 0xFF;
    }
    putOctal(h, 148, 7, sum);
    tar.writeBytes(h);
    tar.writeBytes(content);
    tar.writeBytes(new byte[(512 - content.length % 512) % 512]);
  }

  private static void putOctal(byte[] h, int off, int len, long v) {
    String s = String.format("%0" + (len - 1) + "o", v);
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, off, len - 1);
    h[off + len - 1] = 0;
  }
}
