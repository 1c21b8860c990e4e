package org.fwdlearn.cli;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.fwdlearn.io.Json;
import org.fwdlearn.train.TrainConfig;

/**
 * The settings of a training run: every public field of {@link TrainConfig}, under one name that serves as
 * the command-line flag ({@code --weight-decay}), the key of a {@code --config} JSON file and of the run's
 * {@code config.json} ({@code "weight-decay"}). The name is the field name in kebab case.
 *
 * <p>Values are converted here, with messages that name the setting, the bad value and what is allowed;
 * range checks are {@link TrainConfig#validate()}'s.
 */
public final class Settings {
  private Settings() {}

  /** Settings whose value is one of a fixed set of words (lower-cased on input). */
  private static final Map<String, List<String>> CHOICES =
      Map.ofEntries(
          Map.entry("rule", TrainConfig.RULES),
          Map.entry("init", List.of("he_uniform", "he_normal")),
          Map.entry("fInit", List.of("uniform", "normal")),
          Map.entry("feedbackInit", List.of("he_uniform", "he_normal")),
          Map.entry("pepitaSign", List.of("minus", "plus")),
          Map.entry("pepitaMode", List.of("modulated", "forward")),
          Map.entry("pepitaFirstLayer", List.of("factored", "direct")),
          Map.entry("trainSubset", List.of("first", "random")),
          Map.entry("ffNegatives", List.of("fresh", "permuted")),
          Map.entry("ffGoodness", List.of("sum", "mean")),
          Map.entry("ffNorm", List.of("rms", "l2")),
          Map.entry("ffInit", List.of("normal-out", "torch", "he_uniform")),
          Map.entry("ffSchedule", List.of("simultaneous", "layerwise")),
          Map.entry("ffOptimizer", List.of("sgd", "adam")),
          Map.entry("ffReadout", List.of("linear", "goodness")));

  /** One line of help per field; a test checks that every field of TrainConfig has one. */
  static final Map<String, String> DESCRIPTIONS = descriptions();

