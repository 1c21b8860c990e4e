package org.fwdlearn.io;

import java.io.IOException;

/**
 * A model file that does not hold what its format promises: a safetensors header length that cannot be right,
 * a header that is not JSON, a tensor whose dtype is not F32, whose shape does not match its byte range, or
 * whose byte range runs outside the data section; a {@code model.json} that does not describe the tensors
 * beside it.
 *
 * <p>The message names the file and the byte offset where the problem was found, e.g. {@code
 * run/model.safetensors: at byte 8: tensor "W1" has dtype F16, only F32 is supported}. For a problem in a
 * safetensors header entry the offset is that of the entry's name in the file.
 */
public final class ModelFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final long offset;

  /**
   * A problem at byte {@code offset} of {@code file}.
   *
   * @param file the file (or stream description) being read
   * @param offset the byte offset of the problem, or -1 if it concerns the file as a whole
   * @param problem what is wrong, e.g. {@code tensor "x" has dtype F16, only F32 is supported}
   */
  public ModelFormatException(String file, long offset, String problem) {
    super(file + (offset >= 0 ? ": at byte " + offset : "") + ": " + problem);
    this.file = file;
    this.offset = offset;
  }

  /** The file, as given to the reader. */
  public String file() {
    return file;
  }

  /** The byte offset of the problem, or -1 if it concerns the file as a whole. */
  public long offset() {
    return offset;
  }
}
