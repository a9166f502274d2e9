package dev.diti4j.cli.encode;

import dev.diti4j.cli.dm.DmSampling;
import dev.diti4j.cli.dm.RunFailedException;
import dev.diti4j.cli.dm.RunRequestException;
import dev.diti4j.cli.run.Progress;
import dev.diti4j.core.Device;
import dev.diti4j.core.Scope;
import dev.diti4j.diti.api.DitiLoadException;
import dev.diti4j.diti.api.TrainedDiti;
import dev.diti4j.diti.data.DataLoader;
import dev.diti4j.diti.data.DataSpec;
import dev.diti4j.diti.data.Dataset;
import dev.diti4j.diti.data.DatasetException;
import dev.diti4j.diti.data.FashionMnist;
import dev.diti4j.diti.data.ImageFolder;
import dev.diti4j.diti.data.SyntheticShapes;
import dev.diti4j.nn.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Encodes a whole split of a data set with a trained DiTi model's EMA encoder and writes z (and
 * the labels, where the data has them). Every check comes before anything is written; the files
 * are written atomically ({@link EmbeddingFiles}).
 */
public final class Encoding {
    /** Images in the test split of the synthetic shapes. */
    public static final int SHAPES_TEST_SIZE = 10_000;
    /** The factor stream of the shapes' test split (the training images are stream {@link DataSpec#SHAPES_SEED}). */
    public static final long SHAPES_TEST_SEED = 1L;

    /** The two splits. */
    public enum Split {
        TRAIN, TEST;

        public static Split parse(String s) {
            for (Split v : values()) {
                if (v.name().equalsIgnoreCase(s.strip())) {
                    return v;
                }
            }
            throw new IllegalArgumentException("--split must be train or test, got '" + s + "'");
        }

        public String cliName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One request.
     *
     * @param run        a train-diti run folder or DiTi checkpoint
     * @param dm         the diffusion model, or null for the one the run recorded
     * @param data       shapes, fashion-mnist or folder:&lt;path&gt;; null = the run's data set
     * @param attributes a CelebA attribute file for folder data, or null
     * @param dataDir    the Fashion-MNIST folder, or null
     * @param split      the split, or null for train (explicitly given splits are checked against the data)
     * @param count      the first N images, or null for all
     */
    public record Options(Path run, Path dm, String data, Path attributes, Path dataDir, Split split, Integer count,
            int batch, Path out, boolean force, Device device) {
    }

    /** What was written. */
    public record Result(Path z, Path labels, int rows, int latentDim) {
    }

    private Encoding() {
    }

    /** Checks {@code --out} before anything is loaded: extension, existing file, writable folder. */
    public static EmbeddingFiles.Format checkOut(Path out, boolean force) {
        EmbeddingFiles.Format f = EmbeddingFiles.Format.of(out);
        if (f == null) {
            throw new RunRequestException("--out " + out + " has an unknown extension: use .npy or .safetensors");
        }
        if (Files.isDirectory(out)) {
            throw new RunRequestException("--out " + out + " is a folder; give a file name such as "
                    + out.resolve("z" + f.extension()));
        }
        if (Files.exists(out) && !force) {
            throw new RunRequestException("--out " + out + " exists; give --force to overwrite it");
        }
        try {
            DmSampling.checkOutputFile("--out", out);
        } catch (IllegalArgumentException e) {
            throw new RunRequestException(e.getMessage(), e);
        }
        return f;
    }

    public static Result run(Options o, PrintStream console) {
        EmbeddingFiles.Format format = checkOut(o.out(), o.force());
        TrainedDiti diti = load(o);
        DataSpec spec = dataSpec(o, diti);
        Dataset all = open(spec, o.split(), diti);
        int n = all.size();
        if (o.count() != null) {
            if (o.count() > all.size()) {
                throw new RunRequestException("--count " + o.count() + " is more than the " + all.size()
                        + " images of " + all.name());
            }
            n = o.count();
        }
        Dataset data = n == all.size() ? all : new FirstImages(all, n);
        boolean labelled = !data.labels().isEmpty();
        Path labelsFile = labelled ? EmbeddingFiles.labelsFile(o.out(), format) : null;
        if (labelled && Files.exists(labelsFile) && !o.force()) {
            throw new RunRequestException("the labels file " + labelsFile + " exists; give --force to overwrite it");
        }
        if (labelled && Files.isDirectory(labelsFile)) {
            throw new RunRequestException("the labels file " + labelsFile + " is a folder");
        }
        Split split = o.split() == null ? Split.TRAIN : o.split();
        console.printf(Locale.ROOT, "encoding %,d images of %s (%s split) with %s (step %d, d = %d) -> %s%n", n,
                all.name(), split.cliName(), diti.checkpoint(), diti.step(), diti.latentDim(), o.out());
        return encode(diti, data, spec, split, o, format, labelsFile, console);
    }

