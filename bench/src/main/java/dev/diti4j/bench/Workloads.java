package dev.diti4j.bench;

import dev.diti4j.core.Device;
import dev.diti4j.core.GradMode;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.backend.Backend;
import dev.diti4j.core.backend.Backends;
import dev.diti4j.core.backend.Storage;
import dev.diti4j.core.cpu.Gemm;
import dev.diti4j.core.ops.Conv2dSpec;
import dev.diti4j.core.random.Philox;
import dev.diti4j.diffusion.train.DmSettings;
import dev.diti4j.diffusion.train.DmTrainer;
import dev.diti4j.diti.model.DitiModel;
import dev.diti4j.diti.model.EncoderConfig;
import dev.diti4j.diti.model.LossMode;
import dev.diti4j.diti.model.Partition;
import dev.diti4j.diti.train.DitiSettings;
import dev.diti4j.diti.train.DitiTrainer;
import dev.diti4j.nn.Module;
import dev.diti4j.nn.Parameter;
import dev.diti4j.nn.unet.UNet;
import dev.diti4j.nn.unet.UNetConfig;
import java.util.SplittableRandom;

/**
 * The cases {@link StepRunner} can time. Each mirrors one function of
 * {@code bench/pytorch/torch_step.py}, which does the same work in PyTorch.
 */
final class Workloads {
    private Workloads() {
    }

    /**
     * One DM training step exactly as {@code diti train-dm} runs it: {@link DmTrainer#step} with
     * the METHOD 9 stage-A settings ({@link DmSettings#recipe}: Adam 2e-4, uniform λ, so a plain
     * ε-MSE, no clipping, EMA 0.999 with warm-up). That is: t ~ U{0..999} and ε ~ N(0, I),
     * x_t = √ᾱ_t x_0 + √(1−ᾱ_t) ε, forward with dropout, mean((ε − ε_θ)²), backward, the global
     * gradient norm, AdamW, a non-finite check of the weights and the EMA update.
     *
     * @param x0 a fixed batch (B, C, H, W) uniform in [−1, 1), drawn from the seed
     */
    static Workload dmTrain(UNetConfig cfg, int batch, int side, long seed) {
        UNet model = new UNet(cfg, new Philox(seed));
        DmTrainer trainer = new DmTrainer(model, DmSettings.recipe(seed));
        Tensor x0 = uniformBatch(seed, cfg.inChannels(), batch, side);
        long params = model.parameterCount();
        return new Workload() {
            @Override
            public long[] parameterSizes() {
                return sizes(model);
            }

            @Override
            public void run() {
                trainer.step(x0);
            }

            @Override
            public long parameters() {
                return params;
            }

            @Override
            public String describe() {
                return "DmTrainer.step, " + cfg + ", batch " + batch + ", " + side + "x" + side;
            }
        };
    }

    /**
     * One denoising forward pass without gradients (evaluation mode: no dropout), as a sampler
     * calls it: ε_θ(x_t, t) for a batch of x_t ~ N(0, I) at t = 500.
     */
    static Workload unetForward(UNetConfig cfg, int batch, int side, long seed) {
        UNet model = new UNet(cfg, new Philox(seed));
        model.eval();
        Tensor x = Tensor.randn(new Philox(seed).fork(1), Device.CPU, batch, cfg.inChannels(), side, side);
        int[] t = new int[batch];
        java.util.Arrays.fill(t, 500);
        long params = model.parameterCount();
        return new Workload() {
            @Override
            public long[] parameterSizes() {
                return sizes(model);
            }

            @Override
            public void run() {
                try (GradMode off = GradMode.off(); Scope s = Scope.open()) {
                    model.forward(x, t);
                }
            }

            @Override
            public long parameters() {
                return params;
            }

            @Override
            public String describe() {
                return "UNet.forward (eval, no grad), " + cfg + ", batch " + batch + ", " + side + "x" + side;
            }
        };
    }

