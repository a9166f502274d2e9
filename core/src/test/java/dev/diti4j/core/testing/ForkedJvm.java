package dev.diti4j.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class in a new JVM with this JVM's class path and the engine's required flags plus
 * the given ones (JIT tier, thread count), for tests that compare what differently configured JVMs
 * compute. Standard output and standard error are captured apart: the child prints its results
 * on standard output, and with {@link #COMPILATION_LOG} the JIT's log goes to standard error, where
 * its lines cannot break the child's.
 */
public final class ForkedJvm {
    /** Flags that print every JIT compilation (all C2 ones under {@code -XX:-TieredCompilation}) to standard error. */
    public static final List<String> COMPILATION_LOG = List.of("-XX:+PrintCompilation", "-XX:+UnlockDiagnosticVMOptions",
            "-XX:+DisplayVMOutputToStderr");

    /** What the child did. */
    public record Result(List<String> flags, int exitCode, String output, String errors, double seconds) {
        /** The lines of standard output. */
        public List<String> lines() {
            return output.lines().toList();
        }

        /** A one-line description of the child for failure messages. */
        public String describe() {
            return "JVM " + String.join(" ", flags);
        }
    }

    private ForkedJvm() {
    }

    /** The java launcher of this JVM. */
    public static String javaLauncher() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The start of a command line: this JVM's launcher, the flags every JVM of the engine needs, then {@code flags}. */
    public static List<String> command(List<String> flags) {
        List<String> cmd = new ArrayList<>(List.of(javaLauncher(), "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC", "-Xmx1g"));
        cmd.addAll(flags);
        return cmd;
    }

    /**
     * Runs {@code main} with {@code args} in a JVM started with {@code flags}; fails (an
     * AssertionError naming the flags and quoting the output) when it exits non-zero or runs past
     * {@code timeout}.
     */
    public static Result run(List<String> flags, Class<?> main, List<String> args, Duration timeout) {
        List<String> cmd = command(flags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(args);
        Path log = null;
        Path err = null;
        try {
            log = Files.createTempFile("diti4j-forked-", ".out");
            err = Files.createTempFile("diti4j-forked-", ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(log.toFile()).redirectError(err.toFile());
            long start = System.nanoTime();
            Process p = pb.start();
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                p.destroyForcibly().waitFor();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            String out = Files.readString(log, StandardCharsets.UTF_8);
            String errors = Files.readString(err, StandardCharsets.UTF_8);
            Result r = new Result(List.copyOf(flags), done ? p.exitValue() : -1, out, errors, seconds);
            if (!done || r.exitCode() != 0) {
                throw new AssertionError(r.describe() + (done ? " exited with " + r.exitCode() : " ran past " + timeout)
                        + "; its output:\n" + tail(out, 3000) + "\nits standard error:\n" + tail(errors, 3000));
            }
            return r;
        } catch (IOException e) {
            throw new AssertionError("could not start " + String.join(" ", cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a forked JVM", e);
        } finally {
            deleteQuietly(log);
            deleteQuietly(err);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temporary file left behind is harmless
            }
        }
    }

    /**
     * The methods whose names start with {@code prefix} that a JVM run with {@link #COMPILATION_LOG}
     * reported as compiled on standard error before the child printed {@code marker} there (for
     * example {@code "dev.diti4j.core.cpu.Gemm::macro"}).
     */
    public static List<String> compiledBefore(Result r, String marker, String prefix) {
        List<String> out = new ArrayList<>();
        for (String line : r.errors().lines().toList()) {
            if (line.contains(marker)) {
                break;
            }
            for (String word : line.trim().split("\\s+")) {
                if (word.startsWith(prefix) && word.contains("::")) {
                    out.add(word);
                }
            }
        }
        return out;
    }

    private static String tail(String s, int chars) {
        return s.length() <= chars ? s : "..." + s.substring(s.length() - chars);
    }
}
