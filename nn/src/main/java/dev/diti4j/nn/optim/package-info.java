/**
 * Parameter updates: {@link dev.diti4j.nn.optim.AdamW} (decoupled weight decay, optional global
 * gradient-norm clipping) and {@link dev.diti4j.nn.optim.Ema} (exponential moving average of
 * parameters). Both update tensors in place with {@code Tensor.assign}, compute under
 * {@code GradMode.off()} inside their own {@code Scope}, and expose their state for checkpoints.
 */
package dev.diti4j.nn.optim;
