package org.fwdlearn.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.nn.Network;
import org.fwdlearn.train.EpochReport;
import org.fwdlearn.train.TrainConfig;
import org.fwdlearn.train.Trainer;

/**
 * A trained {@link Network} on disk: a directory holding {@code model.safetensors} (every forward weight W1..WL,
 * d_l x d_(l-1), then the rule's other tensors such as PEPITA's F, d_0 x C; see {@link Safetensors}) and {@code
 * model.json} (format {@value #FORMAT}: the layer sizes, the rule, the input shape, how the inputs were
 * prepared, which tensors are weights).
 *
 * <pre>{@code
 * try (Trainer trainer = new Trainer(config, split)) {
 *   trainer.run();
 *   Models.save(Path.of("my-model"), trainer);            // W1..WL, F, model.json
 * }
 * Network net = Models.load(Path.of("my-model"));           // predicts exactly as the trained network
 * int[] classes = new int[x.rows()];
 * net.predict(x, classes);
 * }</pre>
 *
 * <p>Both files are written atomically ({@link AtomicFiles}: temporary file, fsync, rename), the tensors first,
 * so a crash leaves the previous model or the new one. The weights round-trip bit for bit. The same files are
 * what {@code fwdlearn train} writes into a run directory and what {@code fwdlearn eval} reads; any
 * safetensors reader (e.g. {@code safetensors.numpy.load_file}) opens the tensors.
 */
public final class Models {
  private Models() {}

  /** The format name in model.json. */
  public static final String FORMAT = "fwdlearn-model";

  /** The version of the model.json layout written here; newer ones are refused. */
  public static final int FORMAT_VERSION = 1;

  /** The tensors' file name inside a model directory. */
  public static final String TENSORS_FILE = "model.safetensors";

  /** The description's file name inside a model directory. */
  public static final String DESCRIPTION_FILE = "model.json";

  /**
   * What model.json records besides the architecture.
   *
   * @param rule the learning rule that trained the network, e.g. {@code pepita}
   * @param dataset the dataset it was trained on (null if none)
   * @param standardize whether the inputs were standardised per channel (else pixels in [0, 1])
   * @param testBatch the evaluation batch (matters only with activation normalization)
   * @param inputShape the input's {channels, height, width}
   * @param epochsTrained epochs trained so far
   * @param testAccuracy test accuracy after the last epoch (NaN if unknown)
   */
  public record Info(
      String rule, String dataset, boolean standardize, int testBatch, int[] inputShape, int epochsTrained,
      double testAccuracy) {
    public Info {
      if (rule == null) {
        throw new IllegalArgumentException("rule must not be null");
      }
      if (inputShape == null || inputShape.length != 3) {
        throw new IllegalArgumentException(
            "inputShape must be {channels, height, width}, got " + Arrays.toString(inputShape));
      }
      inputShape = inputShape.clone();
    }

    /** The input shape (a copy). */
    @Override
    public int[] inputShape() {
      return inputShape.clone();
    }

    /** The description of a network trained with {@code config}. */
    public static Info of(TrainConfig config, int[] inputShape, int epochsTrained, double testAccuracy) {
      return new Info(
          config.rule, config.dataset, config.standardize, config.testBatch, inputShape, epochsTrained, testAccuracy);
    }
  }

  /**
   * Saves a trainer's network and the rule's feedback tensors ({@link Trainer#namedTensors()}), with its config,
   * the training set's shape, the epochs trained ({@link Trainer#nextEpoch()}) and the last test accuracy.
   *
   * @param dir the model directory, created if missing; existing model files are replaced
   */
  public static void save(Path dir, Trainer trainer) throws IOException {
    List<EpochReport> reports = trainer.reports();
    double accuracy = reports.isEmpty() ? Double.NaN : reports.get(reports.size() - 1).testAccuracy();
    Info info = Info.of(trainer.config(), trainer.trainSet().shape(), trainer.nextEpoch(), accuracy);
    save(dir, trainer.network(), trainer.namedTensors(), info);
  }

