package dev.diti4j.core.ops;

/**
 * Element-wise functions of two tensors with NumPy broadcasting (and their tensor-scalar forms).
 * {@link #EQ} and {@link #GE} return 1 or 0 and are not differentiable: they build masks
 * (max backward, clamp backward, dropout).
 */
public enum BinaryOp {
    ADD { public float apply(float a, float b) { return a + b; } },
    SUB { public float apply(float a, float b) { return a - b; } },
    MUL { public float apply(float a, float b) { return a * b; } },
    DIV { public float apply(float a, float b) { return a / b; } },
    EQ { public float apply(float a, float b) { return a == b ? 1f : 0f; } },
    GE { public float apply(float a, float b) { return a >= b ? 1f : 0f; } };

    public abstract float apply(float a, float b);

    public boolean differentiable() {
        return this != EQ && this != GE;
    }

    public String opName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
