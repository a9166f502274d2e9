package dev.diti4j.cli;

import dev.diti4j.core.Device;
import dev.diti4j.core.backend.Backends;
import dev.diti4j.cli.dm.RunRequestException;
import dev.diti4j.kernels.CudaProbe;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ./diti4j} command line. Every failure is one line on standard error, {@code diti <command>:
 * <what is wrong>}, never a stack trace. Exit codes: 0 success; 2 the request was refused before any
 * work started and nothing was written (an unknown or malformed option, a value out of range, a
 * missing, corrupt or unusable file or folder, an option that does not fit the data, the model or
 * the run); 1 the work started and then failed (a diverging run, a file that could not be written,
 * out of memory).
 */
@Command(name = "diti4j", mixinStandardHelpOptions = true, version = "diti4j 0.1.0",
        description = "diti4j: a deep-learning engine for the JVM and the DiTi representation learner.",
        subcommands = {Main.Info.class, TrainDmCommand.class, TrainDitiCommand.class, SampleCommand.class, EvalSamplesCommand.class,
            DemoCommand.class, EncodeCommand.class, ExportDmCommand.class})
public final class Main implements Callable<Integer> {
    /** Exit code of a failed run. */
    public static final int FAILED = 1;
    /** Exit code of a usage error. */
    public static final int USAGE = 2;

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command line with the given streams and returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine cmd = ex.getCommandLine();
            err.println(prefix(cmd) + oneLine(ex) + " (see ./diti4j " + path(cmd) + "--help)");
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // refused before any work started (nothing written): the command line or its input is wrong
            boolean usage = ex instanceof CommandLine.ParameterException || ex instanceof RunRequestException;
            err.println(prefix(cmd) + oneLine(ex));
            return usage ? USAGE : FAILED;
        });
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            err.println("diti4j: out of memory; use a smaller --batch or model, or give Java more memory with"
                    + " DITI_JAVA_OPTS=-Xmx<size>");
            return FAILED;
        }
    }

    private static String prefix(CommandLine cmd) {
        return cmd == null || cmd.getParent() == null ? "diti4j: " : "diti4j " + cmd.getCommandName() + ": ";
    }

    private static String path(CommandLine cmd) {
        return cmd == null || cmd.getParent() == null ? "" : cmd.getCommandName() + " ";
    }

    /** The first line of a throwable's message, or its type when it has none. */
    static String oneLine(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getClass().getSimpleName();
        }
        return m.lines().findFirst().orElse(m).strip();
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 0;
    }

    /** Prints what this machine offers. */
    @Command(name = "info", mixinStandardHelpOptions = true, description = "Show the backends available on this machine.")
    static final class Info implements Callable<Integer> {
        @Override
        public Integer call() {
            System.out.println("java     " + Runtime.version());
            System.out.println("cpu      " + Backends.cpu().describe());
            String cuda = CudaProbe.unavailableReason();
            System.out.println("cuda     " + (cuda == null ? "driver found" : "not available: " + cuda));
            System.out.println("cuda:0   " + (Backends.unavailableReason(Device.cuda(0)) == null ? "backend ready"
                    : Backends.unavailableReason(Device.cuda(0))));
            return 0;
        }
    }
}