    private static TrainedDiti load(Options o) {
        if (!Files.exists(o.run())) {
            throw new RunRequestException("--run " + o.run() + ": no such file or folder");
        }
        try {
            return TrainedDiti.load(o.run(), o.dm(), o.device());
        } catch (DitiLoadException e) {
            boolean dmFix = e.kind() == DitiLoadException.Kind.DM_MISSING || e.kind() == DitiLoadException.Kind.DM_UNKNOWN;
            throw new RunRequestException(e.getMessage() + (dmFix && o.dm() == null ? " (with --dm)" : ""), e);
        }
    }

    /** The data set: --data (at the model's size), else the one the run recorded, with --attributes/--data-dir applied. */
    static DataSpec dataSpec(Options o, TrainedDiti diti) {
        int size = diti.imageSize();
        String what;
        DataSpec spec;
        try {
            if (o.data() != null) {
                what = "--data " + o.data();
                spec = DataSpec.parse(o.data(), size, o.attributes(), o.dataDir());
            } else {
                DataSpec recorded = diti.trainingData().orElseThrow(() -> new RunRequestException("checkpoint "
                        + diti.checkpoint() + " does not record the data set it was trained on; give it with --data"));
                what = "the run's data set " + recorded.describe();
                if (o.dataDir() != null && recorded.kind() != DataSpec.Kind.FASHION_MNIST) {
                    throw new RunRequestException("--data-dir only goes with fashion-mnist, and the run was trained on "
                            + recorded.describe());
                }
                Path attributes = o.attributes() != null ? o.attributes() : recorded.attributes();
                Path folder = o.dataDir() != null ? o.dataDir() : recorded.folder();
                spec = new DataSpec(recorded.kind(), folder, size, attributes);
            }
        } catch (IllegalArgumentException e) {
            String data = o.data() != null ? "--data " + o.data() : "the run's data set";
            boolean aboutSize = e.getMessage() != null && e.getMessage().contains(" px");
            throw new RunRequestException(data + ": " + e.getMessage()
                    + (aboutSize ? " (the model reads " + size + " px images)" : ""), e);
        }
        if (spec.channels() != diti.channels()) {
            throw new RunRequestException(what + " has " + spec.channels() + "-channel images but the model reads "
                    + diti.channels() + "-channel ones");
        }
        return spec;
    }

    private static Dataset open(DataSpec spec, Split split, TrainedDiti diti) {
        if (split == Split.TEST && spec.kind() == DataSpec.Kind.FOLDER) {
            throw new RunRequestException("--split test: an image folder has no test split; give the test images with"
                    + " --data folder:<path>");
        }
        Dataset d;
        try {
            if (split != Split.TEST) {
                d = spec.open(Progress.terminalListener());
            } else if (spec.kind() == DataSpec.Kind.SHAPES) {
                d = new SyntheticShapes(spec.imageSize(), SHAPES_TEST_SIZE, SHAPES_TEST_SEED, true);
            } else {
                d = FashionMnist.load(spec.folder() == null ? FashionMnist.DEFAULT_FOLDER : spec.folder(),
                        FashionMnist.Split.TEST, spec.imageSize() == 32);
            }
        } catch (DatasetException | IllegalArgumentException e) {
            throw new RunRequestException(e.getMessage(), e);
        }
        if (d.channels() != diti.channels() || d.height() != diti.imageSize() || d.width() != diti.imageSize()) {
            throw new RunRequestException(d.name() + " has " + d.channels() + "x" + d.height() + "x" + d.width()
                    + " images but the model reads " + diti.channels() + "x" + diti.imageSize() + "x"
                    + diti.imageSize());
        }
        return d;
    }

