package dev.diti4j.nn.unet;

import dev.diti4j.core.Tensor;
import java.util.List;

/**
 * The encoder-half features of one U-Net pass (METHOD.md 2.2, 8 item 2): everything the PDAE
 * shift decoder consumes, computed once by {@link UNet#encode}.
 *
 * @param skips      every encoder output in push order (input conv first); the decoder pops
 *                   them from the end
 * @param bottleneck the output of the last input block (also the last skip), the middle
 *                   block's input
 * @param emb        the time embedding e_t (B, 4 base)
 */
public record Features(List<Tensor> skips, Tensor bottleneck, Tensor emb) {
    public Features {
        skips = List.copyOf(skips);
    }
}
