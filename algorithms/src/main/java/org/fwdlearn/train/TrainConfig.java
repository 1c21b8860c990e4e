package org.fwdlearn.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Every setting of a training run, with the defaults of ALGORITHMS.md section 12 (the paper's protocol).
 * A plain mutable bean so that a JSON config maps onto it field by field; {@link #validate()} checks it
 * before any data is loaded.
 */
public final class TrainConfig {
  /** Learning rule names accepted by {@link #rule}. */
  public static final List<String> RULES =
      List.of("pepita", "pepita-tl", "pepita-hebbian", "afa", "bp", "fa", "dfa", "drtp", "ff");

  /** Learning rule: one of {@link #RULES}. Default {@code pepita}. */
  public String rule = "pepita";
  /** Dataset name (mnist, fashion-mnist, cifar10, cifar100, or a generated one). Default {@code mnist}. */
  public String dataset = "mnist";
  /** Directory of the dataset files; null = the default location for the dataset. */
  public String dataDir = null;
  /** Per-channel standardisation of the inputs (off: pixels in [0, 1], the reference default). */
  public boolean standardize = false;
  /** Hidden layer widths. Default one layer of 1024. */
  public int[] hidden = {1024};
  /** Epochs. Default 100. */
  public int epochs = 100;
  /** Mini-batch size (the last partial batch is dropped). Default 64. */
  public int batch = 64;
  /** Batch size for evaluation (matters only with activation normalization). Default 64. */
  public int testBatch = 64;
  /** Learning rate; null = the rule's default ({@link #defaultLearningRate(String)}). */
  public Float lr = null;
  /** SGD momentum. Default 0.9. */
  public float momentum = 0.9f;
  /** Weight decay lambda (added to the gradient, PyTorch semantics). Default 0. */
  public float weightDecay = 0f;
  /** Dropout probability of hidden units (a consistent mask per batch). Default 0.1. */
  public float dropout = 0.1f;
  /** Factor the learning rate is multiplied by after each decay epoch. Default 0.1. */
  public float lrDecay = 0.1f;
  /** 0-based epochs at whose END the learning rate decays. Default {60, 90}. */
  public int[] decayEpochs = {60, 90};
  /** Forward weight init: he_uniform or he_normal. Default he_uniform. */
  public String init = "he_uniform";
  /** Feedback matrix F init: uniform or normal (product of per-layer B); normal is forced by mirroring. */
  public String fInit = "uniform";
  /** Init of FA's B_l (shape of W_l^T, fan-in d_{l-1}): he_uniform or he_normal. Default he_uniform. */
  public String feedbackInit = "he_uniform";
  /** Scale of F (Bstd). Default 0.05. */
  public float fScale = 0.05f;
  /** Zero-mean F (else U(0, a)). Default true. */
  public boolean fMeanZero = true;
  /** Sign of the modulation: "minus" (X - E F^T, the ICLR code) or "plus" (X + E F^T, the ICML code). */
  public String pepitaSign = "minus";
  /** PEPITA presynaptic activity: "modulated" (reference default) or "forward". */
  public String pepitaMode = "modulated";
  /**
   * PEPITA's modulated first layer: "factored" (A_1 + s E (W_1 F)^T from the clean pass, one large product
   * fewer; default) or "direct" (X_mod W_1^T, earlier versions' arithmetic, bit for bit).
   */
  public String pepitaFirstLayer = "factored";
  /**
   * Reproduce the reference code's quirks instead of the intended rules: pepita-hebbian computes plain PEPITA
   * (the reference's "mixed" falls through), pepita-tl makes two full optimiser steps per batch (momentum and
   * weight decay twice).
   */
  public boolean referenceQuirks = false;
  /** Time-local PEPITA: share the dropout masks between its two passes (reference: fresh masks). */
  public boolean timeLocalSharedMasks = false;
  /** Activation normalization: divide each hidden layer's batch activations by their Frobenius norm. */
  public boolean normalizeActivations = false;
  /** Weight mirroring of the feedback matrices (PEPITA: section 5.1; FA: section 5.2). */
  public boolean mirror = false;
  /** Weight-mirroring learning rate eta_B. Default 0.1. */
  public float mirrorLr = 0.1f;
  /** Weight-mirroring weight decay lambda_B. Default 0.5. */
  public float mirrorWeightDecay = 0.5f;
  /** Mirror-only epochs before any forward-weight update. Default 1. */
  public int mirrorPreEpochs = 1;
  /** After the pre-mirror epochs, mirror in epochs e with (e + 1) % mirrorEvery == 0. Default 1 (every epoch). */
  public int mirrorEvery = 1;
  /** Random seed of initialisation, dropout and shuffling. Default 42. */
  public long seed = 42;
  /** Threads for the kernels (1 = the caller's thread only). Default: available processors. */
  public int threads = Runtime.getRuntime().availableProcessors();
  /** Use only the first N training examples (0 = all). */
  public int trainLimit = 0;
  /**
   * Which {@code trainLimit} training examples: "first" (the first N) or "random" (N drawn without replacement,
   * seeded by {@code seed}, as a shuffled full-batch loader gives; the full-batch FF reimplementation uses it).
   */
  public String trainSubset = "first";
  /** Use only the first N test examples (0 = all). */
  public int testLimit = 0;

  // Forward-Forward (rule ff; ALGORITHMS.md section 7). Defaults: the loeweX recipe.
  /** FF goodness: "sum" (Hinton, loeweX) or "mean" (mpezeshki) of the squared activities. */
  public String ffGoodness = "sum";
  /** FF threshold theta; null = the layer width for sum goodness, 1 for mean goodness. */
  public Float ffThreshold = null;
  /** FF input normalisation of every layer: "rms" (loeweX) or "l2" (Hinton, mpezeshki). */
  public String ffNorm = "rms";
  /** FF layers have biases. */
  public boolean ffBiases = true;
  /** FF weight init: "normal-out" (loeweX N(0, 1/d_out)), "torch" (nn.Linear default) or "he_uniform". */
  public String ffInit = "normal-out";
  /** FF label code: the value at the label's position among the first C features. */
  public float ffLabelValue = 1f;
  /** FF neutral label code of the linear read-out (all C positions); null = 1/C. */
  public Float ffNeutralValue = null;
  /** FF peer-normalisation weight (loeweX 0.03; 0 = off). */
  public float ffPeer = 0.03f;
  /** FF peer-normalisation running-mean momentum. */
  public float ffPeerMomentum = 0.9f;
  /**
   * FF negative labels: "fresh" (a uniformly drawn wrong label for every example on every step) or "permuted"
   * (drawn once for the whole run: example i gets the label of example p(i) for a random permutation p of the
   * training set, as the full-batch reimplementation (mpezeshki) does; it equals the true label for about 1/C of
   * the examples).
   */
  public String ffNegatives = "fresh";

  /** FF schedule: "simultaneous" (all layers every batch) or "layerwise" (layer after layer). */
  public String ffSchedule = "simultaneous";
  /** FF optimiser of each layer: "sgd" (momentum, weight decay) or "adam". */
  public String ffOptimizer = "sgd";
  /** FF prediction: "linear" (softmax read-out of a neutral pass) or "goodness" (best label by goodness). */
  public String ffReadout = "linear";
  /** FF prediction uses layers 2..L (goodness sum, or read-out features) instead of all layers. */
  public boolean ffSkipFirst = true;
  /** FF linear read-out learning rate. */
  public float ffReadoutLr = 0.01f;
  /** FF linear read-out weight decay. */
  public float ffReadoutWeightDecay = 0.003f;
  /** FF linear learning-rate cool-down over the second half of the epochs (loeweX). */
  public boolean ffCooldown = true;
  /** FF: evaluate the test set after epoch 1, every N epochs and after the last. */
  public int ffEvalEvery = 1;

  /** The learning rate that reproduces each rule's paper figure (PEPITA: 0.1, the ICML code's MNIST setting). */
  public static float defaultLearningRate(String rule) {
    return switch (rule) {
      case "pepita" -> 0.1f;
      case "ff" -> 0.001f;
      default -> 0.01f;
    };
  }

  /**
   * The form of F in force: "normal" (a product of one factor per layer) whenever weight mirroring is on, since
   * mirroring needs the factors; else {@link #fInit}.
   */
  public String effectiveFInit() {
    return mirror ? "normal" : fInit;
  }

  /** The learning rate in force: {@link #lr}, or the rule's default. */
  public float effectiveLr() {
    return lr != null ? lr : defaultLearningRate(rule);
  }

  /**
   * Checks every setting. Throws IllegalArgumentException naming the setting, its value and what is
   * allowed.
   */
  public TrainConfig validate() {
    List<String> problems = new ArrayList<>();
    oneOf(problems, "rule", rule, RULES);
    oneOf(problems, "init", init, List.of("he_uniform", "he_normal"));
    oneOf(problems, "f-init", fInit, List.of("uniform", "normal"));
    oneOf(problems, "feedback-init", feedbackInit, List.of("he_uniform", "he_normal"));
    oneOf(problems, "pepita-sign", pepitaSign, List.of("minus", "plus"));
    oneOf(problems, "pepita-mode", pepitaMode, List.of("modulated", "forward"));
    oneOf(problems, "pepita-first-layer", pepitaFirstLayer, List.of("factored", "direct"));
    if (hidden == null) {
      problems.add("hidden: must be a list of widths (may be empty)");
    } else {
      for (int h : hidden) {
        if (h < 1) {
          problems.add("hidden: every width must be >= 1, got " + Arrays.toString(hidden));
          break;
        }
      }
    }
    positive(problems, "epochs", epochs);
    positive(problems, "batch", batch);
    positive(problems, "test-batch", testBatch);
    positive(problems, "threads", threads);
    if (lr != null && !(lr > 0f && Float.isFinite(lr))) {
      problems.add("lr: must be a finite number > 0, got " + lr);
    }
    if (!(momentum >= 0f && momentum < 1f)) {
      problems.add("momentum: must be in [0, 1), got " + momentum);
    }
    if (!(weightDecay >= 0f && Float.isFinite(weightDecay))) {
      problems.add("weight-decay: must be >= 0, got " + weightDecay);
    }
    if (!(dropout >= 0f && dropout < 1f)) {
      problems.add("dropout: must be in [0, 1), got " + dropout);
    }
    if (!(lrDecay > 0f && lrDecay <= 1f)) {
      problems.add("lr-decay: must be in (0, 1], got " + lrDecay);
    }
    if (decayEpochs == null) {
      problems.add("decay-epochs: must be a list of epochs (may be empty)");
    } else {
      for (int e : decayEpochs) {
        if (e < 0) {
          problems.add("decay-epochs: epochs must be >= 0, got " + Arrays.toString(decayEpochs));
          break;
        }
      }
    }
    if (!(fScale >= 0f && Float.isFinite(fScale))) {
      problems.add("f-scale: must be >= 0, got " + fScale);
    }
    if (!(mirrorLr >= 0f) || !(mirrorWeightDecay >= 0f)) {
      problems.add("mirror-lr and mirror-weight-decay must be >= 0, got " + mirrorLr + ", " + mirrorWeightDecay);
    }
    if (mirrorPreEpochs < 0) {
      problems.add("mirror-pre-epochs: must be >= 0, got " + mirrorPreEpochs);
    }
    positive(problems, "mirror-every", mirrorEvery);
    if (trainLimit < 0 || testLimit < 0) {
      problems.add("train-limit/test-limit: must be >= 0 (0 = all), got " + trainLimit + ", " + testLimit);
    }
    oneOf(problems, "ff-goodness", ffGoodness, List.of("sum", "mean"));
    oneOf(problems, "ff-norm", ffNorm, List.of("rms", "l2"));
    oneOf(problems, "ff-init", ffInit, List.of("normal-out", "torch", "he_uniform"));
    oneOf(problems, "ff-schedule", ffSchedule, List.of("simultaneous", "layerwise"));
    oneOf(problems, "train-subset", trainSubset, List.of("first", "random"));
    oneOf(problems, "ff-negatives", ffNegatives, List.of("fresh", "permuted"));
    oneOf(problems, "ff-optimizer", ffOptimizer, List.of("sgd", "adam"));
    oneOf(problems, "ff-readout", ffReadout, List.of("linear", "goodness"));
    if (ffThreshold != null && !Float.isFinite(ffThreshold)) {
      problems.add("ff-threshold: must be a finite number, got " + ffThreshold);
    }
    if (!Float.isFinite(ffLabelValue) || (ffNeutralValue != null && !Float.isFinite(ffNeutralValue))) {
      problems.add("ff-label-value/ff-neutral-value: must be finite, got " + ffLabelValue + ", " + ffNeutralValue);
    }
    if (!(ffPeer >= 0f && Float.isFinite(ffPeer)) || !(ffPeerMomentum >= 0f && ffPeerMomentum < 1f)) {
      problems.add("ff-peer must be >= 0 and ff-peer-momentum in [0, 1), got " + ffPeer + ", " + ffPeerMomentum);
    }
    if (!(ffReadoutLr >= 0f && Float.isFinite(ffReadoutLr)) || !(ffReadoutWeightDecay >= 0f && Float.isFinite(ffReadoutWeightDecay))) {
      problems.add("ff-readout-lr and ff-readout-weight-decay must be >= 0, got " + ffReadoutLr + ", " + ffReadoutWeightDecay);
    }
    positive(problems, "ff-eval-every", ffEvalEvery);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return this;
  }

  private static void oneOf(List<String> problems, String name, String value, List<String> allowed) {
    if (value == null || !allowed.contains(value.toLowerCase(Locale.ROOT))) {
      problems.add(name + ": '" + value + "' is not one of " + String.join(", ", allowed));
    }
  }

  private static void positive(List<String> problems, String name, int value) {
    if (value < 1) {
      problems.add(name + ": must be >= 1, got " + value);
    }
  }

  /** A deep copy. */
  public TrainConfig copy() {
    TrainConfig c = new TrainConfig();
    for (java.lang.reflect.Field f : TrainConfig.class.getFields()) {
      if (java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
        continue;
      }
      try {
        Object v = f.get(this);
        if (v instanceof int[] a) {
          v = a.clone();
        }
        f.set(c, v);
      } catch (IllegalAccessException e) {
        throw new AssertionError(e);
      }
    }
    return c;
  }
}
