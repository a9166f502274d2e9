package dev.diti4j.diti.run;

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
}
