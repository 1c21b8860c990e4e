package org.fwdlearn.data;

import java.util.Arrays;

/**
 * Per-channel standardisation of pixels already scaled to [0, 1]: {@code x' = (x - mean[c]) / std[c]},
 * computed in float32 like torchvision's {@code ToTensor()} followed by {@code Normalize(mean, std)}.
 * Pixels are not standardised by default (ALGORITHMS.md section 0); readers apply it only when asked.
 *
 * @param mean the mean of each channel (length = channels)
 * @param std the standard deviation of each channel, all positive (length = channels)
 */
public record Standardization(float[] mean, float[] std) {
  /** MNIST: mean 0.1307, std 0.3081 (the customary constants, from the training set). */
  public static final Standardization MNIST = new Standardization(new float[] {0.1307f}, new float[] {0.3081f});

  /**
   * Fashion-MNIST: mean 0.2860, std 0.3530, computed from the 60000 training images of the Debian package
   * {@code dataset-fashion-mnist} (the integration test re-checks them against the files).
   */
  public static final Standardization FASHION_MNIST =
      new Standardization(new float[] {0.2860f}, new float[] {0.3530f});

  /** CIFAR-10: per-channel (R, G, B) mean (0.4914, 0.4822, 0.4465), std (0.2470, 0.2435, 0.2616). */
  public static final Standardization CIFAR10 =
      new Standardization(new float[] {0.4914f, 0.4822f, 0.4465f}, new float[] {0.2470f, 0.2435f, 0.2616f});

  /**
   * CIFAR-100: per-channel mean (0.5071, 0.4865, 0.4409), std (0.2673, 0.2564, 0.2762), the values commonly
   * used for its training set (not re-computed here: the dataset cannot be fetched on our machines).
   */
  public static final Standardization CIFAR100 =
      new Standardization(new float[] {0.5071f, 0.4865f, 0.4409f}, new float[] {0.2673f, 0.2564f, 0.2762f});

  public Standardization {
    if (mean.length != std.length || mean.length == 0) {
      throw new IllegalArgumentException(
          "mean has " + mean.length + " channels and std " + std.length + ": need the same positive count");
    }
    for (int c = 0; c < std.length; c++) {
      if (!(std[c] > 0) || !Float.isFinite(std[c]) || !Float.isFinite(mean[c])) {
        throw new IllegalArgumentException(
            "channel " + c + ": need a finite mean and a positive finite std, got mean " + mean[c] + " std " + std[c]);
      }
    }
    mean = mean.clone();
    std = std.clone();
  }

  /** The number of channels. */
  public int channels() {
    return mean.length;
  }

  @Override
  public float[] mean() {
    return mean.clone();
  }

  @Override
  public float[] std() {
    return std.clone();
  }

  /**
   * The value of each byte 0..255 in each channel: {@code table[c][b] = (b / 255f - mean[c]) / std[c]}, or
   * {@code b / 255f} for every channel when {@code s} is null.
   *
   * @param s the standardisation, or null for plain [0, 1] scaling
   * @param channels the channel count of the images (must match {@code s})
   */
  static float[][] byteTable(Standardization s, int channels) {
    if (s != null && s.channels() != channels) {
      throw new IllegalArgumentException(
          "standardisation has " + s.channels() + " channels but the images have " + channels);
    }
    float[][] table = new float[channels][256];
    for (int c = 0; c < channels; c++) {
      for (int b = 0; b < 256; b++) {
        float v = b / 255f;
        table[c][b] = s == null ? v : (v - s.mean[c]) / s.std[c];
      }
    }
    return table;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Standardization s && Arrays.equals(mean, s.mean) && Arrays.equals(std, s.std);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
  }

  @Override
  public String toString() {
    return "Standardization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
  }
}
