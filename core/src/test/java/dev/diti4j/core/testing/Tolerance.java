package dev.diti4j.core.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How close a candidate value must be to the reference: {@code |got - want| <= atol + rtol*|want|}
 * (llm.c's check). A NaN or infinity matches only the same value in the reference.
 *
 * <p>The named levels are set from the float32 error each kind of op makes on the catalogue's
 * value ranges (inputs of magnitude about 1), with about ten times headroom over what a correct
 * float32 implementation shows; a wrong index, transpose or formula is off by O(1).
 *
 * @param atol absolute slack, for values near zero
 * @param rtol slack relative to the reference value
 */
public record Tolerance(double atol, double rtol) {
    /** Copies of values: must be bit-identical (float -> double -> float is exact). */
    public static final Tolerance EXACT = new Tolerance(0, 0);
    /** One rounding per element (add, mul, exp...): a few float ulps. */
    public static final Tolerance ELEMENTWISE = new Tolerance(1e-6, 1e-5);
    /** Sums of up to a few hundred terms of magnitude about 1 (reductions, broadcast backward). */
    public static final Tolerance REDUCTION = new Tolerance(1e-5, 1e-5);
    /**
     * Sums of thousands of terms. Float accumulation error grows with the length and the mass
     * sum(|x|) of the terms, not with |result|: 5003 standard normals summed in float blocks are
     * off by about 2e-5 (5e-9 of their mass), summed sequentially by about 2e-4.
     */
    public static final Tolerance LONG_SUM = new Tolerance(3e-4, 1e-5);
    /** Dot products of length up to a few hundred (matmul, conv, normalisation backward). */
    public static final Tolerance ACCUMULATED = new Tolerance(1e-4, 1e-4);

    /** Both slacks times {@code factor} (for backends that trade precision for speed, e.g. TF32). */
    public Tolerance scaled(double factor) {
        return new Tolerance(atol * factor, rtol * factor);
    }

    /** Within the slack, or the same non-finite value (the mean of nothing is NaN everywhere). */
    public boolean accepts(double got, double want) {
        if (!Double.isFinite(want)) {
            return Double.compare(got, want) == 0 || Double.isNaN(got) && Double.isNaN(want);
        }
        return Math.abs(got - want) <= atol + rtol * Math.abs(want);
    }

    /**
     * Null when every element is close enough, else one paragraph: how many elements differ, the
     * largest difference and the first few mismatches as (multi-index, got, want).
     */
    public String mismatches(String what, int[] dims, double[] got, double[] want) {
        if (got.length != want.length) {
            return what + ": " + got.length + " values vs " + want.length + " expected";
        }
        int bad = 0;
        double maxDiff = 0;
        int maxAt = -1;
        List<String> first = new ArrayList<>();
        for (int i = 0; i < got.length; i++) {
            boolean ok = accepts(got[i], want[i]);
            double diff = ok ? 0 : Math.abs(got[i] - want[i]);
            if (!ok) {
                bad++;
                if (first.size() < 5) {
                    first.add(String.format(Locale.ROOT, "%s got %.9g want %.9g (diff %.3g)", index(i, dims), got[i],
                            want[i], diff));
                }
            }
            if (!(diff <= maxDiff)) {
                maxDiff = diff;
                maxAt = i;
            }
        }
        if (bad == 0) {
            return null;
        }
        return String.format(Locale.ROOT, "%s: %d of %d elements differ (atol %.1g, rtol %.1g); largest diff %.3g at %s;"
                + " first: %s", what, bad, got.length, atol, rtol, maxDiff, index(maxAt, dims), String.join("; ", first));
    }

    /** Largest |got - want| (NaN counts as infinite). */
    public static double maxAbsDiff(double[] got, double[] want) {
        double m = 0;
        for (int i = 0; i < got.length; i++) {
            double d = Math.abs(got[i] - want[i]);
            m = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(m, d);
        }
        return m;
    }

    static String index(int flat, int[] dims) {
        if (flat < 0) {
            return "[]";
        }
        int[] idx = new int[dims.length];
        Index.unravel(flat, dims, idx);
        StringBuilder sb = new StringBuilder("[");
        for (int a = 0; a < idx.length; a++) {
            sb.append(a == 0 ? "" : ",").append(idx[a]);
        }
        return sb.append(']').toString();
    }
}
