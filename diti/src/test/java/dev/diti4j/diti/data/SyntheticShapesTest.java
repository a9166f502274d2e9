package dev.diti4j.diti.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.diti.data.SyntheticShapes.Factor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SyntheticShapesTest {
    private static final int N = 32;
    private final SyntheticShapes crisp = new SyntheticShapes(N, 1000, 7L, false);

    /** Base factors: flat, red, square, medium, centre, middle, grey. */
    private static int[] base() {
        return new int[] {0, 0, 0, 1, 1, 1, 0};
    }

    private static int[] with(int[] f, Factor factor, int value) {
        int[] g = f.clone();
        g[factor.ordinal()] = value;
        return g;
    }

    /** RGB of pixel (x, y) in [0, 1]. */
    private static float[] rgb(float[] img, int x, int y) {
        float[] out = new float[3];
        for (int c = 0; c < 3; c++) {
            out[c] = (img[c * N * N + y * N + x] + 1f) / 2f;
        }
        return out;
    }

    private static boolean isBackground(float[] img, int x, int y, int bgHue) {
        float[] p = rgb(img, x, y);
        float[] bg = SyntheticShapes.backgroundRgb(bgHue);
        for (int c = 0; c < 3; c++) {
            if (Math.abs(p[c] - bg[c]) > 1e-5) {
                return false;
            }
        }
        return true;
    }

    @Test
    void imagesAreAPureFunctionOfSeedAndIndex() {
        SyntheticShapes a = new SyntheticShapes(N, 1000, 7L, true);
        SyntheticShapes b = new SyntheticShapes(N, 1000, 7L, true);
        for (int i : new int[] {0, 1, 999, 500}) {
            Dataset.Sample x = a.get(i);
            Dataset.Sample y = b.get(i);
            assertArrayEquals(x.pixels(), y.pixels(), "image " + i);
            assertArrayEquals(x.labels(), y.labels(), "labels " + i);
        }
        // A different seed gives different factors somewhere in the first images.
        SyntheticShapes c = new SyntheticShapes(N, 1000, 8L, true);
        boolean differs = false;
        for (int i = 0; i < 10; i++) {
            differs |= !Arrays.equals(a.factors(i), c.factors(i));
        }
        assertTrue(differs, "seed changes the factors");
        assertEquals(3 * N * N, a.get(3).pixels().length);
        assertEquals(7, a.labels().size());
        assertEquals("texture", a.labelNames().getFirst());
        assertEquals("background hue", a.labelNames().getLast());
    }

    @Test
    void labelsCoverEveryValueUniformly() {
        SyntheticShapes d = new SyntheticShapes(N, 6000, 1L, true);
        int[][] counts = new int[7][];
        for (Factor f : Factor.values()) {
            counts[f.ordinal()] = new int[f.cardinality()];
        }
        for (int i = 0; i < d.size(); i++) {
            int[] f = d.factors(i);
            for (int k = 0; k < 7; k++) {
                assertTrue(f[k] >= 0 && f[k] < Factor.values()[k].cardinality(), "factor " + k + " = " + f[k]);
                counts[k][f[k]]++;
            }
        }
        for (Factor f : Factor.values()) {
            double expected = 6000.0 / f.cardinality();
            for (int v = 0; v < f.cardinality(); v++) {
                int got = counts[f.ordinal()][v];
                assertEquals(expected, got, 5 * Math.sqrt(expected), f + " value " + v + " count");
            }
        }
    }

    @Test
    void pixelsStayInRange() {
        SyntheticShapes d = new SyntheticShapes(N, 50, 3L, true);
        for (int i = 0; i < d.size(); i++) {
            for (float v : d.get(i).pixels()) {
                assertTrue(v >= -1f && v <= 1f, "pixel " + v);
            }
        }
    }

    @Test
    void everyFactorValueChangesThePixelsAtEverySize() {
        for (int size : new int[] {16, 32, 64}) {
            for (boolean aa : new boolean[] {false, true}) {
                SyntheticShapes d = new SyntheticShapes(size, 10, 0L, aa);
                for (Factor f : Factor.values()) {
                    for (int a = 0; a < f.cardinality(); a++) {
                        for (int b = a + 1; b < f.cardinality(); b++) {
                            float[] x = d.render(with(base(), f, a));
                            float[] y = d.render(with(base(), f, b));
                            assertFalse(Arrays.equals(x, y), size + "px aa=" + aa + ": " + f + " " + a + " vs " + b);
                        }
                    }
                }
            }
        }
    }

    @Test
    void flatObjectHasItsHueAndBackgroundItsColour() {
        for (int hue = 0; hue < 6; hue++) {
            float[] img = crisp.render(with(base(), Factor.OBJECT_HUE, hue));
            assertArrayEquals(SyntheticShapes.objectRgb(hue), rgb(img, 16, 16), 1e-5f, "hue " + hue + " at the centre");
        }
        for (int bg = 0; bg < 4; bg++) {
            float[] img = crisp.render(with(base(), Factor.BACKGROUND_HUE, bg));
            assertTrue(isBackground(img, 0, 0, bg), "background " + bg + " at the corner");
            assertTrue(isBackground(img, 31, 31, bg), "background " + bg + " at the far corner");
        }
    }

    @Test
    void texturesAlternateEveryTwoPixels() {
        // Medium square at the centre: box [8, 24) on both axes at 32 px.
        float[] h = crisp.render(with(base(), Factor.TEXTURE, 1));
        float[] v = crisp.render(with(base(), Factor.TEXTURE, 2));
        float[] c = crisp.render(with(base(), Factor.TEXTURE, 3));
        float full = 1f;
        float dark = SyntheticShapes.SHADE;
        for (int y = 8; y < 24; y++) {
            for (int x = 8; x < 24; x++) {
                float hr = rgb(h, x, y)[0];
                float vr = rgb(v, x, y)[0];
                float cr = rgb(c, x, y)[0];
                int u = (x - 8) / 2;
                int w = (y - 8) / 2;
                assertEquals(w % 2 == 0 ? full : dark, hr, 1e-5, "horizontal stripes at " + x + "," + y);
                assertEquals(u % 2 == 0 ? full : dark, vr, 1e-5, "vertical stripes at " + x + "," + y);
                assertEquals((u + w) % 2 == 0 ? full : dark, cr, 1e-5, "checkerboard at " + x + "," + y);
            }
        }
    }

    @Test
    void shapesHaveTheirSilhouettes() {
        float[] square = crisp.render(with(base(), Factor.SHAPE, 0));
        float[] circle = crisp.render(with(base(), Factor.SHAPE, 1));
        float[] triangle = crisp.render(with(base(), Factor.SHAPE, 2));
        float[] cross = crisp.render(with(base(), Factor.SHAPE, 3));
        // Corner of the box [8, 24): inside the square only.
        assertFalse(isBackground(square, 8, 8, 0), "square fills its corner");
        assertTrue(isBackground(circle, 8, 8, 0), "circle leaves the corner empty");
        assertFalse(isBackground(circle, 8, 16, 0), "circle touches the middle of its left side");
        assertTrue(isBackground(triangle, 8, 8, 0), "triangle leaves the top corners empty");
        assertFalse(isBackground(triangle, 15, 9, 0), "triangle has its apex at the top centre");
        assertTrue(isBackground(triangle, 13, 9, 0), "triangle is narrow near its apex");
        assertFalse(isBackground(triangle, 8, 23, 0), "triangle fills its bottom corners");
        assertTrue(isBackground(cross, 8, 8, 0), "cross leaves the corners empty");
        assertFalse(isBackground(cross, 8, 16, 0), "cross has a horizontal arm");
        assertFalse(isBackground(cross, 16, 8, 0), "cross has a vertical arm");
        assertTrue(isBackground(cross, 11, 11, 0), "cross is empty between its arms");
    }

    @Test
    void scaleAndPositionMoveTheBox() {
        int[] sides = {12, 16, 20};
        for (int s = 0; s < 3; s++) {
            for (int px = 0; px < 3; px++) {
                int[] f = with(with(base(), Factor.SCALE, s), Factor.X_POSITION, px);
                f = with(f, Factor.Y_POSITION, 2 - px);
                float[] img = crisp.render(f);
                int cx = 16 + (px - 1) * 6;
                int cy = 16 + (1 - px) * 6;
                int minX = N;
                int maxX = -1;
                int minY = N;
                int maxY = -1;
                for (int y = 0; y < N; y++) {
                    for (int x = 0; x < N; x++) {
                        if (!isBackground(img, x, y, 0)) {
                            minX = Math.min(minX, x);
                            maxX = Math.max(maxX, x);
                            minY = Math.min(minY, y);
                            maxY = Math.max(maxY, y);
                        }
                    }
                }
                String what = "scale " + s + " x " + px;
                assertEquals(cx - sides[s] / 2, minX, what + " left");
                assertEquals(cx + sides[s] / 2 - 1, maxX, what + " right");
                assertEquals(cy - sides[s] / 2, minY, what + " top");
                assertEquals(cy + sides[s] / 2 - 1, maxY, what + " bottom");
            }
        }
    }

    @Test
    void antialiasingBlendsOnlyEdges() {
        SyntheticShapes aa = new SyntheticShapes(N, 10, 0L, true);
        int[] circle = with(base(), Factor.SHAPE, 1);
        float[] a = aa.render(circle);
        float[] b = crisp.render(circle);
        assertArrayEquals(rgb(b, 16, 16), rgb(a, 16, 16), 1e-6f, "interior unchanged");
        assertNotEquals(Arrays.toString(a), Arrays.toString(b), "edges differ");
        // An edge pixel of the circle is a blend strictly between object and background.
        float r = rgb(a, 10, 10)[0];
        assertTrue(r > 0.2f && r < 1f, "edge blend " + r);
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new SyntheticShapes(24, 10, 0L, true));
        assertThrows(IllegalArgumentException.class, () -> new SyntheticShapes(32, 0, 0L, true));
        assertThrows(IndexOutOfBoundsException.class, () -> crisp.get(1000));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> crisp.render(with(base(), Factor.SHAPE, 4)));
        assertEquals("shape value 4 is outside [0, 4)", e.getMessage());
        assertEquals(50_000, new SyntheticShapes().size());
    }
}
