package org.fwdlearn.core;

/**
 * Every block size and threshold of the kernels, in one place (compare EJML's {@code EjmlParameters}).
 * Values may be overridden by system properties of the same name prefixed with {@code fwdlearn.}, read once.
 */
public final class Tuning {
  private Tuning() {}

  /**
   * GEMM: rows of op(A) per cache block (a packed A block of MC x KC floats, 168 KiB, streams from L2 past a
   * B strip held in L1). Also the row count up to which {@code VectorGemm} splits a product over the
   * columns rather than the rows. Rounded down to a multiple of the 12-row micro-tile.
   */
  public static final int GEMM_MC = Integer.getInteger("fwdlearn.gemm.mc", 168);

  /**
   * GEMM: depth of a cache block (the shared dimension K). A packed B strip of KC x 2 vectors is 32 KiB with
   * 512-bit vectors, within the 48 KiB L1 with room for the A strip streaming past.
   */
  public static final int GEMM_KC = Integer.getInteger("fwdlearn.gemm.kc", 256);

  /** GEMM: columns of op(B) per cache block (a packed B block of KC x NC floats, 1 MiB, kept in L2). */
  public static final int GEMM_NC = Integer.getInteger("fwdlearn.gemm.nc", 1024);

  /**
   * GEMM: below this many multiply-adds ({@code m * n * k}) a product runs on the caller's thread alone:
   * about 2 µs of work at 512 bits, where handing half to another thread stops paying.
   */
  public static final long GEMM_PARALLEL_MIN = Long.getLong("fwdlearn.gemm.parallelMin", 64L * 64 * 64);
}