  /**
   * Writes {@code model.safetensors} and {@code model.json} atomically into {@code dir}.
   *
   * @param dir the model directory, created if missing; existing model files are replaced
   * @param network the network; its weights are written as W1..WL. Not modified.
   * @param extraTensors other tensors to keep by name, in map order (e.g. the rule's F, B1.., K1..); names
   *     W1..WL are skipped (the network's weights take them). Not modified.
   * @param info the rest of the description
   * @throws IllegalArgumentException if {@code info.inputShape()} does not hold d_0 features
   */
  public static void save(Path dir, Network network, Map<String, Matrix> extraTensors, Info info)
      throws IOException {
    int[] shape = info.inputShape();
    if ((long) shape[0] * shape[1] * shape[2] != network.inputSize()) {
      throw new IllegalArgumentException(
          "input shape " + Arrays.toString(shape) + " does not hold the network's " + network.inputSize() + " inputs");
    }
    Map<String, Matrix> tensors = new LinkedHashMap<>();
    List<String> weightNames = new ArrayList<>();
    for (int l = 1; l <= network.layers(); l++) {
      tensors.put("W" + l, network.weight(l));
      weightNames.add("W" + l);
    }
    List<String> feedbackNames = new ArrayList<>();
    for (Map.Entry<String, Matrix> e : extraTensors.entrySet()) {
      if (!tensors.containsKey(e.getKey())) {
        tensors.put(e.getKey(), e.getValue());
        feedbackNames.add(e.getKey());
      }
    }
    Files.createDirectories(dir);
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", FORMAT);
    meta.put("rule", info.rule());
    meta.put("layers", Arrays.stream(network.sizes()).mapToObj(Integer::toString).collect(Collectors.joining(",")));
    Safetensors.write(dir.resolve(TENSORS_FILE), tensors, meta);

    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", FORMAT);
    m.put("format_version", FORMAT_VERSION);
    m.put("fwdlearn_version", version());
    m.put("rule", info.rule());
    m.put("layers", network.sizes());
    m.put("input_shape", shape);
    m.put("classes", network.outputSize());
    m.put("bias", false);
    m.put("hidden_activation", "relu");
    m.put("output", "softmax");
    m.put("normalize_activations", network.normalizesActivations());
    m.put("test_batch", info.testBatch());
    m.put("dataset", info.dataset());
    m.put("standardize", info.standardize());
    m.put("epochs_trained", info.epochsTrained());
    m.put("test_accuracy", info.testAccuracy());
    m.put("weights", weightNames);
    m.put("feedback", feedbackNames);
    Map<String, Object> shapes = new LinkedHashMap<>();
    tensors.forEach((k, v) -> shapes.put(k, new int[] {v.rows(), v.cols()}));
    m.put("tensors", shapes);
    m.put(
        "note",
        "W_l is d_l x d_(l-1) (out x in); logits = relu(... relu(x W1^T) ...) WL^T, no biases; inputs are pixels"
            + " in [0, 1] in C,H,W order (standardised per channel if standardize)");
    AtomicFiles.writeString(dir.resolve(DESCRIPTION_FILE), Json.write(m) + "\n");
  }

  /**
   * A model read back.
   *
   * @param network the network on the saved weights, ready to predict
   * @param info what model.json records besides the architecture
   * @param json model.json as parsed
   * @param tensors every tensor of model.safetensors, in file order (W1..WL first)
   */
  public record Loaded(Network network, Info info, Map<String, Object> json, Map<String, Matrix> tensors) {}

  /** Whether {@code dir} holds both model files. */
  public static boolean exists(Path dir) {
    return Files.isRegularFile(dir.resolve(DESCRIPTION_FILE)) && Files.isRegularFile(dir.resolve(TENSORS_FILE));
  }

  /**
   * The network saved in {@code dir}.
   *
   * @throws NoSuchFileException if a model file is missing
   * @throws ModelFormatException if a file is malformed or the two do not agree
   */
  public static Network load(Path dir) throws IOException {
    return read(dir).network();
  }

