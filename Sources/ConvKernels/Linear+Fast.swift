extension Linear {
    /// The fast forward path. (Being written: delegates to the reference for now.)
    static func fastForward(batch: Int, inputs: Int, outputs: Int, input: Tensor, weight: Tensor, bias: Tensor?,
                            threads: Int) -> Tensor {
        referenceForward(input: input, weight: weight, bias: bias)
    }

    /// The fast backward path. (Being written: delegates to the reference for now.)
    static func fastBackward(batch: Int, inputs: Int, outputs: Int, input: Tensor, weight: Tensor, dOutput: Tensor,
                             hasBias: Bool, needInputGradient: Bool, threads: Int) -> Gradients {
        referenceBackward(input: input, weight: weight, dOutput: dOutput, hasBias: hasBias)
    }
}
