package org.fwdlearn.cli;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fwdlearn.core.Matrix;

/**
 * The safetensors format (as read by the {@code safetensors} Python package and others): an 8-byte
 * little-endian header length N, N bytes of a JSON header mapping each tensor name to
 * {@code {"dtype":"F32","shape":[rows,cols],"data_offsets":[begin,end]}} (offsets relative to the data
 * section) plus an optional {@code "__metadata__"} object of string values, padded with spaces to a multiple
 * of 8; then the raw little-endian data. Only F32 tensors of rank 1 or 2 are written and read here.
 */
public final class Safetensors {
  private Safetensors() {}

  /** Writes the tensors in map order, with the given metadata (string values). */
  public static void write(OutputStream out, Map<String, Matrix> tensors, Map<String, String> metadata)
      throws IOException {
    Map<String, Object> header = new LinkedHashMap<>();
    if (metadata != null && !metadata.isEmpty()) {
      header.put("__metadata__", new LinkedHashMap<>(metadata));
    }
    long offset = 0;
    for (Map.Entry<String, Matrix> e : tensors.entrySet()) {
      if (e.getKey().equals("__metadata__")) {
        throw new IllegalArgumentException("a tensor may not be named __metadata__");
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

  /** What {@link #read} returns: the tensors in file order and the metadata. */
  public record Contents(Map<String, Matrix> tensors, Map<String, String> metadata) {}

  /**
   * Reads a safetensors stream. Rank-1 tensors become 1 x n matrices. Rejects other dtypes, ranks above 2,
   * and offsets that overlap, leave gaps or run past the data.
   */
  @SuppressWarnings("unchecked")
  public static Contents read(InputStream in, String where) throws IOException {
    DataInputStream din = new DataInputStream(in);
    byte[] lenBytes = new byte[8];
    din.readFully(lenBytes);
    long n = ByteBuffer.wrap(lenBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (n < 2 || n > 100_000_000L) {
      throw new IOException(where + ": not a safetensors file (header length " + n + ")");
    }
    byte[] hb = new byte[(int) n];
    din.readFully(hb);
    Map<String, Object> header;
    try {
      header = Json.parseObject(new String(hb, StandardCharsets.UTF_8));
    } catch (Json.JsonException e) {
      throw new IOException(where + ": bad safetensors header: " + e.getMessage());
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    record Entry(String name, int rows, int cols, long begin, long end) {}
    List<Entry> entries = new ArrayList<>();
    for (Map.Entry<String, Object> e : header.entrySet()) {
      if (e.getKey().equals("__metadata__")) {
        if (e.getValue() instanceof Map<?, ?> md) {
          md.forEach((k, v) -> metadata.put(String.valueOf(k), String.valueOf(v)));
        }
        continue;
      }
      if (!(e.getValue() instanceof Map<?, ?> t)) {
        throw new IOException(where + ": tensor " + e.getKey() + " has no description");
      }
      Object dtype = t.get("dtype");
      if (!"F32".equals(dtype)) {
        throw new IOException(where + ": tensor " + e.getKey() + " has dtype " + dtype + ", only F32 is supported");
      }
      List<Object> shape = (List<Object>) t.get("shape");
      List<Object> offs = (List<Object>) t.get("data_offsets");
      if (shape == null || offs == null || offs.size() != 2 || shape.size() > 2) {
        throw new IOException(where + ": tensor " + e.getKey() + " needs a shape of rank <= 2 and two data_offsets");
      }
      long rows = shape.size() == 2 ? (Long) shape.get(0) : 1;
      long cols = shape.isEmpty() ? 1 : (Long) shape.get(shape.size() - 1);
      long begin = (Long) offs.get(0);
      long end = (Long) offs.get(1);
      if (rows < 0 || cols < 0 || end - begin != 4 * rows * cols) {
        throw new IOException(
            where + ": tensor " + e.getKey() + " of shape " + shape + " does not fit data_offsets " + offs);
      }
      entries.add(new Entry(e.getKey(), (int) rows, (int) cols, begin, end));
    }
    List<Entry> byOffset = new ArrayList<>(entries);
    byOffset.sort((a, b) -> Long.compare(a.begin(), b.begin()));
    long pos = 0;
    Map<String, Matrix> loaded = new LinkedHashMap<>();
    byte[] chunk = new byte[1 << 16];
    for (Entry e : byOffset) {
      if (e.begin() != pos) {
        throw new IOException(where + ": tensor " + e.name() + " starts at " + e.begin() + ", expected " + pos);
      }
      float[] d = new float[e.rows() * e.cols()];
      int i = 0;
      long remaining = e.end() - e.begin();
      while (remaining > 0) {
        int k = (int) Math.min(chunk.length, remaining);
        try {
          din.readFully(chunk, 0, k);
        } catch (java.io.EOFException eof) {
          throw new IOException(where + ": truncated data in tensor " + e.name());
        }
        ByteBuffer bb = ByteBuffer.wrap(chunk, 0, k).order(ByteOrder.LITTLE_ENDIAN);
        while (bb.remaining() >= 4) {
          d[i++] = bb.getFloat();
        }
        remaining -= k;
      }
      loaded.put(e.name(), Matrix.wrap(e.rows(), e.cols(), d));
      pos = e.end();
    }
    Map<String, Matrix> inFileOrder = new LinkedHashMap<>();
    for (Entry e : entries) {
      inFileOrder.put(e.name(), loaded.get(e.name()));
    }
    return new Contents(inFileOrder, metadata);
  }
}
