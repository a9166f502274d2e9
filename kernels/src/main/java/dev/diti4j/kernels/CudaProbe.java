package dev.diti4j.kernels;

import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * Finds out once whether CUDA can be used here. The first touch of JCuda's driver binding throws
 * an {@link UnsatisfiedLinkError} when {@code libcuda.so.1} is missing (and
 * {@link NoClassDefFoundError} on later touches), with a message that embeds whole stack traces;
 * this probe catches both and keeps one line.
 */
public final class CudaProbe {
    /** CUDA 13 driver API version: the fatbin is built by nvcc 13. */
    public static final int MIN_DRIVER_VERSION = 13000;

    private static volatile String reason;
    private static volatile boolean probed;

    private CudaProbe() {
    }

    /** Null when a CUDA device can be used, else one line saying why not. */
    public static synchronized String unavailableReason() {
        if (!probed) {
            reason = probe();
            probed = true;
        }
        return reason;
    }

    private static String probe() {
        try {
            JCudaDriver.setExceptionsEnabled(false);
            int rc = JCudaDriver.cuInit(0);
            if (rc != CUresult.CUDA_SUCCESS) {
                return "cuInit failed: " + CUresult.stringFor(rc);
            }
            int[] count = new int[1];
            rc = JCudaDriver.cuDeviceGetCount(count);
            if (rc != CUresult.CUDA_SUCCESS || count[0] == 0) {
                return "no CUDA device found";
            }
            int[] version = new int[1];
            JCudaDriver.cuDriverGetVersion(version);
            if (version[0] < MIN_DRIVER_VERSION) {
                return "driver supports CUDA " + version[0] / 1000 + "." + (version[0] % 1000) / 10
                        + " but the kernels need CUDA 13 (driver >= 580)";
            }
            return null;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return firstLine(e.getMessage());
        } catch (RuntimeException e) {
            return firstLine(e.toString());
        }
    }

    static String firstLine(String msg) {
        if (msg == null) {
            return "CUDA driver library could not be loaded";
        }
        // JCuda embeds the stack traces of each load attempt; the useful line names libcuda
        for (String line : msg.lines().toList()) {
            int lib = line.indexOf("libcuda.so");
            if (lib >= 0) {
                return line.substring(lib).strip();
            }
        }
        String line = msg.strip().lines().findFirst().orElse(msg);
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