    private static Map<String, String> metadata(TrainedDiti diti, DataSpec spec, Split split, Dataset data) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", "diti4j-embeddings-1");
        m.put("checkpoint", diti.checkpoint().toAbsolutePath().toString());
        m.put("dm", diti.dmCheckpoint().toAbsolutePath().toString());
        m.put("step", Long.toString(diti.step()));
        m.put("data", spec.toJson());
        m.put("split", split.cliName());
        m.put("partition", diti.partition().toJson());
        List<Object> labels = new ArrayList<>();
        for (Dataset.LabelSpec l : data.labels()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", l.name());
            e.put("values", l.values());
            labels.add(e);
        }
        m.put("labels", Json.write(labels));
        return m;
    }

    private static Result encode(TrainedDiti diti, Dataset data, DataSpec spec, Split split, Options o,
            EmbeddingFiles.Format format, Path labelsFile, PrintStream console) {
        int n = data.size();
        int d = diti.latentDim();
        int columns = data.labels().size();
        int[] indices = new int[n];
        int[][] labels = new int[n][];
        int done = 0;
        try (EmbeddingFiles.ZWriter w = EmbeddingFiles.ZWriter.open(o.out(), format, n, d, columns,
                metadata(diti, spec, split, data));
                DataLoader loader = DataLoader.builder(data).batchSize(o.batch()).shuffle(false).flip(false)
                        .dropLast(false).prefetch(2).device(o.device()).build();
                DataLoader.Epoch epoch = loader.epoch(0);
                Progress bar = Progress.start("encode", n, 0, "img")) {
            for (DataLoader.Batch b : epoch) {
                float[] z;
                try (Scope s = Scope.open()) {
                    z = diti.encode(b.images()).toArray();
                }
                w.append(z, b.labels());
                for (int i = 0; i < b.size(); i++) {
                    indices[done + i] = b.indices()[i];
                    labels[done + i] = b.labels()[i];
                }
                done += b.size();
                bar.update(done, null);
            }
            w.commit();
        } catch (IOException e) {
            throw new RunFailedException("cannot write " + o.out() + ": " + oneLine(e) + " (nothing was written under"
                    + " its name)", e);
        } catch (DatasetException e) {
            throw new RunFailedException(e.getMessage() + " (after " + done + " images; nothing was written)", e);
        }
        if (labelsFile != null) {
            ImageFolder folder = folderOf(data);
            List<String> files = null;
            if (folder != null) {
                files = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    files.add(spec.folder().relativize(folder.files().get(indices[i])).toString());
                }
            }
            try {
                EmbeddingFiles.writeLabelsCsv(labelsFile, data.labelNames(), files, indices, labels);
            } catch (IOException e) {
                try {
                    Files.deleteIfExists(o.out());
                } catch (IOException ignored) {
                    // the message below says what to do
                }
                throw new RunFailedException("cannot write " + labelsFile + ": " + oneLine(e) + " (" + o.out()
                        + " was removed again)", e);
            }
        }
        console.printf(Locale.ROOT, "z           %s (%d x %d, float32)%n", o.out(), n, d);
        if (labelsFile != null) {
            console.printf(Locale.ROOT, "labels      %s (%d columns)%n", labelsFile, columns);
        }
        return new Result(o.out(), labelsFile, n, d);
    }

    private static ImageFolder folderOf(Dataset d) {
        Dataset base = d instanceof FirstImages f ? f.base() : d;
        return base instanceof ImageFolder folder ? folder : null;
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m).strip();
    }

    /** The first {@code n} images of a data set, in order. */
    static final class FirstImages implements Dataset {
        private final Dataset base;
        private final int n;

        FirstImages(Dataset base, int n) {
            this.base = base;
            this.n = n;
        }

        Dataset base() {
            return base;
        }

        @Override
        public String name() {
            return base.name() + "[0, " + n + ")";
        }

        @Override
        public int size() {
            return n;
        }

        @Override
        public int channels() {
            return base.channels();
        }

        @Override
        public int height() {
            return base.height();
        }

        @Override
        public int width() {
            return base.width();
        }

        @Override
        public Sample get(int index) {
            Dataset.checkIndex(this, index);
            return base.get(index);
        }

        @Override
        public List<LabelSpec> labels() {
            return base.labels();
        }
    }
}
