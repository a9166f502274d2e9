package dev.diti4j.core.testing;

import static dev.diti4j.core.testing.Pick.s;

import java.util.List;

/** Catalogue cases of matmul (2-D, batched, broadcast, every transpose flag) and linear. */
final class LinalgCases {
    private LinalgCases() {
    }

    /** Stored dimensions of an operand: (rows, cols), swapped when transposed, after any batch axes. */
    private static int[] stored(int[] batch, int rows, int cols, boolean trans) {
        int[] d = java.util.Arrays.copyOf(batch, batch.length + 2);
        d[batch.length] = trans ? cols : rows;
        d[batch.length + 1] = trans ? rows : cols;
        return d;
    }

    private static void matmul(List<OpCase> out, String label, int[] batchA, int[] batchB, int m, int n, int k,
                               boolean ta, boolean tb) {
        int[] a = stored(batchA, m, k, ta);
        int[] b = stored(batchB, k, n, tb);
        out.add(OpCase.named("matmul", label + s(a) + (ta ? "^T" : "") + " x " + s(b) + (tb ? "^T" : ""))
                .in(Values.normal(), a).in(Values.normal(), b).tol(Tolerance.ACCUMULATED)
                .run((t, be) -> t[0].matmul(t[1], ta, tb)));
    }

    static void addTo(List<OpCase> out, Pick p) {
        int[] none = {};
        for (int f = 0; f < 4; f++) {
            boolean ta = (f & 1) != 0;
            boolean tb = (f & 2) != 0;
            matmul(out, "", none, none, p.odd(), p.odd(), p.odd(), ta, tb);
            int[] batch = {p.of(2, 3)};
            matmul(out, "batched ", batch, batch, p.small(), p.odd(), p.odd(), ta, tb);
            // a plain matrix reused for every batch entry, on either side
            matmul(out, "broadcast B ", batch, none, p.odd(), p.small(), p.odd(), ta, tb);
            matmul(out, "broadcast A ", none, batch, p.odd(), p.odd(), p.small(), ta, tb);
        }
        matmul(out, "rank-4 ", new int[] {2, 3}, new int[] {2, 3}, 5, 3, 7, false, false);
        matmul(out, "vector-like ", none, none, 1, 1, 13, false, false);
        // large enough to cross register tiles, cache blocks and the k-panel boundary
        matmul(out, "large ", none, none, 67, 45, 129, false, false);
        matmul(out, "large ", none, none, 33, 50, 300, false, true);
        matmul(out, "large ", none, none, 40, 70, 96, true, false);
        matmul(out, "large batched ", new int[] {3}, new int[] {3}, 29, 31, 65, true, true);

        int n = p.odd();
        int in = p.odd();
        int o = p.odd();
        out.add(OpCase.named("linear", s(n, in) + " W " + s(o, in) + " + b " + s(o))
                .in(Values.normal(), n, in).in(Values.normal(), o, in).in(Values.normal(), o)
                .tol(Tolerance.ACCUMULATED).run((t, be) -> t[0].linear(t[1], t[2])));
        out.add(OpCase.named("linear", s(n, in) + " W " + s(o, in) + " no bias")
                .in(Values.normal(), n, in).in(Values.normal(), o, in)
                .tol(Tolerance.ACCUMULATED).run((t, be) -> t[0].linear(t[1], null)));
        out.add(OpCase.named("linear", s(2, n, in) + " W " + s(o, in) + " + b " + s(o))
                .in(Values.normal(), 2, n, in).in(Values.normal(), o, in).in(Values.normal(), o)
                .tol(Tolerance.ACCUMULATED).run((t, be) -> t[0].linear(t[1], t[2])));
        out.add(OpCase.named("linear", s(in) + " W " + s(o, in) + " + b " + s(o))
                .in(Values.normal(), in).in(Values.normal(), o, in).in(Values.normal(), o)
                .tol(Tolerance.ACCUMULATED).run((t, be) -> t[0].linear(t[1], t[2])));
    }
}
