package dev.diti4j.core.testing;

import static dev.diti4j.core.testing.Pick.s;

import dev.diti4j.core.Losses;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import java.util.List;

/** Catalogue cases of the losses and the random draws. */
final class LossCases {
    private LossCases() {
    }

    static void addTo(List<OpCase> out, Pick p) {
        int[] x = {p.of(2, 3), p.odd(), p.of(1, 3), p.odd()};
        int b = x[0];
        int c = x[1];
        String sx = s(x);
        out.add(OpCase.named("weighted_mse", sx + " unweighted").in(Values.normal(), x).in(Values.normal(), x)
                .tol(Tolerance.REDUCTION).run((t, be) -> Losses.weightedMse(t[0], t[1], null)));
        out.add(OpCase.named("weighted_mse", sx + " per-element weights").in(Values.normal(), x).in(Values.normal(), x)
                .in(Values.positive(), x).tol(Tolerance.REDUCTION)
                .run((t, be) -> Losses.weightedMse(t[0], t[1], t[2])));
        out.add(OpCase.named("weighted_mse", sx + " per-sample weights " + s(b)).in(Values.normal(), x)
                .in(Values.normal(), x).in(Values.positive(), b).tol(Tolerance.REDUCTION)
                .run((t, be) -> Losses.weightedMse(t[0], t[1], t[2])));
        out.add(OpCase.named("weighted_mse", sx + " broadcast weights " + s(1, c, 1, 1)).in(Values.normal(), x)
                .in(Values.normal(), x).in(Values.positive(), 1, c, 1, 1).tol(Tolerance.REDUCTION)
                .run((t, be) -> Losses.weightedMse(t[0], t[1], t[2])));

        for (int[] lc : new int[][] {{p.odd(), p.of(2, 5, 13)}, {1, 3}, {64, 10}}) {
            int rows = lc[0];
            int classes = lc[1];
            int[] labels = new int[rows];
            for (int i = 0; i < rows; i++) {
                labels[i] = (7 * i + 3) % classes;
            }
            out.add(OpCase.named("cross_entropy", s(rows, classes)).in(Values.normal(), rows, classes)
                    .tol(Tolerance.REDUCTION).run((t, be) -> Losses.crossEntropy(t[0], labels)));
        }

        int[] z = {p.odd(), p.odd()};
        out.add(OpCase.named("bce_with_logits", s(z)).in(Values.awayFromZero(), z).in(Values.uniform(0, 1), z)
                .tol(Tolerance.REDUCTION).run((t, be) -> Losses.bceWithLogits(t[0], t[1])));
        out.add(OpCase.named("bce_with_logits", s(z) + " hard targets").in(Values.awayFromZero(), z)
                .constant(Values.bits(), z).tol(Tolerance.REDUCTION)
                .run((t, be) -> Losses.bceWithLogits(t[0], t[1])));

        // the generator's stream is part of the contract: uniform is bit-identical everywhere,
        // normal to within one float ulp (double-precision libm may differ in the last bit)
        Tolerance ulp = new Tolerance(1e-6, 2e-7);
        int[] r = {p.odd(), p.odd()};
        out.add(OpCase.named("rand", s(r)).forwardOnly().tol(Tolerance.EXACT)
                .run((t, be) -> Tensor.rand(new Philox(11), be, r)));
        out.add(OpCase.named("randn", s(r)).forwardOnly().tol(ulp)
                .run((t, be) -> Tensor.randn(new Philox(12), be, r)));
        out.add(OpCase.named("rand", "large " + s(ElementwiseCases.LARGE) + " from block 3").forwardOnly()
                .tol(Tolerance.EXACT).run((t, be) -> {
                    Philox g = new Philox(13);
                    g.reserve(9); // start mid-stream: the counter offset is 3 blocks
                    return Tensor.rand(g, be, ElementwiseCases.LARGE);
                }));
        out.add(OpCase.named("randn", "large " + s(ElementwiseCases.LARGE) + " from block 2").forwardOnly().tol(ulp)
                .run((t, be) -> {
                    Philox g = new Philox(14);
                    g.reserve(5);
                    return Tensor.randn(g, be, ElementwiseCases.LARGE);
                }));
    }
}
