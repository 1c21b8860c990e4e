package org.fwdlearn.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fwdlearn.core.Matrix;

/**
 * The safetensors format (as read by the {@code safetensors} Python package and others), for F32 tensors of
 * rank 0 to 2.
 *
 * <p>Layout: an 8-byte little-endian header length N; N bytes of a UTF-8 JSON header mapping each tensor name
 * to {@code {"dtype":"F32","shape":[rows,cols],"data_offsets":[begin,end]}} (offsets relative to the data
 * section, which starts at byte 8 + N) plus an optional {@code "__metadata__"} object of string values, padded
 * with spaces to a multiple of 8; then the raw little-endian data, tensor after tensor without gaps.
 *
 * <p>{@link #write} writes every tensor as rank 2 ({@code [rows, cols]}) in map order; a file it wrote reads
 * back bit for bit (NaN payloads, signed zeros and subnormals included) and re-writes to the same bytes.
 * {@link #read} also accepts rank 1 (a 1 x n matrix) and rank 0 (1 x 1). A malformed file gives a {@link
 * ModelFormatException} naming the file and the byte offset: a header length that is out of range or runs past
 * the file, a header that is not UTF-8 JSON, a dtype other than F32, a shape that does not match its byte range,
 * byte ranges that overlap, leave gaps, or run past the data, and bytes after the last tensor.
 *
 * <pre>{@code
 * Safetensors.write(Path.of("w.safetensors"), Map.of("W1", w1), Map.of("format", "demo"));
 * Matrix back = Safetensors.read(Path.of("w.safetensors")).tensors().get("W1");
 * }</pre>
 */
public final class Safetensors {
  private Safetensors() {}

  /** The largest header accepted (the reference implementation's limit, 100 MB). */
  public static final long MAX_HEADER_BYTES = 100_000_000L;

  private static final String METADATA = "__metadata__";

  /**
   * What {@link #read} returns.
   *
   * @param tensors the tensors in header order (for a file written here: the order they were written in)
   * @param metadata the {@code __metadata__} entries (empty if the file has none)
   */
  public record Contents(Map<String, Matrix> tensors, Map<String, String> metadata) {}

  /**
   * Writes the tensors in map order, each as rank 2, with the given metadata (null or empty: none).
   *
   * @param out receives the bytes; not closed
   * @param tensors the tensors by name. Not modified.
   * @param metadata string entries of {@code __metadata__}. Not modified.
   * @throws IllegalArgumentException if a tensor is named {@code __metadata__}
   */
  public static void write(OutputStream out, Map<String, Matrix> tensors, Map<String, String> metadata)
      throws IOException {
    Map<String, Object> header = new LinkedHashMap<>();
    if (metadata != null && !metadata.isEmpty()) {
      header.put(METADATA, new LinkedHashMap<>(metadata));
    }
    long offset = 0;
    for (Map.Entry<String, Matrix> e : tensors.entrySet()) {
      if (e.getKey().equals(METADATA)) {
        throw new IllegalArgumentException("a tensor may not be named " + METADATA);
      }
      Matrix m = e.getValue();
      long bytes = 4L * m.size();
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("dtype", "F32");
      t.put("shape", List.of((long) m.rows(), (long) m.cols()));
      t.put("data_offsets", List.of(offset, offset + bytes));
      header.put(e.getKey(), t);
      offset += bytes;
    }
    byte[] json = Json.writeCompact(header).getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
    out.write(len.array());
    out.write(json);
    for (int i = json.length; i < padded; i++) {
      out.write(' ');
    }
    ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    for (Matrix m : tensors.values()) {
      float[] d = m.data();
      int end = m.offset() + m.size();
      for (int i = m.offset(); i < end; i++) {
        if (buf.remaining() < 4) {
          out.write(buf.array(), 0, buf.position());
          buf.clear();
        }
        buf.putFloat(d[i]);
      }
    }
    out.write(buf.array(), 0, buf.position());
  }

  /**
   * Writes a safetensors file atomically (temporary file, fsync, rename; see {@link AtomicFiles}).
   *
   * @see #write(OutputStream, Map, Map)
   */
  public static void write(Path file, Map<String, Matrix> tensors, Map<String, String> metadata)
      throws IOException {
    AtomicFiles.write(file, out -> write(out, tensors, metadata));
  }

