package org.fwdlearn.cli;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.fwdlearn.io.AtomicFiles;
import org.fwdlearn.sweep.RunOutcome;
import org.fwdlearn.sweep.Sweep;
import org.fwdlearn.sweep.SweepResults;
import org.fwdlearn.sweep.SweepSpec;
import org.fwdlearn.train.EpochReport;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The PNG charts of the reports, drawn with XChart (headless). */
public final class Plots {
  private Plots() {}

  private static final int W = 520;
  private static final int H = 400;

  /**
   * {@code curves.png}: accuracy and loss (train and test) per epoch side by side, and the angle between F and
   * the product of the forward weights when the rule has an F.
   */
  public static void curves(Path png, List<EpochReport> epochs, String title) throws IOException {
    List<Double> x = new ArrayList<>();
    for (EpochReport r : epochs) {
      x.add((double) (r.epoch() + 1));
    }
    List<BufferedImage> panels = new ArrayList<>();
    XYChart acc = chart("Accuracy — " + title, "accuracy");
    add(acc, "train", x, epochs.stream().map(EpochReport::trainAccuracy).toList());
    add(acc, "test", x, epochs.stream().map(EpochReport::testAccuracy).toList());
    panels.add(BitmapEncoder.getBufferedImage(acc));
    XYChart loss = chart("Cross-entropy loss", "loss");
    add(loss, "train", x, epochs.stream().map(EpochReport::trainLoss).toList());
    add(loss, "test", x, epochs.stream().map(EpochReport::testLoss).toList());
    panels.add(BitmapEncoder.getBufferedImage(loss));
    List<Double> angle = epochs.stream().map(EpochReport::fAngleDeg).toList();
    if (angle.stream().anyMatch(Double::isFinite)) {
      XYChart a = chart("Angle between F and (W_L ... W_1)^T", "degrees");
      add(a, "F angle", x, angle);
      panels.add(BitmapEncoder.getBufferedImage(a));
    }
    BufferedImage all = new BufferedImage(W * panels.size(), H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = all.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, all.getWidth(), all.getHeight());
    for (int i = 0; i < panels.size(); i++) {
      g.drawImage(panels.get(i), i * W, 0, null);
    }
    g.dispose();
    write(all, png);
  }

  private static XYChart chart(String title, String yTitle) {
    XYChart c = new XYChartBuilder().width(W).height(H).title(title).xAxisTitle("epoch").yAxisTitle(yTitle).build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    c.getStyler().setChartBackgroundColor(Color.WHITE);
    c.getStyler().setPlotBackgroundColor(Color.WHITE);
    c.getStyler().setDecimalPattern("#0.####");
    return c;
  }

