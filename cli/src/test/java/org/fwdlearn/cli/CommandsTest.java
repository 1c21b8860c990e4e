package org.fwdlearn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fwdlearn.core.kernel.Kernels;
import org.fwdlearn.train.EpochReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands other than train: info, data, bench; the help; the progress display. */
class CommandsTest {
  @TempDir Path tmp;

  @Test
  void helpListsTheCommands() {
    Cli.Result r = Cli.run("--help");
    assertEquals(0, r.code());
    for (String c : new String[] {"train", "eval", "data", "bench", "info"}) {
      assertTrue(r.out().contains(c), r.out());
    }
    assertEquals(2, Cli.run().code());
  }

  @Test
  void infoNamesTheKernelPathAndPassesItsSelfCheck() {
    Cli.Result r = Cli.run("info", "--seconds", "0.5");
    assertEquals(0, r.code(), r.all());
    assertTrue(r.out().contains("kernel path:  " + Kernels.get().path()), r.out());
    assertTrue(r.out().contains("JDK:"), r.out());
    if (!Kernels.get().path().equals("scalar")) {
      assertTrue(r.out().contains("self-check:   OK"), r.out());
      assertTrue(r.out().matches("(?s).*\\d+ gemm, \\d+ softmax.*"), r.out());
    }
    assertEquals(2, Cli.run("info", "--seconds", "-1").code());
  }

  @Test
  void selfCheckToleranceCatchesAWrongKernel() {
    // A "vector" gemm that is off by 0.01 in one element must fail: for k = 64 and N(0,1) inputs the derived
    // tolerance 2 gamma(66) sum|a||b| is about 5e-4.
    Kernels broken =
        new Kernels("vector", 256, (ta, tb, m, n, k, alpha, a, ao, lda, b, bo, ldb, beta, c, co, ldc, pool) -> {
          Kernels.scalar().gemm().gemm(ta, tb, m, n, k, alpha, a, ao, lda, b, bo, ldb, beta, c, co, ldc, pool);
          if (m > 0 && n > 0 && k > 8) {
            c[co] += 0.01f;
          }
        }, Kernels.scalar().elementwise());
    InfoCommand.SelfCheck check =
        new InfoCommand.SelfCheck(Kernels.scalar(), broken, new org.fwdlearn.core.Rng(1), org.fwdlearn.core.ThreadPool.sequential());
    check.gemm(false, false, 16, 16, 64, 1f, 0f);
    assertFalse(check.failures.isEmpty());
    assertTrue(check.failures.get(0).contains("C[0,0]"), check.failures.get(0));
    InfoCommand.SelfCheck same =
        new InfoCommand.SelfCheck(Kernels.scalar(), Kernels.scalar(), new org.fwdlearn.core.Rng(1), org.fwdlearn.core.ThreadPool.sequential());
    same.runFixedCases();
    assertTrue(same.failures.isEmpty(), same.failures.toString());
  }

