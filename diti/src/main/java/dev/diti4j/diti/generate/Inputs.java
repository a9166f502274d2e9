package dev.diti4j.diti.generate;

import dev.diti4j.core.Tensor;
import dev.diti4j.diffusion.NoiseSchedule;
import dev.diti4j.diti.model.DitiModel;

/**
 * The argument checks shared by the generation classes. Every failure is one
 * {@link IllegalArgumentException} sentence that names the argument and what was wrong with it.
 */
final class Inputs {
    private Inputs() {
    }

    /** The model and the schedule agree on T, so that i(t) = ⌊t·k/T⌋ is the training map. */
    static void sameSteps(DitiModel model, NoiseSchedule schedule) {
        if (model == null || schedule == null) {
            throw new IllegalArgumentException("generation needs a DiTi model and a noise schedule");
        }
        int partitionSteps = model.partition().steps();
        if (partitionSteps != schedule.steps()) {
            throw new IllegalArgumentException("the partition maps T = " + partitionSteps + " time steps to subsets but"
                    + " the noise schedule has " + schedule.steps());
        }
    }

    /** A DDIM step count in [1, T]. */
    static int steps(String what, int steps, NoiseSchedule schedule) {
        if (steps < 1 || steps > schedule.steps()) {
            throw new IllegalArgumentException(what + " must be in [1, " + schedule.steps() + "], got " + steps);
        }
        return steps;
    }

    /** A batch of images (B, C, S, S) of the model's channels and size, B ≥ 1. */
    static void images(String what, Tensor x, DitiModel model) {
        int c = model.frozen().unet().config().inChannels();
        int s = model.encoder().config().imageSize();
        if (x == null) {
            throw new IllegalArgumentException(what + " is missing; expected images (B, " + c + ", " + s + ", " + s + ")");
        }
        if (x.rank() != 4 || x.dim(0) < 1 || x.dim(1) != c || x.dim(2) != s || x.dim(3) != s) {
            throw new IllegalArgumentException(what + " must be images (B, " + c + ", " + s + ", " + s + "), got "
                    + x.shape());
        }
    }

    /** Features (batch, d) with d the partition's feature length. */
    static void features(String what, Tensor z, int batch, DitiModel model) {
        int d = model.partition().latentDim();
        if (z == null) {
            throw new IllegalArgumentException(what + " is missing; expected features (" + batch + ", " + d + ")");
        }
        if (z.rank() != 2 || z.dim(0) != batch || z.dim(1) != d) {
            throw new IllegalArgumentException(what + " must have shape (" + batch + ", " + d + ") for " + batch
                    + " image(s) and the partition's d = " + d + ", got " + z.shape());
        }
    }

    /** Features (B, d) with any B ≥ 1; returns B. */
    static int features(String what, Tensor z, DitiModel model) {
        int d = model.partition().latentDim();
        if (z == null || z.rank() != 2 || z.dim(0) < 1 || z.dim(1) != d) {
            throw new IllegalArgumentException(what + " must have shape (B, " + d + ") for the partition's d = " + d
                    + ", got " + (z == null ? "nothing" : z.shape().toString()));
        }
        return z.dim(0);
    }

    /** A non-empty list of interpolation weights, each in [0, 1]. */
    static double[] alphas(double[] alphas) {
        if (alphas == null || alphas.length == 0) {
            throw new IllegalArgumentException("the interpolation needs at least one alpha");
        }
        for (double a : alphas) {
            alpha(a);
        }
        return alphas.clone();
    }

    /** One interpolation weight in [0, 1] (NaN refused). */
    static void alpha(double a) {
        if (!(a >= 0 && a <= 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1], got " + a);
        }
    }

    /** The model's shift decoder runs without dropout (a state of the model, so IllegalStateException). */
    static void evaluationMode(DitiModel model) {
        if (model.shiftDecoder().isTraining()) {
            throw new IllegalStateException("the DiTi model is in training mode; call eval() on it before sampling so"
                    + " the shift decoder runs without dropout");
        }
    }
}
