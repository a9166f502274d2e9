package dev.diti4j.nn.layers;

import static dev.diti4j.nn.GradCheck.check;
import static dev.diti4j.nn.GradCheck.input;
import static dev.diti4j.nn.GradCheck.leaves;
import static dev.diti4j.nn.GradCheck.randomize;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Finite-difference checks of every layer's backward (inputs and all parameters). */
class LayerGradientTest {
    private static final Device CPU = Device.CPU;

    private static Map<String, Tensor> with(Map<String, Tensor> params, Object... namedLeaves) {
        var out = new java.util.LinkedHashMap<String, Tensor>();
        for (int i = 0; i < namedLeaves.length; i += 2) {
            out.put((String) namedLeaves[i], (Tensor) namedLeaves[i + 1]);
        }
        out.putAll(params);
        return out;
    }

    @Test
    void linear() {
        Philox rng = new Philox(1);
        Linear lin = new Linear(5, 4, CPU, rng);
        Tensor x = input(rng, 3, 5);
        check("Linear", () -> lin.forward(x), with(leaves(lin), "x", x), 4, 11);
        Tensor x3 = input(rng, 2, 3, 5);
        check("Linear on (2,3,5)", () -> lin.forward(x3), with(leaves(lin), "x", x3), 3, 12);
        Linear noBias = new Linear(5, 2, false, CPU, rng);
        check("Linear without bias", () -> noBias.forward(x), with(leaves(noBias), "x", x), 3, 13);
    }

    @Test
    void conv2d() {
        Philox rng = new Philox(2);
        Conv2d strided = new Conv2d(3, 4, 3, 2, 1, true, CPU, rng);
        Tensor x = input(rng, 2, 3, 7, 7);
        check("Conv2d 3x3 stride 2 pad 1", () -> strided.forward(x), with(leaves(strided), "x", x), 4, 21);
        Conv2d pointwise = new Conv2d(3, 5, 1, 1, 0, false, CPU, rng);
        check("Conv2d 1x1 no bias", () -> pointwise.forward(x), with(leaves(pointwise), "x", x), 4, 22);
        Conv2d same = Conv2d.conv3x3(3, 2, CPU, rng);
        Tensor y = input(rng, 1, 3, 4, 5);
        check("Conv2d 3x3 pad 1", () -> same.forward(y), with(leaves(same), "x", y), 4, 23);
    }

    @Test
    void groupNorm() {
        Philox rng = new Philox(3);
        GroupNorm gn = new GroupNorm(6, 3, CPU);
        randomize(gn, rng);
        Tensor x = input(rng, 2, 6, 3, 3);
        check("GroupNorm affine", () -> gn.forward(x), with(leaves(gn), "x", x), 5, 31);
        GroupNorm plain = new GroupNorm(6, 2, 1e-5f, false, CPU);
        check("GroupNorm without affine", () -> plain.forward(x), with(leaves(plain), "x", x), 5, 32);
    }

    @Test
    void silu() {
        Philox rng = new Philox(4);
        SiLU act = new SiLU();
        Tensor x = input(rng, 3, 7);
        check("SiLU", () -> act.forward(x), Map.of("x", x), 6, 41);
    }

    @Test
    void dropoutWithAFixedMask() {
        Philox rng = new Philox(5);
        Dropout drop = new Dropout(0.3f);
        Tensor x = input(rng, 4, 9);
        // a fresh generator per call gives the same mask for every evaluation
        check("Dropout(0.3) in training mode", () -> {
            drop.setDropoutRng(new Philox(99));
            return drop.forward(x);
        }, Map.of("x", x), 6, 51);
    }

    @Test
    void attention() {
        Philox rng = new Philox(6);
        AttentionBlock attn = new AttentionBlock(8, 2, 4, CPU, rng);
        randomize(attn, rng);
        Tensor x = input(rng, 2, 8, 3, 3);
        check("AttentionBlock(8 ch, 2 heads)", () -> attn.forward(x), with(leaves(attn), "x", x), 3, 61);
    }

    @Test
    void resBlocks() {
        Philox rng = new Philox(7);
        Tensor et = input(rng, 2, 12);
        ResBlock widen = new ResBlock(4, 6, 12, 0f, 2, CPU, rng);
        randomize(widen, rng);
        Tensor x4 = input(rng, 2, 4, 4, 4);
        check("ResBlock 4->6", () -> widen.forward(x4, et), with(leaves(widen), "x", x4, "e_t", et), 3, 71);

        ResBlock down = new ResBlock(4, 4, 12, 0f, 2, Resample.DOWN, false, CPU, rng);
        randomize(down, rng);
        check("ResBlock down", () -> down.forward(x4, et), with(leaves(down), "x", x4, "e_t", et), 3, 72);

        // one group: with one channel per group GN would cancel conv1's bias exactly (zero gradient)
        ResBlock up = new ResBlock(4, 2, 12, 0f, 1, Resample.UP, false, CPU, rng);
        randomize(up, rng);
        check("ResBlock up 4->2", () -> up.forward(x4, et), with(leaves(up), "x", x4, "e_t", et), 3, 73);

        Tensor ez = input(rng, 2, 12);
        ResBlock shift = new ResBlock(4, 6, 12, 0f, 2, Resample.DOWN, true, CPU, rng);
        randomize(shift, rng);
        check("z-modulated ResBlock down 4->6", () -> shift.forward(x4, et, ez),
                with(leaves(shift), "x", x4, "e_t", et, "e_z", ez), 3, 74);
    }

    @Test
    void resBlockWithDropout() {
        Philox rng = new Philox(8);
        Tensor et = input(rng, 2, 8);
        ResBlock block = new ResBlock(4, 4, 8, 0.25f, 2, CPU, rng);
        randomize(block, rng);
        Tensor x = input(rng, 2, 4, 3, 3);
        check("ResBlock with dropout 0.25", () -> {
            block.setDropoutRng(new Philox(5));
            return block.forward(x, et);
        }, with(leaves(block), "x", x, "e_t", et), 3, 81);
    }

    @Test
    void timeEmbedding() {
        Philox rng = new Philox(9);
        TimeEmbedding te = new TimeEmbedding(8, CPU, rng);
        int[] t = {0, 17, 999};
        check("TimeEmbedding MLP", () -> te.forward(t), leaves(te), 4, 91);
    }
}
