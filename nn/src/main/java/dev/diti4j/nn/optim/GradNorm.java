package dev.diti4j.nn.optim;

import dev.diti4j.core.GradMode;
import dev.diti4j.core.Gradients;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.nn.Parameter;
import java.util.Collection;

/** The global L2 norm of a set of gradients, sqrt(sum over parameters of ||g||^2). */
public final class GradNorm {
    private GradNorm() {
    }

    /** Parameters without a gradient in {@code g} count as zero. One host synchronisation. */
    public static float global(Gradients g, Collection<Parameter> params) {
        try (GradMode ng = GradMode.off(); Scope s = Scope.open()) {
            Tensor sq = null;
            for (Parameter p : params) {
                Tensor gp = g.get(p.tensor());
                if (gp != null) {
                    Tensor term = gp.square().sum();
                    sq = sq == null ? term : sq.add(term);
                }
            }
            return sq == null ? 0f : (float) Math.sqrt(sq.item());
        }
    }

    /**
     * The factor that clips a gradient of norm {@code norm} to at most {@code maxNorm}
     * (PyTorch's clip_grad_norm_: maxNorm / (norm + 1e-6), capped at 1); 1 when maxNorm <= 0.
     */
    public static float clipFactor(float norm, float maxNorm) {
        if (!(maxNorm > 0f)) {
            return 1f;
        }
        return Math.min(1f, (float) (maxNorm / (norm + 1e-6)));
    }
}
