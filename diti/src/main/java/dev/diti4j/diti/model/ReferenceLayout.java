package dev.diti4j.diti.model;

import dev.diti4j.nn.Module;
import dev.diti4j.nn.Parameter;
import dev.diti4j.nn.Sequential;
import dev.diti4j.nn.layers.AttentionBlock;
import dev.diti4j.nn.layers.Conv2d;
import dev.diti4j.nn.layers.GroupNorm;
import dev.diti4j.nn.layers.Linear;
import dev.diti4j.nn.layers.ResBlock;
import dev.diti4j.nn.layers.TimeEmbedding;
import dev.diti4j.nn.unet.Decoder;
import dev.diti4j.nn.unet.Encoder;
import dev.diti4j.nn.unet.MiddleBlock;
import dev.diti4j.nn.unet.OutputHead;
import dev.diti4j.nn.unet.UNet;
import dev.diti4j.nn.unet.UNetBlock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one-to-one map from diti4j's parameter names onto the reference PyTorch implementation's
 * state-dictionary keys (guided-diffusion naming), for the frozen U-Net, the shift decoder and the
 * encoder (docs/internals/diti-model.md has the tables).
 *
 * <p>Every tensor keeps its shape and its row-major layout, except the attention blocks' 1×1
 * convolutions ({@code qkv.weight}, {@code proj_out.weight}): the reference stores them as 1-D
 * convolutions of shape (out, in, 1), diti4j as (out, in, 1, 1), the same values.
 */
public final class ReferenceLayout {
    private ReferenceLayout() {
    }

    /**
     * One parameter.
     *
     * @param name           diti4j's name (inside the module given to the mapping method)
     * @param reference      the reference's state-dictionary key
     * @param shape          diti4j's shape
     * @param referenceShape the reference's shape (differs only for attention 1×1 convolutions)
     */
    public record Entry(String name, String reference, int[] shape, int[] referenceShape) {
        @Override
        public String toString() {
            return name + " " + Arrays.toString(shape) + " -> " + reference + " " + Arrays.toString(referenceShape);
        }
    }

    /**
     * The frozen U-Net: {@code time}, {@code down}, {@code mid}, {@code up}, {@code out} map onto
     * {@code time_embed}, {@code input_blocks}, {@code middle_block}, {@code output_blocks},
     * {@code out} (the keys of the reference's UNet, and of the frozen part of its ShiftUNet).
     */
    public static List<Entry> unet(UNet u) {
        List<Entry> out = new ArrayList<>();
        map(u.timeEmbedding(), "time.", "time_embed.", out);
        map(u.encoder(), "down.", "input_blocks.", out);
        map(u.middle(), "mid.", "middle_block.", out);
        map(u.decoder(), "up.", "output_blocks.", out);
        map(u.outputHead(), "out.", "out.", out);
        return complete(u, out);
    }

    /**
     * The shift decoder: {@code label_emb}, {@code mid}, {@code up}, {@code out} map onto the
     * reference ShiftUNet's trainable {@code label_emb}, {@code shift_middle_block},
     * {@code shift_output_blocks}, {@code shift_out}.
     */
    public static List<Entry> shiftDecoder(ShiftDecoder s) {
        List<Entry> out = new ArrayList<>();
        map(s.labelEmbedding(), "label_emb.", "label_emb.", out);
        map(s.middle(), "mid.", "shift_middle_block.", out);
        map(s.decoder(), "up.", "shift_output_blocks.", out);
        map(s.outputHead(), "out.", "shift_out.", out);
        return complete(s, out);
    }

