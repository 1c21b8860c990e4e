package org.fwdlearn.core;

/**
 * Every block size and threshold of the kernels, in one place (compare EJML's {@code EjmlParameters}).
 * Values may be overridden by system properties of the same name prefixed with {@code fwdlearn.}, read once.
 */
public final class Tuning {
  private Tuning() {}

  /** GEMM: rows of op(A) per cache block (L2 block of packed A). */
  public static final int GEMM_MC = Integer.getInteger("fwdlearn.gemm.mc", 168);
  /** GEMM: depth of a cache block (shared dimension K). */
  public static final int GEMM_KC = Integer.getInteger("fwdlearn.gemm.kc", 256);
  /** GEMM: columns of op(B) per cache block (L3/L2 block of packed B). */
  public static final int GEMM_NC = Integer.getInteger("fwdlearn.gemm.nc", 2048);
  /** GEMM: below this many multiply-adds ({@code m*n*k}) the unpacked small-matrix path is used. */
  public static final long GEMM_SMALL = Long.getLong("fwdlearn.gemm.small", 32L * 32 * 32);
  /** GEMM: below this many multiply-adds the work is not split over threads. */
  public static final long GEMM_PARALLEL_MIN = Long.getLong("fwdlearn.gemm.parallelMin", 64L * 64 * 64);
}
