package dev.diti4j.cli.eval;

import dev.diti4j.diti.eval.ClassifierTraining;
import dev.diti4j.diti.eval.SampleQuality;
import dev.diti4j.diti.eval.FactorClassifier;
import dev.diti4j.cli.run.RunFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * The result of a sample-quality evaluation: the classifier's held-out accuracy and the
 * {@link SampleQuality} numbers of generated, untrained-model and real images. Written as
 * {@code quality.json} and as {@code quality.png} (confident fractions per factor, then one panel
 * per factor with the share of images predicted to have each value).
 *
 * @param checkpoint the evaluated checkpoint file
 * @param step       its training step
 * @param ema        whether the EMA weights were used
 * @param sampler    how the images were generated ({@code ddim-50}, ...)
 * @param seed       the seed of the starting noise
 * @param seconds    wall time of the evaluation, classifier training included
 */
public record QualityReport(Path checkpoint, long step, boolean ema, String sampler, long seed,
        ClassifierTraining.Trained classifier, double threshold, SampleQuality.SetStats generated,
        SampleQuality.SetStats untrained, SampleQuality.SetStats real, double seconds) {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** The three sets in display order. */
    public List<SampleQuality.SetStats> sets() {
        return List.of(real, generated, untrained);
    }

    /** The report as plain maps and lists (for JSON). */
    public Map<String, Object> toMap() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("definition", "confidentFraction = share of images for which, for every factor, the classifier's"
                + " largest class probability is >= threshold; meanFactorConfidentFraction = mean over factors of the"
                + " share of images whose largest probability for that factor is >= threshold; normalisedEntropy = entropy of the histogram of"
                + " predicted values divided by log(number of values)");
        o.put("threshold", threshold);
        o.put("checkpoint", checkpoint == null ? null : checkpoint.toString());
        o.put("step", step);
        o.put("weights", ema ? "ema" : "live");
        o.put("sampler", sampler);
        o.put("seed", seed);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("imageSize", classifier.model().imageSize());
        c.put("steps", classifier.budget().steps());
        c.put("batch", classifier.budget().batch());
        c.put("trainImages", classifier.budget().steps() * classifier.budget().batch());
        c.put("testImages", classifier.budget().testImages());
        c.put("seed", classifier.seed());
        c.put("cached", classifier.cached());
        c.put("seconds", classifier.seconds());
        Map<String, Object> acc = new LinkedHashMap<>();
        for (int f = 0; f < classifier.accuracy().length; f++) {
            acc.put(FactorClassifier.FACTORS[f].spec().name(), classifier.accuracy()[f]);
        }
        c.put("heldOutAccuracy", acc);
        o.put("classifier", c);
        Map<String, Object> sets = new LinkedHashMap<>();
        for (SampleQuality.SetStats s : sets()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("count", s.count());
            m.put("confidentFraction", s.confidentFraction());
            m.put("meanFactorConfidentFraction", s.meanFactorConfidentFraction());
            m.put("meanNormalisedEntropy", s.meanNormalisedEntropy());
            List<Object> fs = new ArrayList<>();
            for (SampleQuality.FactorStats f : s.factors()) {
                Map<String, Object> fm = new LinkedHashMap<>();
                fm.put("factor", f.name());
                fm.put("confidentFraction", f.confidentFraction());
                fm.put("normalisedEntropy", f.normalisedEntropy());
                fm.put("meanMaxProbability", f.meanMaxProbability());
                Map<String, Object> hist = new LinkedHashMap<>();
                for (int k = 0; k < f.histogram().length; k++) {
                    hist.put(f.values().get(k), f.histogram()[k]);
                }
                fm.put("histogram", hist);
                fs.add(fm);
            }
            m.put("factors", fs);
            sets.put(s.name(), m);
        }
        o.put("sets", sets);
        o.put("seconds", seconds);
        return o;
    }

    /** Writes {@code quality.json} and {@code quality.png} into {@code dir}. */
    public void write(Path dir) {
        try {
            Files.createDirectories(dir);
            RunFolder.json().writeValue(dir.resolve("quality.json").toFile(), toMap());
            List<CategoryChart> charts = new ArrayList<>();
            charts.add(confidenceChart());
            for (int f = 0; f < FactorClassifier.FACTORS.length; f++) {
                charts.add(histogramChart(f));
            }
            BitmapEncoder.saveBitmap(charts, 2, 4, dir.resolve("quality").toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the quality report into " + dir + ": " + e.getMessage(), e);
        }
    }

    private CategoryChart confidenceChart() {
        CategoryChart chart = chart(String.format(Locale.ROOT, "max prob >= %.2f", threshold), "share of images");
        List<String> x = new ArrayList<>();
        x.add("ALL");
        for (SampleQuality.FactorStats f : real.factors()) {
            x.add(shortName(f.name()));
        }
        for (SampleQuality.SetStats s : sets()) {
            List<Double> y = new ArrayList<>();
            y.add(s.confidentFraction());
            s.factors().forEach(f -> y.add(f.confidentFraction()));
            chart.addSeries(s.name(), x, y);
        }
        return chart;
    }

    private CategoryChart histogramChart(int f) {
        SampleQuality.FactorStats r = real.factors().get(f);
        CategoryChart chart = chart(r.name() + " (predicted)", "share of images");
        List<String> x = r.values().stream().map(QualityReport::shortName).toList();
        for (SampleQuality.SetStats s : sets()) {
            int[] h = s.factors().get(f).histogram();
            List<Double> y = new ArrayList<>();
            for (int c : h) {
                y.add(c / (double) s.count());
            }
            chart.addSeries(s.name(), x, y);
        }
        return chart;
    }

    private static CategoryChart chart(String title, String yLabel) {
        CategoryChart c = new CategoryChartBuilder().width(420).height(330).title(title).yAxisTitle(yLabel).build();
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setYAxisMax(1.0);
        c.getStyler().setXAxisLabelRotation(45);
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        c.getStyler().setLegendLayout(org.knowm.xchart.style.Styler.LegendLayout.Horizontal);
        c.getStyler().setLegendFont(c.getStyler().getLegendFont().deriveFont(9f));
        c.getStyler().setAxisTickLabelsFont(c.getStyler().getAxisTickLabelsFont().deriveFont(9f));
        return c;
    }

    private static String shortName(String s) {
        return switch (s) {
            case "horizontal stripes" -> "h-stripes";
            case "vertical stripes" -> "v-stripes";
            case "checkerboard" -> "checker";
            case "object hue" -> "hue";
            case "x position" -> "x";
            case "y position" -> "y";
            case "background hue" -> "bg";
            case "dark green" -> "d-green";
            default -> s;
        };
    }

    /** A few lines for the console: the headline numbers of each set. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "classifier held-out accuracy: %s%n", accuracyLine()));
        sb.append(String.format(Locale.ROOT, "%-10s %6s  %18s  %18s  %s%n", "images", "count", "all 7 factors sure",
                "factors sure (mean)", "entropy of predicted factors (mean)"));
        for (SampleQuality.SetStats s : sets()) {
            sb.append(String.format(Locale.ROOT, "%-10s %6d  %17.1f%%  %18.1f%%  %.3f%n", s.name(), s.count(),
                    100 * s.confidentFraction(), 100 * s.meanFactorConfidentFraction(), s.meanNormalisedEntropy()));
        }
        return sb.toString();
    }

    private String accuracyLine() {
        StringBuilder sb = new StringBuilder();
        for (int f = 0; f < classifier.accuracy().length; f++) {
            if (f > 0) {
                sb.append(", ");
            }
            sb.append(shortName(FactorClassifier.FACTORS[f].spec().name())).append(' ')
                    .append(String.format(Locale.ROOT, "%.3f", classifier.accuracy()[f]));
        }
        return sb.toString();
    }
}
