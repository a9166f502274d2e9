package dev.diti4j.diti.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.random.Philox;
import dev.diti4j.nn.unet.UNet;
import dev.diti4j.nn.unet.UNetConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The name map of docs/internals/diti-model.md, onto the reference's state-dictionary keys. */
class ReferenceLayoutTest {
    private static Map<String, String> names(List<ReferenceLayout.Entry> entries) {
        Map<String, String> m = new LinkedHashMap<>();
        for (ReferenceLayout.Entry e : entries) {
            m.put(e.name(), e.reference());
        }
        return m;
    }

    @Test
    void shiftDecoderNamesOfTheSmallRecipe() {
        // fashion-mnist: 1 res block, levels [1, 2, 2], attention at ds 4 (the last level only)
        ShiftDecoder s = new ShiftDecoder(UNetConfig.fashionMnist(), 64, dev.diti4j.core.Device.CPU, new Philox(1));
        Map<String, String> m = names(ReferenceLayout.shiftDecoder(s));
        assertEquals(s.namedParameters().size(), m.size());
        assertEquals("label_emb.weight", m.get("label_emb.weight"));
        assertEquals("shift_middle_block.0.in_layers.0.weight", m.get("mid.res1.norm1.weight"));
        assertEquals("shift_middle_block.0.in_layers.2.weight", m.get("mid.res1.conv1.weight"));
        assertEquals("shift_middle_block.0.emb_layers.1.weight", m.get("mid.res1.emb.weight"));
        assertEquals("shift_middle_block.0.emb_z_layers.1.bias", m.get("mid.res1.emb_z.bias"));
        assertEquals("shift_middle_block.0.out_layers.0.bias", m.get("mid.res1.norm2.bias"));
        assertEquals("shift_middle_block.0.out_layers.3.weight", m.get("mid.res1.conv2.weight"));
        assertEquals("shift_middle_block.1.qkv.weight", m.get("mid.attn.qkv.weight"));
        assertEquals("shift_middle_block.2.emb_z_layers.1.weight", m.get("mid.res2.emb_z.weight"));
        // decoder block 1 (level 2, last block): res, attention, up-sampling ResBlock
        assertEquals("shift_output_blocks.1.0.skip_connection.weight", m.get("up.1.res.skip.weight"));
        assertEquals("shift_output_blocks.1.1.proj_out.bias", m.get("up.1.attn.proj_out.bias"));
        assertEquals("shift_output_blocks.1.2.in_layers.2.weight", m.get("up.1.up.conv1.weight"));
        // decoder block 3 (level 1, last block): res and up-sampling ResBlock, no attention
        assertEquals("shift_output_blocks.3.1.emb_z_layers.1.weight", m.get("up.3.up.emb_z.weight"));
        assertEquals("shift_out.0.weight", m.get("out.norm.weight"));
        assertEquals("shift_out.2.bias", m.get("out.conv.bias"));
        for (ReferenceLayout.Entry e : ReferenceLayout.shiftDecoder(s)) {
            boolean conv1d = e.name().endsWith("qkv.weight") || e.name().endsWith("proj_out.weight");
            assertEquals(conv1d ? e.shape().length - 1 : e.shape().length, e.referenceShape().length, e.toString());
        }
    }

    @Test
    void unetNames() {
        UNet u = new UNet(UNetConfig.tinyTest(), new Philox(2));
        Map<String, String> m = names(ReferenceLayout.unet(u));
        assertEquals(u.namedParameters().size(), m.size());
        assertEquals("time_embed.0.weight", m.get("time.linear1.weight"));
        assertEquals("time_embed.2.bias", m.get("time.linear2.bias"));
        assertEquals("input_blocks.0.0.weight", m.get("down.0.weight"));
        assertEquals("input_blocks.1.0.in_layers.0.weight", m.get("down.1.res.norm1.weight"));
        assertEquals("input_blocks.2.0.out_layers.3.bias", m.get("down.2.res.conv2.bias"));  // the down-sampling block
        assertEquals("input_blocks.3.1.qkv.bias", m.get("down.3.attn.qkv.bias"));
        assertEquals("middle_block.2.out_layers.0.weight", m.get("mid.res2.norm2.weight"));
        assertEquals("output_blocks.1.2.emb_layers.1.weight", m.get("up.1.up.emb.weight"));
        assertEquals("out.2.weight", m.get("out.conv.weight"));
        assertTrue(m.values().stream().noneMatch(n -> n.contains("emb_z")), "the plain U-Net has no z layers");
    }

    @Test
    void encoderNamesAreTheReferences() {
        FeatureEncoder e = new FeatureEncoder(EncoderConfig.celeba64(), new Philox(3));
        for (ReferenceLayout.Entry en : ReferenceLayout.encoder(e)) {
            assertEquals(en.name(), en.reference());
        }
        ReferenceLayout.Entry qkv = ReferenceLayout.encoder(e).stream().filter(x -> x.name().equals("encoder.4.qkv.weight"))
                .findFirst().orElseThrow();
        assertArrayEquals(new int[] {384, 128, 1, 1}, qkv.shape());
        assertArrayEquals(new int[] {384, 128, 1}, qkv.referenceShape());
    }

    @Test
    void ditiModelCoversEveryTrainedParameterOnce() {
        DitiModel m = new DitiModel(new UNet(UNetConfig.tinyTest(), new Philox(4)), EncoderConfig.small(3, 8, 8),
                Partition.uniform(4, 8), new Philox(5));
        Map<String, String> n = names(ReferenceLayout.ditiModel(m));
        assertEquals(m.namedParameters().keySet(), n.keySet());
        assertEquals("encoder.10.weight", n.get("encoder.encoder.10.weight"));
        assertEquals("label_emb.bias", n.get("shift.label_emb.bias"));
        assertEquals("shift_output_blocks.0.0.emb_z_layers.1.weight", n.get("shift.up.0.res.emb_z.weight"));
    }
}
