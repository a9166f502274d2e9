package dev.diti4j.core.cpu;

import static dev.diti4j.core.ops.FloatMath.C2;
import static dev.diti4j.core.ops.FloatMath.C3;
import static dev.diti4j.core.ops.FloatMath.C4;
import static dev.diti4j.core.ops.FloatMath.C5;
import static dev.diti4j.core.ops.FloatMath.C6;
import static dev.diti4j.core.ops.FloatMath.EXP_HI;
import static dev.diti4j.core.ops.FloatMath.EXP_LO;
import static dev.diti4j.core.ops.FloatMath.LN2_HI;
import static dev.diti4j.core.ops.FloatMath.LN2_LO;
import static dev.diti4j.core.ops.FloatMath.LOG2E;
import static dev.diti4j.core.ops.FloatMath.SHIFT;
import static dev.diti4j.core.ops.FloatMath.SHIFT_BITS;
import static dev.diti4j.core.ops.FloatMath.TANH_HI;

import dev.diti4j.core.ops.FloatMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FloatMath}'s exp, sigmoid, SiLU, SiLU derivative and tanh, lane-wise: the same operation
 * sequence on {@code FloatVector.SPECIES_PREFERRED} lanes, so each lane gets exactly the bits the
 * scalar function gives (tested bit for bit in {@code VectorMathTest}). Only lane-wise add, sub,
 * mul, div, fma, compares, blends, abs/neg and integer shifts, adds and reinterpretations are used;
 * each gives the same bits in the Java fallback (interpreter, C1) and in C2's intrinsics. The
 * Vector API's own {@code EXP}/{@code TANH} operations are not (docs/internals/determinism.md,
 * rule 2), and neither is {@link Math#exp}. A {@code x != x ? x : f(x)} in the scalar code is a
 * blend of x into the NaN lanes here; {@code a < b ? c : d} is a compare and a blend.
 *
 * <p>C2 stops inlining ordinary methods once a compilation has grown past its node-count cutoff
 * (the Vector API's calls, which are force-inlined, are still inlined late), and a vector that
 * crosses a call that was not inlined is allocated on the heap, which made the SiLU backward loop
 * several times slower. So the last operations of each function call the Vector API directly
 * (the NaN compare is written out rather than a helper), and the helpers sit early in the chain.
 */
final class VectorMath {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();

    private VectorMath() {
    }

    /** FloatMath.exp lane-wise. */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.blend(EXP_LO, x.lt(EXP_LO));
        xc = xc.blend(EXP_HI, xc.compare(VectorOperators.GT, EXP_HI));
        return expClamped(xc).blend(x, x.compare(VectorOperators.NE, x));
    }

    /** e^x for lanes in [EXP_LO, EXP_HI] (NaN lanes give some NaN). */
    private static FloatVector expClamped(FloatVector x) {
        FloatVector t = x.fma(LOG2E, SHIFT);
        FloatVector k = t.sub(SHIFT);
        IntVector n = t.reinterpretAsInts().sub(SHIFT_BITS);
        FloatVector r = k.fma(FloatVector.broadcast(S, -LN2_HI), x);
        r = k.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector y = expm1Poly(r).add(1f);
        IntVector m = n.lanewise(VectorOperators.ASHR, 1);
        FloatVector s1 = m.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = n.sub(m).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return y.mul(s1).mul(s2);
    }

    /** r + r^2 P(r), in FloatMath's order. */
    private static FloatVector expm1Poly(FloatVector r) {
        FloatVector q = FloatVector.broadcast(S, C6).fma(r, FloatVector.broadcast(S, C5))
                .fma(r, FloatVector.broadcast(S, C4))
                .fma(r, FloatVector.broadcast(S, C3))
                .fma(r, FloatVector.broadcast(S, C2));
        return r.mul(r).fma(q, r);
    }

    /** e^-|x| for non-NaN lanes. */
    private static FloatVector expNegAbs(FloatVector x) {
        return expClamped(negAbsClamped(x));
    }

    /** -|x| raised to EXP_LO. */
    private static FloatVector negAbsClamped(FloatVector x) {
        FloatVector a = x.abs().neg();
        return a.blend(EXP_LO, a.lt(EXP_LO));
    }

    /** FloatMath.sigmoid lane-wise. */
    static FloatVector sigmoid(FloatVector x) {
        FloatVector e = expNegAbs(x);
        FloatVector num = FloatVector.broadcast(S, 1f).blend(e, x.lt(0f));
        return num.div(e.add(1f)).blend(x, x.compare(VectorOperators.NE, x));
    }

    /** FloatMath.silu lane-wise. */
    static FloatVector silu(FloatVector x) {
        return x.blend(EXP_LO, x.lt(EXP_LO)).mul(sigmoid(x));
    }

    /** FloatMath.siluDerivative lane-wise. */
    static FloatVector siluDerivative(FloatVector x) {
        FloatVector a = negAbsClamped(x);
        FloatVector e = expClamped(a);
        FloatVector q = FloatVector.broadcast(S, 1f).div(e.add(1f));
        FloatVector eq = e.mul(q);
        VectorMask<Float> neg = x.lt(0f);
        FloatVector s = q.blend(eq, neg);
        FloatVector oneMinusS = eq.blend(q, neg);
        FloatVector xc = a.neg().blend(a, neg);
        return s.mul(xc.fma(oneMinusS, FloatVector.broadcast(S, 1f))).blend(x, x.compare(VectorOperators.NE, x));
    }

    /** FloatMath.tanh lane-wise. */
    static FloatVector tanh(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector u = a.blend(TANH_HI, a.compare(VectorOperators.GT, TANH_HI)).mul(-2f);
        FloatVector t = u.fma(LOG2E, SHIFT);
        FloatVector k = t.sub(SHIFT);
        IntVector n = t.reinterpretAsInts().sub(SHIFT_BITS);
        FloatVector r = k.fma(FloatVector.broadcast(S, -LN2_HI), u);
        r = k.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = expm1Poly(r);
        FloatVector scale = n.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector em1 = scale.fma(p, scale.sub(1f));
        FloatVector th = em1.neg().div(em1.add(2f));
        IntVector bits = th.reinterpretAsInts().and(0x7fff_ffff)
                .or(x.reinterpretAsInts().and(0x8000_0000));
        return bits.reinterpretAsFloats().blend(x, x.compare(VectorOperators.NE, x));
    }
}
