package dev.diti4j.nn.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class UNetConfigTest {
    private static String error(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void rejectsChannelsNotDivisibleByGroups() {
        assertEquals("UNetConfig: channels 48 of level 1 (24 x 2) are not divisible by groups 32",
                error(() -> new UNetConfig(3, 3, 24, new int[] {4, 2}, 1, new int[0], 1, 0f, 32)));
    }

    @Test
    void rejectsUnreachableAttentionAndBadHeads() {
        assertEquals("UNetConfig: attention at down-sampling factor 8 is never reached: the 3 levels have factors"
                + " 1..4 (powers of two)", error(() -> new UNetConfig(1, 1, 32, new int[] {1, 2, 2}, 1, new int[] {8}, 1,
                0f, 8)));
        assertEquals("UNetConfig: channels 32 at down-sampling factor 1 are not divisible by 3 heads",
                error(() -> new UNetConfig(1, 1, 32, new int[] {1, 3}, 1, new int[] {1}, 3, 0f, 8)));
        assertEquals("UNetConfig: middle-block channels 64 are not divisible by 3 heads",
                error(() -> new UNetConfig(1, 1, 32, new int[] {1, 2}, 1, new int[0], 3, 0f, 8)));
    }

    @Test
    void rejectsBadScalars() {
        assertEquals("UNetConfig: dropout must be in [0, 1), got 1.0",
                error(() -> UNetConfig.tinyTest().withDropout(1f)));
        assertEquals("UNetConfig: baseChannels must be even and >= 2 (the time code splits it into cos and sin halves),"
                + " got 7", error(() -> new UNetConfig(1, 1, 7, new int[] {1}, 1, new int[0], 1, 0f, 7)));
        assertEquals("UNetConfig: channelMult must hold at least one level",
                error(() -> new UNetConfig(1, 1, 8, new int[0], 1, new int[0], 1, 0f, 1)));
    }

    @Test
    void jsonRoundTrip() {
        for (UNetConfig c : new UNetConfig[] {UNetConfig.fashionMnist(), UNetConfig.ffhq128(), UNetConfig.tinyTest()}) {
            assertEquals(c, UNetConfig.fromJson(c.toJson()));
        }
        assertEquals("{\"inChannels\":1,\"outChannels\":1,\"baseChannels\":32,\"channelMult\":[1,2,2],"
                + "\"numResBlocks\":1,\"attentionDs\":[4],\"heads\":1,\"dropout\":0.1,\"groups\":8}",
                UNetConfig.fashionMnist().toJson());
        assertEquals("UNetConfig JSON: missing key \"groups\"",
                error(() -> UNetConfig.fromJson("{\"inChannels\":1,\"outChannels\":1,\"baseChannels\":32,"
                        + "\"channelMult\":[1],\"numResBlocks\":1,\"attentionDs\":[],\"heads\":1,\"dropout\":0}")));
    }

    @Test
    void arraysAreCopied() {
        int[] mult = {1, 2};
        UNetConfig c = new UNetConfig(3, 3, 8, mult, 1, new int[0], 1, 0f, 4);
        mult[1] = 3;
        assertEquals(16, c.channels(1));
        c.channelMult()[0] = 9;
        assertEquals(8, c.channels(0));
    }
}
