package dev.diti4j.core.ops;

/**
 * A (batched) matrix product {@code C[b] = op(A[b]) * op(B[b])}, all row-major.
 *
 * <p>op(A) is (m, k): A is stored (m, k), or (k, m) when {@code transA}. op(B) is (k, n): B is
 * stored (k, n), or (n, k) when {@code transB}. C is (m, n). A batch stride of 0 reuses one
 * matrix for every batch entry (a 2-D operand broadcast against a batch).
 *
 * @param batch   number of products
 * @param m       rows of C
 * @param n       columns of C
 * @param k       inner dimension
 * @param transA  A is stored transposed
 * @param transB  B is stored transposed
 * @param strideA elements between consecutive A matrices (m*k or 0)
 * @param strideB elements between consecutive B matrices (k*n or 0)
 */
public record MatmulSpec(int batch, int m, int n, int k, boolean transA, boolean transB,
                         long strideA, long strideB) {

    /** A single product. */
    public static MatmulSpec of(int m, int n, int k, boolean transA, boolean transB) {
        return new MatmulSpec(1, m, n, k, transA, transB, 0, 0);
    }

    /** Leading dimension (row length) of A as stored. */
    public int lda() {
        return transA ? m : k;
    }

    /** Leading dimension (row length) of B as stored. */
    public int ldb() {
        return transB ? k : n;
    }

    public double flops() {
        return 2.0 * batch * m * n * k;
    }
}
