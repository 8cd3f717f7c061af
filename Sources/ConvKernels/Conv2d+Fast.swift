extension Conv2d {
    /// The fast forward path. (Being written: delegates to the reference for now.)
    static func fastForward(_ g: Conv2dGeometry, input: Tensor, weight: Tensor, bias: Tensor?, threads: Int) -> Tensor {
        referenceForward(g, input: input, weight: weight, bias: bias)
    }

    /// The fast backward path. (Being written: delegates to the reference for now.)
    static func fastBackward(_ g: Conv2dGeometry, input: Tensor, weight: Tensor, dOutput: Tensor, hasBias: Bool,
                             needInputGradient: Bool, threads: Int) -> Gradients {
        referenceBackward(g, input: input, weight: weight, dOutput: dOutput, hasBias: hasBias)
    }
}
