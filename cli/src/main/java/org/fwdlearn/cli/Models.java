package org.fwdlearn.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.nn.Network;
import org.fwdlearn.train.TrainConfig;

/**
 * A trained model on disk: {@code model.safetensors} (every forward weight W1..WL, d_l x d_{l-1}, and the rule's
 * feedback tensors such as F, d_0 x C) and {@code model.json} (the architecture and how to feed it).
 */
public final class Models {
  private Models() {}

  /** The format name in model.json. */
  public static final String FORMAT = "fwdlearn-model";

  /**
   * Writes model.safetensors and model.json atomically into {@code dir}.
   *
   * @param network the trained network (its weights are written as W1..WL)
   * @param feedback the rule's other tensors by name (F, B1.., K1..); names W1..WL are skipped
   * @param shape the input's {channels, height, width}
   * @param epochs epochs trained so far
   */
  public static void write(
      Path dir, Network network, Map<String, Matrix> feedback, TrainConfig c, int[] shape, int epochs,
      double testAccuracy) throws IOException {
    Map<String, Matrix> tensors = new LinkedHashMap<>();
    List<String> weightNames = new ArrayList<>();
    for (int l = 1; l <= network.layers(); l++) {
      tensors.put("W" + l, network.weight(l));
      weightNames.add("W" + l);
    }
    List<String> feedbackNames = new ArrayList<>();
    for (Map.Entry<String, Matrix> e : feedback.entrySet()) {
      if (!tensors.containsKey(e.getKey())) {
        tensors.put(e.getKey(), e.getValue());
        feedbackNames.add(e.getKey());
      }
    }
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", FORMAT);
    meta.put("rule", c.rule);
    meta.put("layers", Settings.text(network.sizes()));
    AtomicFiles.write(dir.resolve("model.safetensors"), o -> Safetensors.write(o, tensors, meta));

    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", FORMAT);
    m.put("format_version", 1);
    m.put("fwdlearn_version", Environment.version());
    m.put("rule", c.rule);
    m.put("layers", network.sizes());
    m.put("input_shape", shape);
    m.put("classes", network.outputSize());
    m.put("bias", false);
    m.put("hidden_activation", "relu");
    m.put("output", "softmax");
    m.put("normalize_activations", network.normalizesActivations());
    m.put("test_batch", c.testBatch);
    m.put("dataset", c.dataset);
    m.put("standardize", c.standardize);
    m.put("epochs_trained", epochs);
    m.put("test_accuracy", testAccuracy);
    m.put("weights", weightNames);
    m.put("feedback", feedbackNames);
    Map<String, Object> shapes = new LinkedHashMap<>();
    tensors.forEach((k, v) -> shapes.put(k, new int[] {v.rows(), v.cols()}));
    m.put("tensors", shapes);
    m.put(
        "note",
        "W_l is d_l x d_(l-1) (out x in); logits = relu(... relu(x W1^T) ...) WL^T, no biases; inputs are pixels"
            + " in [0, 1] in C,H,W order (standardised per channel if standardize)");
    AtomicFiles.writeString(dir.resolve("model.json"), Json.write(m) + "\n");
  }

  /** A model read back: the network, model.json and every tensor. */
  public record Loaded(Network network, Map<String, Object> json, Map<String, Matrix> tensors) {
    public String rule() {
      return String.valueOf(json.get("rule"));
    }

    public String dataset() {
      return String.valueOf(json.get("dataset"));
    }

    public boolean standardize() {
      return Boolean.TRUE.equals(json.get("standardize"));
    }

    public int testBatch() {
      return json.get("test_batch") instanceof Long l ? (int) (long) l : 64;
    }
  }

  /** Reads the model of a run directory. */
  @SuppressWarnings("unchecked")
  public static Loaded read(Path dir) throws IOException {
    Path mj = dir.resolve("model.json");
    Path st = dir.resolve("model.safetensors");
    if (!Files.isRegularFile(mj) || !Files.isRegularFile(st)) {
      throw new UsageException(dir + " holds no model (model.json and model.safetensors, written by fwdlearn train)");
    }
    Map<String, Object> json;
    try {
      json = Json.parseObject(Files.readString(mj));
    } catch (Json.JsonException e) {
      throw new IOException(mj + ": " + e.getMessage());
    }
    if (!FORMAT.equals(json.get("format"))) {
      throw new IOException(mj + ": not a " + FORMAT + " description (format " + json.get("format") + ")");
    }
    Safetensors.Contents contents;
    try (InputStream in = Files.newInputStream(st)) {
      contents = Safetensors.read(new java.io.BufferedInputStream(in), st.toString());
    } catch (NoSuchFileException e) {
      throw new IOException(st + ": missing");
    }
    List<Matrix> weights = new ArrayList<>();
    for (Object name : (List<Object>) json.get("weights")) {
      Matrix w = contents.tensors().get(String.valueOf(name));
      if (w == null) {
        throw new IOException(st + ": tensor " + name + " named in model.json is missing");
      }
      weights.add(w);
    }
    Network net = Network.fromWeights(weights, Boolean.TRUE.equals(json.get("normalize_activations")));
    return new Loaded(net, json, contents.tensors());
  }
}
