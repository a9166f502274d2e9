package dev.diti4j.diti.model;

import static dev.diti4j.diti.model.PartitionTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.nn.Sequential;
import dev.diti4j.nn.layers.AttentionBlock;
import dev.diti4j.nn.layers.GroupNorm;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The encoder layouts of METHOD 3 and the small one of METHOD 9 stage B. */
class FeatureEncoderTest {
    @Test
    void celebaLayoutHasMethod3sParameterCountAndTheReferencesNames() {
        FeatureEncoder e = new FeatureEncoder(EncoderConfig.celeba64(), new Philox(1));
        assertEquals(1_487_104L, e.parameterCount());
        assertEquals(List.of("encoder.0.weight", "encoder.0.bias", "encoder.1.weight", "encoder.1.bias",
                "encoder.3.weight", "encoder.3.bias", "encoder.4.norm.weight", "encoder.4.norm.bias",
                "encoder.4.qkv.weight", "encoder.4.qkv.bias", "encoder.4.proj_out.weight", "encoder.4.proj_out.bias",
                "encoder.5.weight", "encoder.5.bias", "encoder.7.weight", "encoder.7.bias", "encoder.8.weight",
                "encoder.8.bias", "encoder.10.weight", "encoder.10.bias", "encoder.11.weight", "encoder.11.bias",
                "encoder.14.weight", "encoder.14.bias"), List.copyOf(e.namedParameters().keySet()));
        assertArrayEquals(new int[] {512, 2048}, e.namedParameters().get("encoder.14.weight").shape().dims());
        assertArrayEquals(new int[] {64, 3, 3, 3}, e.namedParameters().get("encoder.0.weight").shape().dims());
        Sequential s = (Sequential) e.children().get("encoder");
        assertEquals(4, ((AttentionBlock) s.get(4)).heads());
        assertEquals(32, ((GroupNorm) s.get(1)).groups());
        Tensor z = e.forward(Tensor.randn(new Philox(2), Device.CPU, 2, 3, 64, 64));
        assertArrayEquals(new int[] {2, 512}, z.shape().dims());
    }

    @Test
    void ffhqLayoutHasMethod3sParameterCount() {
        FeatureEncoder e = new FeatureEncoder(EncoderConfig.ffhq128(), new Philox(3));
        assertEquals(3_914_240L, e.parameterCount());
        assertEquals(4096, EncoderConfig.ffhq128().flattenSize());
        Sequential s = (Sequential) e.children().get("encoder");
        assertEquals(18, s.size(), "conv, 4 x (GN, SiLU, conv) with attention after the third conv, GN, SiLU, view, linear");
        assertEquals(256, ((AttentionBlock) s.get(7)).channels());
        assertArrayEquals(new int[] {512, 4096}, e.namedParameters().get("encoder.17.weight").shape().dims());
        Tensor z = e.forward(Tensor.randn(new Philox(4), Device.CPU, 1, 3, 128, 128));
        assertArrayEquals(new int[] {1, 512}, z.shape().dims());
    }

    @Test
    void smallLayoutForSixteenToThirtyTwoPixels() {
        // METHOD 9 stage B: about 0.12 M parameters at 28 or 32 px with d = 64
        EncoderConfig fm = EncoderConfig.small(1, 28, 64);
        assertEquals(4, fm.featureSide());                     // 28 -> 14 -> 7 -> 4
        assertEquals(1024, fm.flattenSize());
        FeatureEncoder e = new FeatureEncoder(fm, new Philox(5));
        assertEquals(121_664L, e.parameterCount());
        assertEquals(0.12, Math.round(e.parameterCount() / 1e4) / 100.0);
        assertEquals(121_664L, new FeatureEncoder(EncoderConfig.small(1, 32, 64), new Philox(5)).parameterCount());
        assertEquals(122_240L, new FeatureEncoder(EncoderConfig.small(3, 32, 64), new Philox(5)).parameterCount());
        EncoderConfig px16 = EncoderConfig.small(3, 16, 64);
        assertEquals(256, px16.flattenSize());                 // 16 -> 8 -> 4 -> 2
        Tensor z = e.forward(Tensor.randn(new Philox(6), Device.CPU, 3, 1, 28, 28));
        assertArrayEquals(new int[] {3, 64}, z.shape().dims());
        // the latent size and the group count are configurable
        FeatureEncoder g4 = new FeatureEncoder(EncoderConfig.small(1, 28, 16).withGroups(4), new Philox(7));
        Sequential s = (Sequential) g4.children().get("encoder");
        assertEquals(4, ((GroupNorm) s.get(1)).groups());
        assertArrayEquals(new int[] {16, 1024}, g4.namedParameters().get("encoder.10.weight").shape().dims());
    }

    @Test
    void zIsTheRawLinearOutputAndTheSeedFixesTheWeights() {
        EncoderConfig cfg = EncoderConfig.small(1, 16, 8);
        FeatureEncoder a = new FeatureEncoder(cfg, new Philox(8));
        FeatureEncoder b = new FeatureEncoder(cfg, new Philox(8));
        Tensor x = Tensor.randn(new Philox(9), Device.CPU, 2, 1, 16, 16).mul(3f);
        assertArrayEquals(a.forward(x).toArray(), b.forward(x).toArray(), 0f);
        assertNotEquals(a.forward(x).toArray()[0], new FeatureEncoder(cfg, new Philox(10)).forward(x).toArray()[0]);
    }

    @Test
    void badConfigurationsAndInputsAreRefused() {
        assertMessage(() -> EncoderConfig.small(1, 28, 64).withGroups(5),
                "EncoderConfig: the SMALL layout's 32 channels are not divisible by groups 5");
        assertMessage(() -> EncoderConfig.small(0, 28, 64), "EncoderConfig: inChannels must be >= 1, got 0");
        assertMessage(() -> EncoderConfig.celeba64(0), "EncoderConfig: latentDim must be >= 1, got 0");
        assertMessage(() -> new EncoderConfig(null, 3, 64, 512, 32),
                "EncoderConfig: the layout must be one of [CELEBA64, FFHQ128, SMALL]");
        FeatureEncoder e = new FeatureEncoder(EncoderConfig.small(1, 16, 8), new Philox(11));
        assertMessage(() -> e.forward(Tensor.zeros(2, 1, 28, 28)),
                "the SMALL encoder expects images (B, 1, 16, 16), got (2,1,28,28)");
        assertMessage(() -> e.forward(Tensor.zeros(2, 3, 16, 16)),
                "the SMALL encoder expects images (B, 1, 16, 16), got (2,3,16,16)");
    }

    @Test
    void jsonRoundTrip() {
        for (EncoderConfig c : new EncoderConfig[] {EncoderConfig.celeba64(), EncoderConfig.ffhq128(256),
                EncoderConfig.small(1, 28, 64).withGroups(4)}) {
            assertEquals(c, EncoderConfig.fromJson(c.toJson()));
        }
        assertEquals("{\"layout\":\"small\",\"inChannels\":1,\"imageSize\":28,\"latentDim\":64,\"groups\":8}",
                EncoderConfig.small(1, 28, 64).toJson());
        assertMessage(() -> EncoderConfig.fromJson("{\"layout\":\"resnet\",\"inChannels\":1,\"imageSize\":28,"
                + "\"latentDim\":64,\"groups\":8}"),
                "EncoderConfig JSON: unknown layout \"resnet\"; use celeba64, ffhq128 or small");
    }
}
