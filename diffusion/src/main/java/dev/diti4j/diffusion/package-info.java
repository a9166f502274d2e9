/** Noise schedules, the forward process, time-step-weighted losses, samplers and the DM trainer. */
package dev.diti4j.diffusion;
