package dev.diti4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.random.Philox;
import org.junit.jupiter.api.Test;

/** The embedding example of the README, run as written. */
class ReadmeExampleTest {

    @Test
    void readmeTrainingLoopLearnsItsLabels() {
        Philox rng = new Philox(42);
        Tensor w = Tensor.randn(rng, Device.CPU, 10, 784).mul(0.01f).requiresGrad(true);
        Tensor b = Tensor.zeros(10).requiresGrad(true);
        Tensor x = Tensor.randn(rng, Device.CPU, 32, 784);
        int[] labels = new int[32];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 10; // the README uses all-zero labels; distinct ones make the check meaningful
        }
        float first = Float.NaN;
        float last = Float.NaN;
        for (int step = 0; step < 100; step++) {
            try (Scope s = Scope.open()) {
                Tensor loss = Losses.crossEntropy(x.linear(w, b), labels);
                Gradients g = loss.backward();
                w.assign(w.sub(g.get(w).mul(0.1f)));
                b.assign(b.sub(g.get(b).mul(0.1f)));
                last = loss.item();
                if (step == 0) {
                    first = last;
                }
            }
        }
        try (GradMode off = GradMode.off()) {
            float[] logits = x.linear(w, b).toArray();
            int correct = 0;
            for (int i = 0; i < 32; i++) {
                int arg = 0;
                for (int c = 1; c < 10; c++) {
                    if (logits[i * 10 + c] > logits[i * 10 + arg]) {
                        arg = c;
                    }
                }
                correct += arg == labels[i] ? 1 : 0;
            }
            assertEquals(32, correct, "a linear model should fit 32 random points");
        }
        assertTrue(last < first * 0.1f, "loss " + first + " -> " + last);
    }
}
