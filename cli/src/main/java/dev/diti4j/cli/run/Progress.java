package dev.diti4j.cli.run;

import dev.diti4j.diti.data.ProgressListener;
import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A terminal progress bar for a loop of known length: step count, rate, ETA and an extra
 * message (loss, images/s). Closing it finishes the line.
 */
public final class Progress implements AutoCloseable {
    private final ProgressBar bar;
    private final long startNanos = System.nanoTime();
    private final long initial;

    private Progress(ProgressBar bar, long initial) {
        this.bar = bar;
        this.initial = initial;
    }

    /** Starts a bar for {@code total} units, already at {@code done} (for resumed runs). */
    public static Progress start(String task, long total, long done, String unit) {
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .startsFrom(done, Duration.ZERO)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500)
                .setUnit(" " + unit, 1)
                .showSpeed()
                .setMaxRenderedLength(110)
                .build();
        return new Progress(bar, done);
    }

    /** Moves to {@code done} units and shows a message after the bar. */
    public void update(long done, String message) {
        bar.stepTo(done);
        if (message != null) {
            bar.setExtraMessage(" " + message);
        }
    }

    /** Changes the expected total (for loops bounded by time rather than by a count). */
    public void setTotal(long total) {
        bar.maxHint(total);
    }

    /** Units per second since the bar started (excluding the resumed part). */
    public double rate(long done) {
        double s = (System.nanoTime() - startNanos) / 1e9;
        return s <= 0 ? 0 : (done - initial) / s;
    }

    @Override
    public void close() {
        bar.close();
    }

    /**
     * A listener that draws a bar on standard error for the library's long checks, when standard
     * error's console is a terminal; otherwise it draws nothing.
     */
    public static ProgressListener terminalListener() {
        java.io.Console console = System.console();
        if (console == null || !console.isTerminal()) {
            return ProgressListener.NONE;
        }
        return new ProgressListener() {
            private ProgressBar bar;

            @Override
            public synchronized void started(String task, long total) {
                bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).setUnit(" files", 1)
                        .setMaxRenderedLength(100).build();
            }

            @Override
            public synchronized void advanced(long units) {
                if (bar != null) {
                    bar.stepBy(units);
                }
            }

            @Override
            public synchronized void finished() {
                if (bar != null) {
                    bar.close();
                    bar = null;
                }
            }
        };
    }
}
