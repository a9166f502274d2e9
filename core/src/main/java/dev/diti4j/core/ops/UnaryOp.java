package dev.diti4j.core.ops;

/**
 * Element-wise functions of one tensor. Each constant carries its scalar math and its local
 * derivative, so every backend computes the same function and the fused backward
 * {@code gx = gy * f'(x)} from one definition. exp, sigmoid, tanh and SiLU (and SiLU's
 * derivative) are {@link FloatMath}'s, built from exactly rounded operations only, which the CPU
 * backend's vector kernels reproduce bit for bit; log is {@link StrictMath}'s.
 */
public enum UnaryOp {
    NEG {
        public float apply(float x) { return -x; }
        public float derivative(float x, float y) { return -1f; }
    },
    EXP {
        public float apply(float x) { return FloatMath.exp(x); }
        public float derivative(float x, float y) { return y; }
    },
    LOG {
        public float apply(float x) { return (float) StrictMath.log(x); }
        public float derivative(float x, float y) { return 1f / x; }
    },
    SQRT {
        public float apply(float x) { return (float) Math.sqrt(x); }
        public float derivative(float x, float y) { return 0.5f / y; }
    },
    RSQRT {
        public float apply(float x) { return (float) (1.0 / Math.sqrt(x)); }
        // d/dx x^-1/2 = -1/2 x^-3/2 = -1/2 y^3
        public float derivative(float x, float y) { return -0.5f * y * y * y; }
    },
    SQUARE {
        public float apply(float x) { return x * x; }
        public float derivative(float x, float y) { return 2f * x; }
    },
    ABS {
        public float apply(float x) { return Math.abs(x); }
        public float derivative(float x, float y) { return x > 0 ? 1f : x < 0 ? -1f : 0f; }
    },
    SIGMOID {
        public float apply(float x) { return sigmoid(x); }
        public float derivative(float x, float y) { return y * (1f - y); }
    },
    TANH {
        public float apply(float x) { return FloatMath.tanh(x); }
        public float derivative(float x, float y) { return 1f - y * y; }
    },
    SILU {
        public float apply(float x) { return FloatMath.silu(x); }
        // d/dx x s(x) = s + x s (1 - s)
        public float derivative(float x, float y) { return FloatMath.siluDerivative(x); }
    },
    RELU {
        public float apply(float x) { return x > 0 ? x : 0f; }
        public float derivative(float x, float y) { return x > 0 ? 1f : 0f; }
    };

    /** f(x). */
    public abstract float apply(float x);

    /** f'(x), given x and y = f(x) (whichever is cheaper). */
    public abstract float derivative(float x, float y);

    /** Lower-case name used in error messages and benchmarks. */
    public String opName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The logistic function, numerically safe for large |x| ({@link FloatMath#sigmoid}). */
    public static float sigmoid(float x) {
        return FloatMath.sigmoid(x);
    }
}
