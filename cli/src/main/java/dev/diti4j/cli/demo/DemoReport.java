package dev.diti4j.cli.demo;

import dev.diti4j.diti.data.Dataset;
import dev.diti4j.diti.eval.ClassifierTraining;
import dev.diti4j.diti.eval.probe.SubsetProbeMatrix;
import dev.diti4j.diti.model.Partition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The demo's {@code report.html}: every picture and number of a {@link DitiDemo} run on one page. */
final class DemoReport {
    private DemoReport() {
    }

    static void write(DitiDemo.Settings s, DitiDemo.Result r, Partition partition, int[][] swapRanges,
            List<Dataset.LabelSpec> labels, ClassifierTraining.Trained cls, Path ditiRun, Path pdaeRun) {
        HtmlReport h = new HtmlReport("DiTi on " + r.data());
        int k = partition.subsets();
        h.paragraph(String.format(Locale.ROOT, "DiTi (k = %d subsets of z, d = %d) and PDAE (k = 1) trained for %,d"
                + " steps each (batch %d, Adam %.0e, EMA %.3f, seed %d) on the same frozen diffusion model. Subset i is"
                + " seen by the shift decoder from time step %d·i on; the fine attributes (texture) should land in the"
                + " early subsets and the coarse ones (shape, position, layout) in the late ones.", k,
                partition.latentDim(), s.steps(), s.batch(), (double) s.lr(), s.ema(), s.seed(),
                partition.steps() / k));
        h.note(String.format(Locale.ROOT, "Run time %.1f min. Probe images: %d train, %d validation, %d test, for"
                + " shapes drawn from a factor stream neither model trained on.", r.seconds() / 60, s.probeTrain(), s.probeVal(),
                s.probeTest()));

        h.section("Linear probes of the labels");
        List<String> header = new ArrayList<>(List.of("features", "dim", "mean accuracy [95% bootstrap]",
                "mean one-vs-rest AP"));
        for (Dataset.LabelSpec l : labels) {
            header.add(l.name() + " (1/" + l.cardinality() + ")");
        }
        List<List<String>> rows = new ArrayList<>();
        for (Probes.Result p : r.probes()) {
            List<String> row = new ArrayList<>(List.of(p.name(), Integer.toString(p.dim()),
                    String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", p.meanAccuracy().estimate(),
                            p.meanAccuracy().lower(), p.meanAccuracy().upper()),
                    String.format(Locale.ROOT, "%.3f", p.meanAp())));
            for (int j = 0; j < p.accuracy().length; j++) {
                row.add(String.format(Locale.ROOT, "%.3f [%.2f, %.2f]", p.accuracy()[j], p.wilson()[j].lower(),
                        p.wilson()[j].upper()));
            }
            rows.add(row);
        }
        h.table(header, rows);
        h.note("Softmax probes on standardised features, full-batch Adam, epoch chosen on the validation split;"
                + " per-factor brackets are 95% Wilson intervals of the test accuracy. Untrained encoder: DiTi's encoder"
                + " at its initial weights.");

        h.section("Which subsets of z hold which factor");
        List<String> cols = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            cols.add(i + " (t " + partition.firstStep(i) + "+)");
        }
        List<String> names = labels.stream().map(Dataset.LabelSpec::name).toList();
        for (Probes.Result p : r.probes()) {
            if (p.subsets() == null) {
                continue;
            }
            SubsetProbeMatrix m = p.subsets();
            h.subsection(p.name() + ": one subset alone (accuracy above chance, 0 = chance, 1 = perfect)");
            h.heatmap("factor \\ subset", names, cols, m.singleAboveChance(), 0, 1, "%.2f");
            h.subsection(p.name() + ": cumulative prefix, subsets 0 to i (accuracy above chance)");
            h.heatmap("factor \\ prefix", names, cols, m.prefixAboveChance(), 0, 1, "%.2f");
            if (p.dci() != null) {
                h.note(String.format(Locale.ROOT, "Subset-level DCI from the probes' weights: disentanglement %.3f,"
                        + " completeness %.3f.", p.dci().disentanglement(), p.dci().completeness()));
            }
        }
        h.note("Closed-form ridge classifiers on standardised columns. For PDAE the same column ranges are used,"
                + " though nothing ties its dimensions to time steps: it is the control.");

        h.section("Loss reduction by time step");
        h.image("img/loss-by-timestep.png", "(frozen loss − shifted loss) / frozen loss per time-step bin over all"
                + " training steps: how much the shift decoder, reading z, adds to the frozen model at each t.", 640);
        h.images(List.of(rel(s.out(), ditiRun.resolve("loss.png")), rel(s.out(), pdaeRun.resolve("loss.png"))),
                List.of("DiTi training loss", "PDAE training loss"), 420);

        h.section("Reconstructions");
        h.image("img/reconstructions.png", "Rows: test images; DiTi reconstruction (masked DDIM inversion, then"
                + " generation, " + s.ddimSteps() + " steps each); PDAE reconstruction; DiTi decode of the same z from"
                + " random noise x_T.", 560);

        h.section("Manipulation along a probe's direction");
        h.image("img/manipulation.png", "Rows: test images; columns: z moved by s·√d along the DiTi probe's weight"
                + " row for " + r.manipulation() + " in standardised feature space, s = −1, −0.5, 0, 0.5, 1 (METHOD 6.5:"
                + " x_T from PDAE-style inversion, the edited z given unmasked at every step).", 300);

        h.section("Counterfactuals: one subset range swapped");
        for (int i = 0; i < swapRanges.length; i++) {
            int a = swapRanges[i][0];
            int b = swapRanges[i][1];
            h.image("img/counterfactual-" + i + ".png", String.format(Locale.ROOT, "Subsets %d to %d (t %d to %d):"
                    + " each row starts with the source image and ends with the other image; between them α = 0, .25,"
                    + " .5, .75, 1 of the other's subsets %d to %d, with the source's own inverted x_T.", a, b - 1,
                    partition.firstStep(a), partition.lastStep(b - 1), a, b - 1), 380);
        }

        if (r.faithDiti() == null) {
            h.write(s.out().resolve("report.html"));
            return;
        }
        h.section("Counterfactual faithfulness");
        List<String> rangeNames = new ArrayList<>();
        for (int[] sr : swapRanges) {
            rangeNames.add("subsets " + sr[0] + "-" + (sr[1] - 1));
        }
        h.subsection("DiTi: share of swaps that carry the other image's factor over");
        h.heatmap("range \\ factor", rangeNames, names, r.faithDiti(), 0, 1, "%.2f");
        h.subsection("PDAE, the same column ranges");
        h.heatmap("range \\ factor", rangeNames, names, r.faithPdae(), 0, 1, "%.2f");
        double worst = cls.worstAccuracy();
        h.note(String.format(Locale.ROOT, "%d pairs, both directions; counted over the pairs whose true value of the"
                + " factor differs. Read by a factor classifier trained on real images (worst held-out accuracy %.3f).",
                s.pairs(), worst));
        h.write(s.out().resolve("report.html"));
    }

    private static String rel(Path base, Path file) {
        Path p = base.toAbsolutePath().relativize(file.toAbsolutePath());
        return Files.exists(file) ? p.toString().replace('\\', '/') : p.toString();
    }
}
