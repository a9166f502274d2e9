package dev.diti4j.bench;

import dev.diti4j.core.backend.Backends;
import dev.diti4j.core.cpu.Gemm;

/** Prints what the benchmarks run on: the CPU backend and its GEMM kernel, one line each. */
public final class Describe {
    private Describe() {
    }

    public static void main(String[] args) {
        System.out.println("backend: " + Backends.cpu().describe());
        System.out.println("gemm: " + Gemm.describe());
        System.out.println("jvm: " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")");
    }
}
