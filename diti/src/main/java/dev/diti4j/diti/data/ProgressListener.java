package dev.diti4j.diti.data;

/**
 * Hears how far a long task has got (checking every image of a big folder, for example), so that
 * a caller can show it; the library itself prints nothing. Calls may come from several threads
 * at once.
 */
public interface ProgressListener {
    /** A listener that ignores everything. */
    ProgressListener NONE = new ProgressListener() {
        @Override
        public void started(String task, long total) {
        }

        @Override
        public void advanced(long units) {
        }

        @Override
        public void finished() {
        }
    };

    /** The task begins; {@code total} units are to come. */
    void started(String task, long total);

    /** {@code units} more are done. */
    void advanced(long units);

    /** The task ended, successfully or not. */
    void finished();
}
