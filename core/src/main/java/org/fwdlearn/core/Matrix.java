package org.fwdlearn.core;

import java.util.Arrays;

/**
 * A dense, row-major float32 matrix: element (i, j) lives at {@code data()[offset() + i * cols() + j]}.
 *
 * <p>A matrix may be a view of consecutive rows of a larger one ({@link #rows(int, int)}); views share
 * storage. Shapes are printed as {@code rows x cols}, e.g. {@code 64x784}. Instances are not thread-safe
 * for writing.
 */
public final class Matrix {
  private final int rows;
  private final int cols;
  private final float[] data;
  private final int offset;

  /** A zero-filled {@code rows x cols} matrix. */
  public Matrix(int rows, int cols) {
    this(rows, cols, new float[checkedSize(rows, cols)], 0);
  }

  private Matrix(int rows, int cols, float[] data, int offset) {
    this.rows = rows;
    this.cols = cols;
    this.data = data;
    this.offset = offset;
  }

  /**
   * Wraps an existing row-major array (not copied).
   *
   * @throws IllegalArgumentException if the array length is not {@code rows * cols}
   */
  public static Matrix wrap(int rows, int cols, float[] data) {
    long size = checkedSize(rows, cols);
    if (data.length != size) {
      throw new IllegalArgumentException(
          "array of length " + data.length + " cannot hold a " + rows + "x" + cols + " matrix (needs " + size + ")");
    }
    return new Matrix(rows, cols, data, 0);
  }

  /** A matrix of the given rows (each row an array of equal length); the data are copied. */
  public static Matrix of(float[]... rowData) {
    int r = rowData.length;
    int c = r == 0 ? 0 : rowData[0].length;
    Matrix m = new Matrix(r, c);
    for (int i = 0; i < r; i++) {
      if (rowData[i].length != c) {
        throw new IllegalArgumentException("row " + i + " has length " + rowData[i].length + ", expected " + c);
      }
      System.arraycopy(rowData[i], 0, m.data, i * c, c);
    }
    return m;
  }

  private static int checkedSize(int rows, int cols) {
    if (rows < 0 || cols < 0) {
      throw new IllegalArgumentException("negative matrix shape " + rows + "x" + cols);
    }
    long size = (long) rows * cols;
    if (size > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("matrix " + rows + "x" + cols + " has more than 2^31 elements");
    }
    return (int) size;
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  /** Number of elements, {@code rows * cols}. */
  public int size() {
    return rows * cols;
  }

  /** The backing array (shared, not copied). Element (i, j) is at {@code offset() + i * cols() + j}. */
  public float[] data() {
    return data;
  }

  /** Index of element (0, 0) in {@link #data()}. */
  public int offset() {
    return offset;
  }

  public float get(int i, int j) {
    checkIndex(i, j);
    return data[offset + i * cols + j];
  }

  public void set(int i, int j, float v) {
    checkIndex(i, j);
    data[offset + i * cols + j] = v;
  }

  private void checkIndex(int i, int j) {
    if (i < 0 || i >= rows || j < 0 || j >= cols) {
      throw new IndexOutOfBoundsException("(" + i + ", " + j + ") outside " + shape());
    }
  }

  /** A view of rows {@code [from, to)} sharing this matrix's storage. */
  public Matrix rows(int from, int to) {
    if (from < 0 || to > rows || from > to) {
      throw new IndexOutOfBoundsException("rows [" + from + ", " + to + ") outside " + shape());
    }
    return new Matrix(to - from, cols, data, offset + from * cols);
  }

  /** The shape as {@code rows x cols}, e.g. {@code 64x784}. */
  public String shape() {
    return rows + "x" + cols;
  }

  /** True if both matrices have the same number of rows and columns. */
  public boolean sameShape(Matrix o) {
    return rows == o.rows && cols == o.cols;
  }

  /** True if the storage ranges of the two matrices overlap. */
  public boolean overlaps(Matrix o) {
    if (data != o.data || size() == 0 || o.size() == 0) {
      return false;
    }
    return offset < o.offset + o.size() && o.offset < offset + size();
  }

  /** A deep copy with its own storage. */
  public Matrix copy() {
    Matrix m = new Matrix(rows, cols);
    System.arraycopy(data, offset, m.data, 0, size());
    return m;
  }

  /** Copies {@code src} into this matrix. Shapes must match. */
  public Matrix copyFrom(Matrix src) {
    if (!sameShape(src)) {
      throw new IllegalArgumentException("copy from " + src.shape() + " into " + shape() + ": shapes differ");
    }
    System.arraycopy(src.data, src.offset, data, offset, size());
    return this;
  }

  public Matrix fill(float v) {
    Arrays.fill(data, offset, offset + size(), v);
    return this;
  }

  /** The transpose as a new matrix. */
  public Matrix transpose() {
    Matrix t = new Matrix(cols, rows);
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        t.data[j * rows + i] = data[offset + i * cols + j];
      }
    }
    return t;
  }

  /** The elements as a fresh row-major array. */
  public float[] toArray() {
    return Arrays.copyOfRange(data, offset, offset + size());
  }

  /** True if shapes are equal and every element is bit-for-bit equal. */
  public boolean contentEquals(Matrix o) {
    return sameShape(o) && Arrays.equals(data, offset, offset + size(), o.data, o.offset, o.offset + o.size());
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Matrix ").append(shape());
    int r = Math.min(rows, 6);
    int c = Math.min(cols, 8);
    for (int i = 0; i < r; i++) {
      sb.append("\n ");
      for (int j = 0; j < c; j++) {
        sb.append(String.format(" %.5g", data[offset + i * cols + j]));
      }
      if (c < cols) {
        sb.append(" ...");
      }
    }
    if (r < rows) {
      sb.append("\n  ...");
    }
    return sb.toString();
  }
}
