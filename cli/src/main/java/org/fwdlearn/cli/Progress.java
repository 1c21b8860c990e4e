package org.fwdlearn.cli;

import java.io.PrintWriter;
import java.util.Locale;
import org.fwdlearn.train.EpochReport;
import org.fwdlearn.train.TrainingListener;

/**
 * Training progress on the console. On a terminal: a live bar (epoch, batch, samples/s, ETA) redrawn in place
 * with a carriage return, and a line per finished epoch. Elsewhere (CI, pipes, files): only the line per epoch.
 */
public final class Progress implements TrainingListener {
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintWriter out;
  private final boolean bar;
  private final int epochs;
  private final int batchSize;
  private long epochStart;
  private long lastDraw;
  private int barWidth;
  private double secondsSoFar;
  private int epochsTimed;

  /**
   * @param bar draw the live bar (a terminal) or not
   * @param epochs the run's total epochs
   */
  public Progress(PrintWriter out, boolean bar, int epochs, int batchSize) {
    this.out = out;
    this.bar = bar;
    this.epochs = epochs;
    this.batchSize = batchSize;
  }

  /**
   * True when progress should be a live bar: a console that is a terminal, and not CI (the CI environment
   * variable unset).
   */
  public static boolean interactive() {
    String ci = System.getenv("CI");
    return System.console() != null && System.console().isTerminal() && (ci == null || ci.isEmpty());
  }

  @Override
  public void epochStarted(int epoch, int batches) {
    epochStart = System.nanoTime();
    lastDraw = 0;
  }

  @Override
  public void batchDone(int epoch, int batch, int batches, long samples) {
    if (!bar) {
      return;
    }
    long now = System.nanoTime();
    if (now - lastDraw < REDRAW_NANOS && batch + 1 < batches) {
      return;
    }
    lastDraw = now;
    double elapsed = (now - epochStart) / 1e9;
    double rate = elapsed > 0 ? samples / elapsed : 0;
    int done = batch + 1;
    double epochEta = rate > 0 ? (double) (batches - done) * batchSize / rate : Double.NaN;
    double perEpoch = rate > 0 ? (double) batches * batchSize / rate : Double.NaN;
    double runEta = epochEta + perEpoch * (epochs - epoch - 1);
    int width = 24;
    int filled = (int) ((long) width * done / Math.max(1, batches));
    String line =
        String.format(
            Locale.ROOT,
            "epoch %d/%d [%s%s] %d/%d batches  %,.0f samples/s  ETA %s (run %s)",
            epoch + 1,
            epochs,
            "=".repeat(filled),
            " ".repeat(width - filled),
            done,
            batches,
            rate,
            duration(epochEta),
            duration(runEta));
    out.print("\r" + line + padding(line.length()));
    out.flush();
    barWidth = line.length();
  }

  private String padding(int len) {
    return len < barWidth ? " ".repeat(barWidth - len) : "";
  }

  @Override
  public void epochDone(EpochReport r) {
    if (bar && barWidth > 0) {
      out.print("\r" + " ".repeat(barWidth) + "\r");
      barWidth = 0;
    }
    secondsSoFar += r.seconds();
    epochsTimed++;
    out.println(epochLine(r, epochs) + ", ETA " + duration(secondsSoFar / epochsTimed * (epochs - r.epoch() - 1)));
    out.flush();
  }

  /** The line printed for a finished epoch (1-based epoch number). */
  public static String epochLine(EpochReport r, int epochs) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "epoch %d/%d: train loss %.4f acc %.4f | test loss %.4f acc %.4f | lr %s",
            r.epoch() + 1,
            epochs,
            r.trainLoss(),
            r.trainAccuracy(),
            r.testLoss(),
            r.testAccuracy(),
            shortNumber(r.lr())));
    if (Double.isFinite(r.fAngleDeg())) {
      sb.append(String.format(Locale.ROOT, " | F angle %.1f deg", r.fAngleDeg()));
    }
    sb.append(String.format(Locale.ROOT, " | %.1f s", r.seconds()));
    return sb.toString();
  }

  static String shortNumber(double v) {
    String s = String.format(Locale.ROOT, "%.6g", v);
    if (s.contains("e")) {
      return s;
    }
    if (s.contains(".")) {
      s = s.replaceAll("0+$", "");
      s = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
    return s;
  }

  /** A duration as {@code 42s}, {@code 3m05s} or {@code 1h02m}. */
  public static String duration(double seconds) {
    if (!Double.isFinite(seconds) || seconds < 0) {
      return "?";
    }
    long s = Math.round(seconds);
    if (s < 60) {
      return s + "s";
    } else if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
  }
}
