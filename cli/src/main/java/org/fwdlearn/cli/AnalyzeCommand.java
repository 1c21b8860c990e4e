package org.fwdlearn.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.fwdlearn.analysis.OrderParameters;
import org.fwdlearn.analysis.Rule;
import org.fwdlearn.analysis.Setup;
import org.fwdlearn.analysis.Trajectory;
import org.fwdlearn.data.TeacherStudent.Activation;
import org.fwdlearn.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fwdlearn analyze}: analyses of the learning rules. {@code analyze teacher-student} runs online
 * simulations of a two-layer student learning from a two-layer teacher with BP, FA, AFA and PEPITA, integrates the
 * order-parameter ODEs of each run from its measured initial state (PEPITA against AFA's), and writes CSVs, PNGs
 * and a summary of the maximum relative deviations (package {@code org.fwdlearn.analysis}, docs/theory.md).
 */
@Command(
    name = "analyze",
    mixinStandardHelpOptions = true,
    description = "Analyses of the learning rules (teacher-student theory versus simulation).",
    subcommands = {AnalyzeCommand.TeacherStudentCommand.class})
public final class AnalyzeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return Main.USAGE;
  }

  /** {@code fwdlearn analyze teacher-student}. */
  @Command(
      name = "teacher-student",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Online learning of a two-layer student (K units) from a two-layer teacher (M units) on Gaussian inputs",
        "of dimension N, one fresh sample per step, t = steps / N, rates eta/sqrt(N) (first layer) and eta_v/N",
        "(second). Each simulation is compared with the ODE of its order parameters started from its own",
        "measured t = 0 state (erf units; PEPITA against the AFA ODE). Writes <start>_*.csv, <start>_*.png and",
        "<start>_summary.txt into --out."
      })
  public static final class TeacherStudentCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--start", defaultValue = "head", paramLabel = "head|random",
        description = "Starting condition: head (w_k = overlap w*_k + noise xi_k, v = 1) or random (w entries "
            + "N(0, random-scale^2), v ~ N(0, 1)). Default: ${DEFAULT-VALUE}.")
    String start;

    @Option(names = "--rule", split = ",", defaultValue = "bp,fa,afa,pepita", paramLabel = "<rule>",
        description = "Rules, comma-separated: bp, fa, afa, pepita. Default: ${DEFAULT-VALUE}.")
    List<String> rules;

    @Option(names = "--K", defaultValue = "2", description = "Student hidden units. Default: ${DEFAULT-VALUE}.")
    int k;

    @Option(names = "--M", defaultValue = "2", description = "Teacher hidden units. Default: ${DEFAULT-VALUE}.")
    int m;

    @Option(names = "--N", defaultValue = "500", description = "Input dimension. Default: ${DEFAULT-VALUE}.")
    int n;

    @Option(names = "--seeds", defaultValue = "3", description = "Simulation seeds per rule. Default: "
        + "${DEFAULT-VALUE}.")
    int seeds;

    @Option(names = "--seed-base", defaultValue = "0", description = "First seed (seeds are base, base+1, ...). "
        + "Default: ${DEFAULT-VALUE}.")
    long seedBase;

    @Option(names = "--t-max", description = "End of the window (default 60 for head, 100 for random).")
    Double tMax;

    @Option(names = "--points", defaultValue = "60", description = "Grid points (geometric from t = 0.05, plus "
        + "t = 0). Default: ${DEFAULT-VALUE}.")
    int points;

    @Option(names = "--agree-until", description = "The deviations are also summarised on [0, this] (default: "
        + "the window for head, 40 for random: before the escape from the plateau).")
    Double agreeUntil;

    @Option(names = "--eta", description = "First-layer rate eta (AFA and PEPITA: eta_w |F|). Default 1 for head, "
        + "2 for random.")
    Double eta;

    @Option(names = "--eta-v", description = "Second-layer rate (default: eta).")
    Double etaV;

    @Option(names = "--activation", defaultValue = "erf", paramLabel = "erf|relu",
        description = "g(z) = erf(z/sqrt 2) or ReLU (simulations only: the ODE is for erf). Default: "
            + "${DEFAULT-VALUE}.")
    String activation;

    @Option(names = "--head-overlap", defaultValue = "0.3", description = "Head start: R_kk. Default: "
        + "${DEFAULT-VALUE}.")
    double headOverlap;

    @Option(names = "--head-noise", defaultValue = "0.2", description = "Head start: std of the random part. "
        + "Default: ${DEFAULT-VALUE}.")
    double headNoise;

    @Option(names = "--random-scale", defaultValue = "1.0", description = "Random start: std of the first-layer "
        + "entries. Default: ${DEFAULT-VALUE}.")
    double randomScale;

    @Option(names = "--f-overlap", defaultValue = "1.0", paramLabel = "<rho>",
        description = "Cosine of F with (W2 W1)^T = sum_k v_k w_k at t = 0 (0: a fixed random F). Default: "
            + "${DEFAULT-VALUE}.")
    double fOverlap;

    @Option(names = "--f-direction", defaultValue = "w2w1", paramLabel = "w2w1|span",
        description = "F's O(1) part: along (W2 W1)^T (AFA starts aligned) or a random direction in the span of "
            + "the w_k (AFA starts with a random alignment). Default: ${DEFAULT-VALUE}.")
    String fDirection;

    @Option(names = "--f-norm", defaultValue = "1.0", description = "|F| of AFA. Default: ${DEFAULT-VALUE}.")
    double fNorm;

    @Option(names = "--pepita-f", split = ",", defaultValue = "0.1", paramLabel = "<|F|>",
        description = "|F| of each PEPITA run, comma-separated (eta_w |F| = eta fixed). Default: "
            + "${DEFAULT-VALUE}.")
    List<Double> pepitaF;

    @Option(names = "--f-scale", defaultValue = "unit", paramLabel = "unit|sqrt-n",
        description = "unit: |F| as given, entries O(1/sqrt N); sqrt-n: |F| times sqrt(N), entries O(1), same "
            + "eta_w (docs/theory.md). Default: ${DEFAULT-VALUE}.")
    String fScale;

    @Option(names = "--held-out", defaultValue = "2000", description = "Held-out samples for the check of eps_g "
        + "(0: none). Default: ${DEFAULT-VALUE}.")
    int heldOut;

    @Option(names = "--held-out-every", defaultValue = "6", description = "Evaluate it at every this many grid "
        + "points. Default: ${DEFAULT-VALUE}.")
    int heldOutEvery;

    @Option(names = "--threads", defaultValue = "1", description = "Simulations run in parallel. Default: "
        + "${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--out", required = true, description = "Output directory (created; files are replaced).")
    Path out;

    /** One rule (and for PEPITA one |F|) over all seeds. */
    record Series(String name, Setup setup, List<Trajectory> runs) {}

    @Override
    public Integer call() throws Exception {
      Setup.Start st = parseStart(start);
      boolean head = st == Setup.Start.HEAD;
      double window = tMax != null ? tMax : head ? 60 : 100;
      double until = agreeUntil != null ? agreeUntil : head ? window : Math.min(40, window);
      double rate = eta != null ? eta : head ? 1.0 : 2.0;
      double rateV = etaV != null ? etaV : rate;
      Activation g = switch (activation.toLowerCase(Locale.ROOT)) {
        case "erf" -> Activation.ERF;
        case "relu" -> Activation.RELU;
        default -> throw new UsageException("Invalid value for --activation: " + activation + " (erf or relu)");
      };
      List<Rule> ruleList = new ArrayList<>();
      for (String r : rules) {
        try {
          Rule parsed = Rule.parse(r);
          if (!ruleList.contains(parsed)) {
            ruleList.add(parsed);
          }
        } catch (IllegalArgumentException ex) {
          throw new UsageException("Invalid value for --rule: " + ex.getMessage());
        }
      }
      Setup.FScale scale;
      try {
        scale = Setup.FScale.parse(fScale);
      } catch (IllegalArgumentException ex) {
        throw new UsageException("Invalid value for --f-scale: " + ex.getMessage());
      }
      if (seeds < 1 || points < 2 || threads < 1 || heldOut < 0 || heldOutEvery < 1) {
        throw new UsageException("need --seeds >= 1, --points >= 2, --threads >= 1, --held-out >= 0, "
            + "--held-out-every >= 1");
      }
      if (!(window > 0) || !(until > 0)) {
        throw new UsageException("--t-max and --agree-until must be > 0");
      }
      for (double f : pepitaF) {
        if (!(f > 0) || Double.isInfinite(f)) {
          throw new UsageException("Invalid value for --pepita-f: " + f + " (must be > 0)");
        }
      }
      Setup.FDirection direction;
      try {
        direction = Setup.FDirection.parse(fDirection);
      } catch (IllegalArgumentException ex) {
        throw new UsageException("Invalid value for --f-direction: " + ex.getMessage());
      }
      Setup base;
      try {
        base = new Setup(n, k, m, Rule.BP, g, st, rate, rateV, headOverlap, headNoise, randomScale, fOverlap, fNorm,
            scale, direction);
      } catch (IllegalArgumentException ex) {
        throw new UsageException(ex.getMessage());
      }
      Files.createDirectories(out);
      PrintWriter console = spec.commandLine().getOut();
      double[] times = Trajectory.timeGrid(window, points, n);

      // the jobs: every (rule [, |F|], seed)
      Map<String, Setup> setups = new LinkedHashMap<>();
      for (Rule r : ruleList) {
        if (r == Rule.PEPITA) {
          for (double f : pepitaF) {
            setups.put("pepita |F|=" + fmt(f), base.withRule(r).withF(fOverlap, f, scale));
          }
        } else {
          setups.put(r.label(), base.withRule(r));
        }
      }
      console.printf(Locale.ROOT, "%s start, N=%d K=%d M=%d, eta=%s eta_v=%s, t <= %s, %d seeds, %d runs on %d "
          + "thread(s)%n", st.label(), n, k, m, fmt(rate), fmt(rateV), fmt(window), seeds, setups.size() * seeds,
          threads);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      Map<String, List<Future<Trajectory>>> futures = new LinkedHashMap<>();
      try {
        for (Map.Entry<String, Setup> e : setups.entrySet()) {
          List<Future<Trajectory>> fs = new ArrayList<>();
          for (int s = 0; s < seeds; s++) {
            long seed = seedBase + s;
            Setup setup = e.getValue();
            fs.add(pool.submit(() -> Trajectory.run(setup, seed, times, heldOut, heldOutEvery)));
          }
          futures.put(e.getKey(), fs);
        }
        List<Series> series = new ArrayList<>();
        for (Map.Entry<String, List<Future<Trajectory>>> e : futures.entrySet()) {
          List<Trajectory> runs = new ArrayList<>();
          for (Future<Trajectory> f : e.getValue()) {
            runs.add(f.get());
          }
          series.add(new Series(e.getKey(), setups.get(e.getKey()), runs));
          console.printf(Locale.ROOT, "  %s done%n", e.getKey());
        }
        String prefix = st.label() + "_";
        writeTrajectories(out.resolve(prefix + "trajectories.csv"), series);
        writeMeans(out.resolve(prefix + "eg.csv"), series, times);
        String summary = summary(series, st, window, until, rate, rateV, scale, direction);
        AtomicFiles.writeString(out.resolve(prefix + "summary.txt"), summary);
        console.print(summary);
        String title = st.label() + " start, N=" + n + ", K=" + k + ", M=" + m;
        plotError(out.resolve(prefix + "eg.png"), series, times, title);
        plotAlignment(out.resolve(prefix + "alignment.png"), series, times, title);
        plotDeviation(out.resolve(prefix + "deviation.png"), series, times, title);
        if (pepitaF.size() > 1 && ruleList.contains(Rule.PEPITA)) {
          plotPepitaGap(out.resolve(prefix + "pepita_gap.png"), series, window, title);
        }
        console.printf("wrote %s%n", out.toAbsolutePath());
        return 0;
      } catch (ExecutionException ex) {
        throw new Main.Failure("a simulation failed: " + ex.getCause(), ex.getCause());
      } finally {
        pool.shutdownNow();
      }
    }

    private static Setup.Start parseStart(String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "head" -> Setup.Start.HEAD;
        case "random" -> Setup.Start.RANDOM;
        default -> throw new UsageException("Invalid value for --start: " + s + " (head or random)");
      };
    }

    static String fmt(double x) {
      if (x == Math.rint(x) && Math.abs(x) < 1e9) {
        return Long.toString((long) x);
      }
      return String.format(Locale.ROOT, "%.4g", x).replaceAll("(\\.\\d*?)0+($|e)", "$1$2").replace(".e", "e")
          .replaceAll("\\.$", "");
    }

    private static String num(double x) {
      return Double.isNaN(x) ? "" : String.format(Locale.ROOT, "%.8g", x);
    }

    /** Every seed at every time: eps_g (closed form, held-out, ODE), alignment, all order parameters. */
    private void writeTrajectories(Path file, List<Series> series) throws IOException {
      StringBuilder sb = new StringBuilder();
      String[] names = OrderParameters.names(k, m);
      sb.append("start,rule,f_norm,N,K,M,seed,t,eps_sim,eps_heldout,eps_heldout_se,eps_ode,align_sim,align_ode");
      for (String nm : names) {
        sb.append(',').append(nm);
      }
      for (String nm : names) {
        sb.append(",ode_").append(nm);
      }
      sb.append('\n');
      for (Series s : series) {
        for (Trajectory t : s.runs()) {
          for (int i = 0; i < t.times().length; i++) {
            sb.append(s.setup().start().label()).append(',').append(s.setup().rule().label()).append(',')
                .append(ruleHasF(s.setup().rule()) ? num(s.setup().fNorm()) : "").append(',').append(n).append(',')
                .append(k).append(',').append(m).append(',').append(t.seed()).append(',').append(num(t.times()[i]))
                .append(',').append(num(t.simError()[i])).append(',').append(num(t.heldOut()[i])).append(',')
                .append(num(t.heldOutSe()[i])).append(',').append(num(t.odeError()[i])).append(',')
                .append(num(t.simAlignment(i))).append(',').append(num(t.odeAlignment(i)));
            for (double x : t.sim().get(i).values()) {
              sb.append(',').append(num(x));
            }
            OrderParameters ode = t.ode().get(i);
            for (int j = 0; j < names.length; j++) {
              sb.append(',').append(ode == null ? "" : num(ode.values()[j]));
            }
            sb.append('\n');
          }
        }
      }
      AtomicFiles.writeString(file, sb.toString());
    }

    private static boolean ruleHasF(Rule r) {
      return r == Rule.AFA || r == Rule.PEPITA;
    }

    /** Seed means per series and time: the data of the figures. */
    private void writeMeans(Path file, List<Series> series, double[] times) throws IOException {
      StringBuilder sb = new StringBuilder(
          "start,series,t,eps_sim_mean,eps_sim_sd,eps_ode_mean,rel_dev,eps_heldout_mean,align_sim_mean,"
              + "align_ode_mean\n");
      for (Series s : series) {
        double[] sim = Trajectory.mean(s.runs(), true);
        double[] ode = Trajectory.mean(s.runs(), false);
        for (int i = 0; i < times.length; i++) {
          double sd = 0;
          double ho = 0;
          double as = 0;
          double ao = 0;
          for (Trajectory t : s.runs()) {
            sd += Math.pow(t.simError()[i] - sim[i], 2);
            ho += t.heldOut()[i];
            as += t.simAlignment(i);
            ao += t.odeAlignment(i);
          }
          int r = s.runs().size();
          sd = r > 1 ? Math.sqrt(sd / (r - 1)) : Double.NaN;
          sb.append(s.setup().start().label()).append(',').append(s.name()).append(',').append(num(times[i]))
              .append(',').append(num(sim[i])).append(',').append(num(sd)).append(',').append(num(ode[i]))
              .append(',').append(num((ode[i] - sim[i]) / sim[i])).append(',').append(num(ho / r)).append(',')
              .append(num(as / r)).append(',').append(num(ao / r)).append('\n');
        }
      }
      AtomicFiles.writeString(file, sb.toString());
    }

    /**
     * The summary: per series, the maximum relative deviation of the seed-mean eps_g between ODE and simulation
     * over the window, over [0, agree-until] and after it; the final errors; for random starts the escape times.
     */
    private String summary(List<Series> series, Setup.Start st, double window, double until, double rate,
        double rateV, Setup.FScale scale, Setup.FDirection direction) {
      StringBuilder sb = new StringBuilder();
      sb.append(String.format(Locale.ROOT, "teacher-student analysis: %s start, N=%d, K=%d, M=%d, activation %s%n",
          st.label(), n, k, m, activation));
      sb.append(String.format(Locale.ROOT, "eta=%s eta_v=%s seeds=%d (from %d), window t <= %s, agreement window "
          + "t <= %s%n", fmt(rate), fmt(rateV), seeds, seedBase, fmt(window), fmt(until)));
      if (st == Setup.Start.HEAD) {
        sb.append(String.format(Locale.ROOT, "head start: w_k = %s w*_k + %s xi_k, v = 1%n", fmt(headOverlap),
            fmt(headNoise)));
      } else {
        sb.append(String.format(Locale.ROOT, "random start: w entries N(0, %s^2), v ~ N(0, 1)%n",
            fmt(randomScale)));
      }
      sb.append(String.format(Locale.ROOT, "F: cosine %s with %s at t=0, |F| (AFA) = %s, scaling %s; "
          + "PEPITA compared with the AFA ODE at eta_w |F| = eta%n", fmt(fOverlap), direction == Setup.FDirection.W2W1
          ? "(W2 W1)^T" : "a random direction in span(w_k)", fmt(fNorm), scale.label()));
      sb.append("max relative deviation |ODE - sim| / sim of the seed-mean eps_g:\n");
      sb.append(String.format(Locale.ROOT, "  %-16s %10s %10s %10s %12s %12s %s%n", "series", "whole", "t<=" + fmt(
          until), "after", "eps_sim(end)", "eps_ode(end)", "notes"));
      for (Series s : series) {
        double whole = Trajectory.maxRelativeDeviation(s.runs(), 0, window);
        double before = Trajectory.maxRelativeDeviation(s.runs(), 0, until);
        double after = until < window ? Trajectory.maxRelativeDeviation(s.runs(), until, window) : Double.NaN;
        double[] sim = Trajectory.mean(s.runs(), true);
        double[] ode = Trajectory.mean(s.runs(), false);
        int last = sim.length - 1;
        StringBuilder notes = new StringBuilder();
        int failed = 0;
        for (Trajectory t : s.runs()) {
          if (t.failedToLearn()) {
            failed++;
          }
        }
        if (failed > 0) {
          notes.append(failed).append(" seed(s) failed to learn (eps_g(end) >= eps_g(0)); ");
        }
        double z = 0;
        int checked = 0;
        for (Trajectory t : s.runs()) {
          for (int i = 0; i < t.times().length; i++) {
            double d = Math.abs(t.simError()[i] - t.heldOut()[i]) / t.heldOutSe()[i];
            if (Double.isFinite(d)) {
              z = Math.max(z, d);
              checked++;
            }
          }
        }
        if (checked > 0) {
          notes.append(String.format(Locale.ROOT, "held-out check: max |closed form - held-out| = %.1f SE over %d "
              + "points; ", z, checked));
        }
        if (st == Setup.Start.RANDOM) {
          notes.append(escapes(s, until));
        }
        sb.append(String.format(Locale.ROOT, "  %-16s %10s %10s %10s %12s %12s %s%n", s.name(), pct(whole),
            pct(before), pct(after), sci(sim[last]), sci(ode[last]), notes));
      }
      double[] grid = series.isEmpty() ? new double[0] : series.get(0).runs().get(0).times();
      sb.append(String.format(Locale.ROOT, "grid: %d times from 0 to %s; held-out check: %d samples%n", grid.length,
          fmt(window), heldOut));
      return sb.toString();
    }

    /**
     * Escape from the plateau: the first time each seed's eps_g (simulation, and its ODE) falls below a quarter of
     * the seed-median eps_g at t = agree-until / 2, where every run of the reference configuration sits on the
     * plateau.
     */
    private static String escapes(Series s, double until) {
      double[] times = s.runs().get(0).times();
      int ref = 0;
      for (int i = 0; i < times.length; i++) {
        if (times[i] <= until / 2) {
          ref = i;
        }
      }
      List<Double> plateau = new ArrayList<>();
      for (Trajectory t : s.runs()) {
        plateau.add(t.simError()[ref]);
      }
      plateau.sort(Double::compare);
      double threshold = plateau.get(plateau.size() / 2) / 4;
      StringBuilder sim = new StringBuilder();
      StringBuilder ode = new StringBuilder();
      for (Trajectory t : s.runs()) {
        sim.append(sim.isEmpty() ? "" : " ").append(escapeTime(times, t.simError(), threshold));
        ode.append(ode.isEmpty() ? "" : " ").append(escapeTime(times, t.odeError(), threshold));
      }
      return "escape (eps < " + sci(threshold) + ") sim t = " + sim + ", ODE t = " + ode;
    }

    private static String escapeTime(double[] times, double[] eps, double threshold) {
      for (int i = 0; i < times.length; i++) {
        if (eps[i] < threshold) {
          return fmt(Math.round(times[i] * 10) / 10.0);
        }
      }
      return ">" + fmt(times[times.length - 1]);
    }

    private static String pct(double x) {
      if (Double.isNaN(x)) {
        return "-";
      }
      if (Double.isInfinite(x)) {
        return "inf";
      }
      return String.format(Locale.ROOT, "%.1f%%", 100 * x);
    }

    private static String sci(double x) {
      return Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%.3e", x);
    }

    // ---- plots ----

    private static final Color[] COLORS = {
      new Color(0x1F77B4), new Color(0xD62728), new Color(0x2CA02C), new Color(0x9467BD), new Color(0xFF7F0E),
      new Color(0x8C564B), new Color(0xE377C2), new Color(0x17BECF), new Color(0x7F7F7F)
    };

    private static XYChart logChart(String title, String yTitle, boolean logY) {
      XYChart c = new XYChartBuilder().width(1000).height(580).title(title).xAxisTitle("t = steps / N")
          .yAxisTitle(yTitle).build();
      Styler st = c.getStyler();
      st.setLegendPosition(Styler.LegendPosition.OutsideE);
      st.setChartBackgroundColor(Color.WHITE);
      st.setPlotBackgroundColor(Color.WHITE);
      c.getStyler().setXAxisLogarithmic(true);
      c.getStyler().setYAxisLogarithmic(logY);
      c.getStyler().setDecimalPattern("#0.###");
      return c;
    }

    /** Adds a line (ODE) or markers (simulation) for the positive-time finite points (and y > 0 on a log axis). */
    private static void add(XYChart c, String name, double[] x, double[] y, Color color, boolean line,
        boolean logY) {
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (int i = 0; i < x.length; i++) {
        if (x[i] > 0 && Double.isFinite(y[i]) && (!logY || y[i] > 0)) {
          xs.add(x[i]);
          ys.add(y[i]);
        }
      }
      if (xs.isEmpty()) {
        return;
      }
      XYSeries s = c.addSeries(name, xs, ys);
      s.setLineColor(color);
      s.setMarkerColor(color);
      if (line) {
        s.setMarker(SeriesMarkers.NONE);
        s.setLineStyle(new BasicStroke(2f));
      } else {
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setLineStyle(new BasicStroke(0f));
        s.setXYSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
      }
    }

    private static void plotError(Path png, List<Series> series, double[] times, String title) throws IOException {
      XYChart c = logChart("eps_g: ODE (lines), simulations (dots, seed mean); " + title, "eps_g", true);
      // a blown-up run (eps_g to 1e90 and beyond) would squash the rest: clip at 10x the largest ODE value or
      // starting error, and say so in the legend
      double cap = 0;
      for (Series s : series) {
        double[] ode = Trajectory.mean(s.runs(), false);
        double[] sim = Trajectory.mean(s.runs(), true);
        cap = Math.max(cap, Double.isFinite(sim[0]) ? sim[0] : 0);
        for (double e : ode) {
          cap = Double.isFinite(e) ? Math.max(cap, e) : cap;
        }
      }
      cap = cap > 0 ? 10 * cap : Double.POSITIVE_INFINITY;
      for (int i = 0; i < series.size(); i++) {
        Series s = series.get(i);
        Color col = COLORS[i % COLORS.length];
        add(c, s.name() + " ODE" + (s.setup().rule() == Rule.PEPITA ? " (AFA)" : ""), times,
            Trajectory.mean(s.runs(), false), col, true, true);
        double[] sim = Trajectory.mean(s.runs(), true).clone();
        boolean clipped = false;
        for (int j = 0; j < sim.length; j++) {
          if (!(sim[j] <= cap)) {
            clipped |= !Double.isNaN(sim[j]) || j > 0;
            sim[j] = Double.NaN;
          }
        }
        add(c, s.name() + " sim" + (clipped ? " (off scale: blows up)" : ""), times, sim, col, false, true);
      }
      write(c, png);
    }

    private static void plotAlignment(Path png, List<Series> series, double[] times, String title)
        throws IOException {
      XYChart c = logChart("cos(feedback, v): ODE (lines), simulations (dots); " + title, "cosine", false);
      for (int i = 0; i < series.size(); i++) {
        Series s = series.get(i);
        if (s.setup().rule() == Rule.BP) {
          continue; // identically 1
        }
        Color col = COLORS[i % COLORS.length];
        double[] sim = new double[times.length];
        double[] ode = new double[times.length];
        for (Trajectory t : s.runs()) {
          for (int j = 0; j < times.length; j++) {
            sim[j] += t.simAlignment(j) / s.runs().size();
            ode[j] += t.odeAlignment(j) / s.runs().size();
          }
        }
        add(c, s.name() + " ODE", times, ode, col, true, false);
        add(c, s.name() + " sim", times, sim, col, false, false);
      }
      write(c, png);
    }

    private static void plotDeviation(Path png, List<Series> series, double[] times, String title)
        throws IOException {
      XYChart c = logChart("(sim - ODE) / sim of the seed-mean eps_g; " + title, "relative deviation", false);
      for (int i = 0; i < series.size(); i++) {
        Series s = series.get(i);
        double[] sim = Trajectory.mean(s.runs(), true);
        double[] ode = Trajectory.mean(s.runs(), false);
        double[] dev = new double[times.length];
        for (int j = 0; j < times.length; j++) {
          dev[j] = Math.max(-1.5, Math.min(1.5, (sim[j] - ode[j]) / sim[j]));
        }
        add(c, s.name(), times, dev, COLORS[i % COLORS.length], true, false);
      }
      write(c, png);
    }

    /**
     * {@code <start>_pepita_gap.png}: the maximum relative deviation of PEPITA's seed-mean eps_g from the AFA ODE
     * over the window, against |F| (log-log; a run that blew up counts as 1, the limit of |ODE - sim| / sim).
     */
    private static void plotPepitaGap(Path png, List<Series> series, double window, String title)
        throws IOException {
      XYChart c = new XYChartBuilder().width(700).height(500).title("PEPITA vs the AFA ODE; " + title)
          .xAxisTitle("|F| (eta_w |F| fixed)").yAxisTitle("max relative deviation of eps_g").build();
      c.getStyler().setChartBackgroundColor(Color.WHITE);
      c.getStyler().setPlotBackgroundColor(Color.WHITE);
      c.getStyler().setXAxisLogarithmic(true);
      c.getStyler().setYAxisLogarithmic(true);
      c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
      c.getStyler().setDecimalPattern("#0.###");
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (Series s : series) {
        if (s.setup().rule() == Rule.PEPITA) {
          double d = Trajectory.maxRelativeDeviation(s.runs(), 0, window);
          if (d > 0) {
            xs.add(s.setup().fNorm());
            ys.add(Math.min(1.0, d));
          }
        }
      }
      if (!xs.isEmpty()) {
        XYSeries line = c.addSeries("PEPITA", xs, ys);
        line.setMarker(SeriesMarkers.CIRCLE);
        line.setLineColor(COLORS[3]);
        line.setMarkerColor(COLORS[3]);
      }
      for (Series s : series) {
        if (s.setup().rule() == Rule.AFA && !xs.isEmpty()) {
          double d = Trajectory.maxRelativeDeviation(s.runs(), 0, window);
          XYSeries afa = c.addSeries("AFA simulation (finite-N floor)", List.of(xs.get(0), xs.get(xs.size() - 1)),
              List.of(d, d));
          afa.setMarker(SeriesMarkers.NONE);
          afa.setLineColor(COLORS[2]);
        }
      }
      write(c, png);
    }

    private static void write(XYChart c, Path png) throws IOException {
      java.awt.image.BufferedImage img = BitmapEncoder.getBufferedImage(c);
      AtomicFiles.write(png, o -> {
        if (!ImageIO.write(img, "png", o)) {
          throw new IOException("no PNG writer available");
        }
      });
    }
  }
}