  /**
   * Everything saved in {@code dir}: the network, the description and every tensor.
   *
   * @throws NoSuchFileException if a model file is missing
   * @throws ModelFormatException if a file is malformed or the two do not agree
   */
  @SuppressWarnings("unchecked")
  public static Loaded read(Path dir) throws IOException {
    Path mj = dir.resolve(DESCRIPTION_FILE);
    Path st = dir.resolve(TENSORS_FILE);
    for (Path p : List.of(mj, st)) {
      if (!Files.isRegularFile(p)) {
        throw new NoSuchFileException(
            p.toString(), null, dir + " holds no model (" + DESCRIPTION_FILE + " and " + TENSORS_FILE + ")");
      }
    }
    String where = mj.toString();
    String text = Files.readString(mj);
    Map<String, Object> json;
    try {
      json = Json.parseObject(text);
    } catch (Json.JsonException e) {
      throw new ModelFormatException(where, e.position() < 0 ? 0 : Json.utf8Offset(text, e.position()), e.getMessage());
    }
    if (!FORMAT.equals(json.get("format"))) {
      throw new ModelFormatException(where, -1, "not a " + FORMAT + " description (format " + json.get("format") + ")");
    }
    long version = integer(json, "format_version", FORMAT_VERSION, where);
    if (version > FORMAT_VERSION) {
      throw new ModelFormatException(
          where, -1, "format_version " + version + " is newer than this fwdlearn reads (" + FORMAT_VERSION + ")");
    }
    Safetensors.Contents contents = Safetensors.read(st);
    if (!(json.get("weights") instanceof List<?> names) || names.isEmpty()) {
      throw new ModelFormatException(where, -1, "\"weights\" must list the weight tensors W1..WL");
    }
    List<Matrix> weights = new ArrayList<>();
    for (Object name : names) {
      Matrix w = contents.tensors().get(String.valueOf(name));
      if (w == null) {
        throw new ModelFormatException(st.toString(), -1, "tensor " + name + " named in " + DESCRIPTION_FILE + " is missing");
      }
      weights.add(w);
    }
    Network net;
    try {
      net = Network.fromWeights(weights, Boolean.TRUE.equals(json.get("normalize_activations")));
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(st.toString(), -1, "the weights do not form a network: " + e.getMessage());
    }
    if (json.get("layers") instanceof List<?> layers && !layers.equals(sizes(net))) {
      throw new ModelFormatException(
          where, -1, "\"layers\" " + layers + " does not match the weights' sizes " + sizes(net));
    }
    int[] shape = {1, 1, net.inputSize()};
    if (json.get("input_shape") instanceof List<?> s && s.size() == 3) {
      for (int i = 0; i < 3; i++) {
        shape[i] = s.get(i) instanceof Long x ? (int) (long) x : -1;
      }
      if ((long) shape[0] * shape[1] * shape[2] != net.inputSize()) {
        throw new ModelFormatException(
            where, -1, "\"input_shape\" " + s + " does not hold the network's " + net.inputSize() + " inputs");
      }
    }
    Info info =
        new Info(
            String.valueOf(json.get("rule")),
            json.get("dataset") instanceof String d ? d : null,
            Boolean.TRUE.equals(json.get("standardize")),
            (int) integer(json, "test_batch", 64, where),
            shape,
            (int) integer(json, "epochs_trained", 0, where),
            json.get("test_accuracy") instanceof Number a ? a.doubleValue() : Double.NaN);
    return new Loaded(net, info, json, contents.tensors());
  }

  private static List<Long> sizes(Network net) {
    return Arrays.stream(net.sizes()).mapToObj(x -> (long) x).toList();
  }

  private static long integer(Map<String, Object> json, String key, long otherwise, String where)
      throws ModelFormatException {
    Object v = json.get(key);
    if (v == null) {
      return otherwise;
    }
    if (!(v instanceof Long x) || x < 0 || x > Integer.MAX_VALUE) {
      throw new ModelFormatException(where, -1, "\"" + key + "\" is " + v + ", expected an integer >= 0");
    }
    return x;
  }

  /** The fwdlearn version of this build, as written into model.json ({@code unknown} if not packaged). */
  public static String version() {
    try (InputStream in = Models.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String v = p.getProperty("version");
        if (v != null && !v.startsWith("${")) {
          return v;
        }
      }
    } catch (IOException ignored) {
      // fall through
    }
    return "unknown";
  }
}
