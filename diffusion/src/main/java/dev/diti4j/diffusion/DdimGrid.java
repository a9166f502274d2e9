package dev.diti4j.diffusion;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The time steps a DDIM loop visits and, for each step, the ᾱ it moves to. METHOD 6.2 describes
 * two grids, and they differ at both ends, so both are kept exactly:
 *
 * <p><b>{@link Kind#RESPACED}</b> (PDAE's {@code DDIM} class, used for PDAE-style sampling and
 * encoding): the kept steps are k = sorted{⌊v⌋ : v ∈ linspace(0, T−1, S+1)} (duplicates dropped
 * when S ≥ T), k_0 = 0 and k_n = T−1. Sampling visits i = n … 1, evaluates the network at k_i and
 * moves to ᾱ_{k_{i−1}}; the output is the state at k_0 = 0 (its ᾱ is ᾱ_0, not 1). Inversion treats
 * x_0 as the state at k_0, visits i = 0 … n−1 and moves to ᾱ_{k_{i+1}}, ending at t = T−1. The two
 * loops are exact mirror images.
 *
 * <p><b>{@link Kind#STRIDED}</b> (DiTi's {@code masked_guided_ddim}): seq = 0, s, 2s, … &lt; T with
 * s = ⌊T/S⌋. Sampling visits seq from the last down to 0, moving to the previous entry and, from
 * t = 0, to ᾱ = 1, so the output is x̂_0 itself. Inversion starts from x_0 as the state at t = 0,
 * visits seq upwards and moves to the next entry; the last step moves to ᾱ = 0, so x_T = ε̃.
 */
public final class DdimGrid {
    /** The two grids of METHOD 6.2. */
    public enum Kind { RESPACED, STRIDED }

    /**
     * One DDIM update: evaluate the network at original time step {@code t} (the state's ᾱ is
     * ᾱ_t) and move to {@code abarNext}.
     */
    public record Step(int t, double abarNext) {
    }

    private final Kind kind;
    private final int[] timesteps;
    private final List<Step> reverse;
    private final List<Step> forward;

    private DdimGrid(Kind kind, int[] timesteps, List<Step> reverse, List<Step> forward) {
        this.kind = kind;
        this.timesteps = timesteps;
        this.reverse = List.copyOf(reverse);
        this.forward = List.copyOf(forward);
    }

    /** The grid of a kind with {@code ddimSteps} steps (the S of "ddimS") for a schedule. */
    public static DdimGrid of(Kind kind, NoiseSchedule schedule, int ddimSteps) {
        return switch (kind) {
            case RESPACED -> respaced(schedule, ddimSteps);
            case STRIDED -> strided(schedule, ddimSteps);
        };
    }

    /** PDAE's respaced grid ("ddimS"): S+1 kept steps from linspace(0, T−1, S+1). */
    public static DdimGrid respaced(NoiseSchedule schedule, int ddimSteps) {
        int total = schedule.steps();
        requireSteps(ddimSteps, total);
        // numpy's linspace: start + i*step with step = (stop - start)/(num - 1), last value exact.
        double step = (double) (total - 1) / ddimSteps;
        int[] raw = new int[ddimSteps + 1];
        for (int i = 0; i <= ddimSteps; i++) {
            raw[i] = i == ddimSteps ? total - 1 : (int) (i * step);
        }
        int[] kept = Arrays.stream(raw).distinct().sorted().toArray();
        int n = kept.length - 1;
        List<Step> rev = new ArrayList<>(n);
        for (int i = n; i >= 1; i--) {
            rev.add(new Step(kept[i], schedule.abar(kept[i - 1])));
        }
        List<Step> fwd = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            fwd.add(new Step(kept[i], schedule.abar(kept[i + 1])));
        }
        return new DdimGrid(Kind.RESPACED, kept, rev, fwd);
    }

    /** DiTi's strided grid: range(0, T, ⌊T/S⌋), with ᾱ = 1 after t = 0 and ᾱ = 0 after the last. */
    public static DdimGrid strided(NoiseSchedule schedule, int ddimSteps) {
        int total = schedule.steps();
        requireSteps(ddimSteps, total);
        int stride = total / ddimSteps;
        int count = (total + stride - 1) / stride;
        int[] seq = new int[count];
        for (int i = 0; i < count; i++) {
            seq[i] = i * stride;
        }
        List<Step> rev = new ArrayList<>(count);
        for (int i = count - 1; i >= 0; i--) {
            rev.add(new Step(seq[i], i > 0 ? schedule.abar(seq[i - 1]) : 1.0));
        }
        List<Step> fwd = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            fwd.add(new Step(seq[i], i < count - 1 ? schedule.abar(seq[i + 1]) : 0.0));
        }
        return new DdimGrid(Kind.STRIDED, seq, rev, fwd);
    }

    private static void requireSteps(int ddimSteps, int total) {
        if (ddimSteps < 1 || ddimSteps > total) {
            throw new IllegalArgumentException("DDIM steps must be in [1, " + total + "], got " + ddimSteps);
        }
    }

    public Kind kind() {
        return kind;
    }

    /** The original time steps of the grid, ascending (a copy). */
    public int[] timesteps() {
        return timesteps.clone();
    }

    /** The updates of sampling (x_T → x_0), in order. */
    public List<Step> reverseSteps() {
        return reverse;
    }

    /** The updates of inversion (x_0 → x_T), in order. */
    public List<Step> forwardSteps() {
        return forward;
    }

    /** Number of network evaluations per loop. */
    public int size() {
        return reverse.size();
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + "(" + size() + " steps)";
    }
}