  private static void add(XYChart c, String name, List<Double> x, List<Double> y) {
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (int i = 0; i < x.size(); i++) {
      if (Double.isFinite(y.get(i))) {
        xs.add(x.get(i));
        ys.add(y.get(i));
      }
    }
    if (xs.isEmpty()) {
      return;
    }
    XYSeries s = c.addSeries(name, xs, ys);
    s.setMarker(xs.size() <= 30 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
  }

  /** The most lines a sweep panel draws (one per combination of the other axes' values). */
  static final int MAX_SWEEP_SERIES = 12;

  /**
   * {@code sweep.png}: the final test accuracy against each swept axis, one panel per axis (two per row), mean over
   * the seeds with error bars of the standard deviation, one line per combination of the other axes' values. A
   * numeric axis is drawn to scale (log scale for a log range or values spanning 50x or more), any other with its
   * values as labels. A sweep without axes shows the accuracy of each seed.
   */
  public static void sweep(Path png, Sweep.Report report) throws IOException {
    SweepSpec spec = report.spec();
    List<SweepResults.Summary> summary = SweepResults.summarize(report);
    List<BufferedImage> panels = new ArrayList<>();
    if (spec.axes().isEmpty()) {
      XYChart c = sweepChart(spec.name() + ": test accuracy per seed", "seed");
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (RunOutcome o : report.outcomes()) {
        if (o.succeeded()) {
          xs.add((double) report.runs().get(o.index()).seed());
          ys.add(o.result().testAccuracy());
        }
      }
      if (!xs.isEmpty()) {
        c.addSeries("runs", xs, ys).setMarker(SeriesMarkers.CIRCLE);
        c.getSeriesMap().get("runs").setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        // One series: no legend (it would hide a corner point); pad both axes so that no point sits on the frame.
        c.getStyler().setLegendVisible(false);
        double lo = ys.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double hi = ys.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        double pad = Math.max(0.08 * (hi - lo), 5e-4);
        c.getStyler().setYAxisMin(lo - pad).setYAxisMax(hi + pad);
        double xlo = xs.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double xhi = xs.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        c.getStyler().setXAxisMin(xlo - 0.5).setXAxisMax(xhi + 0.5);
      }
      panels.add(BitmapEncoder.getBufferedImage(c));
    }
    for (Map.Entry<String, List<Object>> axis : spec.axes().entrySet()) {
      String key = axis.getKey();
      List<Object> values = axis.getValue();
      boolean numeric = values.stream().allMatch(v -> v instanceof Number);
      XYChart c = sweepChart(spec.name() + ": test accuracy vs " + key, key);
      if (numeric) {
        double min = values.stream().mapToDouble(v -> ((Number) v).doubleValue()).min().orElse(0);
        double max = values.stream().mapToDouble(v -> ((Number) v).doubleValue()).max().orElse(0);
        c.getStyler().setXAxisLogarithmic(spec.isLogAxis(key) || (min > 0 && max / min >= 50));
      } else {
        List<String> labels = values.stream().map(SweepSpec::valueText).toList();
        c.getStyler().setxAxisTickLabelsFormattingFunction(x -> {
          long i = Math.round(x);
          return Math.abs(x - i) < 1e-9 && i >= 0 && i < labels.size() ? labels.get((int) i) : "";
        });
      }
      // One line per combination of the other axes' values.
      Map<String, List<SweepResults.Summary>> lines = new LinkedHashMap<>();
      for (SweepResults.Summary s : summary) {
        StringBuilder others = new StringBuilder();
        for (Map.Entry<String, Object> e : s.axisValues().entrySet()) {
          if (!e.getKey().equals(key)) {
            others.append(others.isEmpty() ? "" : ", ").append(e.getKey()).append('=').append(SweepSpec.valueText(e.getValue()));
          }
        }
        lines.computeIfAbsent(others.isEmpty() ? "mean +- std over seeds" : others.toString(), k -> new ArrayList<>()).add(s);
      }
      int drawn = 0;
      for (Map.Entry<String, List<SweepResults.Summary>> line : lines.entrySet()) {
        if (drawn == MAX_SWEEP_SERIES) {
          c.setTitle(c.getTitle() + " (first " + MAX_SWEEP_SERIES + " of " + lines.size() + " lines)");
          break;
        }
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        List<Double> err = new ArrayList<>();
        for (SweepResults.Summary s : line.getValue()) {
          if (s.finished() == 0) {
            continue;
          }
          Object v = s.axisValues().get(key);
          xs.add(numeric ? ((Number) v).doubleValue() : (double) values.indexOf(v));
          ys.add(s.meanTestAccuracy());
          err.add(Double.isNaN(s.stdTestAccuracy()) ? 0.0 : s.stdTestAccuracy());
        }
        if (!xs.isEmpty()) {
          c.addSeries(line.getKey(), xs, ys, err).setMarker(SeriesMarkers.CIRCLE);
          drawn++;
        }
      }
      panels.add(BitmapEncoder.getBufferedImage(c));
    }
    int cols = Math.min(2, panels.size());
    int rows = (panels.size() + cols - 1) / cols;
    BufferedImage all = new BufferedImage(W * cols, H * rows, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = all.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, all.getWidth(), all.getHeight());
    for (int i = 0; i < panels.size(); i++) {
      g.drawImage(panels.get(i), (i % cols) * W, (i / cols) * H, null);
    }
    g.dispose();
    write(all, png);
  }

  private static XYChart sweepChart(String title, String xTitle) {
    XYChart c = chart(title, "final test accuracy");
    c.setXAxisTitle(xTitle);
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSW);
    c.getStyler().setErrorBarsColorSeriesColor(true);
    return c;
  }

  /** {@code confusion.png}: a heat map of the confusion matrix (rows: true class, columns: predicted). */
  public static void confusion(Path png, int[][] confusion, String title) throws IOException {
    int c = confusion.length;
    int side = Math.max(420, Math.min(1200, 60 * c + 200));
    HeatMapChart chart =
        new HeatMapChartBuilder().width(side).height(side).title(title).xAxisTitle("predicted").yAxisTitle("true").build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setShowValue(c <= 20);
    chart.getStyler().setRangeColors(new Color[] {new Color(0xF7FBFF), new Color(0x6BAED6), new Color(0x08306B)});
    chart.getStyler().setLegendVisible(false);
    List<Integer> classes = new ArrayList<>();
    for (int i = 0; i < c; i++) {
      classes.add(i);
    }
    List<Number[]> cells = new ArrayList<>();
    for (int t = 0; t < c; t++) {
      for (int p = 0; p < c; p++) {
        cells.add(new Number[] {p, t, confusion[t][p]});
      }
    }
    chart.addSeries("confusion", classes, classes, cells);
    write(BitmapEncoder.getBufferedImage(chart), png);
  }

  private static void write(BufferedImage img, Path png) throws IOException {
    AtomicFiles.write(
        png,
        out -> {
          if (!ImageIO.write(img, "png", out)) {
            throw new IOException("no PNG writer available");
          }
        });
  }
}
