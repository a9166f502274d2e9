/**
 * What every long-running command leaves behind: a run folder (config JSON, metrics as JSON
 * lines, plots, sample grids, checkpoints) and a progress bar on the terminal.
 */
package dev.diti4j.cli.run;
