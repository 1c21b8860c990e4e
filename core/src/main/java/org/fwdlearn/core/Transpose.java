package org.fwdlearn.core;

/** Whether a GEMM operand is used as stored ({@code N}) or transposed ({@code T}). */
public enum Transpose {
  N,
  T;

  public boolean isTransposed() {
    return this == T;
  }
}
