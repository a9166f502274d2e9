package dev.diti4j.cli.determinism;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.testing.ForkedJvm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The same seed gives the same training run to the bit, whatever the JIT does and however many
 * threads there are: {@link TrainingDigest} (six steps of the tiny U-Net, then a DDIM sample) in
 * four JVMs must print the same per-step losses and gradient norms, the same sample and the same
 * digest of every weight, EMA shadow and optimizer moment.
 *
 * <ul>
 *   <li>C1 only ({@code -XX:TieredStopAtLevel=1}), two threads: the Vector API's Java fallback;</li>
 *   <li>C2 only ({@code -XX:-TieredCompilation}), two threads, after ten warm-up steps in which
 *       C2 must have compiled the kernels (checked from {@code -XX:+PrintCompilation});</li>
 *   <li>the default tiers with one thread and with three, from a cold start, so the run itself
 *       moves from the interpreter through C1 to C2, as a real run does.</li>
 * </ul>
 */
class TrainingDeterminismTest {
    private static final List<String> KERNELS = List.of("GemmKernel::", "Conv::", "GroupNormKernel::",
            "CpuReduce::", "CpuElementwise::");

    private record Jvm(List<String> flags, int warmupSteps) {
    }

    @Test
    void aTrainingRunHasTheSameBitsInEveryJitTierAndThreadCount() {
        List<String> c2 = new ArrayList<>(List.of("-XX:-TieredCompilation", "-Dditi4j.threads=2"));
        c2.addAll(ForkedJvm.COMPILATION_LOG);
        List<Jvm> jvms = List.of(
                new Jvm(List.of("-XX:TieredStopAtLevel=1", "-Dditi4j.threads=2"), 0),
                new Jvm(c2, 10),
                new Jvm(List.of("-Dditi4j.threads=1"), 0),
                new Jvm(List.of("-Dditi4j.threads=3"), 0));
        List<String> problems = new ArrayList<>();
        List<String> reference = null;
        String referenceJvm = null;
        for (Jvm jvm : jvms) {
            ForkedJvm.Result r = ForkedJvm.run(jvm.flags(), TrainingDigest.class,
                    List.of(Integer.toString(jvm.warmupSteps()), "6"), Duration.ofMinutes(3));
            List<String> lines = r.lines().stream()
                    .filter(l -> l.startsWith("step ") || l.startsWith("sample ") || l.startsWith("weights ")).toList();
            assertTrue(lines.size() == 8, r.describe() + " printed " + lines + "\n" + r.output());
            if (jvm.flags().containsAll(ForkedJvm.COMPILATION_LOG)) {
                List<String> compiled = ForkedJvm.compiledBefore(r, TrainingDigest.MEASURED, "dev.diti4j.core.cpu.");
                for (String k : KERNELS) {
                    if (compiled.stream().noneMatch(m -> m.contains("." + k))) {
                        problems.add(r.describe() + ": C2 compiled nothing of " + k + " during the warm-up steps, so"
                                + " the measured run does not test C2's code");
                    }
                }
            }
            if (reference == null) {
                reference = lines;
                referenceJvm = r.describe();
            } else {
                for (int i = 0; i < lines.size(); i++) {
                    if (!lines.get(i).equals(reference.get(i))) {
                        problems.add(r.describe() + " vs " + referenceJvm + ": '" + lines.get(i) + "' instead of '"
                                + reference.get(i) + "'");
                    }
                }
            }
        }
        assertTrue(problems.isEmpty(), () -> String.join("\n", problems));
    }
}
