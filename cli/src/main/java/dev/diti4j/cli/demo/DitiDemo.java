package dev.diti4j.cli.demo;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.diti4j.cli.dm.DitiTraining;
import dev.diti4j.cli.dm.DmTraining;
import dev.diti4j.cli.dm.RunFailedException;
import dev.diti4j.cli.dm.RunRequestException;
import dev.diti4j.cli.run.Plots;
import dev.diti4j.cli.run.Progress;
import dev.diti4j.cli.run.RunFolder;
import dev.diti4j.core.Device;
import dev.diti4j.core.GradMode;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.diffusion.NoiseSchedule;
import dev.diti4j.diffusion.train.TrainingCheckpoints;
import dev.diti4j.diti.api.TrainedDiti;
import dev.diti4j.diti.data.DataSpec;
import dev.diti4j.diti.data.Dataset;
import dev.diti4j.diti.data.FashionMnist;
import dev.diti4j.diti.data.ImageGrid;
import dev.diti4j.diti.data.SyntheticShapes;
import dev.diti4j.diti.eval.ClassifierTraining;
import dev.diti4j.diti.eval.FactorClassifier;
import dev.diti4j.diti.eval.SampleQuality;
import dev.diti4j.diti.eval.probe.Intervals;
import dev.diti4j.diti.generate.Counterfactual;
import dev.diti4j.diti.generate.FeatureStats;
import dev.diti4j.diti.generate.Manipulation;
import dev.diti4j.diti.generate.Reconstruction;
import dev.diti4j.diti.model.DitiModel;
import dev.diti4j.diti.model.LossMode;
import dev.diti4j.diti.model.Partition;
import dev.diti4j.diti.train.LossReductionHistogram;
import dev.diti4j.nn.checkpoint.Checkpoint;
import dev.diti4j.nn.checkpoint.CheckpointException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The DiTi demo on 16 px synthetic shapes (or on Fashion-MNIST, from a diffusion model trained on
 * it), end to end, for fixed step counts so that every number
 * follows from the seed:
 *
 * <ol>
 *   <li>a frozen diffusion model: the one shipped in the jar, another given with {@code --dm}, or
 *       one trained first ({@code --from-scratch});</li>
 *   <li>DiTi (k subsets) and PDAE (k = 1, METHOD 7.3) trained on it with the same settings;</li>
 *   <li>linear probes of the seven ground-truth factors on z of DiTi, PDAE, an untrained encoder and
 *       the raw pixels, with intervals; per-subset probes and subset-level DCI;</li>
 *   <li>reconstructions and counterfactuals (one subset range swapped between two images, x_T of the
 *       source held fixed), and how often a swap carries each factor over, read by a factor
 *       classifier;</li>
 *   <li>{@code report.html}, {@code metrics.json} and a table on the console.</li>
 * </ol>
 */
public final class DitiDemo {
    /** Where the shipped diffusion model lies in the jar. */
    public static final String SHIPPED_DM = "/dev/diti4j/cli/demo/shapes16-dm.safetensors";
    /** The factor stream of the probe images: never seen by the diffusion model or DiTi. */
    static final long PROBE_DATA_SEED = 7_007L;

    /**
     * @param dm           a diffusion-model checkpoint, or null for the shipped one
     * @param steps        training steps of DiTi and of PDAE each
     * @param partition    DiTi's partition, e.g. {@code uniform:8}
     * @param probeTrain   probe images for training, validation and test
     * @param pairs        image pairs for each counterfactual faithfulness cell
     * @param ddimSteps    DDIM steps of inversion and of generation
     */
    public record Settings(Path dm, Path out, long seed, long steps, int batch, float lr, float ema, String partition,
            int latent, String encoder, int probeTrain, int probeVal, int probeTest, int pairs, int ddimSteps,
            ClassifierTraining.Budget classifier) {
    }

    /**
     * The labelled images the probes read: for shapes a factor stream no model trained on, split in
     * three; for Fashion-MNIST the first training images (train, validation) and the test split.
     */
    record ProbeData(String title, FeatureSets.Images train, FeatureSets.Images val, FeatureSets.Images test,
            List<Dataset.LabelSpec> labels, boolean shapes) {
    }

