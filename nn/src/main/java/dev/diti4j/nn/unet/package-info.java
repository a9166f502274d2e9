/**
 * The epsilon-prediction U-Net of METHOD.md 1.3, built from a {@link dev.diti4j.nn.unet.UNetConfig}:
 * {@link dev.diti4j.nn.unet.UNet} composes a time embedding, an {@link dev.diti4j.nn.unet.Encoder}
 * (input conv and input blocks, whose outputs are the skips), a {@link dev.diti4j.nn.unet.MiddleBlock},
 * a {@link dev.diti4j.nn.unet.Decoder} and an {@link dev.diti4j.nn.unet.OutputHead}.
 * {@link dev.diti4j.nn.unet.UNet#encode} returns the encoder-half {@link dev.diti4j.nn.unet.Features}
 * so that a second, z-modulated middle block and decoder (the PDAE shift decoder of METHOD.md 2.2)
 * can reuse them.
 */
package dev.diti4j.nn.unet;
