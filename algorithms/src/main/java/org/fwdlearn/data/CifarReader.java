package org.fwdlearn.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.fwdlearn.core.Matrix;

/**
 * Reader for the binary versions of CIFAR-10 and CIFAR-100 (Krizhevsky 2009).
 *
 * <p>A CIFAR-10 file is a sequence of 3073-byte records: one label byte in [0, 10), then 3072 pixel bytes
 * (1024 red, 1024 green, 1024 blue, each a 32x32 image in row-major order). A CIFAR-100 record is 3074
 * bytes: a coarse label in [0, 20), a fine label in [0, 100), then the same 3072 pixels. The pixels are
 * therefore already in C,H,W order; they become float32 values {@code b / 255} in [0, 1], optionally
 * standardised per channel.
 *
 * <p>File lengths are checked (a positive whole number of records) before anything is allocated, and every
 * label of every record is checked; any violation is a {@link DatasetFormatException} naming the file and
 * byte offset, thrown before anything is returned.
 */
public final class CifarReader {
  /** Channels, height and width of a CIFAR image. */
  public static final int CHANNELS = 3;

  /** Height and width of a CIFAR image. */
  public static final int SIDE = 32;

  /** Pixel bytes per image, {@code 3 * 32 * 32}. */
  public static final int IMAGE_BYTES = CHANNELS * SIDE * SIDE;

  /** Bytes per CIFAR-10 record: label + pixels. */
  public static final int CIFAR10_RECORD = 1 + IMAGE_BYTES;

  /** Bytes per CIFAR-100 record: coarse label + fine label + pixels. */
  public static final int CIFAR100_RECORD = 2 + IMAGE_BYTES;

  /** Classes of CIFAR-10. */
  public static final int CIFAR10_CLASSES = 10;

  /** Coarse classes (superclasses) of CIFAR-100. */
  public static final int CIFAR100_COARSE_CLASSES = 20;

  /** Fine classes of CIFAR-100. */
  public static final int CIFAR100_FINE_CLASSES = 100;

  private static final int RECORDS_PER_READ = 512;

  private CifarReader() {}

  /** Which labels a reader takes. */
  public enum Labels {
    /** CIFAR-10's single label (10 classes). */
    CIFAR10(CIFAR10_RECORD, 0, CIFAR10_CLASSES),
    /** CIFAR-100's coarse label (20 superclasses). */
    CIFAR100_COARSE(CIFAR100_RECORD, 0, CIFAR100_COARSE_CLASSES),
    /** CIFAR-100's fine label (100 classes). */
    CIFAR100_FINE(CIFAR100_RECORD, 1, CIFAR100_FINE_CLASSES);

    final int recordBytes;
    final int labelOffset;
    final int numClasses;

    Labels(int recordBytes, int labelOffset, int numClasses) {
      this.recordBytes = recordBytes;
      this.labelOffset = labelOffset;
      this.numClasses = numClasses;
    }

    /** The number of classes of this labelling. */
    public int numClasses() {
      return numClasses;
    }

    /** The bytes of one record of the file format. */
    public int recordBytes() {
      return recordBytes;
    }
  }

  /**
   * Reads CIFAR-10 binary files (e.g. {@code data_batch_1.bin} ... {@code data_batch_5.bin}) into one
   * dataset, records in file order.
   *
   * @param name the dataset's name, e.g. {@code cifar10-train}
   * @param files the files, read in this order. Not modified.
   * @param std a three-channel standardisation, or null for pixels in [0, 1]
   */
  public static Dataset readCifar10(String name, List<Path> files, Standardization std) {
    return read(name, files, Labels.CIFAR10, std);
  }

  /**
   * Reads a CIFAR-100 binary file ({@code train.bin} or {@code test.bin}) with its fine or coarse labels;
   * both label bytes of every record are checked either way.
   *
   * @param name the dataset's name, e.g. {@code cifar100-train}
   * @param file the file. Not modified.
   * @param fine true for the 100 fine labels, false for the 20 coarse ones
   * @param std a three-channel standardisation, or null for pixels in [0, 1]
   */
  public static Dataset readCifar100(String name, Path file, boolean fine, Standardization std) {
    return read(name, List.of(file), fine ? Labels.CIFAR100_FINE : Labels.CIFAR100_COARSE, std);
  }

