package org.fwdlearn.io;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.fwdlearn.core.Matrix;

/**
 * The tensor and array records of the trainers' checkpoints (big-endian {@link DataOutputStream} data): a
 * matrix is its row and column counts then its floats, an array its length then its doubles. Readers refuse
 * impossible sizes before allocating.
 */
public final class CheckpointIO {
  private CheckpointIO() {}

  /** Writes {@code m}'s shape and elements. */
  public static void writeMatrix(DataOutputStream o, Matrix m) throws IOException {
    o.writeInt(m.rows());
    o.writeInt(m.cols());
    ByteBuffer buf = ByteBuffer.allocate(m.size() * 4);
    buf.asFloatBuffer().put(m.data(), m.offset(), m.size());
    o.write(buf.array());
  }

  /** Reads a matrix written by {@link #writeMatrix}. */
  public static Matrix readMatrix(DataInputStream i) throws IOException {
    int rows = i.readInt();
    int cols = i.readInt();
    if (rows < 0 || cols < 0 || (long) rows * cols > Integer.MAX_VALUE / 4) {
      throw new IllegalArgumentException("checkpoint tensor of impossible shape " + rows + "x" + cols);
    }
    byte[] bytes = new byte[rows * cols * 4];
    i.readFully(bytes);
    Matrix m = new Matrix(rows, cols);
    ByteBuffer.wrap(bytes).asFloatBuffer().get(m.data(), 0, m.size());
    return m;
  }

  /** Writes the array's length and elements. */
  public static void writeDoubles(DataOutputStream o, double[] a) throws IOException {
    o.writeInt(a.length);
    for (double v : a) {
      o.writeDouble(v);
    }
  }

  /** Reads an array written by {@link #writeDoubles}. */
  public static double[] readDoubles(DataInputStream i) throws IOException {
    int n = i.readInt();
    if (n < 0 || n > 1 << 20) {
      throw new IllegalArgumentException("checkpoint array of impossible length " + n);
    }
    double[] a = new double[n];
    for (int k = 0; k < n; k++) {
      a[k] = i.readDouble();
    }
    return a;
  }
}
