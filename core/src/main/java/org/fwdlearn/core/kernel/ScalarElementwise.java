package org.fwdlearn.core.kernel;

/** The scalar reference of every elementwise and row kernel: plain loops, in index order. */
public final class ScalarElementwise implements ElementwiseKernel {
  @Override
  public void relu(float[] x, int xOff, float[] y, int yOff, int len) {
    for (int i = 0; i < len; i++) {
      // Math.max, not a branch: random signs defeat branch prediction (64x1024: about 850 -> 160 us in JMH).
      y[yOff + i] = Math.max(x[xOff + i], 0f);
    }
  }

  @Override
  public void reluMask(float[] x, int xOff, float[] m, int mOff, int len) {
    for (int i = 0; i < len; i++) {
      m[mOff + i] = x[xOff + i] > 0f ? 1f : 0f;
    }
  }

  @Override
  public void reluBackward(float[] a, int aOff, float[] d, int dOff, int len) {
    for (int i = 0; i < len; i++) {
      if (!(a[aOff + i] > 0f)) {
        d[dOff + i] = 0f;
      }
    }
  }

  @Override
  public void softmaxRows(float[] x, int xOff, float[] y, int yOff, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
      int xr = xOff + r * cols;
      int yr = yOff + r * cols;
      float max = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < cols; j++) {
        max = Math.max(max, x[xr + j]);
      }
      float sum = 0f;
      for (int j = 0; j < cols; j++) {
        float e = (float) Math.exp(x[xr + j] - max);
        y[yr + j] = e;
        sum += e;
      }
      float inv = 1f / sum;
      for (int j = 0; j < cols; j++) {
        y[yr + j] *= inv;
      }
    }
  }

  @Override
  public void argmaxRows(float[] x, int xOff, int rows, int cols, int[] out, int outOff) {
    for (int r = 0; r < rows; r++) {
      int xr = xOff + r * cols;
      int best = cols == 0 ? -1 : 0;
      for (int j = 1; j < cols; j++) {
        float v = x[xr + j];
        float b = x[xr + best];
        if (Float.isNaN(b)) {
          break;
        }
        if (v > b || Float.isNaN(v)) {
          best = j;
        }
      }
      out[outOff + r] = best;
    }
  }

  @Override
  public double meanCrossEntropy(float[] logits, int off, int rows, int cols, int[] labels, int labelsOff) {
    if (rows == 0) {
      return 0.0;
    }
    double total = 0.0;
    for (int r = 0; r < rows; r++) {
      int xr = off + r * cols;
      float max = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < cols; j++) {
        max = Math.max(max, logits[xr + j]);
      }
      double sum = 0.0;
      for (int j = 0; j < cols; j++) {
        sum += Math.exp((double) logits[xr + j] - max);
      }
      total += Math.log(sum) + max - logits[xr + labels[labelsOff + r]];
    }
    return total / rows;
  }

  @Override
  public void scale(float alpha, float[] x, int xOff, int len) {
    for (int i = 0; i < len; i++) {
      x[xOff + i] *= alpha;
    }
  }

  @Override
  public void divide(float[] x, int xOff, int len, float d) {
    for (int i = 0; i < len; i++) {
      x[xOff + i] /= d;
    }
  }

  @Override
  public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int len) {
    for (int i = 0; i < len; i++) {
      y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
    }
  }

  @Override
  public void hadamard(float[] x, int xOff, float[] y, int yOff, float[] z, int zOff, int len) {
    for (int i = 0; i < len; i++) {
      z[zOff + i] = x[xOff + i] * y[yOff + i];
    }
  }

  @Override
  public void addLowRank(
      float[] base, int baseOff, float alpha, float[] e, int eOff, int k, float[] q, int qOff, float[] out, int outOff,
      float[] h, int hOff, float[] mask, int maskOff, int rows, int cols, int ld, float[] scratch) {
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        float acc = 0f;
        for (int p = 0; p < k; p++) {
          acc = Math.fma(alpha * e[eOff + i * k + p], q[qOff + p * ld + j], acc);
        }
        float o = base[baseOff + i * ld + j] + acc;
        out[outOff + i * ld + j] = o;
        if (h != null) {
          float r = Math.max(o, 0f);
          h[hOff + i * ld + j] = mask == null ? r : r * mask[maskOff + i * ld + j];
        }
      }
    }
  }

  @Override
  public void sub(float[] x, int xOff, float[] y, int yOff, float[] z, int zOff, int len) {
    for (int i = 0; i < len; i++) {
      z[zOff + i] = x[xOff + i] - y[yOff + i];
    }
  }

  @Override
  public double sumSquares(float[] x, int xOff, int len) {
    double s = 0.0;
    for (int i = 0; i < len; i++) {
      double v = x[xOff + i];
      s += v * v;
    }
    return s;
  }

  @Override
  public void rowNorms(float[] x, int xOff, int rows, int cols, float[] out, int outOff) {
    for (int r = 0; r < rows; r++) {
      out[outOff + r] = (float) Math.sqrt(sumSquares(x, xOff + r * cols, cols));
    }
  }

  @Override
  public void columnSums(float[] x, int xOff, int rows, int cols, float[] out, int outOff) {
    for (int j = 0; j < cols; j++) {
      out[outOff + j] = 0f;
    }
    for (int r = 0; r < rows; r++) {
      int xr = xOff + r * cols;
      for (int j = 0; j < cols; j++) {
        out[outOff + j] += x[xr + j];
      }
    }
  }

  @Override
  public boolean sgdStep(
      float[] w, int wOff, float[] g, int gOff, float[] v, int vOff, int len, float lr, float momentum, float weightDecay) {
    return sgdRange(w, wOff, g, gOff, v, vOff, len, lr, momentum, weightDecay);
  }

  /**
   * The SGD step element by element, the reference's arithmetic (separate multiplies and adds); also the
   * scalar tail of the vector kernels' steps. True if every updated W is finite.
   */
  static boolean sgdRange(
      float[] w, int wOff, float[] g, int gOff, float[] v, int vOff, int len, float lr, float momentum, float weightDecay) {
    boolean finite = true;
    for (int i = 0; i < len; i++) {
      float wi = w[wOff + i];
      float gi = g[gOff + i] + weightDecay * wi;
      float vi = flush(momentum * v[vOff + i] + gi);
      v[vOff + i] = vi;
      float updated = wi - lr * vi;
      w[wOff + i] = updated;
      finite &= updated - updated == 0f;
    }
    return finite;
  }

  @Override
  public void dropoutMask(float[] d, int off, int len, long threshold, float keep, long state) {
    long s = state;
    for (int i = 0; i < len; i++) {
      s += org.fwdlearn.core.Rng.GAMMA;
      d[off + i] = (org.fwdlearn.core.Rng.mix64(s) >>> 40) < threshold ? 0f : keep;
    }
  }

  /**
   * A velocity below the smallest normal float in magnitude becomes +0: subnormal operands cost a microcode
   * assist per operation on x86 (no flush-to-zero mode in Java), and such a velocity changes no weight (W - lr
   * V rounds back to W for every |W| above 2^-102). NaN and infinity pass.
   */
  static float flush(float v) {
    return Math.abs(v) < Float.MIN_NORMAL ? 0f : v;
  }

  @Override
  public boolean allFinite(float[] x, int xOff, int len) {
    for (int i = 0; i < len; i++) {
      float v = x[xOff + i];
      if (v - v != 0f) {
        return false;
      }
    }
    return true;
  }
}
