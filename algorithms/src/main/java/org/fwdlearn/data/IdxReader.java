package org.fwdlearn.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.fwdlearn.core.Matrix;

/**
 * Reader for the IDX format of MNIST and Fashion-MNIST (LeCun et al.), raw or gzip-compressed (recognised by
 * its first two bytes, whatever the file name).
 *
 * <p>An IDX file is a 4-byte big-endian magic number {@code 0x0000TTDD} (TT = data type, only {@code 0x08},
 * unsigned byte, is supported; DD = number of dimensions), DD big-endian 32-bit dimension sizes, then the
 * data in row-major order. Images ({@code DD = 3}: count, rows, cols) become an {@code n x (rows*cols)}
 * float32 matrix with pixels {@code b / 255} in [0, 1], optionally standardised; labels ({@code DD = 1})
 * become an {@code int[]}.
 *
 * <p>Every check happens before anything is returned, and sizes are checked before allocating: a raw file's
 * length must equal header plus claimed data exactly; a gzip stream is read into a buffer that grows with
 * the bytes actually decompressed (never beyond what the header claims), then must end exactly there. Any
 * violation is a {@link DatasetFormatException}; I/O failures are {@link UncheckedIOException}s.
 */
public final class IdxReader {
  /** The IDX data type code for unsigned bytes, the only type MNIST-like files use. */
  public static final int TYPE_UBYTE = 0x08;

  /** The largest payload accepted, in bytes: a float32 matrix of this many elements still fits an array. */
  public static final long MAX_PAYLOAD = Integer.MAX_VALUE - 16;

  private static final int INITIAL_GZIP_BUFFER = 1 << 20;
  private static final int IO_BUFFER = 1 << 16;

  private IdxReader() {}

  /**
   * The content of an IDX file of unsigned bytes.
   *
   * @param file the file it was read from
   * @param dims the dimension sizes from the header
   * @param data the payload, {@code product(dims)} bytes (values are unsigned: use {@code b & 0xFF})
   */
  public record Idx(Path file, int[] dims, byte[] data) {}