    static ProbeData probeData(DataSpec data, int size, Settings s) {
        if (data.kind() == DataSpec.Kind.SHAPES) {
            int nAll = s.probeTrain() + s.probeVal() + s.probeTest();
            SyntheticShapes d = new SyntheticShapes(size, nAll, PROBE_DATA_SEED, true);
            return new ProbeData("16 px synthetic shapes", FeatureSets.images(d, 0, s.probeTrain()),
                    FeatureSets.images(d, s.probeTrain(), s.probeTrain() + s.probeVal()),
                    FeatureSets.images(d, s.probeTrain() + s.probeVal(), nAll), d.labels(), true);
        }
        if (data.kind() == DataSpec.Kind.FASHION_MNIST) {
            Path folder = data.folder() == null ? FashionMnist.DEFAULT_FOLDER : data.folder();
            boolean pad = data.imageSize() == 32;
            Dataset train;
            Dataset test;
            try {
                train = FashionMnist.load(folder, FashionMnist.Split.TRAIN, pad);
                test = FashionMnist.load(folder, FashionMnist.Split.TEST, pad);
            } catch (RuntimeException e) {
                throw new RunRequestException(e.getMessage(), e);
            }
            if (s.probeTrain() + s.probeVal() > train.size() || s.probeTest() > test.size()) {
                throw new RunRequestException("--probe-images " + s.probeTrain() + " needs more images than"
                        + " Fashion-MNIST has (" + train.size() + " train, " + test.size() + " test)");
            }
            return new ProbeData("Fashion-MNIST", FeatureSets.images(train, 0, s.probeTrain()),
                    FeatureSets.images(train, s.probeTrain(), s.probeTrain() + s.probeVal()),
                    FeatureSets.images(test, 0, s.probeTest()), train.labels(), false);
        }
        Dataset folder = DmTraining.openData(data);
        if (folder.labels().isEmpty()) {
            throw new RunRequestException("the demo probes labels, but " + data.describe() + " has none: train the"
                    + " diffusion model on the folder with --attributes <list_attr_celeba.txt>");
        }
        int need = s.probeTrain() + s.probeVal() + s.probeTest();
        if (need > folder.size()) {
            throw new RunRequestException("--probe-images " + s.probeTrain() + " needs " + need + " images but "
                    + data.describe() + " has " + folder.size());
        }
        // the folder's first images for training and validation, its last ones for testing (CelebA's
        // files are numbered in the order of its official train / valid / test split)
        return new ProbeData("image folder " + data.folder().getFileName(), FeatureSets.images(folder, 0, s.probeTrain()),
                FeatureSets.images(folder, s.probeTrain(), s.probeTrain() + s.probeVal()),
                FeatureSets.images(folder, folder.size() - s.probeTest(), folder.size()), folder.labels(), false);
    }

    /** The numbers the demo ends with. */
    public record Result(Path runDir, String data, List<Probes.Result> probes, double[][] faithDiti,
            double[][] faithPdae, String manipulation, double seconds) {
    }

    private DitiDemo() {
    }

