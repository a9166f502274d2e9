package dev.diti4j.bench;

import dev.diti4j.core.Device;
import dev.diti4j.core.GradMode;
import dev.diti4j.core.Gradients;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.backend.Backend;
import dev.diti4j.core.backend.Backends;
import dev.diti4j.core.backend.MemoryStats;
import dev.diti4j.core.random.Philox;
import dev.diti4j.diffusion.EpsilonLoss;
import dev.diti4j.diffusion.train.DmSettings;
import dev.diti4j.diffusion.train.DmTrainer;
import dev.diti4j.nn.unet.UNet;
import dev.diti4j.nn.unet.UNetConfig;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Memory of DM training steps, measured in-process: runs N steps of {@link DmTrainer} (forward,
 * backward, AdamW, EMA: what {@code train-dm} runs) on one fixed random batch and prints, per
 * step, the process's resident set (VmRSS) and its peak during the step (VmHWM, reset before each
 * step through {@code /proc/self/clear_refs}), the Java heap (used after the step, committed),
 * the CPU pool (live and pooled bytes after the step, the peak of live bytes during it, fresh
 * allocations) and the collector's count and time in the step. Then one extra step split into its
 * phases: the live bytes after the forward pass (activations and the graph), the peak during the
 * backward pass, and the live bytes once it returned. A benchmark, not a test: wall times are
 * printed only to show where GC stands against a step.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.diti4j.bench.StepMemory \
 *        [--model method9|adm|tiny] [--batch B] [--steps N] [--image-size S]
 * </pre>
 *
 * {@code method9}: the METHOD 9 U-Net (base 32, [1,2,2], 1 res block, attention at ds 4, GN 8,
 * dropout 0.1; 1x32x32, batch 64 by default). {@code adm}: the ADM base (base 64, [1,2,2], 2 res
 * blocks, attention at 16 px = ds 2, 4 heads, GN 32, dropout 0.1; 3x32x32, batch 32).
 */
public final class StepMemory {
    private StepMemory() {
    }

