/** JMH benchmarks of the hot path and the side-by-side comparison against PyTorch. */
package dev.diti4j.bench;
