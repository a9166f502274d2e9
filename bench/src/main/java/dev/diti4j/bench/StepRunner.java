package dev.diti4j.bench;

import dev.diti4j.core.backend.Backends;
import dev.diti4j.core.cpu.Gemm;
import dev.diti4j.core.cpu.Parallel;
import dev.diti4j.diti.model.LossMode;
import dev.diti4j.nn.json.Json;
import dev.diti4j.nn.unet.UNetConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The diti4j side of {@code bench/side-by-side.sh}: runs one case in this JVM and prints JSON
 * lines for the driver ({@code bench/pytorch/side_by_side.py}), one object per line:
 *
 * <pre>
 *   {"event":"info", "side":"diti4j", "case":..., "threads":2, "params":..., "describe":..., ...}
 *   {"event":"sample", "i":0, "warmup":true, "s":1.234, "calls":1}      one per warm-up and measured sample
 *   {"event":"result", "side":"diti4j", "case":..., "params":..., "samples_s":[...], "warmup_s":[...],
 *    "gc_s":..., "gc_count":..., "measured_s":..., "vmhwm_kib":..., ...}
 * </pre>
 *
 * Sample times are seconds per call. A long case (a training step, a forward pass) times each
 * call on its own; a kernel case repeats the call until a sample lasts {@code --sample-ms}, and
 * each of its warm-up samples at least {@code --warmup-ms} (default 1000, as JMH's 1 s
 * iterations), so that the JIT has compiled the kernel before the measurement.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -Dditi4j.threads=2 -cp benchmarks.jar dev.diti4j.bench.StepRunner \
 *       --case dm-train --model '{...UNetConfig JSON...}' --batch 64 --image 32 --warmup 3 --steps 7
 *   ... --case unet-forward --model '{...}' --batch 32
 *   ... --case diti-train --model '{...}' --batch 64 --image 32 --latent 64 --subsets 16 [--lr 1e-4] [--ema 0.999]
 *       [--mode base]                        (DitiTrainer.step on the frozen U-Net --model, small encoder)
 *   ... --case gemm --n 1024
 *   ... --case conv-fwd --shape 32x64x32x32     (or conv-fwdbwd)
 *   ... --case fma-peak --seconds 1             (prints {"event":"fma-peak", "threads":..., "gflops":...})
 * </pre>
 *
 * Exit status 0 on success, 2 for a bad request (one line on stderr).
 */
public final class StepRunner {
    private StepRunner() {
    }

    /** The parsed command line. */
    record Request(String kind, UNetConfig model, int batch, int image, int warmup, int steps, long seed, int n,
            int[] shape, double sampleMs, double warmupMs, double seconds, int threads, int latent, int subsets,
            float lr, float ema, LossMode mode) {
    }

    public static void main(String[] args) throws Exception {
        try {
            run(parse(args), System.out);
        } catch (IllegalArgumentException e) {
            System.err.println("StepRunner: " + e.getMessage());
            System.exit(2);
        }
    }

