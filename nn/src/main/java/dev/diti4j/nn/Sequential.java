package dev.diti4j.nn;

import dev.diti4j.core.Tensor;

/** Layers applied one after another; children are named {@code 0, 1, 2, ...}. */
public final class Sequential extends Module implements Layer {
    private final Layer[] layers;

    /** Every argument must be a {@link Module} that implements {@link Layer}. */
    public Sequential(Layer... layers) {
        this.layers = layers.clone();
        for (int i = 0; i < layers.length; i++) {
            if (!(layers[i] instanceof Module m)) {
                throw new IllegalArgumentException("Sequential element " + i + " (" + layers[i].getClass().getSimpleName()
                        + ") is not a Module");
            }
            addModule(Integer.toString(i), m);
        }
    }

    public int size() {
        return layers.length;
    }

    public Layer get(int i) {
        return layers[i];
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = x;
        for (Layer l : layers) {
            h = l.forward(h);
        }
        return h;
    }
}
