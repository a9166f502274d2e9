/** Modules, parameters, layers, the U-Net, optimizers and checkpoints. */
package dev.diti4j.nn;
