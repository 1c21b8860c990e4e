package org.fwdlearn.nn;

import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.Rng;
import org.fwdlearn.core.ThreadPool;

/**
 * Consistent dropout (ALGORITHMS.md section 1): one inverted-dropout mask M_l (n x d_l) per hidden layer,
 * entries Bernoulli(1-p)/(1-p), drawn once per batch and reused by every pass of that batch.
 *
 * <p>With {@code p == 0} no mask is drawn and {@link #active()} is false (dropout is the identity). The
 * masks are allocated once; {@link #draw(Rng)} overwrites them.
 */
public final class DropoutMasks {
  private final float p;
  private final Matrix[] masks; // index l = 1..L-1

  /**
   * Masks for a batch of {@code n} rows of the network with layer sizes {@code sizes} (d_0..d_L).
   *
   * @param p dropout probability in [0, 1)
   */
  public DropoutMasks(int[] sizes, int n, float p) {
    if (!(p >= 0f && p < 1f)) {
      throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
    }
    this.p = p;
    int layers = sizes.length - 1;
    masks = new Matrix[layers];
    if (p > 0f) {
      for (int l = 1; l < layers; l++) {
        masks[l] = new Matrix(n, sizes[l]);
      }
    }
  }

  /** True if dropout is on ({@code p > 0}). */
  public boolean active() {
    return p > 0f;
  }

  /** The dropout probability. */
  public float probability() {
    return p;
  }

  /** Draws fresh masks for every hidden layer, layer 1 first, each in row-major order. */
  public void draw(Rng rng) {
    draw(rng, ThreadPool.sequential());
  }

  /** As {@link #draw(Rng)}, each mask's entries split over {@code pool} (the same masks whatever the split). */
  public void draw(Rng rng, ThreadPool pool) {
    if (p > 0f) {
      for (int l = 1; l < masks.length; l++) {
        Ops.dropoutMask(masks[l], p, rng, pool);
      }
    }
  }

  /** The mask of hidden layer {@code l} (1..L-1); null when dropout is off. Not a copy. */
  public Matrix mask(int l) {
    if (l < 1 || l >= masks.length) {
      throw new IndexOutOfBoundsException("hidden layer " + l + " outside [1, " + (masks.length - 1) + "]");
    }
    return masks[l];
  }
}
