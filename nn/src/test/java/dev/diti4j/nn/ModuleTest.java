package dev.diti4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.nn.layers.Dropout;
import dev.diti4j.nn.layers.Linear;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModuleTest {
    /** A parameter of its own, then two children, one of them nested. */
    static final class Toy extends Module {
        final Parameter scale;
        final Linear first;
        final Inner inner;

        Toy(Philox rng) {
            scale = addParameter("scale", Tensor.full(Device.CPU, 1f, 3));
            first = addModule("first", new Linear(3, 4, Device.CPU, rng));
            inner = addModule("inner", new Inner(rng));
        }
    }

    static final class Inner extends Module {
        final Linear proj;
        final Dropout drop;

        Inner(Philox rng) {
            proj = addModule("proj", new Linear(4, 2, false, Device.CPU, rng));
            drop = addModule("drop", new Dropout(0.5f));
        }
    }

    @Test
    void namesAreDottedAndInRegistrationOrder() {
        Toy toy = new Toy(new Philox(1));
        assertEquals(List.of("scale", "first.weight", "first.bias", "inner.proj.weight"),
                List.copyOf(toy.namedParameters().keySet()));
        assertEquals(List.of("scale", "first.weight", "first.bias", "inner.proj.weight"),
                toy.parameters().stream().map(Parameter::name).toList());
        // a child lists names relative to itself; the parameter keeps its full name
        assertEquals(List.of("proj.weight"), List.copyOf(toy.inner.namedParameters().keySet()));
        assertEquals("inner.proj.weight", toy.inner.proj.weight().name());
        assertEquals(3 + 12 + 4 + 8, toy.parameterCount());
        assertTrue(toy.scale.tensor().requiresGrad());
    }

    @Test
    void duplicateAndDottedNamesAreRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Module() {
            {
                addParameter("w", Tensor.zeros(2));
                addParameter("w", Tensor.zeros(2));
            }
        });
        assertTrue(e.getMessage().contains("name 'w' is already used"), e.getMessage());
        var dotted = assertThrows(IllegalArgumentException.class, () -> new Module() {
            {
                addParameter("a.b", Tensor.zeros(2));
            }
        });
        assertTrue(dotted.getMessage().contains("contain no '.'"), dotted.getMessage());
        Linear shared = new Linear(2, 2, Device.CPU, new Philox(2));
        var twice = assertThrows(IllegalArgumentException.class, () -> new Module() {
            {
                addModule("a", shared);
                addModule("b", shared);
            }
        });
        assertTrue(twice.getMessage().contains("already registered"), twice.getMessage());
    }

    @Test
    void modePropagatesToChildren() {
        Toy toy = new Toy(new Philox(3));
        assertTrue(toy.inner.drop.isTraining());
        toy.eval();
        assertFalse(toy.isTraining());
        assertFalse(toy.inner.drop.isTraining());
        toy.train();
        assertTrue(toy.inner.drop.isTraining());
    }

    @Test
    void freezingRemovesParametersFromTrainingAndTheGraph() {
        Toy toy = new Toy(new Philox(4));
        toy.inner.freeze();
        assertEquals(List.of("scale", "first.weight", "first.bias"),
                toy.trainableParameters().stream().map(Parameter::name).toList());
        assertFalse(toy.inner.proj.weight().tensor().requiresGrad());
        Tensor y = toy.inner.proj.forward(Tensor.full(Device.CPU, 1f, 1, 4));
        assertFalse(y.requiresGrad(), "a frozen layer on a constant input builds no graph");
        toy.unfreeze();
        assertEquals(4, toy.trainableParameters().size());
    }

    @Test
    void dropoutUsesTheGivenGeneratorOnlyInTraining() {
        Toy toy = new Toy(new Philox(5));
        Tensor x = Tensor.full(Device.CPU, 1f, 64);
        assertThrows(IllegalStateException.class, () -> toy.inner.drop.forward(x), "no generator yet");
        Philox rng = new Philox(6);
        toy.setDropoutRng(rng);
        assertSame(rng, toy.inner.drop.rng());
        float[] a = toy.inner.drop.forward(x).toArray();
        assertEquals(16, rng.offset(), "64 uniforms use 16 Philox blocks");
        toy.setDropoutRng(new Philox(6));
        assertEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(toy.inner.drop.forward(x).toArray()),
                "the same generator state gives the same mask");
        float[] b = toy.inner.drop.forward(x).toArray();
        assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(b), "the stream advances");
        toy.eval();
        assertEquals(java.util.Arrays.toString(x.toArray()), java.util.Arrays.toString(toy.inner.drop.forward(x).toArray()));
    }

    @Test
    void sequentialChainsLayers() {
        Philox rng = new Philox(7);
        Linear a = new Linear(3, 5, Device.CPU, rng);
        Linear b = new Linear(5, 2, Device.CPU, rng);
        Sequential seq = new Sequential(a, new dev.diti4j.nn.layers.SiLU(), b);
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(seq.namedParameters().keySet()));
        Tensor x = Tensor.randn(rng, Device.CPU, 4, 3);
        assertEquals(java.util.Arrays.toString(b.forward(a.forward(x).silu()).toArray()),
                java.util.Arrays.toString(seq.forward(x).toArray()));
    }

    @Test
    void initIsPyTorchsDefaultBound() {
        Linear lin = new Linear(16, 300, Device.CPU, new Philox(8));
        float bound = 0.25f; // 1 / sqrt(16)
        float max = 0;
        for (float v : lin.weight().tensor().toArray()) {
            max = Math.max(max, Math.abs(v));
        }
        assertTrue(max <= bound && max > 0.9f * bound, "weights fill U(-1/4, 1/4), max |w| = " + max);
        float bmax = 0;
        for (float v : lin.bias().tensor().toArray()) {
            bmax = Math.max(bmax, Math.abs(v));
        }
        assertTrue(bmax <= bound && bmax > 0.8f * bound, "biases fill U(-1/4, 1/4), max |b| = " + bmax);
        // the same seed gives the same weights
        assertEquals(java.util.Arrays.toString(lin.weight().tensor().toArray()),
                java.util.Arrays.toString(new Linear(16, 300, Device.CPU, new Philox(8)).weight().tensor().toArray()));
    }
}
