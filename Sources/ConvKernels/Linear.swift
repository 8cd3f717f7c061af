/// A fully connected layer, `y = x W^T + b`, as PyTorch's `nn.Linear`: forward and backward side by side.
///
/// Shapes: input `[N, F]`, weight `[O, F]`, bias `[O]`, output `[N, O]`.
///
///     output[n, o] = bias[o] + sum over f of input[n, f] * weight[o, f]
///     dInput  = dOutput W        [N, F]
///     dWeight = dOutput^T x      [O, F]
///     dBias   = sum over n of dOutput[n, :]   [O]
///
/// `forward` and `backward` take the fast path (`Linear+Fast.swift`); the reference loops stay
/// beside it and tests hold the two equal.
public enum Linear {
    /// Gradients of a linear layer with respect to its input, weight and bias.
    public struct Gradients: Sendable {
        /// `[N, F]`
        public var dInput: Tensor
        /// `[O, F]`
        public var dWeight: Tensor
        /// `[O]`, or nil when the layer has no bias.
        public var dBias: Tensor?
    }

    /// Checks the shapes of a linear layer's operands; returns (N, F, O).
    public static func checkShapes(input: [Int], weight: [Int], bias: [Int]?) throws(KernelError) -> (batch: Int, inputs: Int, outputs: Int) {
        guard input.count == 2 else { throw KernelError("linear input must have 2 dimensions [N, F]; got shape \(input)") }
        guard weight.count == 2 else { throw KernelError("linear weight must have 2 dimensions [O, F]; got shape \(weight)") }
        guard input.allSatisfy({ $0 >= 1 }), weight.allSatisfy({ $0 >= 1 }) else {
            throw KernelError("linear shapes input \(input) and weight \(weight) must have no empty dimension")
        }
        guard weight[1] == input[1] else {
            throw KernelError("linear weight shape \(weight) needs \(input[1]) input features to match input \(input); it has \(weight[1])")
        }
        if let bias, bias != [weight[0]] {
            throw KernelError("linear bias must have shape [\(weight[0])] (one per output feature); got \(bias)")
        }
        return (input[0], input[1], weight[0])
    }

    /// The layer's output `[N, O]`.
    public static func forward(input: Tensor, weight: Tensor, bias: Tensor? = nil,
                               threads: Int = Parallel.defaultThreads) throws(KernelError) -> Tensor {
        let (batch, inputs, outputs) = try checkShapes(input: input.shape, weight: weight.shape, bias: bias?.shape)
        return fastForward(batch: batch, inputs: inputs, outputs: outputs, input: input, weight: weight, bias: bias, threads: threads)
    }

    /// Gradients given the output's gradient `dOutput` `[N, O]`.
    public static func backward(input: Tensor, weight: Tensor, dOutput: Tensor, hasBias: Bool = true,
                                needInputGradient: Bool = true,
                                threads: Int = Parallel.defaultThreads) throws(KernelError) -> Gradients {
        let (batch, inputs, outputs) = try checkShapes(input: input.shape, weight: weight.shape, bias: nil)
        guard dOutput.shape == [batch, outputs] else {
            throw KernelError("linear gradOutput must have the output's shape [\(batch), \(outputs)]; got \(dOutput.shape)")
        }
        return fastBackward(batch: batch, inputs: inputs, outputs: outputs, input: input, weight: weight,
                            dOutput: dOutput, hasBias: hasBias, needInputGradient: needInputGradient, threads: threads)
    }

    // MARK: - Reference

    /// The plain loops of the forward pass.
    public static func referenceForward(input: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        let batch = input.shape[0], inputs = input.shape[1], outputs = weight.shape[0]
        var output = Tensor(zeros: [batch, outputs])
        for n in 0..<batch {
            for o in 0..<outputs {
                var sum: Float = 0
                for f in 0..<inputs { sum += input[n, f] * weight[o, f] }
                output[n, o] = sum + (bias?.data[o] ?? 0)
            }
        }
        return output
    }

    /// The plain loops of the backward pass.
    public static func referenceBackward(input: Tensor, weight: Tensor, dOutput: Tensor, hasBias: Bool) -> Gradients {
        let batch = input.shape[0], inputs = input.shape[1], outputs = weight.shape[0]
        var dInput = Tensor(zeros: input.shape)
        var dWeight = Tensor(zeros: weight.shape)
        var dBias = Tensor(zeros: [outputs])
        for n in 0..<batch {
            for o in 0..<outputs {
                let gradient = dOutput[n, o]
                dBias.data[o] += gradient
                for f in 0..<inputs {
                    dInput[n, f] += gradient * weight[o, f]
                    dWeight[o, f] += gradient * input[n, f]
                }
            }
        }
        return Gradients(dInput: dInput, dWeight: dWeight, dBias: hasBias ? dBias : nil)
    }
}
