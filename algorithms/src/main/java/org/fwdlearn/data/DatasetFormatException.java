package org.fwdlearn.data;

import java.nio.file.Path;

/**
 * A data file that does not hold what its format promises: a wrong magic number, a truncated file, a header
 * that claims more data than the file holds, labels out of range, a corrupt gzip stream, a CIFAR file whose
 * length is not a whole number of records, and the like.
 *
 * <p>The message names the file, the byte offset where the problem was found, and what was expected and
 * found, e.g. {@code train-labels-idx1-ubyte: at byte 8: expected a label in [0, 10), found 12}. For a
 * gzip-compressed file the offset counts bytes of the decompressed stream, and the message says so.
 *
 * <p>Readers throw this exception before returning anything: a dataset is loaded whole or not at all.
 */
public final class DatasetFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final long offset;
  private final boolean decompressed;
  private final String expected;
  private final String found;

  /**
   * A problem at byte {@code offset} of {@code file}.
   *
   * @param file the file being read
   * @param offset the byte offset of the problem (in the decompressed stream when {@code decompressed})
   * @param decompressed whether {@code offset} counts decompressed bytes of a gzip file
   * @param expected what the format requires there
   * @param found what the file holds there
   * @param cause the underlying exception, or null
   */
  public DatasetFormatException(
      Path file, long offset, boolean decompressed, String expected, String found, Throwable cause) {
    super(
        file + ": at byte " + offset + (decompressed ? " of the decompressed stream" : "") + ": expected "
            + expected + ", found " + found,
        cause);
    this.file = String.valueOf(file);
    this.offset = offset;
    this.decompressed = decompressed;
    this.expected = expected;
    this.found = found;
  }

  /** A problem at byte {@code offset} of an uncompressed {@code file}. */
  public DatasetFormatException(Path file, long offset, String expected, String found) {
    this(file, offset, false, expected, found, null);
  }

  /** The file, as given to the reader. */
  public String file() {
    return file;
  }

  /** The byte offset of the problem (see {@link #decompressed()}). */
  public long offset() {
    return offset;
  }

  /** True if {@link #offset()} counts bytes of the decompressed stream of a gzip file. */
  public boolean decompressed() {
    return decompressed;
  }

  /** What the format requires at {@link #offset()}. */
  public String expected() {
    return expected;
  }

  /** What the file holds at {@link #offset()}. */
  public String found() {
    return found;
  }
}
