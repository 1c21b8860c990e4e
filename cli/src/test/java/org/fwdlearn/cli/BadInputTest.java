package org.fwdlearn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad input exits with code 2, names the setting and what is allowed, and writes nothing. */
class BadInputTest {
  @TempDir Path tmp;

  /** Arguments after "train --dataset synthetic --out DIR", and words the message must contain. */
  static Stream<Arguments> badTrainArguments() {
    return Stream.of(
        Arguments.of(List.of("--bogus"), List.of("Unknown option", "--bogus")),
        Arguments.of(List.of("--lr", "-1"), List.of("lr", "must be a finite number > 0", "-1.0")),
        Arguments.of(List.of("--lr", "abc"), List.of("--lr", "'abc' is not a number")),
        Arguments.of(List.of("--hidden", "0"), List.of("hidden", "every width must be >= 1")),
        Arguments.of(List.of("--hidden", "1024,x"), List.of("--hidden", "comma-separated list of integers")),
        Arguments.of(List.of("--rule", "sgd"), List.of("--rule", "'sgd'", "pepita, pepita-tl, pepita-hebbian, afa, bp, fa, dfa, drtp, ff")),
        Arguments.of(List.of("--momentum", "1.5"), List.of("momentum", "[0, 1)")),
        Arguments.of(List.of("--dropout", "1"), List.of("dropout", "[0, 1)")),
        Arguments.of(List.of("--epochs", "0"), List.of("epochs", ">= 1")),
        Arguments.of(List.of("--init", "xavier"), List.of("--init", "he_uniform, he_normal")),
        Arguments.of(List.of("--mirror", "maybe"), List.of("--mirror", "true, false")),
        Arguments.of(List.of("--lr", "1", "--lr", "2"), List.of("--lr", "only once")),
        Arguments.of(List.of("--rule", "bp", "--mirror"), List.of("mirror", "pepita")),
        Arguments.of(List.of("--rule", "ff"), List.of("ff")),
        Arguments.of(List.of("--progress", "fancy"), List.of("--progress", "auto, bar, lines")),
        Arguments.of(List.of("--batch", "100000"), List.of("batch", "100000", "larger than the training set", "1 to 512")),
        Arguments.of(List.of("--train-limit", "10", "--batch", "32"), List.of("batch", "1 to 10")));
  }

  private String[] train(Path out, List<String> extra) {
    List<String> a = new ArrayList<>(List.of("train", "--dataset", "synthetic", "--threads", "1", "--out", out.toString()));
    a.addAll(extra);
    return a.toArray(String[]::new);
  }

  private void assertRejected(Cli.Result r, Path out, List<String> words) {
    assertEquals(2, r.code(), r.all());
    for (String w : words) {
      assertTrue(r.err().contains(w), "message lacks '" + w + "':\n" + r.err());
    }
    assertFalse(Files.exists(out), "bad input wrote " + out);
    assertTrue(r.out().isEmpty() || !r.out().contains("epoch 1"), r.out());
  }

  @ParameterizedTest
  @MethodSource("badTrainArguments")
  void badSettingsExitWithCode2AndWriteNothing(List<String> args, List<String> words) {
    Path out = tmp.resolve("run");
    assertRejected(Cli.run(train(out, args)), out, words);
  }

  @Test
  void settingsAreCheckedBeforeAnyDataIsLoaded() {
    // The data directory is empty: loading would fail with code 1; the bad lr must be reported first.
    Path out = tmp.resolve("run");
    Cli.Result r = Cli.run("train", "--dataset", "mnist", "--data-dir", tmp.toString(), "--lr", "-1", "--out", out.toString());
    assertRejected(r, out, List.of("lr"));
    r = Cli.run("train", "--dataset", "imagenet", "--out", out.toString());
    assertRejected(r, out, List.of("unknown dataset 'imagenet'", "mnist, fashion-mnist"));
  }

  @Test
  void badConfigFilesAreRejectedWithTheKeyOrPosition() throws Exception {
    Path out = tmp.resolve("run");
    Path cfg = tmp.resolve("c.json");
    Files.writeString(cfg, "{\"rule\": \"bp\",\n \"epochs\": 3,}");
    assertRejected(Cli.run("train", "--config", cfg.toString(), "--out", out.toString()), out,
        List.of("c.json", "invalid JSON at line 2"));
    Files.writeString(cfg, "{\"rule\": \"bp\", \"learning_rate\": 0.1}");
    assertRejected(Cli.run("train", "--config", cfg.toString(), "--out", out.toString()), out,
        List.of("unknown key 'learning_rate'", "allowed keys: rule, dataset"));
    Files.writeString(cfg, "{\"epochs\": \"ten\"}");
    assertRejected(Cli.run("train", "--config", cfg.toString(), "--out", out.toString()), out,
        List.of("\"epochs\"", "expected an integer"));
    Files.writeString(cfg, "[1, 2]");
    assertRejected(Cli.run("train", "--config", cfg.toString(), "--out", out.toString()), out,
        List.of("expected a JSON object"));
    Files.writeString(cfg, "{\"lr\": -0.5}");
    assertRejected(Cli.run("train", "--config", cfg.toString(), "--out", out.toString()), out,
        List.of("lr", "> 0"));
    assertRejected(Cli.run("train", "--config", tmp.resolve("missing.json").toString(), "--out", out.toString()), out,
        List.of("missing.json", "no such file"));
  }

  @Test
  void resumeNeedsARunAndKeepsItsSettings() throws Exception {
    Path none = tmp.resolve("none");
    assertRejected(Cli.run("train", "--resume", none.toString()), none, List.of("--resume", "not a run directory"));
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    Cli.Result r = Cli.run("train", "--resume", empty.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("has no config.json"), r.err());
    r = Cli.run("train", "--resume", empty.toString(), "--lr", "0.5");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("only --epochs and --threads may change, drop --lr"), r.err());
  }

  @Test
  void otherCommandsRejectBadInputWithCode2() {
    assertEquals(2, Cli.run("eval").code()); // --model is required
    Cli.Result r = Cli.run("eval", "--model", tmp.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("holds no model"), r.err());
    assertEquals(2, Cli.run("data", "fetch", "imagenet").code());
    assertEquals(2, Cli.run("nonsense").code());
    assertEquals(2, Cli.run("bench", "--param", "oops").code());
  }
}
