package dev.diti4j.diti.eval.probe;

/**
 * A trained probe and how it was chosen (METHOD 7.1 "Model selection").
 *
 * @param model           the weights of the selected epoch
 * @param bestEpoch       that epoch, 1-based; the last epoch when no validation split was given
 * @param validationCurve the validation score after every epoch (empty without a validation
 *                        split); the selected epoch is its first maximum
 */
public record ProbeFit(LinearModel model, int bestEpoch, double[] validationCurve) {
    public ProbeFit {
        validationCurve = validationCurve.clone();
    }

    @Override
    public double[] validationCurve() {
        return validationCurve.clone();
    }
}
