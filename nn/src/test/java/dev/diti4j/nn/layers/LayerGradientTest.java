package dev.diti4j.nn.layers;

import static dev.diti4j.nn.GradCheck.check;
import static dev.diti4j.nn.GradCheck.input;
import static dev.diti4j.nn.GradCheck.leaves;
import static dev.diti4j.nn.GradCheck.randomize;
import static dev.diti4j.nn.GradCheck.reference;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Finite-difference checks of every layer's backward, inputs and all parameters, in double
 * precision on the reference backend (see {@link dev.diti4j.nn.GradCheck}). Every layer is built
 * inside {@code reference(...)}, so its parameters live there too. Sizes are odd or uneven where
 * the layer allows it, so a wrong stride, padding or index shows up.
 */
class LayerGradientTest {
    private static final Device CPU = Device.CPU;
    /** Coordinates per leaf: the layers are small enough to check most of them. */
    private static final int COORDS = 48;

    @Test
    void linear() {
        reference(() -> {
            Philox rng = new Philox(1);
            Linear lin = new Linear(5, 4, CPU, rng);
            Tensor x = input(rng, 3, 5);
            check("Linear(5 -> 4) on (3,5)", () -> lin.forward(x), leaves(lin, "x", x), COORDS, 11);
            Tensor x3 = input(rng, 2, 3, 5);
            check("Linear(5 -> 4) on (2,3,5)", () -> lin.forward(x3), leaves(lin, "x", x3), COORDS, 12);
            Linear noBias = new Linear(5, 2, false, CPU, rng);
            check("Linear(5 -> 2) without bias", () -> noBias.forward(x), leaves(noBias, "x", x), COORDS, 13);
        });
    }

    @Test
    void conv2d() {
        reference(() -> {
            Philox rng = new Philox(2);
            Conv2d strided = new Conv2d(3, 4, 3, 2, 1, true, CPU, rng);
            Tensor x = input(rng, 2, 3, 7, 7);
            check("Conv2d 3x3 stride 2 pad 1 on 7x7", () -> strided.forward(x), leaves(strided, "x", x), COORDS, 21);
            Conv2d unpadded = new Conv2d(3, 2, 3, 2, 0, true, CPU, rng);
            Tensor odd = input(rng, 2, 3, 6, 5);
            check("Conv2d 3x3 stride 2 pad 0 on 6x5", () -> unpadded.forward(odd), leaves(unpadded, "x", odd), COORDS,
                    22);
            Conv2d patch = new Conv2d(2, 3, 2, 2, 0, true, CPU, rng);
            Tensor ragged = input(rng, 1, 2, 5, 4);
            check("Conv2d 2x2 stride 2 on 5x4", () -> patch.forward(ragged), leaves(patch, "x", ragged), COORDS, 23);
            Conv2d pointwise = new Conv2d(3, 5, 1, 1, 0, false, CPU, rng);
            check("Conv2d 1x1 without bias", () -> pointwise.forward(x), leaves(pointwise, "x", x), COORDS, 24);
            Conv2d same = Conv2d.conv3x3(3, 2, CPU, rng);
            Tensor y = input(rng, 1, 3, 4, 5);
            check("Conv2d 3x3 pad 1 on 4x5", () -> same.forward(y), leaves(same, "x", y), COORDS, 25);
        });
    }

    @Test
    void groupNorm() {
        reference(() -> {
            Philox rng = new Philox(3);
            GroupNorm gn = new GroupNorm(6, 3, CPU);
            randomize(gn, rng);
            Tensor x = input(rng, 2, 6, 3, 3);
            check("GroupNorm(6 ch, 3 groups)", () -> gn.forward(x), leaves(gn, "x", x), COORDS, 31);
            GroupNorm plain = new GroupNorm(6, 2, 1e-5f, false, CPU);
            check("GroupNorm(6 ch, 2 groups) without affine", () -> plain.forward(x), Map.of("x", x), COORDS, 32);
            GroupNorm one = new GroupNorm(4, 1, CPU);
            randomize(one, rng);
            Tensor seq = input(rng, 3, 4, 5);
            check("GroupNorm(4 ch, 1 group) on (3,4,5)", () -> one.forward(seq), leaves(one, "x", seq), COORDS, 33);
            GroupNorm perChannel = new GroupNorm(3, 3, 1e-3f, true, CPU);
            randomize(perChannel, rng);
            Tensor z = input(rng, 2, 3, 2, 3);
            check("GroupNorm(3 ch, 3 groups, eps 1e-3)", () -> perChannel.forward(z), leaves(perChannel, "x", z), COORDS,
                    34);
        });
    }

    @Test
    void silu() {
        reference(() -> {
            Tensor x = input(new Philox(4), 3, 7);
            SiLU act = new SiLU();
            check("SiLU", () -> act.forward(x), Map.of("x", x), COORDS, 41);
        });
    }

