/**
 * The CUDA backend: kernels in {@code src/main/cuda} compiled by nvcc into a fatbin, launched
 * through JCuda's driver API; cuBLAS and cuDNN bound through FFM. {@link dev.diti4j.kernels.CudaProbe}
 * reports whether a device can be used on this machine.
 */
package dev.diti4j.kernels;
