package org.fwdlearn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Rng;
import org.fwdlearn.data.Dataset;
import org.fwdlearn.data.DatasetSplit;
import org.fwdlearn.nn.Network;
import org.fwdlearn.train.TrainConfig;
import org.fwdlearn.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelsTest {
  @TempDir Path tmp;

  /** Three noisy clusters in 6 dimensions, as a 2 x 1 x 3 "image". */
  private static DatasetSplit clusters() {
    Rng rng = new Rng(11);
    float[][] centre = new float[3][6];
    for (float[] c : centre) {
      for (int j = 0; j < c.length; j++) {
        c[j] = rng.nextFloat();
      }
    }
    Dataset[] sets = new Dataset[2];
    for (int s = 0; s < 2; s++) {
      int n = s == 0 ? 96 : 40;
      Matrix x = new Matrix(n, 6);
      int[] y = new int[n];
      for (int i = 0; i < n; i++) {
        y[i] = i % 3;
        for (int j = 0; j < 6; j++) {
          x.set(i, j, centre[y[i]][j] + 0.05f * (float) rng.nextGaussian());
        }
      }
      sets[s] = new Dataset(s == 0 ? "clusters-train" : "clusters-test", x, y, 3, new int[] {2, 1, 3});
    }
    return new DatasetSplit(sets[0], sets[1]);
  }

  private static TrainConfig config(String rule) {
    TrainConfig c = new TrainConfig();
    c.rule = rule;
    c.dataset = "clusters";
    c.hidden = new int[] {8, 5};
    c.batch = 16;
    c.testBatch = 32;
    c.epochs = 2;
    c.threads = 1;
    c.seed = 3;
    return c;
  }

  private static void assertSameBits(Matrix a, Matrix b, String what) {
    assertEquals(a.shape(), b.shape(), what);
    for (int i = 0; i < a.size(); i++) {
      assertEquals(
          Float.floatToRawIntBits(a.data()[a.offset() + i]), Float.floatToRawIntBits(b.data()[b.offset() + i]), what + "[" + i + "]");
    }
  }

  @Test
  void aTrainersModelLoadsBackBitForBitAndPredictsTheSame() throws IOException {
    DatasetSplit split = clusters();
    Path dir = tmp.resolve("new/model"); // created by save
    Matrix x = split.test().x();
    int[] before = new int[x.rows()];
    Matrix logitsBefore;
    Map<String, Matrix> tensors;
    try (Trainer trainer = new Trainer(config("pepita"), split)) {
      trainer.run();
      trainer.network().predict(x, before);
      logitsBefore = trainer.network().logits(x);
      tensors = new LinkedHashMap<>();
      trainer.namedTensors().forEach((k, v) -> tensors.put(k, v.copy()));
      Models.save(dir, trainer);
    }
    Models.Loaded m = Models.read(dir);
    assertEquals(List.of(6, 8, 5, 3), java.util.Arrays.stream(m.network().sizes()).boxed().toList());
    assertEquals(List.copyOf(tensors.keySet()), List.copyOf(m.tensors().keySet()));
    assertEquals(List.of("W1", "W2", "W3", "F"), List.copyOf(m.tensors().keySet()));
    for (String k : tensors.keySet()) {
      assertSameBits(tensors.get(k), m.tensors().get(k), k);
    }
    int[] after = new int[x.rows()];
    Models.load(dir).predict(x, after);
    assertArrayEquals(before, after);
    assertSameBits(logitsBefore, m.network().logits(x), "logits");

    Models.Info info = m.info();
    assertEquals("pepita", info.rule());
    assertEquals("clusters", info.dataset());
    assertEquals(32, info.testBatch());
    assertArrayEquals(new int[] {2, 1, 3}, info.inputShape());
    assertEquals(2, info.epochsTrained());
    assertTrue(info.testAccuracy() >= 0 && info.testAccuracy() <= 1, "accuracy " + info.testAccuracy());
    try (var files = Files.list(dir)) {
      assertEquals(
          List.of("model.json", "model.safetensors"), files.map(p -> p.getFileName().toString()).sorted().toList(),
          "no temporary file is left behind");
    }
  }

  @Test
  void activationNormalizationAndEveryRulesTensorsSurvive() throws IOException {
    for (String rule : List.of("bp", "fa", "dfa")) {
      TrainConfig c = config(rule);
      c.normalizeActivations = true;
      c.epochs = 1;
      Path dir = tmp.resolve(rule);
      Map<String, Matrix> expected = new LinkedHashMap<>();
      try (Trainer trainer = new Trainer(c, clusters())) {
        trainer.run();
        trainer.namedTensors().forEach((k, v) -> expected.put(k, v.copy()));
        Models.save(dir, trainer);
      }
      Models.Loaded m = Models.read(dir);
      assertTrue(m.network().normalizesActivations(), rule);
      assertEquals(List.copyOf(expected.keySet()), List.copyOf(m.tensors().keySet()), rule);
      for (String k : expected.keySet()) {
        assertSameBits(expected.get(k), m.tensors().get(k), rule + " " + k);
      }
    }
  }

  /** A fixed 2-3-2 network with an F. */
  private static Network tiny() {
    return Network.fromWeights(
        List.of(
            Matrix.of(new float[] {1f, -2f}, new float[] {0.5f, 0f}, new float[] {-0.25f, 3f}),
            Matrix.of(new float[] {1f, 1f, 1f}, new float[] {-1f, 0f, 2f})));
  }

  @Test
  void modelJsonIsTheDocumentedFormat() throws IOException {
    Map<String, Matrix> extra = new LinkedHashMap<>();
    extra.put("W1", new Matrix(1, 1)); // skipped: the network's W1 takes the name
    extra.put("F", Matrix.of(new float[] {0.1f, 0.2f}, new float[] {0.3f, 0.4f}));
    Models.save(tmp, tiny(), extra, new Models.Info("pepita", "clusters", false, 64, new int[] {1, 1, 2}, 3, 0.75));
    String expected =
        """
        {
          "format": "fwdlearn-model",
          "format_version": 1,
          "fwdlearn_version": "%s",
          "rule": "pepita",
          "layers": [2, 3, 2],
          "input_shape": [1, 1, 2],
          "classes": 2,
          "bias": false,
          "hidden_activation": "relu",
          "output": "softmax",
          "normalize_activations": false,
          "test_batch": 64,
          "dataset": "clusters",
          "standardize": false,
          "epochs_trained": 3,
          "test_accuracy": 0.75,
          "weights": ["W1", "W2"],
          "feedback": ["F"],
          "tensors": {
            "W1": [3, 2],
            "W2": [2, 3],
            "F": [2, 2]
          },
          "note": "W_l is d_l x d_(l-1) (out x in); logits = relu(... relu(x W1^T) ...) WL^T, no biases; inputs are\
         pixels in [0, 1] in C,H,W order (standardised per channel if standardize)"
        }
        """
            .formatted(Models.version());
    assertEquals(expected, Files.readString(tmp.resolve("model.json")));
    Safetensors.Contents st = Safetensors.read(tmp.resolve("model.safetensors"));
    assertEquals(Map.of("format", "fwdlearn-model", "rule", "pepita", "layers", "2,3,2"), st.metadata());
    assertEquals(List.of("W1", "W2", "F"), List.copyOf(st.tensors().keySet()));
    assertTrue(st.tensors().get("W1").contentEquals(tiny().weight(1)));
  }

  @Test
  void aModelWithoutTestAccuracyOrDatasetReadsBack() throws IOException {
    Models.save(tmp, tiny(), Map.of(), new Models.Info("bp", null, true, 8, new int[] {2, 1, 1}, 0, Double.NaN));
    Models.Info info = Models.read(tmp).info();
    assertNull(info.dataset());
    assertTrue(Double.isNaN(info.testAccuracy()));
    assertTrue(info.standardize());
    assertEquals(8, info.testBatch());
    assertArrayEquals(new int[] {2, 1, 1}, info.inputShape());
  }

  @Test
  void savingRefusesAnInputShapeThatDoesNotFit() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Models.save(tmp, tiny(), Map.of(), new Models.Info("bp", null, false, 64, new int[] {1, 28, 28}, 0, 0)));
    assertTrue(e.getMessage().contains("[1, 28, 28] does not hold the network's 2 inputs"), e.getMessage());
  }

  @Test
  void missingOrInconsistentFilesAreClearErrors() throws IOException {
    NoSuchFileException missing = assertThrows(NoSuchFileException.class, () -> Models.load(tmp));
    assertTrue(missing.getMessage().contains("holds no model"), missing.getMessage());
    assertTrue(!Models.exists(tmp));

    Models.save(tmp, tiny(), Map.of(), new Models.Info("bp", "x", false, 64, new int[] {1, 1, 2}, 1, 0.5));
    assertTrue(Models.exists(tmp));
    Path mj = tmp.resolve("model.json");
    String good = Files.readString(mj);

    Files.writeString(mj, good.replace("\"fwdlearn-model\"", "\"fwdlearn-ff-model\""));
    assertModelError(mj, -1, "not a fwdlearn-model description (format fwdlearn-ff-model)");
    Files.writeString(mj, good.replace("\"format_version\": 1", "\"format_version\": 2"));
    assertModelError(mj, -1, "format_version 2 is newer");
    Files.writeString(mj, good.replace("\"weights\": [\"W1\", \"W2\"]", "\"weights\": [\"W1\", \"W9\"]"));
    assertModelError(tmp.resolve("model.safetensors"), -1, "tensor W9 named in model.json is missing");
    Files.writeString(mj, good.replace("\"weights\": [\"W1\", \"W2\"]", "\"weights\": [\"W1\", \"W1\"]"));
    assertModelError(tmp.resolve("model.safetensors"), -1, "the weights do not form a network");
    Files.writeString(mj, good.replace("\"layers\": [2, 3, 2]", "\"layers\": [2, 4, 2]"));
    assertModelError(mj, -1, "\"layers\" [2, 4, 2] does not match the weights' sizes [2, 3, 2]");
    Files.writeString(mj, good.replace("\"input_shape\": [1, 1, 2]", "\"input_shape\": [1, 1, 3]"));
    assertModelError(mj, -1, "\"input_shape\" [1, 1, 3] does not hold the network's 2 inputs");
    String broken = good.replace("\"rule\": \"bp\",", "\"rule\": \"bp\"");
    Files.writeString(mj, broken);
    assertModelError(mj, broken.indexOf("\"layers\""), "invalid JSON at line 6");

    Files.writeString(mj, good);
    Path st = tmp.resolve("model.safetensors");
    byte[] bytes = Files.readAllBytes(st);
    Files.write(st, java.util.Arrays.copyOf(bytes, bytes.length - 1));
    assertModelError(st, -1, "past the end of the file (" + (bytes.length - 1) + " bytes)");
  }

  private static void assertModelError(Path file, long offset, String words) {
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> Models.load(file.getParent()));
    assertEquals(file.toString(), e.file(), e.getMessage());
    assertTrue(e.getMessage().contains(words), e.getMessage());
    if (offset >= 0) {
      assertEquals(offset, e.offset(), e.getMessage());
    }
  }
}