    /** Copies the shipped diffusion model to {@code file}. */
    static void extractShippedDm(Path file) {
        try (InputStream in = DitiDemo.class.getResourceAsStream(SHIPPED_DM)) {
            if (in == null) {
                throw new RunFailedException("the shipped diffusion model " + SHIPPED_DM + " is missing from the jar;"
                        + " rebuild it (./diti4j build) or give --dm", null);
            }
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.copy(in, file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs the demo into {@code s.out()}, which the caller has checked to be new or empty (it may
     * already hold {@code dm/}, a diffusion model trained for it).
     */
    public static Result run(Settings s, PrintStream console) {
        long start = System.nanoTime();
        if (s.dm() != null && !Files.exists(s.dm())) {
            throw new RunRequestException("--dm " + s.dm() + ": no such file or folder");
        }
        Path dmFile = null;
        if (s.dm() != null) {
            try {
                dmFile = TrainingCheckpoints.resolve(s.dm()).toAbsolutePath();
            } catch (CheckpointException e) {
                throw new RunRequestException("--dm " + s.dm() + ": " + e.getMessage(), e);
            }
        }
        // the probe images are checked before anything is trained or written
        ProbeData pd;
        if (dmFile != null) {
            DataSpec dmData;
            try {
                dmData = DataSpec.fromJson(Checkpoint.read(dmFile).metadata("data"));
            } catch (CheckpointException | IllegalArgumentException e) {
                throw new RunRequestException("--dm " + s.dm() + " does not record its data set: " + e.getMessage(), e);
            }
            pd = probeData(dmData, dmData.imageSize(), s);
        } else {
            pd = probeData(new DataSpec(DataSpec.Kind.SHAPES, null, 16, null), 16, s);
            dmFile = s.out().resolve("dm").resolve("shapes16-dm.safetensors").toAbsolutePath();
            extractShippedDm(dmFile);
        }

        // 1. DiTi and PDAE on the same frozen model, same settings and seed
        console.println("== 1/4  training DiTi (" + s.partition() + ") and PDAE (k = 1) on the frozen " + dmFile.getFileName());
        Path ditiRun = s.out().resolve("diti");
        Path pdaeRun = s.out().resolve("pdae");
        DitiTraining.start(options(s, dmFile, ditiRun, s.partition()), console);
        DitiTraining.start(options(s, dmFile, pdaeRun, "uniform:1"), console);

        Loaded diti = load(ditiRun);
        Loaded pdae = load(pdaeRun);
        Partition partition = diti.model().partition();
        DitiModel untrained = new DitiModel(diti.model().frozen().unet(), diti.model().encoder().config(),
                partition, new Philox(s.seed()).fork(0x0DDL));
        untrained.eval();
        int size = diti.model().encoder().config().imageSize();

        // 2. probes
        console.println("== 2/4  linear probes of the labels on z (DiTi, PDAE, untrained encoder) and on raw pixels");
        FeatureSets.Images tr = pd.train();
        FeatureSets.Images va = pd.val();
        FeatureSets.Images te = pd.test();
        int nAll = tr.count() + va.count() + te.count();
        List<Dataset.LabelSpec> labels = pd.labels();
        int[][] ranges = new int[partition.subsets()][];
        for (int i = 0; i < ranges.length; i++) {
            ranges[i] = new int[] {partition.start(i), partition.end(i)};
        }
        List<Probes.Result> probes = new ArrayList<>();
        float[][] ditiTrain = null;
        try (Progress bar = Progress.start("probes", 4L * nAll, 0, "image")) {
            long[] done = {0};
            for (Object[] rep : new Object[][] {{"DiTi", diti.model()}, {"PDAE", pdae.model()},
                    {"untrained encoder", untrained}, {"raw pixels", null}}) {
                String name = (String) rep[0];
                DitiModel m = (DitiModel) rep[1];
                float[][][] f = new float[3][][];
                FeatureSets.Images[] splits = {tr, va, te};
                for (int k = 0; k < 3; k++) {
                    long base = done[0];
                    f[k] = m == null ? FeatureSets.pixels(splits[k].x())
                            : FeatureSets.encode(m, splits[k].x(), 250, n -> bar.update(base + n, name));
                    done[0] += splits[k].count();
                    bar.update(done[0], name);
                }
                probes.add(Probes.run(name, f[0], tr.labels(), f[1], va.labels(), f[2], te.labels(), labels,
                        m == null ? null : ranges));
                if (m == diti.model()) {
                    ditiTrain = f[0];
                }
            }
        }

        // 3. generation
        console.println("== 3/4  reconstructions and counterfactuals (DDIM " + s.ddimSteps() + " steps each way)");
        NoiseSchedule schedule = diti.schedule();
        Path img = s.out().resolve("img");
        int show = Math.min(8, te.count() / 2 / 2 * 2);   // an even number of pairs' images
        FeatureSets.Images sample = new FeatureSets.Images(te.x().slice(0, 0, 2 * show),
                java.util.Arrays.copyOf(te.labels(), 2 * show));
        writeReconstructions(img.resolve("reconstructions.png"), sample.x().slice(0, 0, show), diti.model(),
                pdae.model(), schedule, s.ddimSteps());
        Manipulated manipulated = writeManipulation(img.resolve("manipulation.png"),
                sample.x().slice(0, 0, Math.min(4, sample.count())),
                diti.model(), schedule, s.ddimSteps(), ditiTrain, probes.get(0), labels);
        int[][] swapRanges = swapRanges(partition.subsets());
        for (int r = 0; r < swapRanges.length; r++) {
            writeCounterfactuals(img.resolve("counterfactual-" + r + ".png"), sample, show, diti.model(), schedule,
                    s.ddimSteps(), swapRanges[r]);
        }

        // 4. faithfulness: which factors a swap carries over, read by a classifier of real images
        ClassifierTraining.Trained cls = null;
        double[][] faithDiti = null;
        double[][] faithPdae = null;
        if (pd.shapes()) {
            console.println("== 4/4  counterfactual faithfulness (" + s.pairs() + " pairs per subset range)");
            try (Progress bar = Progress.start("factor classifier", s.classifier().steps(), 0, "step")) {
                cls = ClassifierTraining.train(size, s.classifier(), s.seed(), Device.CPU, n -> bar.update(n, ""));
            }
            FeatureSets.Images pairImages = FeatureSets.images(new SyntheticShapes(size, 2 * s.pairs(),
                    PROBE_DATA_SEED + 1, true), 0, 2 * s.pairs());
            faithDiti = faithfulness(diti.model(), schedule, s.ddimSteps(), pairImages, s.pairs(), partition,
                    swapRanges, cls.model());
            faithPdae = faithfulness(pdae.model(), schedule, s.ddimSteps(), pairImages, s.pairs(), partition,
                    swapRanges, cls.model());
        } else {
            console.println("== 4/4  (counterfactual faithfulness needs ground-truth factors: shapes only)");
        }

        // plots, report, metrics
        plotHistograms(img.resolve("loss-by-timestep.png"), diti.histogram(), pdae.histogram());
        double seconds = (System.nanoTime() - start) / 1e9;
        Result result = new Result(s.out(), pd.title(), probes, faithDiti, faithPdae, manipulated.what(), seconds);
        DemoReport.write(s, result, partition, swapRanges, labels, cls, ditiRun, pdaeRun);
        writeMetrics(s, result, partition, swapRanges, labels, cls);
        printTable(console, result, labels);
        return result;
    }

    private static DitiTraining.Options options(Settings s, Path dm, Path out, String partition) {
        return new DitiTraining.Options(dm, out, partition, s.latent(), s.encoder(), LossMode.BASE, s.batch(), s.lr(),
                s.ema(), s.steps(), null, s.seed(), null, 0, 50, Device.CPU);
    }

    /** A trained run's model with its EMA weights, in evaluation mode, and what it was trained with. */
    record Loaded(DitiModel model, NoiseSchedule schedule, LossReductionHistogram histogram, DataSpec data) {
    }

    /** The EMA model of a train-diti run ({@link TrainedDiti}), with the histogram the run wrote. */
    static Loaded load(Path run) {
        TrainedDiti t = TrainedDiti.load(run);
        try {
            LossReductionHistogram h = LossReductionHistogram.fromJson(Files.readString(run.resolve("histogram.json")));
            DataSpec data = t.trainingData().orElseThrow(() -> new RunFailedException(run
                    + " does not record its data set", null));
            return new Loaded(t.model(), t.schedule(), h, data);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + run.resolve("histogram.json") + ": " + e.getMessage(), e);
        }
    }

    /** Scales of the manipulation grid (METHOD 6.5, the reference notebook's sweep). */
    static final double[] EDIT_SCALES = {-1, -0.5, 0, 0.5, 1};

    record Manipulated(String what) {
    }

    /**
     * Rows: test images; columns: z moved along the DiTi probe's direction for the last value of the
     * last label (shapes: background hue "dark green") by each of {@link #EDIT_SCALES}, x_T from
     * PDAE-style inversion, the edited z applied unmasked (METHOD 6.5).
     */
    private static Manipulated writeManipulation(Path png, Tensor x, DitiModel model, NoiseSchedule schedule, int steps,
            float[][] trainZ, Probes.Result ditiProbes, List<Dataset.LabelSpec> labels) {
        int f = labels.size() - 1;
        int c = labels.get(f).cardinality() - 1;
        double[] row = ditiProbes.models().get(f).weightRow(c);
        float[] w = new float[row.length];
        for (int j = 0; j < w.length; j++) {
            w[j] = (float) row[j];
        }
        int d = trainZ[0].length;
        float[] flat = new float[trainZ.length * d];
        for (int i = 0; i < trainZ.length; i++) {
            System.arraycopy(trainZ[i], 0, flat, i * d, d);
        }
        try (GradMode ng = GradMode.off(); Scope sc = Scope.open()) {
            FeatureStats stats = FeatureStats.of(Tensor.of(Device.CPU, flat, trainZ.length, d));
            Manipulation.Result r = new Manipulation(model, schedule, stats, steps, steps).manipulate(x, w, EDIT_SCALES);
            ImageGrid.write(r.images(), r.columns(), png);
        }
        return new Manipulated(labels.get(f).name() + " = " + labels.get(f).values().get(c));
    }

    /** Four contiguous block ranges that cover the k subsets, fine (early t) to coarse (late t). */
    static int[][] swapRanges(int k) {
        int parts = Math.min(4, k);
        int[][] r = new int[parts][];
        for (int i = 0; i < parts; i++) {
            r[i] = new int[] {i * k / parts, (i + 1) * k / parts};
        }
        return r;
    }

    private static void writeReconstructions(Path png, Tensor x, DitiModel diti, DitiModel pdae, NoiseSchedule schedule,
            int steps) {
        try (GradMode ng = GradMode.off(); Scope sc = Scope.open()) {
            Tensor a = new Reconstruction(diti, schedule, steps, steps).reconstruct(x).images();
            Tensor b = new Reconstruction(pdae, schedule, steps, steps).reconstruct(x).images();
            Tensor noise = Tensor.randn(new Philox(1), Device.CPU, x.dim(0), x.dim(1), x.dim(2), x.dim(3));
            Tensor z = diti.encode(x);
            Tensor c = new Reconstruction(diti, schedule, steps, steps).decode(noise, z);
            ImageGrid.write(Tensor.concat(0, x, a, b, c), x.dim(0), png);
        }
    }

    /**
     * Rows: for each of {@code show} pairs, z_12 (the first image with the range moved towards the
     * second) then z_21; columns α = 0, .25, .5, .75, 1; the first and last columns of a row are
     * flanked by the two real images.
     */
    private static void writeCounterfactuals(Path png, FeatureSets.Images sample, int show, DitiModel model,
            NoiseSchedule schedule, int steps, int[] range) {
        int pairs = show / 2;
        try (GradMode ng = GradMode.off(); Scope sc = Scope.open()) {
            Tensor x1 = sample.x().slice(0, 0, pairs);
            Tensor x2 = sample.x().slice(0, show, show + pairs);
            Counterfactual cf = new Counterfactual(model, schedule, steps, steps);
            Counterfactual.Result r = cf.swapRange(cf.prepare(x1, x2), range[0], range[1], Counterfactual.Noise.SOURCE);
            int cols = r.columns();
            List<Tensor> rows = new ArrayList<>();
            for (int row = 0; row < r.rows(); row++) {
                int p = row / 2;
                Tensor src = (row % 2 == 0 ? x1 : x2).slice(0, p, p + 1);
                Tensor oth = (row % 2 == 0 ? x2 : x1).slice(0, p, p + 1);
                rows.add(src);
                rows.add(r.images().slice(0, row * cols, (row + 1) * cols));
                rows.add(oth);
            }
            ImageGrid.write(Tensor.concat(0, rows.toArray(Tensor[]::new)), cols + 2, png);
        }
    }

    /**
     * faith[r][f]: among the ordered pairs (source, other) whose true factor f differs, the share
     * whose counterfactual (the dimensions of range r of {@code ranges}' subsets taken from the
     * other's z, the source's own inverted x_T) shows the other's value of f, as the classifier
     * reads it. {@code ranges} names subsets of {@code rangePartition}, which for PDAE is DiTi's
     * (the same columns, as a control).
     */
    static double[][] faithfulness(DitiModel model, NoiseSchedule schedule, int steps, FeatureSets.Images x, int pairs,
            Partition rangePartition, int[][] ranges, FactorClassifier cls) {
        int f = FactorClassifier.FACTORS.length;
        double[][] out = new double[ranges.length][f];
        try (GradMode ng = GradMode.off(); Scope sc = Scope.open()) {
            Tensor x1 = x.x().slice(0, 0, pairs);
            Tensor x2 = x.x().slice(0, pairs, 2 * pairs);
            Counterfactual.Pair pair = new Counterfactual(model, schedule, steps, steps).prepare(x1, x2);
            Reconstruction rec = new Reconstruction(model, schedule, steps, steps);
            Tensor xT = Tensor.concat(0, pair.xT1(), pair.xT2());
            double[] one = {1};
            for (int r = 0; r < ranges.length; r++) {
                try (Scope inner = Scope.open()) {
                    float[] u = Counterfactual.unionMask(rangePartition, ranges[r][0], ranges[r][1]);
                    Tensor z = Tensor.concat(0, Counterfactual.mixSubsets(pair.z1(), pair.z2(), u, one),
                            Counterfactual.mixSubsets(pair.z2(), pair.z1(), u, one));
                    float[][][] p = cls.probabilities(rec.decode(xT, z));
                    for (int j = 0; j < f; j++) {
                        int differ = 0;
                        int carried = 0;
                        for (int row = 0; row < 2 * pairs; row++) {
                            int i = row % pairs;
                            int[] source = row < pairs ? x.labels()[i] : x.labels()[pairs + i];
                            int[] other = row < pairs ? x.labels()[pairs + i] : x.labels()[i];
                            if (other[j] == source[j]) {
                                continue;
                            }
                            differ++;
                            carried += SampleQuality.argmax(p[j][row]) == other[j] ? 1 : 0;
                        }
                        out[r][j] = differ == 0 ? Double.NaN : carried / (double) differ;
                    }
                }
            }
        }
        return out;
    }

    private static void plotHistograms(Path png, LossReductionHistogram diti, LossReductionHistogram pdae) {
        List<Plots.Series> series = new ArrayList<>();
        for (Object[] h : new Object[][] {{"DiTi", diti}, {"PDAE (k = 1)", pdae}}) {
            LossReductionHistogram hist = (LossReductionHistogram) h[1];
            List<double[]> pts = new ArrayList<>();
            for (int b = 0; b < hist.bins(); b++) {
                double r = hist.reduction(b);
                if (!Double.isNaN(r)) {
                    pts.add(new double[] {b * hist.binWidth() + hist.binWidth() / 2.0, r});
                }
            }
            series.add(new Plots.Series((String) h[0], pts.stream().mapToDouble(p -> p[0]).toArray(),
                    pts.stream().mapToDouble(p -> p[1]).toArray()));
        }
        try {
            Files.createDirectories(png.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Plots.line(png, "loss reduction by G per time step (all training steps)", "time step t",
                "(frozen - shifted) / frozen", false, series);
    }

    private static void writeMetrics(Settings s, Result r, Partition partition, int[][] swapRanges,
            List<Dataset.LabelSpec> labels, ClassifierTraining.Trained cls) {
        ObjectNode root = RunFolder.json().createObjectNode();
        ObjectNode set = root.putObject("settings");
        set.put("data", r.data());
        set.put("seed", s.seed());
        set.put("steps", s.steps());
        set.put("batch", s.batch());
        set.put("lr", s.lr());
        set.put("ema", s.ema());
        set.put("partition", partition.toString());
        set.put("latent", s.latent());
        set.put("probe_train", s.probeTrain());
        set.put("probe_val", s.probeVal());
        set.put("probe_test", s.probeTest());
        set.put("pairs", s.pairs());
        set.put("ddim_steps", s.ddimSteps());
        ArrayNode reps = root.putArray("probes");
        for (Probes.Result p : r.probes()) {
            ObjectNode o = reps.addObject();
            o.put("name", p.name());
            o.put("dim", p.dim());
            o.put("mean_accuracy", p.meanAccuracy().estimate());
            o.put("mean_accuracy_low", p.meanAccuracy().lower());
            o.put("mean_accuracy_high", p.meanAccuracy().upper());
            o.put("mean_one_vs_rest_ap", p.meanAp());
            ObjectNode per = o.putObject("factors");
            for (int j = 0; j < labels.size(); j++) {
                ObjectNode fo = per.putObject(labels.get(j).name());
                fo.put("accuracy", p.accuracy()[j]);
                fo.put("wilson_low", p.wilson()[j].lower());
                fo.put("wilson_high", p.wilson()[j].upper());
                fo.put("chance", p.chance()[j]);
                fo.put("one_vs_rest_ap", p.oneVsRestAp()[j]);
            }
            if (p.dci() != null) {
                o.put("dci_disentanglement", p.dci().disentanglement());
                o.put("dci_completeness", p.dci().completeness());
            }
            if (p.subsets() != null) {
                o.set("subset_prefix_accuracy", RunFolder.json().valueToTree(p.subsets().prefix()));
                o.set("subset_single_accuracy", RunFolder.json().valueToTree(p.subsets().single()));
            }
        }
        if (r.faithDiti() != null) {
            ObjectNode faith = root.putObject("faithfulness");
            faith.set("ranges", RunFolder.json().valueToTree(swapRanges));
            faith.set("factors", RunFolder.json().valueToTree(labels.stream().map(Dataset.LabelSpec::name).toList()));
            faith.set("diti", RunFolder.json().valueToTree(nanToNull(r.faithDiti())));
            faith.set("pdae", RunFolder.json().valueToTree(nanToNull(r.faithPdae())));
            faith.set("classifier_accuracy", RunFolder.json().valueToTree(cls.accuracy()));
        }
        root.put("manipulation_direction", r.manipulation());
        root.put("seconds", r.seconds());
        try {
            RunFolder.json().writerWithDefaultPrettyPrinter().writeValue(s.out().resolve("metrics.json").toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write metrics.json: " + e.getMessage(), e);
        }
    }

    private static Double[][] nanToNull(double[][] m) {
        Double[][] o = new Double[m.length][];
        for (int i = 0; i < m.length; i++) {
            o[i] = new Double[m[i].length];
            for (int j = 0; j < m[i].length; j++) {
                o[i][j] = Double.isNaN(m[i][j]) ? null : m[i][j];
            }
        }
        return o;
    }

    static void printTable(PrintStream console, Result r, List<Dataset.LabelSpec> labels) {
        console.println();
        StringBuilder h = new StringBuilder(String.format(Locale.ROOT, "%-18s %5s  %-22s", "probe accuracy", "dim",
                "mean (95% bootstrap)"));
        for (Dataset.LabelSpec l : labels) {
            h.append(String.format(Locale.ROOT, " %9s", abbreviate(l.name())));
        }
        console.println(h);
        for (Probes.Result p : r.probes()) {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-18s %5d  %.3f [%.3f, %.3f]    ",
                    p.name(), p.dim(), p.meanAccuracy().estimate(), p.meanAccuracy().lower(), p.meanAccuracy().upper()));
            for (double a : p.accuracy()) {
                b.append(String.format(Locale.ROOT, " %9.3f", a));
            }
            console.println(b);
        }
        Intervals.Interval w = r.probes().get(0).wilson()[0];
        console.printf(Locale.ROOT, "(per-factor 95%% Wilson intervals are about +-%.3f; chance is 1/#values)%n",
                (w.upper() - w.lower()) / 2);
    }

    static String abbreviate(String factor) {
        return switch (factor) {
            case "object hue" -> "obj hue";
            case "x position" -> "x pos";
            case "y position" -> "y pos";
            case "background hue" -> "bg hue";
            default -> factor;
        };
    }
}