    /** The encoder: the names are the reference encoders' own ({@code encoder.<index>.…}). */
    public static List<Entry> encoder(FeatureEncoder e) {
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<String, Module> c : e.children().entrySet()) {
            map(c.getValue(), c.getKey() + ".", c.getKey() + ".", out);
        }
        return complete(e, out);
    }

    /**
     * The trained parts of a DiTi model: {@code encoder.<name>} onto the reference encoder's key
     * {@code <name>} ({@code encoder.…}), {@code shift.<name>} onto the ShiftUNet key of the shift
     * decoder's {@code <name>} ({@code label_emb.…}, {@code shift_….}); the two sets of keys do not
     * overlap.
     */
    public static List<Entry> ditiModel(DitiModel m) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : encoder(m.encoder())) {
            out.add(new Entry("encoder." + e.name(), e.reference(), e.shape(), e.referenceShape()));
        }
        for (Entry e : shiftDecoder(m.shiftDecoder())) {
            out.add(new Entry("shift." + e.name(), e.reference(), e.shape(), e.referenceShape()));
        }
        return complete(m, out);
    }

    // ---- the walk ------------------------------------------------------------------------------

    private static void map(Module m, String ours, String ref, List<Entry> out) {
        switch (m) {
            case ResBlock r -> {
                child(r, "norm1", ours, ref + "in_layers.0.", out);
                child(r, "conv1", ours, ref + "in_layers.2.", out);
                child(r, "emb", ours, ref + "emb_layers.1.", out);
                child(r, "emb_z", ours, ref + "emb_z_layers.1.", out);
                child(r, "norm2", ours, ref + "out_layers.0.", out);
                child(r, "conv2", ours, ref + "out_layers.3.", out);
                child(r, "skip", ours, ref + "skip_connection.", out);
            }
            case AttentionBlock a -> {
                child(a, "norm", ours, ref + "norm.", out);
                for (String c : List.of("qkv", "proj_out")) {
                    for (Map.Entry<String, Parameter> p : a.children().get(c).namedParameters().entrySet()) {
                        int[] shape = p.getValue().shape().dims();
                        int[] refShape = p.getKey().equals("weight") ? new int[] {shape[0], shape[1], 1} : shape;
                        out.add(new Entry(ours + c + "." + p.getKey(), ref + c + "." + p.getKey(), shape, refShape));
                    }
                }
            }
            case UNetBlock b -> {
                int i = 0;
                map(b.res(), ours + "res.", ref + (i++) + ".", out);
                if (b.attention() != null) {
                    map(b.attention(), ours + "attn.", ref + (i++) + ".", out);
                }
                if (b.upsample() != null) {
                    map(b.upsample(), ours + "up.", ref + i + ".", out);
                }
            }
            case MiddleBlock mid -> {
                child(mid, "res1", ours, ref + "0.", out);
                child(mid, "attn", ours, ref + "1.", out);
                child(mid, "res2", ours, ref + "2.", out);
            }
            case Encoder e -> {
                for (Map.Entry<String, Module> c : e.children().entrySet()) {
                    // the input conv is the single layer of the reference's first TimestepEmbedSequential
                    String r = c.getKey().equals("0") ? ref + "0.0." : ref + c.getKey() + ".";
                    map(c.getValue(), ours + c.getKey() + ".", r, out);
                }
            }
            case Decoder d -> {
                for (Map.Entry<String, Module> c : d.children().entrySet()) {
                    map(c.getValue(), ours + c.getKey() + ".", ref + c.getKey() + ".", out);
                }
            }
            case OutputHead h -> {
                child(h, "norm", ours, ref + "0.", out);
                child(h, "conv", ours, ref + "2.", out);
            }
            case TimeEmbedding t -> {
                child(t, "linear1", ours, ref + "0.", out);
                child(t, "linear2", ours, ref + "2.", out);
            }
            case Sequential s -> {
                for (Map.Entry<String, Module> c : s.children().entrySet()) {
                    map(c.getValue(), ours + c.getKey() + ".", ref + c.getKey() + ".", out);
                }
            }
            case Linear l -> same(l, ours, ref, out);
            case Conv2d c -> same(c, ours, ref, out);
            case GroupNorm g -> same(g, ours, ref, out);
            default -> {
                if (!m.namedParameters().isEmpty()) {
                    throw new IllegalStateException("no reference layout for " + m.getClass().getSimpleName() + " at '"
                            + ours + "'");
                }
            }
        }
    }

    private static void child(Module parent, String name, String ours, String ref, List<Entry> out) {
        Module c = parent.children().get(name);
        if (c != null) {
            map(c, ours + name + ".", ref, out);
        }
    }

    private static void same(Module leaf, String ours, String ref, List<Entry> out) {
        for (Map.Entry<String, Parameter> p : leaf.namedParameters().entrySet()) {
            int[] shape = p.getValue().shape().dims();
            out.add(new Entry(ours + p.getKey(), ref + p.getKey(), shape, shape));
        }
    }

    /** Checks that the walk named every parameter of {@code m} exactly once and no reference key twice. */
    private static List<Entry> complete(Module m, List<Entry> out) {
        Set<String> ours = new HashSet<>();
        Set<String> refs = new HashSet<>();
        for (Entry e : out) {
            if (!ours.add(e.name()) || !refs.add(e.reference())) {
                throw new IllegalStateException("the reference layout maps " + e + " twice");
            }
        }
        if (!ours.equals(m.namedParameters().keySet())) {
            Set<String> missing = new HashSet<>(m.namedParameters().keySet());
            missing.removeAll(ours);
            throw new IllegalStateException("the reference layout misses " + missing.size() + " parameters of "
                    + m.getClass().getSimpleName() + ", e.g. " + missing.iterator().next());
        }
        return List.copyOf(out);
    }
}
