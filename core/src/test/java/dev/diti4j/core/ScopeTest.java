package dev.diti4j.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Scopes own what is created inside them; keep() hands a tensor outward one level. */
class ScopeTest {

    @Test
    void closingReleasesWhatWasCreatedInside() {
        Tensor outside = Tensor.zeros(3);
        Tensor inside;
        try (Scope s = Scope.open()) {
            inside = outside.add(1f);
            assertEquals(1, s.ownedCount());
        }
        assertTrue(inside.isReleased());
        assertFalse(outside.isReleased(), "tensors made outside any scope are left to the garbage collector");
        assertThrows(TensorException.Released.class, inside::toArray);
    }

    @Test
    void keepMovesATensorOneLevelOut() {
        Tensor kept;
        Tensor keptTwice;
        try (Scope outer = Scope.open()) {
            try (Scope inner = Scope.open()) {
                kept = inner.keep(Tensor.zeros(2).add(1f));
                keptTwice = inner.keep(Tensor.zeros(2).add(2f));
                Tensor.zeros(2); // dropped with the inner scope
                assertEquals(3, inner.ownedCount(), "the three zeros tensors; the two kept ones moved out");
            }
            assertFalse(kept.isReleased());
            assertArrayEquals(new float[] {1, 1}, kept.toArray());
            assertSame(keptTwice, outer.keep(keptTwice));
            assertEquals(1, outer.ownedCount());
        }
        assertTrue(kept.isReleased(), "the outer scope released what the inner one handed it");
        assertFalse(keptTwice.isReleased(), "kept at the top level: no scope owns it any more");
        assertArrayEquals(new float[] {2, 2}, keptTwice.toArray());
    }

    @Test
    void aViewKeepsItsStorageAliveAfterTheScopeOfTheBase() {
        Tensor view;
        try (Scope s = Scope.open()) {
            Tensor base = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).add(0f);
            view = s.keep(base.reshape(4));
        }
        assertArrayEquals(new float[] {1, 2, 3, 4}, view.toArray(), "the reshape holds its own storage reference");
    }

    @Test
    void scopesCloseInnermostFirst() {
        Scope outer = Scope.open();
        Scope inner = Scope.open();
        IllegalStateException e = assertThrows(IllegalStateException.class, outer::close);
        assertTrue(e.getMessage().contains("innermost first"));
        inner.close();
        outer.close();
        outer.close(); // closing twice is harmless
    }
}
