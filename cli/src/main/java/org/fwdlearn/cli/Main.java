package org.fwdlearn.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * The {@code fwdlearn} command: {@code train}, {@code eval}, {@code data}, {@code bench}, {@code info},
 * {@code analyze}, {@code experiment}, {@code sweep}.
 *
 * <p>Exit codes: 0 success, 1 failure while working (I/O, a missing dataset, a failed self-check), 2 bad input
 * (unknown flag, invalid value, bad config file, existing run directory), reported before any work.
 */
@Command(
    name = "fwdlearn",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Forward-only learning (PEPITA, AFA, Forward-Forward and baselines) on Vector API SIMD kernels.",
    subcommands = {
      TrainCommand.class,
      EvalCommand.class,
      DataCommand.class,
      BenchCommand.class,
      InfoCommand.class,
      AnalyzeCommand.class,
      ExperimentCommand.class,
      SweepCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {"", "Run 'fwdlearn COMMAND --help' for the options of a command."})
public final class Main implements Callable<Integer> {
  /** Exit code of bad input. */
  public static final int USAGE = 2;

  /** Exit code of a failure while working. */
  public static final int FAILURE = 1;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return USAGE;
  }

  /** Prints the fwdlearn version, the JDK and the kernel path. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"fwdlearn " + Environment.version(), "JDK " + Environment.jdk()};
    }
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command with the given streams and returns the exit code (never calls System.exit). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    // Charts are drawn off-screen; no display is needed or used.
    System.setProperty("java.awt.headless", "true");
    CommandLine cl = commandLine(out, err);
    return cl.execute(args);
  }

  /** The configured command line, writing to the given streams. */
  static CommandLine commandLine(PrintStream out, PrintStream err) {
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true));
    cl.setErr(new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));
    cl.setUsageHelpWidth(110);
    cl.setUsageHelpLongOptionsMaxWidth(34);
    TrainCommand.addSettingOptions(cl.getSubcommands().get("train"));
    IExecutionExceptionHandler handler =
        (Exception ex, CommandLine c, ParseResult parseResult) -> {
          if (ex instanceof UsageException) {
            c.getErr().println("fwdlearn " + c.getCommandName() + ": " + ex.getMessage());
            c.getErr().println("Run 'fwdlearn " + c.getCommandName() + " --help' for the allowed values.");
            return USAGE;
          }
          if (ex instanceof Failure) {
            c.getErr().println("fwdlearn " + c.getCommandName() + ": " + ex.getMessage());
            return FAILURE;
          }
          c.getErr().println("fwdlearn " + c.getCommandName() + ": failed: " + ex);
          ex.printStackTrace(c.getErr());
          return FAILURE;
        };
    cl.setExecutionExceptionHandler(handler);
    return cl;
  }

  /** A failure while working, reported without a stack trace (exit code 1). */
  public static final class Failure extends RuntimeException {
    public Failure(String message) {
      super(message);
    }

    public Failure(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