  /**
   * Reads a safetensors file; its size is known, so every byte range is checked before any data is read.
   *
   * @throws ModelFormatException if the file is malformed (the message names the file and byte offset)
   */
  public static Contents read(Path file) throws IOException {
    long size = Files.size(file);
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      return read(in, file.toString(), size);
    }
  }

  /**
   * Reads a safetensors stream to its end.
   *
   * @param in the stream, positioned at the header length; read to its end, not closed
   * @param where the file name used in error messages
   * @throws ModelFormatException if the stream is malformed or ends early
   */
  public static Contents read(InputStream in, String where) throws IOException {
    return read(in, where, -1);
  }

  private record Entry(String name, long at, int rows, int cols, long begin, long end) {}

  private static Contents read(InputStream in, String where, long fileSize) throws IOException {
    byte[] lenBytes = new byte[8];
    readFully(in, lenBytes, 8, 0, where, "the 8-byte header length");
    long n = ByteBuffer.wrap(lenBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (n < 2 || n > MAX_HEADER_BYTES) {
      throw new ModelFormatException(
          where, 0, "header length " + n + " is not in [2, " + MAX_HEADER_BYTES + "]: not a safetensors file");
    }
    if (fileSize >= 0 && 8 + n > fileSize) {
      throw new ModelFormatException(
          where, 0, "header length " + n + " runs past the end of the file (" + fileSize + " bytes)");
    }
    byte[] hb = new byte[(int) n];
    readFully(in, hb, hb.length, 8, where, "the " + n + "-byte header");
    String text = decodeUtf8(hb, where);
    Map<String, Integer> keyChars = new LinkedHashMap<>();
    Map<String, Object> header;
    try {
      header = Json.parseObject(text, keyChars);
    } catch (Json.JsonException e) {
      long at = e.position() < 0 ? 8 : 8 + byteOffset(text, n, e.position());
      throw new ModelFormatException(where, at, "the header is not a JSON object: " + e.getMessage());
    }
    long dataStart = 8 + n;
    Map<String, String> metadata = new LinkedHashMap<>();
    List<Entry> entries = new ArrayList<>();
    for (Map.Entry<String, Object> e : header.entrySet()) {
      String name = e.getKey();
      long at = 8 + byteOffset(text, n, keyChars.get(name));
      if (name.equals(METADATA)) {
        if (!(e.getValue() instanceof Map<?, ?> md)) {
          throw new ModelFormatException(where, at, METADATA + " is " + Json.typeName(e.getValue()) + ", expected an object of strings");
        }
        for (Map.Entry<?, ?> kv : md.entrySet()) {
          if (!(kv.getValue() instanceof String s)) {
            throw new ModelFormatException(
                where, at, METADATA + " entry \"" + kv.getKey() + "\" is " + Json.typeName(kv.getValue()) + ", expected a string");
          }
          metadata.put(String.valueOf(kv.getKey()), s);
        }
        continue;
      }
      entries.add(entry(name, at, e.getValue(), where));
    }
    List<Entry> byOffset = new ArrayList<>(entries);
    byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    long pos = 0;
    String previous = null;
    for (Entry e : byOffset) {
      if (e.begin() != pos) {
        String what = e.begin() > pos ? "leaves a gap" : "overlaps";
        throw new ModelFormatException(
            where, e.at(), "tensor \"" + e.name() + "\" has data_offsets [" + e.begin() + ", " + e.end() + "] (file bytes "
                + (dataStart + e.begin()) + ".." + (dataStart + e.end()) + ") which " + what + " after "
                + (previous == null ? "the start of the data section" : "tensor \"" + previous + "\"") + ": expected it to begin at " + pos);
      }
      if (fileSize >= 0 && dataStart + e.end() > fileSize) {
        throw new ModelFormatException(
            where, e.at(), "tensor \"" + e.name() + "\" has data_offsets [" + e.begin() + ", " + e.end() + "] (file bytes "
                + (dataStart + e.begin()) + ".." + (dataStart + e.end()) + ") past the end of the file (" + fileSize + " bytes)");
      }
      pos = e.end();
      previous = e.name();
    }
    if (fileSize >= 0 && dataStart + pos != fileSize) {
      throw new ModelFormatException(
          where, dataStart + pos, (fileSize - dataStart - pos) + " bytes follow the last tensor (the data section must end with it)");
    }

    Map<String, Matrix> loaded = new LinkedHashMap<>();
    byte[] chunk = new byte[1 << 16];
    for (Entry e : byOffset) {
      float[] d = new float[e.rows() * e.cols()];
      int i = 0;
      long at = dataStart + e.begin();
      long remaining = e.end() - e.begin();
      while (remaining > 0) {
        int k = (int) Math.min(chunk.length, remaining);
        readFully(in, chunk, k, at, where, "tensor \"" + e.name() + "\" (file bytes " + (dataStart + e.begin()) + ".." + (dataStart + e.end()) + ")");
        ByteBuffer bb = ByteBuffer.wrap(chunk, 0, k).order(ByteOrder.LITTLE_ENDIAN);
        while (bb.remaining() >= 4) {
          d[i++] = bb.getFloat();
        }
        remaining -= k;
        at += k;
      }
      loaded.put(e.name(), Matrix.wrap(e.rows(), e.cols(), d));
    }
    if (fileSize < 0 && in.read() != -1) {
      throw new ModelFormatException(where, dataStart + pos, "bytes follow the last tensor (the data section must end with it)");
    }
    Map<String, Matrix> inHeaderOrder = new LinkedHashMap<>();
    for (Entry e : entries) {
      inHeaderOrder.put(e.name(), loaded.get(e.name()));
    }
    return new Contents(inHeaderOrder, metadata);
  }

  /** Checks one tensor's description: F32, rank <= 2, two offsets whose span matches the shape. */
  private static Entry entry(String name, long at, Object value, String where) throws ModelFormatException {
    String t = "tensor \"" + name + "\"";
    if (!(value instanceof Map<?, ?> m)) {
      throw new ModelFormatException(
          where, at, t + " is " + Json.typeName(value) + ", expected {\"dtype\", \"shape\", \"data_offsets\"}");
    }
    Object dtype = m.get("dtype");
    if (!"F32".equals(dtype)) {
      throw new ModelFormatException(
          where, at, t + " has dtype " + (dtype instanceof String ? dtype : Json.typeName(dtype)) + ", only F32 is supported");
    }
    long[] shape = longs(m.get("shape"), where, at, t + " shape");
    if (shape.length > 2) {
      throw new ModelFormatException(where, at, t + " has rank " + shape.length + " (shape " + m.get("shape") + "), only ranks 0 to 2 are supported");
    }
    long[] offs = longs(m.get("data_offsets"), where, at, t + " data_offsets");
    if (offs.length != 2 || offs[0] > offs[1]) {
      throw new ModelFormatException(where, at, t + " has data_offsets " + m.get("data_offsets") + ", expected [begin, end] with begin <= end");
    }
    long rows = shape.length == 2 ? shape[0] : 1;
    long cols = shape.length == 0 ? 1 : shape[shape.length - 1];
    if (cols != 0 && rows > (Integer.MAX_VALUE - 8) / cols) {
      throw new ModelFormatException(where, at, t + " of shape " + m.get("shape") + " is too large for one matrix");
    }
    long count = rows * cols;
    if (offs[1] - offs[0] != 4 * count) {
      throw new ModelFormatException(
          where, at, t + " of shape " + m.get("shape") + " holds " + count + " F32 values (" + 4 * count
              + " bytes) but data_offsets " + m.get("data_offsets") + " span " + (offs[1] - offs[0]) + " bytes");
    }
    return new Entry(name, at, (int) rows, (int) cols, offs[0], offs[1]);
  }

  private static long[] longs(Object v, String where, long at, String what) throws ModelFormatException {
    if (!(v instanceof List<?> list)) {
      throw new ModelFormatException(where, at, what + " is " + Json.typeName(v) + ", expected an array of integers >= 0");
    }
    long[] r = new long[list.size()];
    for (int i = 0; i < r.length; i++) {
      if (!(list.get(i) instanceof Long x) || x < 0) {
        throw new ModelFormatException(where, at, what + " " + v + " holds " + list.get(i) + ", expected integers >= 0");
      }
      r[i] = x;
    }
    return r;
  }

  private static void readFully(InputStream in, byte[] b, int len, long at, String where, String what)
      throws IOException {
    int got = 0;
    while (got < len) {
      int k = in.read(b, got, len - got);
      if (k < 0) {
        throw new ModelFormatException(where, at + got, "the file ends inside " + what);
      }
      got += k;
    }
  }

  /** The byte offset in the header of its character {@code chars} (the same for an ASCII header). */
  private static long byteOffset(String text, long headerBytes, int chars) {
    return text.length() == headerBytes ? chars : Json.utf8Offset(text, chars);
  }

  private static String decodeUtf8(byte[] b, String where) throws ModelFormatException {
    CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder();
    ByteBuffer in = ByteBuffer.wrap(b);
    CharBuffer out = CharBuffer.allocate(b.length);
    CoderResult r = dec.decode(in, out, true);
    if (!r.isError()) {
      r = dec.flush(out);
    }
    if (r.isError()) {
      throw new ModelFormatException(where, 8 + in.position(), "the header is not valid UTF-8");
    }
    return out.flip().toString();
  }
}