    @Test
    void dropoutWithAFixedMask() {
        reference(() -> {
            Dropout drop = new Dropout(0.3f);
            Tensor x = input(new Philox(5), 4, 9);
            // a fresh generator per call: the same mask for every evaluation
            java.util.function.Supplier<Tensor> f = () -> {
                drop.setDropoutRng(new Philox(99));
                return drop.forward(x);
            };
            int zeros = 0;
            for (float v : f.get().toArray()) {
                zeros += v == 0f ? 1 : 0;
            }
            assertTrue(zeros > 0 && zeros < 36, "the mask drops some but not all of 36 elements: " + zeros);
            check("Dropout(0.3) in training mode", f, Map.of("x", x), COORDS, 51);
        });
    }

    @Test
    void attention() {
        reference(() -> {
            Philox rng = new Philox(6);
            AttentionBlock attn = new AttentionBlock(8, 2, 4, CPU, rng);
            randomize(attn, rng); // proj_out is zero at init
            Tensor x = input(rng, 2, 8, 3, 3);
            check("AttentionBlock(8 ch, 2 heads) on 3x3", () -> attn.forward(x), leaves(attn, "x", x), COORDS, 61);
            AttentionBlock single = new AttentionBlock(6, 1, 3, CPU, rng);
            randomize(single, rng);
            Tensor y = input(rng, 1, 6, 2, 3);
            check("AttentionBlock(6 ch, 1 head) on 2x3", () -> single.forward(y), leaves(single, "x", y), COORDS, 62);
        });
    }

    @Test
    void resBlocks() {
        reference(() -> {
            Philox rng = new Philox(7);
            Tensor et = input(rng, 2, 12);
            Tensor x4 = input(rng, 2, 4, 4, 4);
            ResBlock same = new ResBlock(4, 4, 12, 0f, 2, CPU, rng);
            randomize(same, rng);
            check("ResBlock 4 -> 4 (identity skip)", () -> same.forward(x4, et), leaves(same, "x", x4, "e_t", et),
                    COORDS, 70);

            ResBlock widen = new ResBlock(4, 6, 12, 0f, 2, CPU, rng);
            randomize(widen, rng);
            check("ResBlock 4 -> 6 (1x1 skip)", () -> widen.forward(x4, et), leaves(widen, "x", x4, "e_t", et), COORDS,
                    71);

            ResBlock down = new ResBlock(4, 4, 12, 0f, 2, Resample.DOWN, false, CPU, rng);
            randomize(down, rng);
            check("ResBlock down 4 -> 4", () -> down.forward(x4, et), leaves(down, "x", x4, "e_t", et), COORDS, 72);

            // one group: with one channel per group GN would cancel conv1's bias exactly (zero gradient)
            ResBlock up = new ResBlock(4, 2, 12, 0f, 1, Resample.UP, false, CPU, rng);
            randomize(up, rng);
            Tensor x3 = input(rng, 2, 4, 3, 2);
            check("ResBlock up 4 -> 2 on 3x2", () -> up.forward(x3, et), leaves(up, "x", x3, "e_t", et), COORDS, 73);
        });
    }

    @Test
    void zModulatedResBlocks() {
        reference(() -> {
            Philox rng = new Philox(17);
            Tensor et = input(rng, 2, 12);
            Tensor ez = input(rng, 2, 12);
            Tensor x4 = input(rng, 2, 4, 4, 4);
            ResBlock plain = new ResBlock(4, 4, 12, 0f, 2, Resample.NONE, true, CPU, rng);
            randomize(plain, rng);
            check("z-modulated ResBlock 4 -> 4", () -> plain.forward(x4, et, ez),
                    leaves(plain, "x", x4, "e_t", et, "e_z", ez), COORDS, 74);

            ResBlock down = new ResBlock(4, 6, 12, 0f, 2, Resample.DOWN, true, CPU, rng);
            randomize(down, rng);
            check("z-modulated ResBlock down 4 -> 6", () -> down.forward(x4, et, ez),
                    leaves(down, "x", x4, "e_t", et, "e_z", ez), COORDS, 75);

            ResBlock up = new ResBlock(4, 4, 12, 0f, 2, Resample.UP, true, CPU, rng);
            randomize(up, rng);
            Tensor x2 = input(rng, 2, 4, 2, 3);
            check("z-modulated ResBlock up 4 -> 4 on 2x3", () -> up.forward(x2, et, ez),
                    leaves(up, "x", x2, "e_t", et, "e_z", ez), COORDS, 76);
        });
    }

    @Test
    void resBlockWithDropout() {
        reference(() -> {
            Philox rng = new Philox(8);
            Tensor et = input(rng, 2, 8);
            ResBlock block = new ResBlock(4, 4, 8, 0.25f, 2, CPU, rng);
            randomize(block, rng);
            Tensor x = input(rng, 2, 4, 3, 3);
            check("ResBlock with dropout 0.25", () -> {
                block.setDropoutRng(new Philox(5));
                return block.forward(x, et);
            }, leaves(block, "x", x, "e_t", et), COORDS, 81);
        });
    }

    @Test
    void timeEmbeddingMlp() {
        reference(() -> {
            TimeEmbedding te = new TimeEmbedding(8, CPU, new Philox(9));
            int[] t = {0, 17, 999};
            check("TimeEmbedding(8) MLP", () -> te.forward(t), leaves(te), COORDS, 91);
        });
    }
}
