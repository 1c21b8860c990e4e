package org.fwdlearn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnalyzeCommandTest {
  @TempDir Path dir;

  @Test
  void smallRunWritesEveryOutputNamingItsStart() throws Exception {
    Path out = dir.resolve("ts");
    Cli.Result r = Cli.run("analyze", "teacher-student", "--start", "random", "--rule", "bp,afa,pepita",
        "--pepita-f", "0.1,0.3", "--N", "60", "--K", "2", "--M", "2", "--seeds", "2", "--t-max", "2", "--points", "8",
        "--held-out", "200", "--out", out.toString());
    assertEquals(0, r.code(), r.all());
    for (String f : List.of("eg.csv", "trajectories.csv", "summary.txt", "eg.png", "alignment.png",
        "deviation.png")) {
      assertTrue(Files.size(out.resolve("random_" + f)) > 0, f);
    }
    String summary = Files.readString(out.resolve("random_summary.txt"));
    assertTrue(summary.contains("random start"), summary);
    for (String series : List.of("bp", "afa", "pepita |F|=0.1", "pepita |F|=0.3")) {
      assertTrue(summary.contains("\n  " + series + " "), series + " in\n" + summary);
    }
    List<String> eg = Files.readAllLines(out.resolve("random_eg.csv"));
    assertTrue(eg.get(0).startsWith("start,series,t,"), eg.get(0));
    // 4 series x 9 grid times (t = 0 and 8 points)
    assertEquals(1 + 4 * 9, eg.size());
    assertTrue(eg.stream().skip(1).allMatch(l -> l.startsWith("random,")));
    List<String> traj = Files.readAllLines(out.resolve("random_trajectories.csv"));
    assertEquals(1 + 4 * 2 * 9, traj.size());
    assertTrue(traj.get(0).contains(",Q1_1,") && traj.get(0).contains(",ode_S2,"), traj.get(0));
  }

  @Test
  void badInputExitsWithCode2AndWritesNothing() {
    Path out = dir.resolve("none");
    for (List<String> extra : List.of(List.of("--start", "sideways"), List.of("--rule", "bp,xyz"),
        List.of("--f-overlap", "1.5"), List.of("--pepita-f", "0"), List.of("--activation", "tanh"),
        List.of("--seeds", "0"), List.of("--f-scale", "n"), List.of("--f-direction", "up"))) {
      String[] args = java.util.stream.Stream.concat(
          java.util.stream.Stream.of("analyze", "teacher-student", "--N", "20", "--out", out.toString()),
          extra.stream()).toArray(String[]::new);
      Cli.Result r = Cli.run(args);
      assertEquals(2, r.code(), extra + ": " + r.all());
      assertFalse(Files.exists(out), extra.toString());
    }
  }
}
