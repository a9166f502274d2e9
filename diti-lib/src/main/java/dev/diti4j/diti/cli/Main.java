package dev.diti4j.diti.cli;

import dev.diti4j.core.Device;
import dev.diti4j.core.backend.Backends;
import dev.diti4j.kernels.CudaProbe;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ./diti} command line. */
@Command(name = "diti", mixinStandardHelpOptions = true, version = "diti4j 0.1.0",
        description = "diti4j: a deep-learning engine for the JVM and the DiTi representation learner.",
        subcommands = {Main.Info.class})
public final class Main implements Callable<Integer> {

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("diti: " + oneLine(ex));
            return 1;
        });
        System.exit(cl.execute(args));
    }

    static String oneLine(Throwable t) {
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 0;
    }

    /** Prints what this machine offers. */
    @Command(name = "info", description = "Show the backends available on this machine.")
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
