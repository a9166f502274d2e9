package dev.diti4j.cli.encode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.diti4j.cli.CliRunner;
import dev.diti4j.diti.api.TrainedDiti;
import dev.diti4j.diti.data.SyntheticShapes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files encode writes load in Python: {@code numpy.load} reads the .npy, and the .safetensors
 * is parsed with only {@code json} and {@code numpy} (8-byte little-endian header length, JSON
 * header, raw data). The script compares shapes and every value with what Java wrote. Skipped, not
 * passed, where python3 with numpy is missing.
 */
class PythonReadsEncodedFilesTest {
    @TempDir
    Path dir;

    private static final String SCRIPT = """
            import json, sys
            import numpy as np

            npy, st, expected_z, expected_labels, n, d, f = sys.argv[1:8]
            n, d, f = int(n), int(d), int(f)
            want_z = np.fromfile(expected_z, dtype='<f4').reshape(n, d)
            want_labels = np.fromfile(expected_labels, dtype='<i4').reshape(n, f)

            z = np.load(npy)
            assert z.dtype == np.dtype('<f4'), z.dtype
            assert z.shape == (n, d), z.shape
            assert z.flags['C_CONTIGUOUS']
            assert np.array_equal(z, want_z), 'npy values differ'

            with open(st, 'rb') as fh:
                raw = fh.read()
            length = int.from_bytes(raw[:8], 'little')
            header = json.loads(raw[8:8 + length])
            data = raw[8 + length:]
            def tensor(name, dtype):
                e = header[name]
                a, b = e['data_offsets']
                return np.frombuffer(data[a:b], dtype=dtype).reshape(e['shape'])
            assert header['z']['dtype'] == 'F32' and header['labels']['dtype'] == 'I32'
            sz = tensor('z', '<f4')
            labels = tensor('labels', '<i4')
            assert sz.shape == (n, d), sz.shape
            assert labels.shape == (n, f), labels.shape
            assert np.array_equal(sz, want_z), 'safetensors z differs'
            assert np.array_equal(labels, want_labels), 'safetensors labels differ'
            assert max(e['data_offsets'][1] for k, e in header.items() if k != '__metadata__') == len(data)
            meta = header['__metadata__']
            assert meta['format'] == 'diti4j-embeddings-1'
            assert [l['name'] for l in json.loads(meta['labels'])][0] == 'texture'
            print('ok', z.shape, labels.shape)
            """;

    /** True when {@code python3 -c 'import numpy'} succeeds. */
    private static boolean pythonWithNumpy() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void writeLittleEndian(Path p, float[] v) throws IOException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        Files.write(p, b.array());
    }

    private static void writeLittleEndian(Path p, int[] v) throws IOException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(v);
        Files.write(p, b.array());
    }

    @Test
    void numpyLoadsTheNpyAndParsesTheSafetensors() throws Exception {
        assumeTrue(pythonWithNumpy(), "python3 with numpy is not installed");
        Path run = TinyRuns.diti();
        Path npy = dir.resolve("z.npy");
        Path st = dir.resolve("st.safetensors");   // its own labels file: st.labels.csv
        for (Path out : List.of(npy, st)) {
            CliRunner.Result r = CliRunner.run("encode", "--run", run.toString(), "--count", "9", "--batch", "4",
                    "--out", out.toString());
            assertEquals(0, r.code(), r.err());
        }
        // the expected values, from the library and the data set (independent of the files), as raw arrays
        SyntheticShapes train = new SyntheticShapes(16, SyntheticShapes.DEFAULT_SIZE, 0, true);
        float[] z = TinyRuns.expectedZ(TrainedDiti.load(run), train, 9, 4);
        int[] labels = new int[9 * 7];
        for (int i = 0; i < 9; i++) {
            System.arraycopy(train.get(i).labels(), 0, labels, i * 7, 7);
        }
        Path zRaw = dir.resolve("z.f32");
        Path labelsRaw = dir.resolve("labels.i32");
        writeLittleEndian(zRaw, z);
        writeLittleEndian(labelsRaw, labels);
        Path script = Files.writeString(dir.resolve("check.py"), SCRIPT, StandardCharsets.UTF_8);

        List<String> cmd = new ArrayList<>(List.of("python3", script.toString(), npy.toString(), st.toString(),
                zRaw.toString(), labelsRaw.toString(), "9", "8", Integer.toString(labels.length / 9)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(true, p.waitFor(120, TimeUnit.SECONDS), "python3 finished");
        assertEquals(0, p.exitValue(), output);
        assertEquals("ok (9, 8) (9, 7)", output.strip().toLowerCase(Locale.ROOT));
    }
}
