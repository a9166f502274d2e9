package dev.diti4j.cli.dm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.diti4j.diffusion.train.DmTrainer;
import dev.diti4j.cli.run.Plots;
import dev.diti4j.cli.run.RunFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The per-step metrics of a training run: one metrics.jsonl line per step ({@code step, loss, lr,
 * grad_norm, images_per_s, elapsed_s}), the progress-bar message, and the loss curve (raw and
 * smoothed, log y) drawn from the whole file, so a resumed run's curve includes what came before.
 */
final class MetricsLog {
    /** Smoothing of the loss shown on the bar and drawn on the curve. */
    static final double SMOOTHING = 0.98;

    private final RunFolder run;
    private final long totalSteps;
    private final double elapsedBefore;
    private final long startNanos;
    private long clock;
    private double smoothed = Double.NaN;
    private double imagesPerSecond;
    private double stepSeconds;
    private long steps;

    MetricsLog(RunFolder run, long totalSteps, double elapsedBefore, long startNanos) {
        this.run = run;
        this.totalSteps = totalSteps;
        this.elapsedBefore = elapsedBefore;
        this.startNanos = startNanos;
        this.clock = System.nanoTime();
    }

    /** Training wall time of the whole run so far, earlier calls included. */
    double elapsedSeconds() {
        return elapsedBefore + (System.nanoTime() - startNanos) / 1e9;
    }

    void record(DmTrainer.StepResult r) {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("lr", r.lr());
        extra.put("grad_norm", r.gradNorm());
        record(r.step(), r.loss(), r.batch(), r.seconds(), extra);
    }

    /**
     * One line for any trainer of the skeleton: {@code step, loss}, then the trainer's own {@code extra}
     * fields, then {@code images_per_s, elapsed_s}.
     */
    void record(long step, float loss, int batch, double seconds, Map<String, Object> extra) {
        long now = System.nanoTime();
        double wall = (now - clock) / 1e9;   // data wait + step, sampling excluded (see resumeClock)
        double ips = batch / Math.max(wall, 1e-9);
        imagesPerSecond = imagesPerSecond == 0 ? ips : 0.9 * imagesPerSecond + 0.1 * ips;
        smoothed = Double.isNaN(smoothed) ? loss : SMOOTHING * smoothed + (1 - SMOOTHING) * loss;
        stepSeconds += seconds;
        steps++;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step);
        m.put("loss", loss);
        m.putAll(extra);
        m.put("images_per_s", round(ips));
        m.put("elapsed_s", round(elapsedSeconds()));
        run.logMetrics(m);
        clock = now;
    }

    /** Leaves {@code nanos} of work that is not training (drawing samples) out of the next images/s. */
    void exclude(long nanos) {
        clock += nanos;
    }

    String message() {
        return String.format(Locale.ROOT, "loss %.4f, %.1f img/s", smoothed, imagesPerSecond);
    }

    float smoothedLoss() {
        return (float) smoothed;
    }

    double meanStepSeconds() {
        return steps == 0 ? 0 : stepSeconds / steps;
    }

    long totalSteps() {
        return totalSteps;
    }

    /** Redraws loss.png from metrics.jsonl. */
    void plot() {
        plot(run.file("metrics.jsonl"), run.file("loss.png"));
    }

    /** Draws the loss curve of a metrics file (nothing when it has no lines). */
    static void plot(Path metrics, Path png) {
        List<double[]> rows = read(metrics);
        if (rows.isEmpty()) {
            return;
        }
        double[] x = new double[rows.size()];
        double[] y = new double[rows.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = rows.get(i)[0];
            y[i] = Math.max(rows.get(i)[1], 1e-8);
        }
        Plots.line(png, "training loss", "step", "loss (log scale)", true,
                List.of(new Plots.Series("loss", x, y), new Plots.Series("smoothed", x, Plots.smooth(y, SMOOTHING))));
    }

    /** (step, loss) of every line. */
    static List<double[]> read(Path metrics) {
        List<double[]> out = new ArrayList<>();
        if (!Files.isRegularFile(metrics)) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(metrics, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = RunFolder.json().readTree(line);
                if (n.has("step") && n.has("loss")) {
                    out.add(new double[] {n.get("step").asDouble(), n.get("loss").asDouble()});
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + metrics + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Drops the lines of steps after {@code step} (logged after the checkpoint a run resumes from). */
    static void truncateAfter(Path metrics, long step) {
        if (!Files.isRegularFile(metrics)) {
            return;
        }
        try {
            List<String> keep = new ArrayList<>();
            for (String line : Files.readAllLines(metrics, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n;
                try {
                    n = RunFolder.json().readTree(line);
                } catch (IOException e) {
                    continue;   // a line cut short by a crash
                }
                if (n.has("step") && n.get("step").asLong() <= step) {
                    keep.add(line);
                }
            }
            Path tmp = metrics.resolveSibling(metrics.getFileName() + ".tmp");
            Files.write(tmp, keep, StandardCharsets.UTF_8);
            Files.move(tmp, metrics, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite " + metrics + ": " + e.getMessage(), e);
        }
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