    /**
     * One DiTi training step exactly as {@code diti train} runs it: {@link DitiTrainer#step} on a
     * frozen U-Net of configuration {@code cfg} (its initial weights: the step does the same work
     * whatever the weights are), with the small encoder ({@link EncoderConfig#small}, latent size d),
     * k uniform subsets ({@link Partition#uniform}) and the loss mode given. That is (METHOD 4.7):
     * t ~ U{0..999} and ε ~ N(0, I); z = E(x_0) with a graph; x_t; one frozen pass of the U-Net
     * without graph and without dropout, which returns the encoder half's skips, bottleneck and e_t
     * and ε_θ computed from them; the condition z ⊙ M[i(t)]; G from the shift decoder on those same
     * features; mean(λ_t (ε − ε_θ − c_t G)²) and the frozen model's own weighted loss; the per-sample
     * losses into the loss-reduction histogram; backward into the encoder and the shift decoder only;
     * a finiteness check of every gradient; Adam (no weight decay, no clipping); a finiteness check of
     * the weights; the EMA update of the encoder and the shift decoder.
     *
     * @param latent  d, the length of z
     * @param subsets k, the number of uniform subsets
     */
    static Workload ditiTrain(UNetConfig cfg, int batch, int side, int latent, int subsets, float lr, float ema,
            LossMode mode, long seed) {
        UNet dm = new UNet(cfg, new Philox(seed).fork(3));
        long frozenParams = dm.parameterCount();
        EncoderConfig enc = EncoderConfig.small(cfg.inChannels(), side, latent);
        DitiSettings settings = new DitiSettings(seed, lr, ema, mode, 10);
        DitiTrainer trainer = new DitiTrainer(dm, DmSettings.recipe(seed), enc, Partition.uniform(subsets, latent),
                settings);
        DitiModel model = trainer.model();
        Tensor x0 = uniformBatch(seed, cfg.inChannels(), batch, side);
        long params = model.parameterCount();
        long encoderParams = model.encoder().parameterCount();
        long shiftParams = model.shiftDecoder().parameterCount();
        return new Workload() {
            @Override
            public long[] parameterSizes() {
                return sizes(model);
            }

            @Override
            public void run() {
                trainer.step(x0);
            }

            @Override
            public long parameters() {
                return params;
            }

            @Override
            public String describe() {
                return "DitiTrainer.step, frozen U-Net " + cfg + " (" + frozenParams + " parameters), encoder "
                        + enc.toJson() + " (" + encoderParams + "), shift decoder (" + shiftParams + "), k = "
                        + subsets + " uniform, " + mode + " mode, lr " + lr + ", EMA " + ema + ", batch " + batch
                        + ", " + side + "x" + side;
            }
        };
    }

    /** C (n, n) = A B on every thread of the CPU backend, as {@link GemmBench}. */
    static Workload gemm(int n) {
        SplittableRandom rng = new SplittableRandom(1);
        float[] a = BenchData.gaussian(rng, n * n);
        float[] b = BenchData.gaussian(rng, n * n);
        float[] c = new float[n * n];
        return new Workload() {
            @Override
            public void run() {
                Gemm.sgemm(false, false, n, n, n, a, 0, n, b, 0, n, c, 0, n, false);
            }

            @Override
            public boolean longRunning() {
                return false;
            }

            @Override
            public String describe() {
                return "sgemm n=" + n;
            }
        };
    }

    /**
     * A 3x3 convolution, stride 1, padding 1, with bias, C -> C channels on an (N, C, H, W) input,
     * as {@link ConvBench}: the forward alone, or forward, input gradient and filter and bias
     * gradients.
     */
    static Workload conv(int n, int c, int h, int w, boolean backward) {
        Conv2dSpec spec = new Conv2dSpec(n, c, h, w, c, 3, 3, 1, 1);
        Backend be = Backends.cpu();
        SplittableRandom rng = new SplittableRandom(3);
        float[] wv = BenchData.gaussian(rng, c * c * 9);
        for (int i = 0; i < wv.length; i++) {
            wv[i] /= (float) Math.sqrt(c * 9.0);
        }
        Storage x = upload(be, BenchData.gaussian(rng, n * c * h * w));
        Storage wt = upload(be, wv);
        Storage bias = upload(be, new float[c]);
        Storage gy = upload(be, BenchData.gaussian(rng, n * c * spec.oh() * spec.ow()));
        Storage y = be.allocate((long) n * c * spec.oh() * spec.ow());
        Storage gx = be.allocate((long) n * c * h * w);
        Storage gw = be.allocate((long) c * c * 9);
        Storage gb = be.allocate(c);
        return new Workload() {
            @Override
            public void run() {
                be.conv2d(spec, x, wt, bias, y);
                if (backward) {
                    be.conv2dBackwardInput(spec, gy, wt, gx);
                    be.conv2dBackwardFilter(spec, x, gy, gw, gb);
                }
            }

            @Override
            public boolean longRunning() {
                return false;
            }

            @Override
            public String describe() {
                return "conv3x3 " + (backward ? "fwd+bwd " : "fwd ") + n + "x" + c + "->" + c + "@" + h + "x" + w;
            }
        };
    }

    /** The element counts of the model's trainable parameters, ascending. */
    static long[] sizes(Module model) {
        return model.trainableParameters().stream().mapToLong(Parameter::numel).sorted().toArray();
    }

    private static Storage upload(Backend be, float[] v) {
        return be.upload(v, v.length);
    }

    /** (B, C, side, side) uniform in [−1, 1) from the seed: the "clean images" of a step. */
    static Tensor uniformBatch(long seed, int channels, int batch, int side) {
        try (GradMode off = GradMode.off(); Scope s = Scope.open()) {
            Tensor u = Tensor.rand(new Philox(seed).fork(2), Device.CPU, batch, channels, side, side);
            return s.keep(u.mul(2f).sub(1f));
        }
    }
}
