package dev.diti4j.nn.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.Device;
import dev.diti4j.core.Gradients;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.backend.Backends;
import dev.diti4j.core.random.Philox;
import dev.diti4j.core.testing.OnBackend;
import dev.diti4j.core.testing.ReferenceBackend;
import dev.diti4j.nn.GradCheck;
import dev.diti4j.nn.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The float32 CPU backend against the double-precision reference on the whole tiny U-Net: the
 * same weights, input, time steps, dropout masks and output weights on both, then the output and
 * the gradient of every parameter tensor and of the input are compared. The gradient checks in
 * {@link UNetGradientTest} establish that the reference's gradients are right; this shows that
 * the CPU backend computes the same model to float32 accuracy when every layer is chained.
 *
 * <p>Each value must satisfy {@code |cpu - ref| <= RTOL (|ref| + max|ref of that tensor|)}: the
 * float32 error of a long chain of sums scales with the magnitude of the tensor, not with each
 * element, so near-zero elements get the tensor's scale as their slack.
 */
class UNetCpuVsReferenceTest {
    /**
     * The largest difference measured on an AVX2 machine (256-bit vectors) is 1.4e-6 (|ref| + scale),
     * so this leaves about twenty times that. A wrong index, transpose or dropout mask is off by O(1).
     */
    private static final double RTOL = 3e-5;

    /** Forward and backward of the tiny U-Net on whatever backend serves the CPU device on this thread. */
    private static Map<String, double[]> run() {
        UNet net = new UNet(UNetConfig.tinyTest().withDropout(0.1f), new Philox(31));
        GradCheck.randomize(net, new Philox(32));
        int[] dims = {3, 3, 8, 8};
        float[] xv = new float[3 * 3 * 8 * 8];
        Philox.fill(true, new Philox(33).key(), 0, xv, 0, xv.length);
        Tensor x = Tensor.of(Device.CPU, xv, dims).requiresGrad(true);
        net.setDropoutRng(new Philox(34));
        Tensor y = net.forward(x, new int[] {0, 250, 999});
        float[] w = new float[(int) y.numel()];
        Philox.fill(true, new Philox(35).key(), 0, w, 0, w.length);
        Gradients g = y.backward(Tensor.of(Device.CPU, w, y.shape().dims()));
        Map<String, double[]> out = new LinkedHashMap<>();
        out.put("output", ReferenceBackend.values(y));
        out.put("d/d x", ReferenceBackend.values(g.get(x)));
        for (Map.Entry<String, Parameter> e : net.namedParameters().entrySet()) {
            out.put("d/d " + e.getKey(), ReferenceBackend.values(g.get(e.getValue().tensor())));
        }
        return out;
    }

    @Test
    void forwardAndEveryGradientAgreeToFloat32Accuracy() {
        Map<String, double[]> cpu = run();
        Map<String, double[]> ref = OnBackend.reference(UNetCpuVsReferenceTest::run);
        assertTrue(!(Backends.get(Device.CPU) instanceof ReferenceBackend), "the first run was on the float32 backend");
        assertEquals(ref.keySet(), cpu.keySet());
        List<String> problems = new ArrayList<>();
        double worst = 0;
        String worstAt = "";
        for (String k : ref.keySet()) {
            double[] r = ref.get(k);
            double[] c = cpu.get(k);
            double scale = 0;
            for (double v : r) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertTrue(scale > 0, k + " is identically zero on the reference");
            for (int i = 0; i < r.length; i++) {
                double share = Math.abs(c[i] - r[i]) / (RTOL * (Math.abs(r[i]) + scale));
                if (!(share <= 1) && problems.size() < 8) {
                    problems.add(String.format(Locale.ROOT, "%s[%d]: cpu %.8g, reference %.8g (tensor scale %.3g)", k, i,
                            c[i], r[i], scale));
                }
                if (!(share <= worst)) {
                    worst = share;
                    worstAt = k + "[" + i + "]";
                }
            }
        }
        System.out.printf(Locale.ROOT, "%s vs reference: %d tensors, largest share of the tolerance %.2f%% at %s%n",
                Backends.get(Device.CPU).describe(), ref.size(), 100 * worst, worstAt);
        assertTrue(problems.isEmpty(), "CPU backend differs from the reference:\n  " + String.join("\n  ", problems));
    }
}