    static Request parse(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
            }
            o.put(args[i].substring(2), args[++i]);
        }
        String kind = o.remove("case");
        if (kind == null) {
            throw new IllegalArgumentException("--case is required (dm-train, unet-forward, diti-train, gemm, "
                    + "conv-fwd, conv-fwdbwd, fma-peak)");
        }
        String modelJson = o.remove("model");
        String modelFile = o.remove("model-file");
        UNetConfig model = null;
        if (modelFile != null) {
            try {
                modelJson = Files.readString(Path.of(modelFile));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read --model-file " + modelFile + ": " + e.getMessage(), e);
            }
        }
        if (modelJson != null) {
            model = UNetConfig.fromJson(modelJson);
        }
        int[] shape = null;
        String s = o.remove("shape");
        if (s != null) {
            String[] d = s.split("x");
            if (d.length != 4) {
                throw new IllegalArgumentException("--shape must be NxCxHxW, got " + s);
            }
            shape = new int[4];
            for (int i = 0; i < 4; i++) {
                shape[i] = Integer.parseInt(d[i]);
            }
        }
        Request r = new Request(kind, model, intOpt(o, "batch", 32), intOpt(o, "image", 32), intOpt(o, "warmup", 3),
                intOpt(o, "steps", 7), Long.parseLong(o.getOrDefault("seed", "0")), intOpt(o, "n", 1024), shape,
                Double.parseDouble(o.getOrDefault("sample-ms", "100")),
                Double.parseDouble(o.getOrDefault("warmup-ms", "1000")),
                Double.parseDouble(o.getOrDefault("seconds", "1")), intOpt(o, "threads", Parallel.THREADS),
                intOpt(o, "latent", 64), intOpt(o, "subsets", 16), Float.parseFloat(o.getOrDefault("lr", "1e-4")),
                Float.parseFloat(o.getOrDefault("ema", "0.999")), LossMode.parse(o.getOrDefault("mode", "base")));
        o.keySet().removeAll(List.of("seed", "sample-ms", "warmup-ms", "seconds", "lr", "ema", "mode"));
        if (!o.isEmpty()) {
            throw new IllegalArgumentException("unknown option --" + o.keySet().iterator().next());
        }
        if (r.steps < 1 || r.warmup < 0) {
            throw new IllegalArgumentException("--steps must be >= 1 and --warmup >= 0");
        }
        if ((kind.equals("dm-train") || kind.equals("unet-forward") || kind.equals("diti-train")) && model == null) {
            throw new IllegalArgumentException("--case " + kind + " needs --model (UNetConfig JSON) or --model-file");
        }
        if (kind.startsWith("conv-") && shape == null) {
            throw new IllegalArgumentException("--case " + kind + " needs --shape NxCxHxW");
        }
        if (!kind.equals("fma-peak") && r.threads != Parallel.THREADS) {
            throw new IllegalArgumentException("--threads " + r.threads + " but the CPU backend runs "
                    + Parallel.THREADS + " threads: pass -Dditi4j.threads=" + r.threads + " to the JVM");
        }
        return r;
    }

    private static int intOpt(Map<String, String> o, String name, int dflt) {
        String v = o.remove(name);
        return v == null ? dflt : Integer.parseInt(v);
    }

    /** The case a request names. */
    static Workload workload(Request r) {
        return switch (r.kind) {
            case "dm-train" -> Workloads.dmTrain(r.model, r.batch, r.image, r.seed);
            case "unet-forward" -> Workloads.unetForward(r.model, r.batch, r.image, r.seed);
            case "diti-train" -> Workloads.ditiTrain(r.model, r.batch, r.image, r.latent, r.subsets, r.lr, r.ema, r.mode,
                    r.seed);
            case "gemm" -> Workloads.gemm(r.n);
            case "conv-fwd" -> Workloads.conv(r.shape[0], r.shape[1], r.shape[2], r.shape[3], false);
            case "conv-fwdbwd" -> Workloads.conv(r.shape[0], r.shape[1], r.shape[2], r.shape[3], true);
            default -> throw new IllegalArgumentException("unknown --case " + r.kind);
        };
    }

    /**
     * Runs the request, printing its JSON lines to {@code out}.
     *
     * @throws IllegalArgumentException (one sentence) when the case cannot be built
     */
    static void run(Request r, PrintStream out) throws InterruptedException {
        if (r.kind.equals("fma-peak")) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("event", "fma-peak");
            m.put("side", "diti4j");
            m.put("threads", r.threads);
            m.put("bits", FmaPeak.bits());
            m.put("chains", FmaPeak.CHAINS);
            m.put("gflops", FmaPeak.measure(r.threads, r.seconds));
            out.println(Json.write(m));
            out.flush();
            return;
        }
        Workload w = workload(r);
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("event", "info");
        info.put("side", "diti4j");
        info.put("case", r.kind);
        info.put("threads", Parallel.THREADS);
        info.put("params", w.parameters());
        info.put("param_sizes", w.parameterSizes());
        info.put("describe", w.describe());
        info.put("backend", Backends.cpu().describe());
        info.put("gemm", Gemm.describe());
        info.put("jvm", Runtime.version() + " (" + System.getProperty("java.vm.name") + ")");
        info.put("gc", String.join(",", gcNames()));
        info.put("heap_max_mib", Runtime.getRuntime().maxMemory() >> 20);
        out.println(Json.write(info));
        out.flush();

        // a long case: one call per sample; a short one: calls until the sample lasts sampleMs
        // (warm-up samples at least warmupMs, so that the JIT has compiled the kernel before measuring)
        double measureFor = w.longRunning() ? 0 : r.sampleMs * 1e-3;
        double warmFor = w.longRunning() ? 0 : Math.max(measureFor, r.warmupMs * 1e-3);
        List<Double> warm = new ArrayList<>();
        for (int i = 0; i < r.warmup; i++) {
            Sample s = sample(w, warmFor);
            warm.add(s.perCall());
            printSample(out, i, true, s);
        }
        long gc0 = gcMillis();
        long gcCount0 = gcCount();
        long t0 = System.nanoTime();
        List<Double> measured = new ArrayList<>();
        List<Long> calls = new ArrayList<>();
        for (int i = 0; i < r.steps; i++) {
            Sample s = sample(w, measureFor);
            measured.add(s.perCall());
            calls.add(s.calls());
            printSample(out, i, false, s);
        }
        double measuredS = (System.nanoTime() - t0) * 1e-9;
        double gcS = (gcMillis() - gc0) * 1e-3;

        Map<String, Object> res = new LinkedHashMap<>();
        res.put("event", "result");
        res.put("side", "diti4j");
        res.put("case", r.kind);
        res.put("threads", Parallel.THREADS);
        res.put("params", w.parameters());
        res.put("calls_per_sample", calls);
        res.put("samples_s", measured);
        res.put("warmup_s", warm);
        res.put("measured_s", measuredS);
        res.put("gc_s", gcS);
        res.put("gc_count", gcCount() - gcCount0);
        res.put("gc_share", measuredS > 0 ? gcS / measuredS : 0.0);
        res.put("vmhwm_kib", procStatusKib("VmHWM"));
        res.put("vmrss_kib", procStatusKib("VmRSS"));
        res.put("heap_used_mib", (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
        res.put("heap_committed_mib", Runtime.getRuntime().totalMemory() >> 20);
        out.println(Json.write(res));
        out.flush();
    }

    /** One timed sample: seconds per call over {@code calls} calls. */
    record Sample(double perCall, long calls) {
    }

    /** Calls {@code w} once, and again until at least {@code minSeconds} have passed. */
    private static Sample sample(Workload w, double minSeconds) {
        long t0 = System.nanoTime();
        long minNs = (long) (minSeconds * 1e9);
        long calls = 0;
        long elapsed;
        do {
            w.run();
            calls++;
            elapsed = System.nanoTime() - t0;
        } while (elapsed < minNs);
        return new Sample(elapsed * 1e-9 / calls, calls);
    }

    private static void printSample(PrintStream out, int i, boolean warmup, Sample s) {
        out.println(String.format(Locale.ROOT, "{\"event\":\"sample\",\"i\":%d,\"warmup\":%b,\"s\":%.9f,\"calls\":%d}",
                i, warmup, s.perCall(), s.calls()));
        out.flush();
    }

    private static List<String> gcNames() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName).toList();
    }

    /** Total collection time of all collectors so far (ms; -1 values count as 0). */
    private static long gcMillis() {
        long t = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            t += Math.max(0, b.getCollectionTime());
        }
        return t;
    }

    private static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, b.getCollectionCount());
        }
        return n;
    }

    /** A "Name:   123 kB" field of /proc/self/status in KiB, or -1 where there is no such file. */
    static long procStatusKib(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