    public static void main(String[] args) throws IOException {
        String model = "method9";
        int batch = -1;
        int steps = 6;
        int size = 32;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--model" -> model = args[++i];
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--image-size" -> size = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (use --model method9|adm|tiny, --batch, --steps, --image-size)");
            }
        }
        UNetConfig cfg = switch (model) {
            case "method9" -> UNetConfig.fashionMnist();
            case "adm" -> new UNetConfig(3, 3, 64, new int[] {1, 2, 2}, 2, new int[] {2}, 4, 0.1f, 32);
            case "tiny" -> UNetConfig.tinyTest();
            default -> throw new IllegalArgumentException("unknown model " + model + " (method9, adm, tiny)");
        };
        if (batch < 0) {
            batch = model.equals("adm") ? 32 : 64;
        }
        Backend be = Backends.get(Device.CPU);
        UNet net = new UNet(cfg, Device.CPU, new Philox(1));
        DmTrainer trainer = new DmTrainer(net, DmSettings.recipe(7));
        Tensor x0;
        try (Scope s = Scope.open()) {
            x0 = s.keep(Tensor.rand(new Philox(2), be, batch, cfg.inChannels(), size, size).mul(2f).sub(1f));
        }
        System.out.printf(Locale.ROOT, "model %s: %,d parameters, batch %d x %d x %d x %d; %s; max heap %s; %s%n",
                model, net.parameterCount(), batch, cfg.inChannels(), size, size, be.describe(),
                mib(Runtime.getRuntime().maxMemory()), gcNames());
        System.out.printf(Locale.ROOT, "after setup: %s, %s%n", proc(), pool(be.memoryStats()));
        System.out.println("step  rss_MiB  hwm_MiB  heap_used_MiB  heap_committed_MiB  pool_live_MiB  pool_pooled_MiB"
                + "  pool_peak_MiB  fresh_allocs  gc_count  gc_ms  step_ms");
        for (int step = 1; step <= steps; step++) {
            resetHwm();
            be.resetPeakLiveBytes();
            long gcCount = gcCount();
            long gcMs = gcMillis();
            long t0 = System.nanoTime();
            trainer.step(x0);
            double ms = (System.nanoTime() - t0) / 1e6;
            MemoryStats m = be.memoryStats();
            MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            long[] st = status();
            System.out.printf(Locale.ROOT, "%4d %8.0f %8.0f %14.0f %19.0f %14.1f %16.1f %14.1f %13d %9d %6d %8.0f%n",
                    step, st[0] / 1024.0, st[1] / 1024.0, heap.getUsed() / 1048576.0, heap.getCommitted() / 1048576.0,
                    m.liveBytes() / 1048576.0, m.pooledBytes() / 1048576.0, m.peakLiveBytes() / 1048576.0,
                    m.allocations(), gcCount() - gcCount, gcMillis() - gcMs, ms);
        }
        phases(trainer, x0, be);
    }

    /** One more step's forward and backward, with the live bytes at each boundary. */
    private static void phases(DmTrainer trainer, Tensor x0, Backend be) {
        long before = be.memoryStats().liveBytes();
        EpsilonLoss loss = new EpsilonLoss(trainer.schedule(), trainer.settings().lossWeights());
        try (Scope s = Scope.open()) {
            be.resetPeakLiveBytes();
            EpsilonLoss.Sampled l = loss.sample(trainer.model()::forward, x0, new Philox(99));
            MemoryStats fwd = be.memoryStats();
            be.resetPeakLiveBytes();
            Gradients g = l.loss().backward();
            MemoryStats bwd = be.memoryStats();
            long gradBytes = 0;
            for (Tensor leaf : g.leaves()) {
                gradBytes += 4 * leaf.numel();
            }
            System.out.printf(Locale.ROOT, "phases: before %.1f MiB; after forward %.1f MiB live (forward peak %.1f);"
                    + " backward peak %.1f MiB; after backward %.1f MiB live, of which %.1f MiB parameter gradients;"
                    + " %d tensors owned by the step's scope%n", before / 1048576.0, fwd.liveBytes() / 1048576.0,
                    fwd.peakLiveBytes() / 1048576.0, bwd.peakLiveBytes() / 1048576.0, bwd.liveBytes() / 1048576.0,
                    gradBytes / 1048576.0, s.ownedCount());
        }
        try (GradMode off = GradMode.off()) {
            System.out.printf(Locale.ROOT, "after the phase step: %s, %s%n", proc(), pool(be.memoryStats()));
        }
    }

    private static String pool(MemoryStats m) {
        return String.format(Locale.ROOT, "pool live %.1f MiB, pooled %.1f MiB", m.liveBytes() / 1048576.0,
                m.pooledBytes() / 1048576.0);
    }

    private static String proc() {
        long[] st = status();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return String.format(Locale.ROOT, "VmRSS %.0f MiB, VmHWM %.0f MiB, heap used %.0f / committed %.0f MiB",
                st[0] / 1024.0, st[1] / 1024.0, heap.getUsed() / 1048576.0, heap.getCommitted() / 1048576.0);
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.0f MiB", bytes / 1048576.0);
    }

    /** VmRSS and VmHWM in KiB (-1 where /proc is not there). */
    private static long[] status() {
        long rss = -1;
        long hwm = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = kib(line);
                } else if (line.startsWith("VmHWM:")) {
                    hwm = kib(line);
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return new long[] {rss, hwm};
    }

    private static long kib(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }

    /** Resets VmHWM to the current RSS (Linux: writing 5 to clear_refs), so it gives this step's peak. */
    private static void resetHwm() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | UnsupportedOperationException e) {
            // then VmHWM is the peak since start
        }
    }

    private static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, b.getCollectionCount());
        }
        return n;
    }

    private static long gcMillis() {
        long n = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, b.getCollectionTime());
        }
        return n;
    }

    private static String gcNames() {
        StringBuilder sb = new StringBuilder("collectors");
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            sb.append(' ').append(b.getName().replace(' ', '_'));
        }
        return sb.toString();
    }
}
