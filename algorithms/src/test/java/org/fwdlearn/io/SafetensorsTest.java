package org.fwdlearn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
  @TempDir Path tmp;

  private static byte[] write(Map<String, Matrix> t) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Safetensors.write(out, t, Map.of("format", "test"));
    return out.toByteArray();
  }

  private static Map<String, Matrix> sample() {
    Rng rng = new Rng(3);
    Map<String, Matrix> t = new LinkedHashMap<>();
    Matrix w1 = new Matrix(5, 3);
    for (int i = 0; i < w1.size(); i++) {
      w1.data()[i] = (float) rng.nextGaussian();
    }
    // Special values must survive bit for bit: NaN payloads, signed zero, subnormals, infinities.
    w1.data()[0] = Float.intBitsToFloat(0x7fc01234);
    w1.data()[1] = -0f;
    w1.data()[2] = Float.MIN_VALUE;
    w1.data()[3] = Float.NEGATIVE_INFINITY;
    t.put("W1", w1);
    t.put("F", new Matrix(3, 2).fill(0.25f));
    t.put("empty", new Matrix(0, 4));
    Matrix big = new Matrix(70, 300); // crosses the 64 KiB write buffer
    for (int i = 0; i < big.size(); i++) {
      big.data()[i] = rng.nextFloat();
    }
    t.put("W2", big);
    return t;
  }

  private static void assertBitExact(Map<String, Matrix> expected, Map<String, Matrix> actual) {
    assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()));
    for (String k : expected.keySet()) {
      Matrix a = expected.get(k);
      Matrix b = actual.get(k);
      assertEquals(a.shape(), b.shape(), k);
      for (int i = 0; i < a.size(); i++) {
        assertEquals(Float.floatToRawIntBits(a.data()[a.offset() + i]), Float.floatToRawIntBits(b.data()[b.offset() + i]), k + "[" + i + "]");
      }
    }
  }

  @Test
  void roundTripsBitExactAndReWritesTheSameBytes() throws IOException {
    Map<String, Matrix> t = sample();
    byte[] bytes = write(t);
    Safetensors.Contents c = Safetensors.read(new ByteArrayInputStream(bytes), "mem");
    assertBitExact(t, c.tensors());
    assertEquals(Map.of("format", "test"), c.metadata());
    assertArrayEquals(bytes, write(c.tensors()));
  }

  @Test
  void fileRoundTripIsAtomicAndBitExact() throws IOException {
    Map<String, Matrix> t = sample();
    Path f = tmp.resolve("t.safetensors");
    Safetensors.write(f, t, Map.of("format", "test"));
    assertArrayEquals(write(t), Files.readAllBytes(f));
    assertBitExact(t, Safetensors.read(f).tensors());
    try (var files = Files.list(tmp)) {
      assertEquals(List.of(f), files.toList(), "no temporary file is left behind");
    }
  }

  @Test
  void writesARowRangeViewAsItsOwnRows() throws IOException {
    Matrix m = Matrix.of(new float[] {1, 2}, new float[] {3, 4}, new float[] {5, 6});
    Matrix view = m.rows(1, 3);
    Matrix back = Safetensors.read(new ByteArrayInputStream(write(Map.of("v", view))), "mem").tensors().get("v");
    assertTrue(back.contentEquals(view), back.toString());
  }

  @Test
  void layoutIsTheSafetensorsFormat() throws IOException {
    Map<String, Matrix> t = new LinkedHashMap<>();
    t.put("a", Matrix.of(new float[] {1f, 2f}, new float[] {3f, 4f}));
    t.put("b", Matrix.of(new float[] {-1f}));
    byte[] bytes = write(t);
    long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, n % 8, "header padded to 8 bytes");
    assertEquals(8 + n + 4 * 5, bytes.length);
    String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
    assertEquals(
        "{\"__metadata__\":{\"format\":\"test\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[16,20]}}",
        header.stripTrailing());
    ByteBuffer data = ByteBuffer.wrap(bytes, (int) (8 + n), 20).order(ByteOrder.LITTLE_ENDIAN);
    float[] expect = {1f, 2f, 3f, 4f, -1f};
    for (float e : expect) {
      assertEquals(e, data.getFloat());
    }
  }

  @Test
  void readsRankOneAndRankZeroTensors() throws IOException {
    byte[] file = file("{\"v\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]}}", 1f, 2f, 3f);
    Safetensors.Contents c = Safetensors.read(new ByteArrayInputStream(file), "f");
    assertTrue(c.tensors().get("v").contentEquals(Matrix.of(new float[] {1f, 2f})));
    assertTrue(c.tensors().get("s").contentEquals(Matrix.of(new float[] {3f})));
  }

  @Test
  void refusesATensorNamedLikeTheMetadata() {
    assertThrows(IllegalArgumentException.class, () -> write(Map.of("__metadata__", new Matrix(1, 1))));
  }

  /** A safetensors file with the given (unpadded) header and float data. */
  private static byte[] file(String header, float... data) {
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + json.length + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(json.length).put(json);
    for (float x : data) {
      b.putFloat(x);
    }
    return b.array();
  }

  /** Reads {@code bytes} from a stream and from a file; both must fail at {@code offset} with {@code words}. */
  private void assertMalformed(byte[] bytes, long offset, String words) throws IOException {
    ModelFormatException e =
        assertThrows(ModelFormatException.class, () -> Safetensors.read(new ByteArrayInputStream(bytes), "f"));
    assertEquals("f", e.file());
    assertEquals(offset, e.offset(), e.getMessage());
    assertTrue(e.getMessage().startsWith("f: at byte " + offset + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(words), e.getMessage());
    Path p = tmp.resolve("bad.safetensors");
    Files.write(p, bytes);
    e = assertThrows(ModelFormatException.class, () -> Safetensors.read(p));
    assertEquals(offset, e.offset(), e.getMessage());
    assertTrue(e.getMessage().startsWith(p + ": at byte " + offset + ": "), e.getMessage());
  }

  @Test
  void badHeaderLengthsNameByteZero() throws IOException {
    ByteBuffer huge = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Safetensors.MAX_HEADER_BYTES + 1);
    assertMalformed(huge.array(), 0, "header length 100000001 is not in [2, 100000000]");
    ByteBuffer negative = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-5);
    assertMalformed(negative.array(), 0, "header length -5");
    // A header length past the end of a file: the file reader says so up front, the stream reader at the end.
    byte[] shortFile = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putLong(64).array();
    Path p = tmp.resolve("short.safetensors");
    Files.write(p, shortFile);
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> Safetensors.read(p));
    assertEquals(0, e.offset());
    assertTrue(e.getMessage().contains("header length 64 runs past the end of the file (20 bytes)"), e.getMessage());
    e = assertThrows(ModelFormatException.class, () -> Safetensors.read(new ByteArrayInputStream(shortFile), "f"));
    assertEquals(20, e.offset());
    assertTrue(e.getMessage().contains("ends inside the 64-byte header"), e.getMessage());
    // Fewer than 8 bytes.
    e = assertThrows(ModelFormatException.class, () -> Safetensors.read(new ByteArrayInputStream(new byte[5]), "f"));
    assertEquals(5, e.offset());
    assertTrue(e.getMessage().contains("ends inside the 8-byte header length"), e.getMessage());
  }

  @Test
  void invalidHeaderJsonNamesTheByte() throws IOException {
    // The error is at the ']' (character 5 of the header): byte 8 + 5.
    assertMalformed(file("{\"a\":]}"), 8 + 5, "the header is not a JSON object: invalid JSON at line 1, column 6");
    // A multi-byte character before the error moves the byte offset but not the column.
    String h = "{\"é\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},x}";
    assertMalformed(file(h), 8 + h.indexOf('x') + 1, "column " + (h.indexOf('x') + 1) + ": expected a \"key\"");
    assertMalformed(file("[1, 2]"), 8, "expected a JSON object");
    byte[] notUtf8 = file("{\"a\":1}");
    notUtf8[8 + 2] = (byte) 0xff;
    assertMalformed(notUtf8, 8 + 2, "not valid UTF-8");
  }

  @Test
  void dtypeAndShapeProblemsNameTheTensorsEntry() throws IOException {
    String ok = "{\"ok\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},";
    int at = 8 + ok.length(); // where "x" starts
    assertMalformed(file(ok + "\"x\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[4,8]}}", 1f, 2f), at,
        "tensor \"x\" has dtype F16, only F32 is supported");
    assertMalformed(file(ok + "\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,8]}}", 1f, 2f), at,
        "tensor \"x\" of shape [2] holds 2 F32 values (8 bytes) but data_offsets [4, 8] span 4 bytes");
    assertMalformed(file(ok + "\"x\":{\"dtype\":\"F32\",\"shape\":[1,1,1],\"data_offsets\":[4,8]}}", 1f, 2f), at,
        "rank 3");
    assertMalformed(file(ok + "\"x\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[4,8]}}", 1f, 2f), at,
        "expected integers >= 0");
    assertMalformed(file(ok + "\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", 1f, 2f), at,
        "expected [begin, end] with begin <= end");
    assertMalformed(file(ok + "\"x\":[1]}", 1f), at, "tensor \"x\" is an array");
    assertMalformed(file(ok + "\"x\":{\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[4,8]}}", 1f, 2f), at,
        "too large");
    assertMalformed(file("{\"__metadata__\":{\"k\":1}}"), 8 + 1, "__metadata__ entry \"k\" is a number");
  }

  @Test
  void offsetsOutOfRangeGapsAndOverlapsAreRefused() throws IOException {
    String a = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":";
    // Starts after a gap at 4 instead of 0.
    assertMalformed(file(a + "[4,8]}}", 1f, 2f), 9, "leaves a gap after the start of the data section");
    // Overlapping: b begins inside a.
    String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
    assertMalformed(file(h, 1f, 2f), 8 + h.indexOf("\"b\""), "overlaps after tensor \"a\"");
    // Runs past the data: the file reader names the entry, the stream reader the end of the data.
    byte[] pastFile = file(a.replace("[1]", "[4]") + "[0,16]}}", 1f, 2f);
    Path p = tmp.resolve("past.safetensors");
    Files.write(p, pastFile);
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> Safetensors.read(p));
    assertEquals(9, e.offset());
    assertTrue(e.getMessage().contains("past the end of the file (" + pastFile.length + " bytes)"), e.getMessage());
    e = assertThrows(ModelFormatException.class, () -> Safetensors.read(new ByteArrayInputStream(pastFile), "f"));
    assertEquals(pastFile.length, e.offset());
    assertTrue(e.getMessage().contains("ends inside tensor \"a\""), e.getMessage());
    // Bytes after the last tensor.
    byte[] trailing = file(a + "[0,4]}}", 1f, 2f);
    assertMalformed(trailing, trailing.length - 4, "follow the last tensor");
  }

  @Test
  void anyTruncationOfAValidFileIsRefusedAtItsEnd() throws IOException {
    Map<String, Matrix> t = new LinkedHashMap<>();
    t.put("a", Matrix.of(new float[] {1f, 2f, 3f}));
    t.put("b", new Matrix(2, 2).fill(-1f));
    byte[] bytes = write(t);
    for (int len = 0; len < bytes.length; len++) {
      byte[] cut = Arrays.copyOf(bytes, len);
      ModelFormatException e =
          assertThrows(ModelFormatException.class, () -> Safetensors.read(new ByteArrayInputStream(cut), "f"), "length " + len);
      assertEquals(len, e.offset(), e.getMessage());
    }
  }
}
