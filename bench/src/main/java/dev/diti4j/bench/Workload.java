package dev.diti4j.bench;

/**
 * One case of the side-by-side runner ({@link StepRunner}): something to run repeatedly and
 * time. {@link #run()} does one unit of work (one training step, one forward pass, one GEMM);
 * the runner calls it for warm-up and then for the measured samples.
 */
interface Workload {
    /** One unit of work: a training step, a forward pass, one kernel call. */
    void run();

    /** Trainable parameters of the model this case runs, or 0 for a kernel case. */
    default long parameters() {
        return 0;
    }

    /**
     * The sizes (element counts) of the trainable parameter tensors, ascending: a layout-free
     * fingerprint of the model that the driver compares with the PyTorch twin's. Empty for a
     * kernel case.
     */
    default long[] parameterSizes() {
        return new long[0];
    }

    /**
     * Whether one unit takes long enough (tens of milliseconds and more) to time on its own; a
     * short one (a kernel call) is repeated within each sample until the sample lasts a minimum
     * time, and the sample reports the time per call.
     */
    default boolean longRunning() {
        return true;
    }

    /** A short description for the info line, for example the model configuration. */
    String describe();
}