  @Test
  void dataListSaysWhatIsWhere() {
    Cli.Result r = Cli.run("data", "list");
    assertEquals(0, r.code(), r.all());
    assertTrue(r.out().contains("mnist") && r.out().contains("fashion-mnist") && r.out().contains("synthetic"), r.out());
    Cli.Result bad = Cli.run("data", "verify", "imagenet");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("unknown dataset 'imagenet'") && bad.err().contains("mnist"), bad.err());
    Cli.Result missing = Cli.run("data", "verify", "cifar10", "--data-dir", tmp.toString());
    assertEquals(1, missing.code(), missing.all());
    assertTrue(missing.err().contains("cifar10 not found"), missing.err());
  }

  @Test
  void benchTableGivesSpeedUpsOverEjml() {
    String jmh = """
        [
          {"benchmark": "org.fwdlearn.bench.GemmBench.gemm", "mode": "avgt",
           "params": {"impl": "fwdlearn", "shape": "64x784x1024"},
           "primaryMetric": {"score": 2.0, "scoreError": 0.1, "scoreUnit": "ms/op"}},
          {"benchmark": "org.fwdlearn.bench.GemmBench.gemm", "mode": "avgt",
           "params": {"impl": "ejml", "shape": "64x784x1024"},
           "primaryMetric": {"score": 5.0, "scoreError": 0.2, "scoreUnit": "ms/op"}},
          {"benchmark": "org.fwdlearn.bench.GemmBench.gemm", "mode": "avgt",
           "params": {"impl": "openblas", "shape": "64x784x1024"},
           "primaryMetric": {"score": 1.0, "scoreError": 0.05, "scoreUnit": "ms/op"}},
          {"benchmark": "org.fwdlearn.bench.ElementwiseBench.relu", "mode": "thrpt",
           "params": {"impl": "fwdlearn", "n": "1024"},
           "primaryMetric": {"score": 300.0, "scoreError": 1.0, "scoreUnit": "ops/us"}},
          {"benchmark": "org.fwdlearn.bench.ElementwiseBench.relu", "mode": "thrpt",
           "params": {"impl": "ejml", "n": "1024"},
           "primaryMetric": {"score": 100.0, "scoreError": 1.0, "scoreUnit": "ops/us"}}
        ]""";
    String table = BenchCommand.table(jmh);
    String fwdGemm = table.lines().filter(l -> l.startsWith("GemmBench.gemm") && l.contains("fwdlearn")).findFirst().orElseThrow();
    assertTrue(fwdGemm.contains("2.50x") && fwdGemm.contains("0.50x"), table); // 5/2 vs EJML, 1/2 vs OpenBLAS
    String fwdRelu = table.lines().filter(l -> l.startsWith("ElementwiseBench.relu") && l.contains("fwdlearn")).findFirst().orElseThrow();
    assertTrue(fwdRelu.contains("3.00x"), table); // throughput 300 / 100
    assertTrue(table.contains("shape=64x784x1024"), table);
    assertFalse(table.contains("vs scalar"), table); // no scalar reference in these results
  }

  @Test
  void benchTableComparesBenchmarkMethodsWhenTheyAreTheImplementations() {
    // GemmBench's shape: one @Benchmark method per implementation, a "gflops" secondary score.
    String jmh = """
        [
          {"benchmark": "org.fwdlearn.bench.GemmBench.fwdlearn", "mode": "thrpt", "params": {"shape": "64x784x1024", "op": "NT"},
           "primaryMetric": {"score": 400.0, "scoreError": 4.0, "scoreUnit": "ops/s"},
           "secondaryMetrics": {"gflops": {"score": 41.1, "scoreError": 0.5, "scoreUnit": "#"}}},
          {"benchmark": "org.fwdlearn.bench.GemmBench.ejml", "mode": "thrpt", "params": {"shape": "64x784x1024", "op": "NT"},
           "primaryMetric": {"score": 100.0, "scoreError": 1.0, "scoreUnit": "ops/s"},
           "secondaryMetrics": {"gflops": {"score": 10.3, "scoreError": 0.1, "scoreUnit": "#"}}},
          {"benchmark": "org.fwdlearn.bench.GemmBench.openblas", "mode": "thrpt", "params": {"shape": "64x784x1024", "op": "NT"},
           "primaryMetric": {"score": 500.0, "scoreError": 5.0, "scoreUnit": "ops/s"}},
          {"benchmark": "org.fwdlearn.bench.GemmBench.fwdlearn", "mode": "thrpt", "params": {"shape": "64x784x1024", "op": "NN"},
           "primaryMetric": {"score": 300.0, "scoreError": 4.0, "scoreUnit": "ops/s"}}
        ]""";
    String table = BenchCommand.table(jmh);
    String nt = table.lines().filter(l -> l.contains("fwdlearn") && l.contains("op=NT")).findFirst().orElseThrow();
    assertTrue(nt.startsWith("GemmBench ") && nt.contains("4.00x") && nt.contains("0.80x") && nt.contains("41.1"), table);
    String nn = table.lines().filter(l -> l.contains("op=NN")).findFirst().orElseThrow();
    assertFalse(nn.matches(".*\\d\\.\\d\\dx.*"), table); // no reference ran with op=NN: no ratio
    assertTrue(table.lines().findFirst().orElseThrow().contains("GFLOP/s"), table);
  }

  @Test
  void benchWithoutItsJarSaysHowToBuildIt() {
    Cli.Result r = Cli.run("bench", "gemm", "--jar", tmp.resolve("none.jar").toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("mvn -B -pl bench -am package"), r.err());
  }

  @Test
  void benchPrintsTheTableOfASavedResult() throws Exception {
    Path f = tmp.resolve("r.json");
    Files.writeString(f, "[{\"benchmark\": \"a.B.c\", \"mode\": \"avgt\", \"params\": {\"impl\": \"ejml\"},"
        + " \"primaryMetric\": {\"score\": 1.0, \"scoreError\": 0.0, \"scoreUnit\": \"us/op\"}}]");
    Cli.Result r = Cli.run("bench", "--results", f.toString());
    assertEquals(0, r.code(), r.all());
    assertTrue(r.out().contains("B.c") && r.out().contains("1.00x") && r.out().contains("vs EJML"), r.out());
  }

  private static EpochReport report(int epoch) {
    return new EpochReport(epoch, 0.5, 0.8, 0.6, 0.75, 0.1, 80.0, new double[0], new double[] {1, 2}, 0.01, 0, 1.5);
  }

  @Test
  void progressOffATerminalIsOneLinePerEpoch() {
    StringWriter sw = new StringWriter();
    Progress p = new Progress(new PrintWriter(sw), false, 2, 10);
    for (int e = 0; e < 2; e++) {
      p.epochStarted(e, 5);
      for (int b = 0; b < 5; b++) {
        p.batchDone(e, b, 5, (b + 1) * 10L);
      }
      p.epochDone(report(e));
    }
    String[] lines = sw.toString().split("\n");
    assertEquals(2, lines.length, sw.toString());
    assertFalse(sw.toString().contains("\r"));
    assertTrue(lines[0].startsWith("epoch 1/2: train loss 0.5000 acc 0.8000 | test loss 0.6000 acc 0.7500 | lr 0.1"), lines[0]);
    assertTrue(lines[0].contains("F angle 80.0 deg"), lines[0]);
  }

  @Test
  void progressOnATerminalRedrawsABar() {
    StringWriter sw = new StringWriter();
    Progress p = new Progress(new PrintWriter(sw), true, 3, 10);
    p.epochStarted(0, 4);
    p.batchDone(0, 3, 4, 40);
    p.epochDone(report(0));
    String s = sw.toString();
    assertTrue(s.startsWith("\repoch 1/3 [") && s.contains("4/4 batches") && s.contains("samples/s") && s.contains("ETA"), s);
    assertTrue(s.contains("\repoch 1/3: train loss"), s);
  }
}
