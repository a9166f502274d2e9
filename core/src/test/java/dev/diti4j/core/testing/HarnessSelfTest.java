package dev.diti4j.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.backend.Storage;
import dev.diti4j.core.ops.Conv2dSpec;
import dev.diti4j.core.ops.UnaryOp;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The harness must be able to fail: deliberately broken backends and gradients are caught. */
class HarnessSelfTest {

    private static OpCase find(String name) {
        return OpCatalogue.all().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no catalogue case " + name));
    }

    private static OpCase firstOf(String op) {
        return OpCatalogue.all().stream().filter(c -> c.op().equals(op)).findFirst().orElseThrow();
    }

    /** silu's derivative without the x (1 - s) term: the forward is right, the gradient wrong. */
    static final class WrongSiluDerivative extends ReferenceBackend {
        @Override
        public void unaryBackward(UnaryOp op, Storage x, Storage y, Storage gy, Storage gx, long n) {
            super.unaryBackward(op, x, y, gy, gx, n);
            if (op == UnaryOp.SILU) {
                double[] xs = data(x);
                double[] g = data(gy);
                double[] o = data(gx);
                for (int i = 0; i < n; i++) {
                    o[i] = g[i] / (1 + Math.exp(-xs[i]));
                }
            }
        }
    }

    /** Filter gradient that forgets the last image of the batch. */
    static final class ConvFilterSkipsLastImage extends ReferenceBackend {
        @Override
        public void conv2dBackwardFilter(Conv2dSpec s, Storage x, Storage gy, Storage gw, Storage gb) {
            Conv2dSpec fewer = new Conv2dSpec(s.n() - 1, s.cin(), s.h(), s.w(), s.cout(), s.kh(), s.kw(), s.stride(),
                    s.pad());
            super.conv2dBackwardFilter(s.n() > 1 ? fewer : s, x, gy, gw, gb);
        }
    }

    /** A forward error of 1e-4 in one element: small, but far above float rounding. */
    static final class OneElementOff extends ReferenceBackend {
        @Override
        public void unary(UnaryOp op, Storage x, Storage out, long n) {
            super.unary(op, x, out, n);
            data(out)[(int) n - 1] += 1e-4;
        }
    }

    @Test
    void aWrongDerivativeFailsOnlyTheGradient() {
        OpCase silu = firstOf("silu");
        List<String> problems = OpConformance.compare(silu, new WrongSiluDerivative(), 1.0);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("gradient of input 0"), problems.get(0));
        assertTrue(OpConformance.compare(firstOf("exp"), new WrongSiluDerivative(), 1.0).isEmpty());
    }

    @Test
    void aConvFilterGradientMissingAnImageIsCaught() {
        OpCase conv = find("conv2d (2,3,7,5) * (4,3,3,3) stride 1 pad 1 + bias");
        List<String> problems = OpConformance.compare(conv, new ConvFilterSkipsLastImage(), 1.0);
        assertEquals(2, problems.size(), problems.toString()); // weight and bias gradients
        assertTrue(problems.get(0).startsWith("gradient of input 1 (4,3,3,3)"), problems.get(0));
    }

    @Test
    void aSmallForwardErrorIsCaughtAndLocated() {
        OpCase exp = firstOf("exp");
        AssertionError e = assertThrows(AssertionError.class, () -> OpConformance.check(exp, new OneElementOff(), 1.0));
        int[] dims = exp.inputs().get(0).dims();
        String last = "[" + (dims[0] - 1) + "," + (dims[1] - 1) + "]";
        assertTrue(e.getMessage().contains("forward " + Pick.s(dims) + ": 1 of " + dims[0] * dims[1]
                + " elements differ"), e.getMessage());
        assertTrue(e.getMessage().contains("first: " + last + " got "), e.getMessage());
    }

    @Test
    void theReferenceAgreesWithItself() {
        for (OpCase c : OpCatalogue.all()) {
            assertTrue(OpConformance.compare(c, new ReferenceBackend(), 0.0).isEmpty(), c.name());
        }
    }

    @Test
    void gradCheckCatchesAGradientThatMissesAPath() {
        // y = detach(x) * x has derivative 2x, but autograd only sees the second factor
        OpCase broken = OpCase.named("mul", "detached square (3,5)").in(Values.normal(), 3, 5)
                .run((t, be) -> t[0].detach().mul(t[0]));
        AssertionError e = assertThrows(AssertionError.class, () -> GradCheck.check(broken));
        assertTrue(e.getMessage().contains("input 0 (3,5)"), e.getMessage());
        OpCase honest = OpCase.named("mul", "square (3,5)").in(Values.normal(), 3, 5)
                .run((t, be) -> t[0].mul(t[0]));
        assertTrue(GradCheck.check(honest) < 1e-8);
    }

    @Test
    void toleranceFormula() {
        Tolerance t = new Tolerance(1e-3, 1e-2);
        assertTrue(t.accepts(1.0109, 1.0));
        assertTrue(!t.accepts(1.0111, 1.0));
        assertTrue(!t.accepts(Double.NaN, 1.0));
        assertNull(t.mismatches("x", new int[] {2}, new double[] {1, 2}, new double[] {1, 2}));
        assertEquals(0.0, GradCheck.compensatedDot(new double[] {1e16, 1, -1e16}, new double[] {1, 1, 1}) - 1.0);
    }
}
