package dev.diti4j.core.testing;

import dev.diti4j.core.Shape;
import dev.diti4j.core.random.Philox;

/** Seeded choice of the catalogue's sizes, so shapes vary between cases but never between runs. */
final class Pick {
    private final Philox rng;

    Pick(long seed) {
        this.rng = new Philox(seed);
    }

    /** One of the given sizes. */
    int of(int... choices) {
        return choices[rng.nextInt(choices.length)];
    }

    /** Odd and unit sizes, the ones that break vector tails and broadcasting. */
    int small() {
        return of(1, 3, 5, 7);
    }

    /** Sizes that are not multiples of any vector width. */
    int odd() {
        return of(3, 5, 7, 13);
    }

    /** Formats dimensions as {@code (2,3,4)}. */
    static String s(int... dims) {
        return Shape.of(dims).toString();
    }
}
