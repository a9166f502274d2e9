package dev.diti4j.diti.model;

import dev.diti4j.diffusion.NoiseSchedule;
import dev.diti4j.nn.json.Json;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The split of the feature z (length d) into k contiguous subsets z_1 … z_k, in dimension order,
 * and the map from a time step to the subset it trains (METHOD 4.2, 4.3).
 *
 * <ul>
 *   <li>Subset i holds the dimensions [e_{i−1}, e_i), with e_{−1} = 0 and e_{k−1} = d
 *       ({@link #start}, {@link #end}).</li>
 *   <li>Time step t (0-based, t = 0 … T−1) uses subset i(t) = ⌊t·k / T⌋ ({@link #subsetOf}); so
 *       subset i covers the steps ⌈i·T/k⌉ … ⌈(i+1)·T/k⌉ − 1 ({@link #firstStep},
 *       {@link #lastStep}). With k = 64 and T = 1000 each subset covers 15 or 16 steps.</li>
 * </ul>
 *
 * Three ways to build one (METHOD 4.3): {@link #uniform} (subset i holds [⌊i·d/k⌋, ⌊(i+1)·d/k⌋),
 * exactly [i·d/k, (i+1)·d/k) when k divides d), {@link #explicit} (a list of k widths that add up to
 * d) and {@link #stages} (the reference's stage table; {@link #celeba64()} is the one METHOD 4.3
 * prints). k = 1 is PDAE: one subset holding all of z.
 *
 * <p>Every invalid partition (widths that do not add up to d, a zero-width subset, k &lt; 1,
 * k &gt; d, k &gt; T) and every time step outside [0, T) is refused with one
 * {@link IllegalArgumentException} sentence.
 */
public final class Partition {
    /** The stage boundaries of the reference's CelebA/FFHQ/Bedroom configs (METHOD 4.3). */
    static final int[] CELEBA_STAGE_ENDS = {50, 100, 300, 500, 1000};
    /** The dimension budgets of those stages (METHOD 4.3); they add up to 512. */
    static final int[] CELEBA_STAGE_BUDGETS = {10, 25, 327, 100, 50};

    private final int steps;
    private final int[] ends;

    private Partition(int steps, int[] ends) {
        this.steps = steps;
        this.ends = ends;
    }

    // ---- construction ---------------------------------------------------------------------

    /** k subsets of (almost) equal width of a feature of length d, for T = 1000 steps. */
    public static Partition uniform(int k, int d) {
        return uniform(k, d, NoiseSchedule.DEFAULT_STEPS);
    }

    /**
     * k subsets of (almost) equal width: subset i holds [⌊i·d/k⌋, ⌊(i+1)·d/k⌋) (METHOD 4.3
     * "Uniform"; exactly i·d/k when k divides d).
     */
    public static Partition uniform(int k, int d, int steps) {
        checkCounts(k, d, steps);
        int[] widths = new int[k];
        for (int i = 0; i < k; i++) {
            widths[i] = (int) ((long) (i + 1) * d / k - (long) i * d / k);
        }
        return of(steps, d, widths);
    }

    /** Explicit subset widths, in dimension order, for T = 1000 steps (METHOD 4.3, 9). */
    public static Partition explicit(int d, int[] widths) {
        return explicit(d, widths, NoiseSchedule.DEFAULT_STEPS);
    }

    /**
     * Explicit subset widths, in dimension order: k = widths.length subsets that must add up to
     * the feature length d, none of width 0 (METHOD 4.3 "Explicit widths").
     */
    public static Partition explicit(int d, int[] widths, int steps) {
        if (widths == null || widths.length == 0) {
            throw new IllegalArgumentException("a partition needs at least one subset width");
        }
        return of(steps, d, widths.clone());
    }

    /**
     * The reference's stage algorithm (METHOD 4.3). The time steps are cut into stages
     * [0, stageEnds[0]), [stageEnds[0], stageEnds[1]), …, the last ending at T; stage s has a
     * budget of {@code budgets[s]} dimensions. Each of the k subsets belongs to the stage that
     * holds its first time step ⌈i·T/k⌉. A stage's budget is split evenly over its n subsets by
     * integer division, ⌊budget / n⌋ each, and the stage's last subset also takes the remainder.
     *
     * @throws IllegalArgumentException when the stages do not end at T or do not increase, the
     *         budgets do not add up to d, a stage with a budget holds no subset, or a stage has
     *         fewer dimensions than subsets (which would leave subsets of width 0; METHOD 9 advises
     *         explicit widths then)
     */
    public static Partition stages(int k, int d, int steps, int[] stageEnds, int[] budgets) {
        checkCounts(k, d, steps);
        if (stageEnds == null || budgets == null || stageEnds.length == 0 || stageEnds.length != budgets.length) {
            throw new IllegalArgumentException("a stage partition needs as many dimension budgets as stages, got "
                    + (stageEnds == null ? 0 : stageEnds.length) + " stages and "
                    + (budgets == null ? 0 : budgets.length) + " budgets");
        }
        long total = 0;
        for (int s = 0; s < stageEnds.length; s++) {
            int lo = s == 0 ? 0 : stageEnds[s - 1];
            if (stageEnds[s] <= lo) {
                throw new IllegalArgumentException("stage ends must increase from above 0, but stage " + s + " ends at "
                        + stageEnds[s] + " after " + lo);
            }
            if (budgets[s] < 0) {
                throw new IllegalArgumentException("stage " + s + " has a negative dimension budget " + budgets[s]);
            }
            total += budgets[s];
        }
        if (stageEnds[stageEnds.length - 1] != steps) {
            throw new IllegalArgumentException("the last stage must end at the number of time steps " + steps
                    + ", not at " + stageEnds[stageEnds.length - 1]);
        }
        if (total != d) {
            throw new IllegalArgumentException("the stage budgets add up to " + total + " dimensions, not the feature"
                    + " length " + d);
        }
        int[] stageOf = new int[k];
        int[] count = new int[stageEnds.length];
        for (int i = 0; i < k; i++) {
            long first = firstStep(i, k, steps);
            int s = 0;
            while (first >= stageEnds[s]) {
                s++;
            }
            stageOf[i] = s;
            count[s]++;
        }
        int[] widths = new int[k];
        int[] seen = new int[stageEnds.length];
        for (int s = 0; s < stageEnds.length; s++) {
            int lo = s == 0 ? 0 : stageEnds[s - 1];
            if (count[s] == 0 && budgets[s] > 0) {
                throw new IllegalArgumentException("stage " + s + " [" + lo + ", " + stageEnds[s] + ") holds the first"
                        + " time step of no subset, so its budget of " + budgets[s] + " dimensions would be lost");
            }
            if (count[s] > 0 && budgets[s] < count[s]) {
                throw new IllegalArgumentException("stage " + s + " [" + lo + ", " + stageEnds[s] + ") splits "
                        + budgets[s] + " dimensions over " + count[s] + " subsets, which leaves subsets of width 0;"
                        + " give it at least " + count[s] + " dimensions or use explicit widths");
            }
        }
        for (int i = 0; i < k; i++) {
            int s = stageOf[i];
            int each = budgets[s] / count[s];
            seen[s]++;
            widths[i] = seen[s] == count[s] ? budgets[s] - each * (count[s] - 1) : each;
        }
        return of(steps, d, widths);
    }

    /**
     * The CelebA stage table of METHOD 4.3: k = 64, d = 512, T = 1000, stages ending at 50, 100,
     * 300, 500 and 1000 with budgets of 10, 25, 327, 100 and 50 dimensions. 327 of the 512
     * dimensions serve t ≈ 110–312.
     */
    public static Partition celeba64() {
        return stages(64, 512, NoiseSchedule.DEFAULT_STEPS, CELEBA_STAGE_ENDS, CELEBA_STAGE_BUDGETS);
    }

    private static void checkCounts(int k, int d, int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("a partition needs at least one time step, got " + steps);
        }
        if (d < 1) {
            throw new IllegalArgumentException("the feature length d must be at least 1, got " + d);
        }
        if (k < 1) {
            throw new IllegalArgumentException("the number of subsets k must be at least 1, got " + k);
        }
        if (k > d) {
            throw new IllegalArgumentException("k = " + k + " subsets cannot split a feature of length " + d
                    + " without empty subsets; use k <= d");
        }
        if (k > steps) {
            throw new IllegalArgumentException("k = " + k + " subsets are more than the " + steps
                    + " time steps, so some subset would never be trained; use k <= T");
        }
    }

    private static Partition of(int steps, int d, int[] widths) {
        checkCounts(widths.length, d, steps);
        int[] ends = new int[widths.length];
        long sum = 0;
        for (int i = 0; i < widths.length; i++) {
            if (widths[i] < 1) {
                throw new IllegalArgumentException("subset " + i + " has width " + widths[i]
                        + "; every subset needs at least one dimension");
            }
            sum += widths[i];
            if (sum > d) {
                break;
            }
            ends[i] = (int) sum;
        }
        if (sum != d) {
            long all = 0;
            for (int w : widths) {
                all += w;
            }
            throw new IllegalArgumentException("the " + widths.length + " subset widths add up to " + all
                    + ", not the feature length " + d);
        }
        return new Partition(steps, ends);
    }

    // ---- queries --------------------------------------------------------------------------

    /** k, the number of subsets. */
    public int subsets() {
        return ends.length;
    }

    /** d, the length of z. */
    public int latentDim() {
        return ends[ends.length - 1];
    }

    /** T, the number of time steps i(t) divides. */
    public int steps() {
        return steps;
    }

    /**
     * i(t) = ⌊t·k / T⌋, the subset time step t trains (METHOD 4.2; t is 0-based).
     *
     * @throws IllegalArgumentException when t is outside [0, T)
     */
    public int subsetOf(int t) {
        checkStep(t);
        return (int) ((long) t * ends.length / steps);
    }

    /** i(t_b) for every sample. */
    public int[] subsetsOf(int[] t) {
        int[] out = new int[t.length];
        for (int b = 0; b < t.length; b++) {
            out[b] = subsetOf(t[b]);
        }
        return out;
    }

    /** e_{i−1}: the first dimension of subset i (0 for i = 0). */
    public int start(int i) {
        checkSubset(i);
        return i == 0 ? 0 : ends[i - 1];
    }

    /** e_i: one past the last dimension of subset i. */
    public int end(int i) {
        checkSubset(i);
        return ends[i];
    }

    /** The number of dimensions of subset i. */
    public int width(int i) {
        return end(i) - start(i);
    }

    /** Every subset's width, in order. */
    public int[] widths() {
        int[] w = new int[ends.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = width(i);
        }
        return w;
    }

    /** e_0 … e_{k−1}. */
    public int[] ends() {
        return ends.clone();
    }

    /** The first time step of subset i, ⌈i·T/k⌉. */
    public int firstStep(int i) {
        checkSubset(i);
        return (int) firstStep(i, ends.length, steps);
    }

    /** The last time step of subset i. */
    public int lastStep(int i) {
        checkSubset(i);
        return (int) firstStep(i + 1, ends.length, steps) - 1;
    }

    private static long firstStep(int i, int k, int steps) {
        return ((long) i * steps + k - 1) / k;
    }

    void checkStep(int t) {
        if (t < 0 || t >= steps) {
            throw new IllegalArgumentException("time step " + t + " is outside [0, " + steps + ")");
        }
    }

    private void checkSubset(int i) {
        if (i < 0 || i >= ends.length) {
            throw new IllegalArgumentException("subset " + i + " is outside [0, " + ends.length + ")");
        }
    }

    // ---- JSON -----------------------------------------------------------------------------

    /** {@code {"steps": T, "widths": [...]}}: enough to rebuild the partition exactly. */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("steps", steps);
        m.put("widths", widths());
        return Json.write(m);
    }

    /** Parses {@link #toJson()}'s format; the feature length is the sum of the widths. */
    public static Partition fromJson(String json) {
        Map<String, Object> m;
        try {
            m = Json.parseObject(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Partition: malformed JSON: " + e.getMessage(), e);
        }
        int[] widths = Json.getIntArray(m, "widths");
        long d = 0;
        for (int w : widths) {
            d += w;
        }
        if (d > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Partition JSON: the widths add up to " + d + ", too many dimensions");
        }
        return explicit((int) d, widths, Json.getInt(m, "steps"));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Partition p && steps == p.steps && Arrays.equals(ends, p.ends);
    }

    @Override
    public int hashCode() {
        return 31 * steps + Arrays.hashCode(ends);
    }

    @Override
    public String toString() {
        return "Partition[k=" + ends.length + ", d=" + latentDim() + ", T=" + steps + ", widths="
                + Arrays.toString(widths()) + "]";
    }
}