  /**
   * Reads an IDX file of unsigned bytes with {@code expectedDims} dimensions.
   *
   * @param file the file, raw or gzip-compressed. Not modified.
   * @param expectedDims the number of dimensions the caller needs (1 for labels, 3 for images)
   * @throws DatasetFormatException if the file is not such an IDX file or its length does not match its header
   * @throws UncheckedIOException if the file cannot be read
   */
  public static Idx read(Path file, int expectedDims) {
    if (expectedDims < 1 || expectedDims > 255) {
      throw new IllegalArgumentException("expectedDims must be in [1, 255], got " + expectedDims);
    }
    try {
      long fileLength = Files.size(file);
      boolean gzip = isGzip(file);
      try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), IO_BUFFER);
          CountingStream in = new CountingStream(gzip ? gunzip(file, raw) : raw)) {
        return readStream(file, in, gzip, fileLength, expectedDims);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads labels from an IDX1 file and checks each lies in {@code [0, numClasses)}.
   *
   * @param file the label file, raw or gzip. Not modified.
   * @param numClasses the number of classes
   * @throws DatasetFormatException naming the offset of the first label out of range, or any format error
   */
  public static int[] readLabels(Path file, int numClasses) {
    if (numClasses < 1 || numClasses > 256) {
      throw new IllegalArgumentException("numClasses must be in [1, 256], got " + numClasses);
    }
    Idx idx = read(file, 1);
    return labels(idx, numClasses);
  }

  /**
   * Reads images from an IDX3 file into an {@code n x (rows*cols)} matrix, pixels {@code b / 255}, then
   * standardised if {@code std} is not null.
   *
   * @param file the image file, raw or gzip. Not modified.
   * @param std a one-channel standardisation, or null
   * @return the images; {@link #imageShape(Idx)} gives their shape
   */
  public static Matrix readImages(Path file, Standardization std) {
    return images(read(file, 3), std);
  }

  /**
   * Reads an image file and its label file into one dataset, checking that the counts agree and that every
   * label is in {@code [0, numClasses)}. Nothing is returned unless both files are valid.
   *
   * @param name the dataset's name, e.g. {@code mnist-train}
   * @param images the IDX3 image file. Not modified.
   * @param labels the IDX1 label file. Not modified.
   * @param numClasses the number of classes
   * @param std a one-channel standardisation, or null for pixels in [0, 1]
   */
  public static Dataset readDataset(String name, Path images, Path labels, int numClasses, Standardization std) {
    if (numClasses < 1 || numClasses > 256) {
      throw new IllegalArgumentException("numClasses must be in [1, 256], got " + numClasses);
    }
    Idx lab = read(labels, 1);
    Idx img = read(images, 3);
    if (lab.dims[0] != img.dims[0]) {
      throw new DatasetFormatException(
          labels, 4, isGzipQuietly(labels), img.dims[0] + " labels, the image count of " + images,
          lab.dims[0] + " labels", null);
    }
    int[] y = labels(lab, numClasses);
    Matrix x = images(img, std);
    return new Dataset(name, x, y, numClasses, imageShape(img));
  }

  /** The shape {1, rows, cols} of the images of an IDX3 file. */
  public static int[] imageShape(Idx idx) {
    return new int[] {1, idx.dims[1], idx.dims[2]};
  }

  private static int[] labels(Idx idx, int numClasses) {
    byte[] data = idx.data;
    int[] y = new int[data.length];
    int header = 4 + 4 * idx.dims.length;
    for (int i = 0; i < data.length; i++) {
      int v = data[i] & 0xFF;
      if (v >= numClasses) {
        throw new DatasetFormatException(
            idx.file, header + (long) i, isGzipQuietly(idx.file), "a label in [0, " + numClasses + ")",
            String.valueOf(v), null);
      }
      y[i] = v;
    }
    return y;
  }

  private static Matrix images(Idx idx, Standardization std) {
    int n = idx.dims[0];
    int d = idx.dims[1] * idx.dims[2]; // the product of all dims fits an int (read() checked it)
    float[] table = Standardization.byteTable(std, 1)[0];
    byte[] data = idx.data;
    float[] out = new float[data.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = table[data[i] & 0xFF];
    }
    return Matrix.wrap(n, d, out);
  }

  private static Idx readStream(Path file, CountingStream in, boolean gzip, long fileLength, int expectedDims)
      throws IOException {
    byte[] head = new byte[4];
    readFully(file, in, gzip, head, 0, 4, "a 4-byte IDX magic number");
    int magic = beInt(head, 0);
    int expectedMagic = (TYPE_UBYTE << 8) | expectedDims;
    if (magic != expectedMagic) {
      throw new DatasetFormatException(
          file, 0, gzip, String.format("IDX magic number 0x%08X (unsigned bytes, %d dimension%s)", expectedMagic,
              expectedDims, expectedDims == 1 ? "" : "s"),
          String.format("0x%08X", magic), null);
    }
    int headerLength = 4 + 4 * expectedDims;
    byte[] dimBytes = new byte[4 * expectedDims];
    readFully(file, in, gzip, dimBytes, 0, dimBytes.length, expectedDims + " 4-byte dimension sizes");
    int[] dims = new int[expectedDims];
    long itemSize = 1; // the product of all dimensions but the first: one item (image), even when there are none
    for (int k = 0; k < expectedDims; k++) {
      dims[k] = beInt(dimBytes, 4 * k);
      if (dims[k] < 0) {
        throw new DatasetFormatException(
            file, 4 + 4L * k, gzip, "dimension " + k + " size below 2^31", Integer.toUnsignedString(dims[k]), null);
      }
      if (k > 0) {
        itemSize *= dims[k];
      }
      // each factor is below 2^31, so neither product overflows a long
      if (itemSize > MAX_PAYLOAD || itemSize * Math.max(1, dims[0]) > MAX_PAYLOAD) {
        throw new DatasetFormatException(
            file, 4 + 4L * k, gzip, "at most " + MAX_PAYLOAD + " data bytes",
            "dimensions " + dimsToString(dims, k + 1) + " (over " + MAX_PAYLOAD + " bytes)", null);
      }
    }
    long payload = dims[0] * itemSize;
    byte[] data;
    if (!gzip) {
      long expectedLength = headerLength + payload;
      if (fileLength < expectedLength) {
        throw new DatasetFormatException(
            file, fileLength, expectedLength - fileLength + " more bytes (dimensions " + dimsToString(dims, dims.length)
                + " need a file of " + expectedLength + " bytes)", "end of file");
      }
      if (fileLength > expectedLength) {
        throw new DatasetFormatException(
            file, expectedLength, "end of file (dimensions " + dimsToString(dims, dims.length) + " need "
                + expectedLength + " bytes)", fileLength - expectedLength + " more bytes");
      }
      data = new byte[(int) payload];
      readFully(file, in, false, data, 0, data.length, "data");
    } else {
      data = readBounded(file, in, (int) payload, dims);
    }
    try {
      if (in.read() >= 0) {
        long extra = 1;
        while (in.read() >= 0) {
          extra++;
        }
        throw new DatasetFormatException(
            file, headerLength + payload, gzip, "end of data (dimensions " + dimsToString(dims, dims.length) + ")",
            extra + " more bytes", null);
      }
    } catch (ZipException | EOFException e) {
      throw corrupt(file, in.count(), e);
    }
    return new Idx(file, dims, data);
  }

  /** Reads exactly {@code size} bytes, growing the buffer only as real bytes arrive. */
  private static byte[] readBounded(Path file, CountingStream in, int size, int[] dims) throws IOException {
    byte[] buf = new byte[Math.min(size, INITIAL_GZIP_BUFFER)];
    int got = 0;
    while (got < size) {
      if (got == buf.length) {
        buf = Arrays.copyOf(buf, (int) Math.min(size, 2L * buf.length));
      }
      int r;
      try {
        r = in.read(buf, got, buf.length - got);
      } catch (ZipException | EOFException e) {
        throw corrupt(file, in.count(), e);
      }
      if (r < 0) {
        throw new DatasetFormatException(
            file, in.count(), true, (size - got) + " more bytes (dimensions " + dimsToString(dims, dims.length)
                + " claim " + size + " data bytes)", "end of data", null);
      }
      got += r;
    }
    return buf;
  }

  private static void readFully(Path file, CountingStream in, boolean gzip, byte[] b, int off, int len, String what)
      throws IOException {
    int got = 0;
    while (got < len) {
      int r;
      try {
        r = in.read(b, off + got, len - got);
      } catch (ZipException | EOFException e) {
        throw corrupt(file, in.count(), e);
      }
      if (r < 0) {
        throw new DatasetFormatException(file, in.count(), gzip, what, "end of file after " + got + " of "
            + len + " bytes", null);
      }
      got += r;
    }
  }

  private static DatasetFormatException corrupt(Path file, long offset, IOException e) {
    return new DatasetFormatException(file, offset, true, "a valid gzip stream", "corrupt data (" + e.getMessage()
        + ")", e);
  }

  private static InputStream gunzip(Path file, InputStream raw) throws IOException {
    try {
      return new GZIPInputStream(raw, IO_BUFFER);
    } catch (ZipException | EOFException e) {
      throw new DatasetFormatException(file, 0, false, "a gzip header", "corrupt data (" + e.getMessage() + ")", e);
    }
  }

  /** True if the file starts with the gzip magic bytes 0x1F 0x8B. */
  static boolean isGzip(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return in.read() == 0x1F && in.read() == 0x8B;
    }
  }

  private static boolean isGzipQuietly(Path file) {
    try {
      return isGzip(file);
    } catch (IOException e) {
      return false;
    }
  }

  private static int beInt(byte[] b, int off) {
    return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
  }

  private static String dimsToString(int[] dims, int count) {
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < count; k++) {
      sb.append(k == 0 ? "" : "x").append(dims[k]);
    }
    return sb.toString();
  }

  /** Counts the bytes read through it (the offset in the, possibly decompressed, IDX stream). */
  private static final class CountingStream extends InputStream {
    private final InputStream in;
    private long count;

    CountingStream(InputStream in) {
      this.in = in;
    }

    long count() {
      return count;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int r = in.read(b, off, len);
      if (r > 0) {
        count += r;
      }
      return r;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
