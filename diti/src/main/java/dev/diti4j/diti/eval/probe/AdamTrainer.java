package dev.diti4j.diti.eval.probe;

import dev.diti4j.core.random.Philox;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;

/**
 * The training loop shared by the gradient-trained probes: a linear layer s = W·x + b, a loss that
 * turns a batch's logits into ∂loss/∂s, and Adam in double precision.
 *
 * <p>One step on a batch of m examples:
 * <ol>
 *   <li>logits s_i = W·x_i + b for each example i (one task per example);</li>
 *   <li>g_i = ∂loss/∂s_i from the {@link Loss} (mean over the batch, as PyTorch's default);</li>
 *   <li>per output c (one task per c): ∂W_c = Σ_i g_ic·x_i + λ·W_c and ∂b_c = Σ_i g_ic, the sum
 *       over i in batch order, then the Adam update of row c.</li>
 * </ol>
 * Each number is computed by one task visiting its inputs in a fixed order, so the weights are
 * the same bits whether the steps run on one thread or many.
 *
 * <p>The weights and biases start at zero. The problem is convex, so no random start is needed to
 * break symmetry (scikit-learn's logistic regression starts at zero too), and a weight that the
 * data never pushes stays near zero instead of keeping a random initial value, so |W| can be read
 * as an importance ({@link Dci}). (PyTorch's {@code nn.Linear} starts uniform in ±1/√d; after
 * METHOD 7.1's thousands of steps on CelebA the difference is negligible, but on a small split a
 * random start dominates the weights of dimensions the labels do not depend on.) The seed drives
 * the shuffling.
 */
final class AdamTrainer {
    static final double BETA1 = 0.9;
    static final double BETA2 = 0.999;
    static final double EPS = 1e-8;

    /** ∂loss/∂logits for a batch. */
    interface Loss {
        /**
         * @param rows    training indices of the batch's examples
         * @param logits  m × C, row i for example rows[i]
         * @param grad    m × C, to fill with ∂loss/∂logits (loss averaged over the batch)
         * @param example index i in [0, m) of the row to fill
         */
        void gradient(int[] rows, double[][] logits, double[][] grad, int example);
    }

    private AdamTrainer() {
    }

    /**
     * Trains for {@code cfg.epochs()} epochs and keeps the epoch whose model scores highest on
     * {@code validate} (first maximum; NaN scores never win). Without {@code validate} the last
     * epoch is kept.
     *
     * @param x        training features, already checked
     * @param outputs  C
     * @param validate higher-is-better score of a model on the validation split, or null
     */
    static ProbeFit train(float[][] x, int outputs, Loss loss, ToDoubleFunction<LinearModel> validate,
                          ProbeConfig cfg) {
        Standardizer std = cfg.standardize() ? Standardizer.fit(x) : null;
        float[][] xs = std != null ? std.apply(x) : x;
        int n = xs.length;
        int d = xs[0].length;
        int batch = cfg.batchSize() <= 0 || cfg.batchSize() >= n ? n : cfg.batchSize();

        double[][] w = new double[outputs][d];
        double[] b = new double[outputs];
        double[][] mW = new double[outputs][d];
        double[][] vW = new double[outputs][d];
        double[] mB = new double[outputs];
        double[] vB = new double[outputs];

        int[] order = IntStream.range(0, n).toArray();
        Philox shuffler = new Philox(cfg.seed()).fork(1);
        double[] curve = new double[validate == null ? 0 : cfg.epochs()];
        LinearModel best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        int bestEpoch = cfg.epochs();
        long step = 0;
        for (int epoch = 1; epoch <= cfg.epochs(); epoch++) {
            if (cfg.shuffle()) {
                shuffle(order, shuffler);
            }
            for (int start = 0; start < n; start += batch) {
                int m = Math.min(batch, n - start);
                int[] rows = new int[m];
                System.arraycopy(order, start, rows, 0, m);
                double[][] logits = new double[m][];
                double[][] grad = new double[m][outputs];
                forEach(m, cfg.parallel(), i -> {
                    logits[i] = affine(w, b, xs[rows[i]]);
                    loss.gradient(rows, logits, grad, i);
                });
                step++;
                double c1 = 1 - StrictMath.pow(BETA1, step);
                double c2 = 1 - StrictMath.pow(BETA2, step);
                forEach(outputs, cfg.parallel(), c -> {
                    double[] gw = new double[d];
                    double gb = 0;
                    for (int i = 0; i < m; i++) {
                        double g = grad[i][c];
                        if (g == 0) {
                            continue;
                        }
                        float[] xi = xs[rows[i]];
                        for (int j = 0; j < d; j++) {
                            gw[j] += g * xi[j];
                        }
                        gb += g;
                    }
                    double[] wc = w[c];
                    for (int j = 0; j < d; j++) {
                        double g = gw[j] + cfg.weightDecay() * wc[j];
                        mW[c][j] = BETA1 * mW[c][j] + (1 - BETA1) * g;
                        vW[c][j] = BETA2 * vW[c][j] + (1 - BETA2) * g * g;
                        wc[j] -= cfg.learningRate() * (mW[c][j] / c1) / (Math.sqrt(vW[c][j] / c2) + EPS);
                    }
                    mB[c] = BETA1 * mB[c] + (1 - BETA1) * gb;
                    vB[c] = BETA2 * vB[c] + (1 - BETA2) * gb * gb;
                    b[c] -= cfg.learningRate() * (mB[c] / c1) / (Math.sqrt(vB[c] / c2) + EPS);
                });
            }
            if (validate != null) {
                LinearModel model = new LinearModel(w, b, std);
                double score = validate.applyAsDouble(model);
                curve[epoch - 1] = score;
                if (score > bestScore) {
                    bestScore = score;
                    best = model;
                    bestEpoch = epoch;
                }
            }
        }
        if (best == null) {
            // no validation split, or every validation score was NaN: keep the last epoch
            best = new LinearModel(w, b, std);
            bestEpoch = cfg.epochs();
        }
        return new ProbeFit(best, bestEpoch, curve);
    }

    static double[] affine(double[][] w, double[] b, float[] x) {
        double[] s = new double[w.length];
        for (int c = 0; c < w.length; c++) {
            double acc = b[c];
            double[] wc = w[c];
            for (int j = 0; j < x.length; j++) {
                acc += wc[j] * x[j];
            }
            s[c] = acc;
        }
        return s;
    }

    /** Fisher–Yates with Philox draws: position i swaps with a uniform j in [0, i]. */
    static void shuffle(int[] a, Philox rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    static void forEach(int count, boolean parallel, java.util.function.IntConsumer body) {
        IntStream r = IntStream.range(0, count);
        (parallel ? r.parallel() : r).forEach(body);
    }
}