  private static Map<String, String> descriptions() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("rule", "Learning rule: " + String.join(", ", TrainConfig.RULES) + ".");
    d.put(
        "dataset",
        "Dataset: " + String.join(", ", org.fwdlearn.data.Datasets.names())
            + ", or synthetic (generated in memory, for smoke tests); see 'fwdlearn data list'.");
    d.put("dataDir", "Directory of the dataset files.");
    d.put("standardize", "Standardise each input channel to zero mean and unit variance (off: pixels in [0, 1]).");
    d.put("hidden", "Hidden layer widths, comma-separated, e.g. 1024,1024; 'none' for no hidden layer.");
    d.put("epochs", "Number of epochs.");
    d.put("batch", "Mini-batch size (the last partial batch of an epoch is dropped).");
    d.put("testBatch", "Batch size for evaluation (matters only with --normalize-activations).");
    d.put("lr", "Learning rate of the forward weights; the defaults reproduce each rule's paper figure (PEPITA"
        + " needs 0.1 for it). drtp has no such rate here: with ReLU units its error-independent hidden update drifts without"
        + " bound and training degrades at every rate tried (docs/RESULTS.md).");
    d.put("momentum", "SGD momentum, in [0, 1).");
    d.put("weightDecay", "Weight decay (L2 term added to the gradient, PyTorch semantics), >= 0.");
    d.put("dropout", "Dropout probability of hidden units (one mask per batch, shared by both passes), in [0, 1).");
    d.put("lrDecay", "Factor applied to the learning rate after each of --decay-epochs, in (0, 1].");
    d.put("decayEpochs", "0-based epochs at whose end the learning rate decays, comma-separated; 'none' for no decay.");
    d.put("init", "Forward weight initialisation: he_uniform or he_normal.");
    d.put("fInit", "Feedback matrix F: uniform (one matrix) or normal (product of per-layer B, forced by --mirror).");
    d.put("feedbackInit", "Initialisation of FA's feedback matrices B_l: he_uniform or he_normal.");
    d.put("fScale", "Scale of F (Bstd): F's standard deviation is f-scale * sqrt(2 / input size).");
    d.put("fMeanZero", "Zero-mean F (false: F drawn from U(0, a)).");
    d.put("pepitaSign", "PEPITA modulation sign: minus (X - E F^T, ICLR code) or plus (X + E F^T, ICML code).");
    d.put("pepitaMode", "PEPITA presynaptic activity: modulated (reference) or forward.");
    d.put("pepitaFirstLayer", "pepita, pepita-hebbian: modulated first layer as A_1 + s E (W_1 F)^T (factored: one large product fewer, the modulation's effect computed directly) or X_mod W_1^T (direct: earlier versions' arithmetic, bit for bit).");
    d.put("referenceQuirks", "Reproduce the reference code's quirks (e.g. pepita-hebbian falling through to PEPITA).");
    d.put("timeLocalSharedMasks", "pepita-tl: share the dropout masks between the two passes (reference: fresh masks).");
    d.put("normalizeActivations", "Divide each hidden layer's batch activations by their Frobenius norm.");
    d.put("mirror", "Weight mirroring of the feedback matrices (PEPITA, FA).");
    d.put("mirrorLr", "Weight-mirroring learning rate eta_B.");
    d.put("mirrorWeightDecay", "Weight-mirroring weight decay lambda_B.");
    d.put("mirrorPreEpochs", "Mirror-only epochs before the first forward-weight update.");
    d.put("mirrorEvery", "After the pre-mirror epochs, mirror in every epoch e for which e + 1 is a multiple of mirror-every.");
    d.put("seed", "Random seed of initialisation, dropout and shuffling.");
    d.put("threads", "Threads for the kernels (results do not depend on it).");
    d.put("trainLimit", "Train on N training examples only (0 = all); which ones: --train-subset.");
    d.put("trainSubset", "first (the first N of --train-limit) or random (N drawn without replacement, seeded by --seed).");
    d.put("testLimit", "Evaluate on the first N test examples only (0 = all).");
    d.put("ffGoodness", "ff: goodness of a layer, sum (Hinton, loeweX) or mean (mpezeshki) of the squared activities.");
    d.put("ffThreshold", "ff: threshold theta of the goodness; none = the layer width for sum, 1 for mean goodness.");
    d.put("ffNorm", "ff: length normalisation of each layer's input, rms (x / rms(x), loeweX) or l2 (x / |x|).");
    d.put("ffBiases", "ff: the layers have biases.");
    d.put("ffInit", "ff: weight init, normal-out (N(0, 1/d_out), loeweX), torch (nn.Linear default) or he_uniform.");
    d.put("ffLabelValue", "ff: value written at the label's position among the first C input features (others 0).");
    d.put("ffNeutralValue", "ff: value of all C label features in the read-out's neutral pass; none = 1/C.");
    d.put("ffPeer", "ff: peer-normalisation weight (0 = off).");
    d.put("ffPeerMomentum", "ff: momentum of the peer-normalisation running mean, in [0, 1).");
    d.put("ffNegatives", "ff: negative labels, fresh (a uniformly drawn wrong label on every step) or permuted (drawn once: the labels of a random permutation of the training set, mpezeshki; about 1/C equal the true label).");
    d.put("ffSchedule", "ff: simultaneous (all layers on every batch) or layerwise (layer after layer, epochs split evenly).");
    d.put("ffOptimizer", "ff: optimiser of each layer, sgd (with --momentum, --weight-decay) or adam (with --weight-decay).");
    d.put("ffReadout", "ff: prediction by the linear softmax read-out of a neutral pass, or by the label of highest goodness.");
    d.put("ffSkipFirst", "ff: predict from layers 2..L (goodness sum or read-out features) instead of all layers.");
    d.put("ffReadoutLr", "ff: learning rate of the linear read-out (SGD with --momentum).");
    d.put("ffReadoutWeightDecay", "ff: weight decay of the linear read-out.");
    d.put("ffCooldown", "ff: linear learning-rate cool-down over the second half of the epochs (loeweX).");
    d.put("ffEvalEvery", "ff: evaluate the test set after the first epoch, every N epochs and after the last.");
    return d;
  }

  /** One setting: its name (flag without the dashes, JSON key) and the TrainConfig field behind it. */
  public record Setting(String key, Field field) {
    /** The command-line flag, e.g. {@code --weight-decay}. */
    public String flag() {
      return "--" + key;
    }

    public Class<?> type() {
      return field.getType();
    }

    /** The allowed words, or an empty list if the setting is not a choice. */
    public List<String> choices() {
      return CHOICES.getOrDefault(field.getName(), List.of());
    }

    /** The help text, ending with the default. */
    public String description() {
      String d = DESCRIPTIONS.getOrDefault(field.getName(), field.getName() + ".");
      return d + " Default: " + defaultText(this) + ".";
    }

    /** The label of the value in the help, e.g. {@code <float>}. */
    public String paramLabel() {
      Class<?> t = type();
      if (!choices().isEmpty()) {
        return "<" + String.join("|", choices()) + ">";
      } else if (t == int[].class) {
        return "<n,n,...>";
      } else if (t == float.class || t == Float.class || t == double.class) {
        return "<number>";
      } else if (t == int.class || t == long.class) {
        return "<int>";
      } else if (t == boolean.class) {
        return "<true|false>";
      } else if (key.endsWith("-dir")) {
        return "<dir>";
      } else if (key.equals("dataset")) {
        return "<name>";
      }
      return "<text>";
    }

    Object get(TrainConfig c) {
      try {
        return field.get(c);
      } catch (IllegalAccessException e) {
        throw new AssertionError(e);
      }
    }

    void set(TrainConfig c, Object v) {
      try {
        field.set(c, v);
      } catch (IllegalAccessException e) {
        throw new AssertionError(e);
      }
    }
  }

  private static final List<Setting> ALL = discover();

  private static List<Setting> discover() {
    List<Setting> l = new ArrayList<>();
    for (Field f : TrainConfig.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers())) {
        continue;
      }
      l.add(new Setting(kebab(f.getName()), f));
    }
    return List.copyOf(l);
  }

  /** {@code weightDecay} to {@code weight-decay}. */
  static String kebab(String camel) {
    StringBuilder sb = new StringBuilder();
    for (char c : camel.toCharArray()) {
      if (Character.isUpperCase(c)) {
        sb.append('-').append(Character.toLowerCase(c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /** Every setting, in TrainConfig's field order. */
  public static List<Setting> all() {
    return ALL;
  }

  /** The setting of that name, or null. */
  public static Setting byKey(String key) {
    for (Setting s : ALL) {
      if (s.key().equals(key)) {
        return s;
      }
    }
    return null;
  }

  /** The keys of every setting, for messages. */
  public static String keyList() {
    return ALL.stream().map(Setting::key).collect(Collectors.joining(", "));
  }

  /** How the default of a setting reads in the help. */
  public static String defaultText(Setting s) {
    TrainConfig d = new TrainConfig();
    return switch (s.field().getName()) {
      case "lr" -> {
        float common = TrainConfig.defaultLearningRate("bp");
        StringBuilder sb = new StringBuilder();
        for (String r : TrainConfig.RULES) {
          float lr = TrainConfig.defaultLearningRate(r);
          if (lr != common) {
            sb.append(lr).append(" for ").append(r).append("; ");
          }
        }
        yield sb + String.valueOf(common) + " for the other rules";
      }
      case "dataDir" -> "the dataset's usual location";
      case "threads" -> "the number of processors (" + d.threads + ")";
      default -> text(s.get(d));
    };
  }

  /** A value as it would be typed on the command line. */
  static String text(Object v) {
    if (v == null) {
      return "none";
    } else if (v instanceof int[] a) {
      return a.length == 0 ? "none" : Arrays.stream(a).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }
    return String.valueOf(v);
  }

  // ---------------------------------------------------------------- conversion from text (flags)

  /** Sets a setting from its command-line text. */
  public static void applyText(TrainConfig c, Setting s, String text) {
    s.set(c, fromText(s, text, s.flag()));
  }

  private static Object fromText(Setting s, String raw, String where) {
    String t = raw.trim();
    Class<?> type = s.type();
    if (!s.choices().isEmpty()) {
      String w = t.toLowerCase(Locale.ROOT);
      if (!s.choices().contains(w)) {
        throw new UsageException(
            "Invalid value for " + where + ": '" + raw + "' (allowed: " + String.join(", ", s.choices()) + ")");
      }
      return w;
    }
    try {
      if (type == String.class) {
        if (s.key().equals("dataset")) {
          return t.toLowerCase(Locale.ROOT);
        }
        return t;
      } else if (type == int.class) {
        return Integer.parseInt(t);
      } else if (type == long.class) {
        return Long.parseLong(t);
      } else if (type == float.class) {
        return parseFloat(t);
      } else if (type == Float.class) {
        return parseFloat(t);
      } else if (type == boolean.class) {
        if (t.equalsIgnoreCase("true")) {
          return true;
        } else if (t.equalsIgnoreCase("false")) {
          return false;
        }
        throw new UsageException("Invalid value for " + where + ": '" + raw + "' (allowed: true, false)");
      } else if (type == int[].class) {
        if (t.isEmpty() || t.equalsIgnoreCase("none")) {
          return new int[0];
        }
        String[] parts = t.split(",", -1);
        int[] a = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
          a[i] = Integer.parseInt(parts[i].trim());
        }
        return a;
      }
    } catch (NumberFormatException e) {
      throw new UsageException("Invalid value for " + where + ": '" + raw + "' is not " + expected(s));
    }
    throw new AssertionError("setting " + s.key() + " has an unsupported type " + type);
  }

  private static float parseFloat(String t) {
    // Float.parseFloat accepts "1f", "0x1p3", "Infinity"; a user means a decimal number.
    if (!t.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
      throw new NumberFormatException(t);
    }
    return Float.parseFloat(t);
  }

  private static String expected(Setting s) {
    Class<?> t = s.type();
    if (t == int.class || t == long.class) {
      return "an integer";
    } else if (t == int[].class) {
      return "a comma-separated list of integers (e.g. 1024,1024) or 'none'";
    }
    return "a number";
  }

  // ---------------------------------------------------------------- JSON

  /**
   * JSON keys that a config file may hold besides the settings: the blocks fwdlearn writes into a run's
   * config.json (the data's shape, the environment), ignored on input so that config.json works as --config.
   */
  public static final Set<String> INFORMATIONAL_KEYS = Set.of("data", "environment");

  /**
   * Applies a {@code --config} JSON object. Unknown keys and values of the wrong type are errors naming the key;
   * {@code where} names the file in messages.
   */
  public static void applyJson(TrainConfig c, Map<String, Object> json, String where) {
    List<String> unknown = new ArrayList<>();
    for (String key : json.keySet()) {
      if (byKey(key) == null && !INFORMATIONAL_KEYS.contains(key)) {
        unknown.add(key);
      }
    }
    if (!unknown.isEmpty()) {
      String hint = "";
      for (String u : unknown) {
        Setting guess = byKey(kebab(u).replace('_', '-'));
        if (guess != null) {
          hint = " ('" + u + "' is spelled '" + guess.key() + "')";
          break;
        }
      }
      throw new UsageException(
          where + ": unknown key" + (unknown.size() > 1 ? "s " : " ") + unknown.stream().map(u -> "'" + u + "'").collect(Collectors.joining(", "))
              + hint + "; allowed keys: " + keyList());
    }
    for (Map.Entry<String, Object> e : json.entrySet()) {
      Setting s = byKey(e.getKey());
      if (s != null) {
        s.set(c, fromJson(s, e.getValue(), where + ": \"" + s.key() + "\""));
      }
    }
  }

  private static Object fromJson(Setting s, Object v, String where) {
    Class<?> type = s.type();
    if (v == null) {
      if (!type.isPrimitive() && type != int[].class && !s.key().equals("rule") && !s.key().equals("dataset")
          && s.choices().isEmpty()) {
        return null;
      }
      throw new UsageException(where + " may not be null (expected " + jsonExpected(s) + ")");
    }
    if (v instanceof String str && (type == String.class)) {
      return fromText(s, str, where);
    }
    if (v instanceof Boolean b && type == boolean.class) {
      return b;
    }
    if (v instanceof Number n && (type == float.class || type == Float.class)) {
      return n.floatValue();
    }
    if (v instanceof Long n && type == int.class && n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE) {
      return n.intValue();
    }
    if (v instanceof Long n && type == long.class) {
      return n;
    }
    if (v instanceof List<?> l && type == int[].class) {
      int[] a = new int[l.size()];
      for (int i = 0; i < a.length; i++) {
        if (!(l.get(i) instanceof Long x) || x < Integer.MIN_VALUE || x > Integer.MAX_VALUE) {
          throw new UsageException(where + "[" + i + "] is " + Json.typeName(l.get(i)) + " " + l.get(i) + ", expected an integer");
        }
        a[i] = (int) (long) x;
      }
      return a;
    }
    throw new UsageException(where + " is " + Json.typeName(v) + " (" + Json.writeCompact(v) + "), expected " + jsonExpected(s));
  }

  private static String jsonExpected(Setting s) {
    Class<?> t = s.type();
    if (!s.choices().isEmpty()) {
      return "one of the strings " + String.join(", ", s.choices());
    } else if (t == String.class) {
      return "a string";
    } else if (t == boolean.class) {
      return "true or false";
    } else if (t == int.class || t == long.class) {
      return "an integer";
    } else if (t == int[].class) {
      return "an array of integers";
    } else if (t == Float.class) {
      return "a number or null";
    }
    return "a number";
  }

  /**
   * Every setting as a JSON object in TrainConfig's field order, resolved: the learning rate is the one in force
   * ({@link TrainConfig#effectiveLr()}).
   */
  public static Map<String, Object> toJson(TrainConfig c) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (Setting s : ALL) {
      Object v = s.get(c);
      if (s.field().getName().equals("lr")) {
        v = c.effectiveLr();
      }
      m.put(s.key(), v);
    }
    return m;
  }
}
