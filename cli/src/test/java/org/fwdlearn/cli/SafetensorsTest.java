package org.fwdlearn.cli;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Rng;
import org.junit.jupiter.api.Test;

class SafetensorsTest {
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

  @Test
  void roundTripsBitExactAndReWritesTheSameBytes() throws IOException {
    Map<String, Matrix> t = sample();
    byte[] bytes = write(t);
    Safetensors.Contents c = Safetensors.read(new ByteArrayInputStream(bytes), "mem");
    assertEquals(List.copyOf(t.keySet()), List.copyOf(c.tensors().keySet()));
    for (String k : t.keySet()) {
      Matrix a = t.get(k);
      Matrix b = c.tensors().get(k);
      assertEquals(a.shape(), b.shape(), k);
      for (int i = 0; i < a.size(); i++) {
        assertEquals(Float.floatToRawIntBits(a.data()[i]), Float.floatToRawIntBits(b.data()[i]), k + "[" + i + "]");
      }
    }
    assertEquals("test", c.metadata().get("format"));
    assertArrayEquals(bytes, write(c.tensors()));
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
    Map<String, Object> header = Json.parseObject(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
    assertEquals(Map.of("dtype", "F32", "shape", List.of(2L, 2L), "data_offsets", List.of(0L, 16L)), header.get("a"));
    assertEquals(Map.of("dtype", "F32", "shape", List.of(1L, 1L), "data_offsets", List.of(16L, 20L)), header.get("b"));
    ByteBuffer data = ByteBuffer.wrap(bytes, (int) (8 + n), 20).order(ByteOrder.LITTLE_ENDIAN);
    float[] expect = {1f, 2f, 3f, 4f, -1f};
    for (float e : expect) {
      assertEquals(e, data.getFloat());
    }
  }

  @Test
  void rejectsOtherDtypesAndBrokenOffsets() {
    String[] headers = {
      "{\"x\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}",
      "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}",
      "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
      "{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", // runs past the data
    };
    for (String h : headers) {
      byte[] json = h.getBytes(StandardCharsets.UTF_8);
      ByteBuffer b = ByteBuffer.allocate(8 + json.length + 8).order(ByteOrder.LITTLE_ENDIAN);
      b.putLong(json.length).put(json).putFloat(1f).putFloat(2f);
      IOException e = assertThrows(IOException.class, () -> Safetensors.read(new ByteArrayInputStream(b.array()), "f"), h);
      assertTrue(e.getMessage().startsWith("f: "), e.getMessage());
    }
  }
}
