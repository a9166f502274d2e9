package dev.diti4j.core.testing;

import static dev.diti4j.core.testing.Pick.s;

import java.util.List;

/** Catalogue cases of conv2d, pooling, up-sampling and group normalisation. */
final class VisionCases {
    private VisionCases() {
    }

    private static void conv(List<OpCase> out, int n, int cin, int h, int w, int cout, int kh, int kw, int stride,
                             int pad, boolean bias) {
        String name = s(n, cin, h, w) + " * " + s(cout, cin, kh, kw) + " stride " + stride + " pad " + pad
                + (bias ? " + bias" : "");
        OpCase.Builder c = OpCase.named("conv2d", name).in(Values.normal(), n, cin, h, w)
                .in(Values.normal(), cout, cin, kh, kw).tol(Tolerance.ACCUMULATED);
        if (bias) {
            out.add(c.in(Values.normal(), cout).run((t, be) -> t[0].conv2d(t[1], t[2], stride, pad)));
        } else {
            out.add(c.run((t, be) -> t[0].conv2d(t[1], null, stride, pad)));
        }
    }

    static void addTo(List<OpCase> out, Pick p) {
        conv(out, 2, 3, 7, 5, 4, 3, 3, 1, 1, true);
        conv(out, 1, 3, 7, 7, 5, 3, 3, 1, 0, false);
        conv(out, 2, 1, 7, 5, 3, 3, 3, 2, 1, true);
        conv(out, 2, 3, 5, 7, 2, 3, 3, 2, 0, false);
        conv(out, 2, 3, 5, 7, 5, 1, 1, 1, 0, true);   // pointwise: the GEMM-only path
        conv(out, 1, 5, 7, 7, 3, 1, 1, 2, 0, false);
        conv(out, 2, 3, 5, 5, 4, 1, 1, 1, 1, true);   // 1x1 with padding: the border is bias only
        conv(out, 1, 3, 6, 7, 2, 1, 3, 1, 1, true);   // a non-square kernel
        conv(out, 2, 8, 12, 12, 16, 3, 3, 1, 1, true);
        conv(out, 2, 16, 9, 9, 8, 3, 3, 2, 1, false);

        int n = p.of(1, 2);
        int c = p.odd();
        out.add(OpCase.named("avg_pool2x2", s(n, c, 6, 10)).in(Values.normal(), n, c, 6, 10)
                .run((t, be) -> t[0].avgPool2x2()));
        out.add(OpCase.named("avg_pool2x2", s(c, 4, 2)).in(Values.normal(), c, 4, 2).run((t, be) -> t[0].avgPool2x2()));
        out.add(OpCase.named("avg_pool2x2", s(4, 6)).in(Values.normal(), 4, 6).run((t, be) -> t[0].avgPool2x2()));
        out.add(OpCase.named("upsample_nearest2x", s(n, c, 3, 5)).in(Values.normal(), n, c, 3, 5)
                .run((t, be) -> t[0].upsampleNearest2x()));
        out.add(OpCase.named("upsample_nearest2x", s(3, 1)).in(Values.normal(), 3, 1)
                .run((t, be) -> t[0].upsampleNearest2x()));
        out.add(OpCase.named("upsample_nearest2x", s(2, c, 1, 7)).in(Values.normal(), 2, c, 1, 7)
                .run((t, be) -> t[0].upsampleNearest2x()));

        int h = p.odd();
        int w = p.of(5, 7);
        for (int groups : new int[] {1, 2, 3, 6}) {
            for (boolean affine : new boolean[] {true, false}) {
                groupNorm(out, new int[] {2, 6, h, w}, groups, affine);
            }
        }
        groupNorm(out, new int[] {3, 4, 13}, 2, true);     // (n, c, L)
        groupNorm(out, new int[] {5, 12}, 1, true);        // (n, c): every channel of a sample is one group
        groupNorm(out, new int[] {2, 32, 8, 8}, 8, true);  // enough slabs for the CPU's parallel path
    }

    private static void groupNorm(List<OpCase> out, int[] x, int groups, boolean affine) {
        int c = x[1];
        String name = s(x) + " groups " + groups + (affine ? " affine" : "");
        OpCase.Builder b = OpCase.named("group_norm", name).in(Values.normal(), x).tol(Tolerance.ACCUMULATED);
        if (affine) {
            out.add(b.in(Values.uniform(0.5, 1.5), c).in(Values.normal(), c)
                    .run((t, be) -> t[0].groupNorm(groups, t[1], t[2], 1e-5f)));
        } else {
            out.add(b.run((t, be) -> t[0].groupNorm(groups, null, null, 1e-5f)));
        }
    }
}