  /**
   * Reads CIFAR binary files of the given labelling into one dataset.
   *
   * @param name the dataset's name
   * @param files the files, read in this order (at least one). Not modified.
   * @param labels the record format and which label to keep
   * @param std a three-channel standardisation, or null
   * @throws DatasetFormatException on a length that is not a positive whole number of records, or a label
   *     out of range
   * @throws UncheckedIOException if a file cannot be read
   */
  public static Dataset read(String name, List<Path> files, Labels labels, Standardization std) {
    if (files.isEmpty()) {
      throw new IllegalArgumentException(name + ": no CIFAR files given");
    }
    float[][] table = Standardization.byteTable(std, CHANNELS);
    int record = labels.recordBytes;
    long[] counts = new long[files.size()];
    long total = 0;
    try {
      for (int f = 0; f < files.size(); f++) {
        Path file = files.get(f);
        long length = Files.size(file);
        if (length == 0) {
          throw new DatasetFormatException(file, 0, "at least one " + record + "-byte record", "an empty file");
        }
        if (length % record != 0) {
          throw new DatasetFormatException(
              file, length - length % record, "a whole number of " + record + "-byte records (" + labels + ")",
              length + " bytes = " + length / record + " records and " + length % record + " bytes");
        }
        counts[f] = length / record;
        total += counts[f];
        if (total * IMAGE_BYTES > IdxReader.MAX_PAYLOAD) {
          throw new DatasetFormatException(
              file, 0, "at most " + IdxReader.MAX_PAYLOAD / IMAGE_BYTES + " images in all", total + " images");
        }
      }
      float[] x = new float[(int) (total * IMAGE_BYTES)];
      int[] y = new int[(int) total];
      byte[] buf = new byte[RECORDS_PER_READ * record];
      int row = 0;
      for (int f = 0; f < files.size(); f++) {
        Path file = files.get(f);
        try (InputStream in = Files.newInputStream(file)) {
          long left = counts[f];
          long offset = 0;
          while (left > 0) {
            int k = (int) Math.min(left, RECORDS_PER_READ);
            readFully(file, in, buf, k * record, offset);
            for (int r = 0; r < k; r++) {
              int base = r * record;
              long recordOffset = offset + base;
              checkLabel(file, recordOffset, buf[base] & 0xFF, record == CIFAR10_RECORD
                  ? CIFAR10_CLASSES : CIFAR100_COARSE_CLASSES, record == CIFAR10_RECORD ? "label" : "coarse label");
              if (record == CIFAR100_RECORD) {
                checkLabel(file, recordOffset + 1, buf[base + 1] & 0xFF, CIFAR100_FINE_CLASSES, "fine label");
              }
              y[row] = buf[base + labels.labelOffset] & 0xFF;
              int pix = base + record - IMAGE_BYTES;
              int out = row * IMAGE_BYTES;
              for (int c = 0; c < CHANNELS; c++) {
                float[] t = table[c];
                int plane = SIDE * SIDE;
                for (int p = 0; p < plane; p++) {
                  x[out + c * plane + p] = t[buf[pix + c * plane + p] & 0xFF];
                }
              }
              row++;
            }
            offset += (long) k * record;
            left -= k;
          }
          if (in.read() >= 0) {
            throw new DatasetFormatException(file, offset, "end of file", "the file grew while being read");
          }
        }
      }
      return new Dataset(name, Matrix.wrap((int) total, IMAGE_BYTES, x), y, labels.numClasses,
          new int[] {CHANNELS, SIDE, SIDE});
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read CIFAR data " + files + ": " + e.getMessage(), e);
    }
  }

  private static void checkLabel(Path file, long offset, int v, int classes, String what) {
    if (v >= classes) {
      throw new DatasetFormatException(file, offset, "a " + what + " in [0, " + classes + ")", String.valueOf(v));
    }
  }

  private static void readFully(Path file, InputStream in, byte[] b, int len, long offset) throws IOException {
    int got = 0;
    while (got < len) {
      int r = in.read(b, got, len - got);
      if (r < 0) {
        throw new DatasetFormatException(
            file, offset + got, len - got + " more bytes", "end of file (it shrank while being read)");
      }
      got += r;
    }
  }
}
