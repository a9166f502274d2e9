package dev.diti4j.core.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every CPU kernel gives the same bits whatever the JIT tier, the thread count and the call:
 * {@link KernelDigests} runs the op catalogue and {@link DeterminismCases} (outputs and gradients)
 * in three JVMs, and every case's digest must be the same in all of them, before and after the
 * warm-up. The JVMs are
 *
 * <ul>
 *   <li>C1 only ({@code -XX:TieredStopAtLevel=1}) with one thread: the Vector API runs its Java
 *       fallback, as in the interpreter;</li>
 *   <li>C2 only ({@code -XX:-TieredCompilation}) with two threads, warmed up until C2 has compiled
 *       the kernels (checked from {@code -XX:+PrintCompilation}): the Vector API intrinsics;</li>
 *   <li>the default tiers with three threads, more than this machine may have cores, so chunks are
 *       uneven and finish in any order.</li>
 * </ul>
 */
class KernelDeterminismTest {
    /** Classes of the CPU backend whose code C2 must have compiled before the measured round. */
    private static final List<String> KERNELS = List.of("Gemm::", "GemmKernel::", "GemmPacking::", "Conv::",
            "GroupNormKernel::", "CpuReduce::", "CpuElementwise::", "CpuLayout::");

    private record Jvm(List<String> flags, int warmupRounds) {
    }

    @Test
    void everyKernelGivesTheSameBitsInEveryJitTierThreadCountAndCall() {
        List<Jvm> jvms = List.of(
                new Jvm(List.of("-XX:TieredStopAtLevel=1", "-Dditi4j.threads=1"), 0),
                new Jvm(c2Only(), 10),
                new Jvm(List.of("-Dditi4j.threads=3"), 10));
        List<String> problems = new ArrayList<>();
        Map<String, String> reference = null;
        String referenceJvm = null;
        for (Jvm jvm : jvms) {
            ForkedJvm.Result r = ForkedJvm.run(jvm.flags(), KernelDigests.class,
                    List.of(Integer.toString(jvm.warmupRounds())), Duration.ofMinutes(4));
            Map<String, String> cold = parse(r, "cold ");
            Map<String, String> warm = parse(r, "warm ");
            assertTrue(warm.size() == KernelDigests.cases().size() && cold.size() == warm.size(),
                    r.describe() + " printed " + cold.size() + " cold and " + warm.size() + " warm digests for "
                            + KernelDigests.cases().size() + " cases");
            diff(problems, r.describe() + ": first call vs after warm-up", cold, warm);
            if (jvm.flags().containsAll(ForkedJvm.COMPILATION_LOG)) {
                List<String> compiled = ForkedJvm.compiledBefore(r, KernelDigests.MEASURED, "dev.diti4j.core.cpu.");
                for (String k : KERNELS) {
                    if (compiled.stream().noneMatch(m -> m.contains("." + k))) {
                        problems.add(r.describe() + ": C2 compiled nothing of " + k + " during the warm-up, so the"
                                + " measured round does not test C2's code");
                    }
                }
            }
            if (reference == null) {
                reference = warm;
                referenceJvm = r.describe();
            } else {
                diff(problems, r.describe() + " vs " + referenceJvm, reference, warm);
            }
        }
        assertTrue(problems.isEmpty(), () -> String.join("\n", problems));
    }

    private static List<String> c2Only() {
        List<String> flags = new ArrayList<>(List.of("-XX:-TieredCompilation", "-Dditi4j.threads=2"));
        flags.addAll(ForkedJvm.COMPILATION_LOG);
        return flags;
    }

    private static Map<String, String> parse(ForkedJvm.Result r, String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : r.lines()) {
            if (line.startsWith(prefix)) {
                String rest = line.substring(prefix.length());
                int space = rest.indexOf(' ');
                out.put(rest.substring(space + 1), rest.substring(0, space));
            }
        }
        return out;
    }

    private static void diff(List<String> problems, String what, Map<String, String> want, Map<String, String> got) {
        List<String> differ = new ArrayList<>();
        want.forEach((name, d) -> {
            if (!d.equals(got.get(name))) {
                differ.add(name);
            }
        });
        if (!differ.isEmpty()) {
            problems.add(what + ": " + differ.size() + " of " + want.size() + " cases differ in their bits: "
                    + String.join("; ", differ.subList(0, Math.min(12, differ.size())))
                    + (differ.size() > 12 ? "; ..." : ""));
        }
    }
}
