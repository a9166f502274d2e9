package dev.diti4j.nn.unet;

import static dev.diti4j.nn.GradCheck.check;
import static dev.diti4j.nn.GradCheck.input;
import static dev.diti4j.nn.GradCheck.leaves;
import static dev.diti4j.nn.GradCheck.randomize;
import static dev.diti4j.nn.GradCheck.reference;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.diti4j.core.Device;
import dev.diti4j.core.GradMode;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.nn.Module;
import dev.diti4j.nn.layers.Linear;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Finite-difference checks, in double precision on the reference backend, of the U-Net's parts
 * (encoder, middle block, decoder, output head, plain and z-modulated), of the whole tiny U-Net,
 * and of the PDAE shift branch of METHOD.md 2.2 with respect to z. Composite checks sample
 * five coordinates per parameter tensor (the largest gradient, the first, the last and
 * random ones), so every tensor of the model is touched.
 *
 * <p>{@link UNetConfig#tinyTest()}: base 8, mult [1, 2], one ResBlock per level, attention at
 * down-sampling 2 (2 heads), 4 groups, e_t of width 32. On a 4x4 image the skips are
 * 8@4x4, 8@4x4, 8@2x2, 16@2x2 and the bottleneck is 16@2x2.
 */
class UNetGradientTest {
    private static final Device CPU = Device.CPU;
    private static final UNetConfig TINY = UNetConfig.tinyTest();
    /** Coordinates per parameter tensor in the composite checks. */
    private static final int COORDS = 5;

    /** The encoder's skips for a (2, 3, 4, 4) input, as leaves. */
    private static List<Tensor> skipLeaves(Philox rng) {
        int[][] dims = {{2, 8, 4, 4}, {2, 8, 4, 4}, {2, 8, 2, 2}, {2, 16, 2, 2}};
        List<Tensor> skips = new ArrayList<>();
        for (int[] d : dims) {
            skips.add(input(rng, d));
        }
        return skips;
    }

    private static Map<String, Tensor> skipMap(List<Tensor> skips) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i < skips.size(); i++) {
            m.put("skip" + i, skips.get(i));
        }
        return m;
    }

    @Test
    void encoder() {
        reference(() -> {
            Philox rng = new Philox(1);
            Encoder enc = new Encoder(TINY, CPU, rng);
            randomize(enc, rng);
            Tensor x = input(rng, 2, 3, 4, 4);
            Tensor et = input(rng, 2, TINY.embDim());
            // every skip flattened and concatenated, so each one enters L with its own weights
            Supplier<Tensor> f = () -> {
                List<Tensor> skips = enc.forward(x, et);
                Tensor[] flat = skips.stream().map(s -> s.reshape(2, -1)).toArray(Tensor[]::new);
                return Tensor.concat(1, flat);
            };
            check("Encoder (tiny) on 4x4, all skips", f, leaves(enc, "x", x, "e_t", et), COORDS, 1);
        });
    }

    @Test
    void middleBlocks() {
        reference(() -> {
            Philox rng = new Philox(2);
            Tensor h = input(rng, 2, 16, 2, 2);
            Tensor et = input(rng, 2, TINY.embDim());
            Tensor ez = input(rng, 2, TINY.embDim());
            MiddleBlock mid = new MiddleBlock(TINY, false, CPU, rng);
            randomize(mid, rng);
            check("MiddleBlock (tiny)", () -> mid.forward(h, et, null), leaves(mid, "h", h, "e_t", et), COORDS, 2);
            MiddleBlock midZ = new MiddleBlock(TINY, true, CPU, rng);
            randomize(midZ, rng);
            check("z-modulated MiddleBlock (tiny)", () -> midZ.forward(h, et, ez),
                    leaves(midZ, "h", h, "e_t", et, "e_z", ez), COORDS, 3);
        });
    }

    @Test
    void decoders() {
        reference(() -> {
            Philox rng = new Philox(4);
            Tensor h = input(rng, 2, 16, 2, 2);
            List<Tensor> skips = skipLeaves(rng);
            Tensor et = input(rng, 2, TINY.embDim());
            Tensor ez = input(rng, 2, TINY.embDim());
            Decoder dec = new Decoder(TINY, false, CPU, rng);
            randomize(dec, rng);
            Map<String, Tensor> plain = leaves(dec, "h", h, "e_t", et);
            plain.putAll(skipMap(skips));
            check("Decoder (tiny)", () -> dec.forward(h, skips, et, null), plain, COORDS, 4);
            Decoder decZ = new Decoder(TINY, true, CPU, rng);
            randomize(decZ, rng);
            Map<String, Tensor> shifted = leaves(decZ, "h", h, "e_t", et, "e_z", ez);
            shifted.putAll(skipMap(skips));
            check("z-modulated Decoder (tiny)", () -> decZ.forward(h, skips, et, ez), shifted, COORDS, 5);
        });
    }

    @Test
    void outputHead() {
        reference(() -> {
            Philox rng = new Philox(6);
            OutputHead head = new OutputHead(8, 3, 4, CPU, rng);
            randomize(head, rng); // the output conv is zero at init
            Tensor h = input(rng, 2, 8, 4, 4);
            check("OutputHead 8 -> 3", () -> head.forward(h), leaves(head, "h", h), 48, 6);
        });
    }

    @Test
    void wholeTinyUNetWithDropout() {
        reference(() -> {
            UNet net = new UNet(TINY.withDropout(0.2f), new Philox(11));
            randomize(net, new Philox(12));
            Tensor x = input(new Philox(13), 2, 3, 4, 4);
            int[] t = {3, 640};
            Supplier<Tensor> f = () -> {
                net.setDropoutRng(new Philox(14)); // the same masks for every evaluation
                return net.forward(x, t);
            };
            Map<String, Tensor> all = leaves(net);
            Map<String, Tensor> withX = new LinkedHashMap<>();
            withX.put("x", x);
            withX.putAll(all);
            // x gets COORDS coordinates like every parameter tensor; check it more densely on its own
            check("tiny U-Net (dropout 0.2), input and every parameter tensor", f, withX, COORDS, 15);
            check("tiny U-Net, input", f, Map.of("x", x), 32, 16);
        });
    }

    @Test
    void shiftBranchOnFrozenFeaturesWithRespectToZ() {
        // the PDAE shift decoder of METHOD.md 2.2 assembled from the public blocks
        reference(() -> {
            UNet frozen = new UNet(TINY, new Philox(21));
            randomize(frozen, new Philox(22));
            frozen.freeze().eval();
            Philox rng = new Philox(23);
            Linear labelEmb = new Linear(5, TINY.embDim(), CPU, rng);
            MiddleBlock mid = new MiddleBlock(TINY, true, CPU, rng);
            Decoder dec = new Decoder(TINY, true, CPU, rng);
            OutputHead head = new OutputHead(TINY.channels(0), TINY.inChannels(), TINY.groups(), CPU, rng);
            Tensor x = Tensor.randn(new Philox(24), CPU, 2, 3, 4, 4);
            Features f;
            try (GradMode ng = GradMode.off()) {
                f = frozen.encode(x, new int[] {100, 700});
            }
            Tensor z = input(new Philox(25), 2, 5);
            Supplier<Tensor> shift = () -> {
                Tensor ez = labelEmb.forward(z);
                return head.forward(dec.forward(mid.forward(f.bottleneck(), f.emb(), ez), f.skips(), f.emb(), ez));
            };
            for (float v : shift.get().toArray()) {
                assertEquals(0f, v, "G is identically 0 at step 0 (zero-initialised output conv)");
            }
            Philox noise = new Philox(26);
            for (Module m : List.<Module>of(labelEmb, mid, dec, head)) {
                randomize(m, noise);
            }
            // z reaches G only through label_emb and the e_z inputs of every z-modulated block; the
            // blocks' own parameters are checked in middleBlocks, decoders and outputHead
            Map<String, Tensor> zAndEmbedding = leaves("label_emb.", labelEmb);
            zAndEmbedding.put("z", z);
            check("shift branch, z and label_emb", shift, zAndEmbedding, 10, 27);
            assertThrows(IllegalArgumentException.class, () -> mid.forward(f.bottleneck(), f.emb(), null));
        });
    }
}
