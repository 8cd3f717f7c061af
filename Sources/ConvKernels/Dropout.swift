/// Inverted dropout, as PyTorch's `torch.nn.Dropout(p)` (`torch.nn.functional.dropout`): forward and
/// backward side by side.
///
/// Shapes: input, output, mask and both gradients all have the same shape (any rank).
///
/// In training mode every value is zeroed with probability `p` and the survivors are scaled by
/// `1 / (1 - p)`, so the expected value of each output equals its input and evaluation needs no
/// rescaling; in evaluation mode (and for `p = 0`) the op is the identity. The mask holds the factor
/// each value was multiplied by (`0` or `1 / (1 - p)`), which is all the backward pass needs:
///
///     output = input * mask        dInput = dOutput * mask
public struct Dropout: Hashable, Sendable {
    /// The probability `p` of zeroing a value in training mode, in `[0, 1)`.
    public let probability: Float

    /// A dropout that zeroes values with probability `probability`.
    ///
    /// `p = 1` would zero everything and leave no gradient to learn from, so it is rejected.
    public init(probability: Float) throws(KernelError) {
        guard probability >= 0 && probability < 1 else {
            throw KernelError("dropout probability \(probability) is invalid; it must be at least 0 and less than 1")
        }
        self.probability = probability
    }

    /// The factor a surviving value is multiplied by: `1 / (1 - p)`.
    public var survivorScale: Float { 1 / (1 - probability) }

    /// The output and the mask it was made with (ones in evaluation mode).
    ///
    /// - Parameter training: true draws a fresh mask from `random`; false is the identity and draws nothing.
    public func forward(_ input: Tensor, training: Bool, random: inout SeededRandom) -> (output: Tensor, mask: Tensor) {
        // Like PyTorch, p = 0 and evaluation skip the random draws altogether.
        guard training && probability > 0 else {
            return (input, Tensor(repeating: 1, shape: input.shape))
        }
        let count = input.count
        let p = probability, scale = survivorScale
        var mask = [Float](repeating: 0, count: count)
        var output = [Float](repeating: 0, count: count)
        input.data.withUnsafeBufferPointer { x in
            mask.withUnsafeMutableBufferPointer { m in
                output.withUnsafeMutableBufferPointer { y in
                    var index = 0
                    while index < count {
                        // A uniform u in [0, 1) is below p with probability p: that value is dropped.
                        let factor: Float = random.nextUnitFloat() < p ? 0 : scale
                        m[index] = factor
                        y[index] = x[index] * factor
                        index &+= 1
                    }
                }
            }
        }
        return (Tensor(shape: input.shape, data: output), Tensor(shape: input.shape, data: mask))
    }

    /// The gradient with respect to the input: `dOutput * mask`, the mask from `forward`.
    public func backward(dOutput: Tensor, mask: Tensor) -> Tensor {
        precondition(dOutput.shape == mask.shape,
                     "Dropout backward: dOutput \(dOutput.shape) and mask \(mask.shape) differ in shape")
        let count = dOutput.count
        var dInput = [Float](repeating: 0, count: count)
        dOutput.data.withUnsafeBufferPointer { dy in
            mask.data.withUnsafeBufferPointer { m in
                dInput.withUnsafeMutableBufferPointer { dx in
                    var index = 0
                    while index < count {
                        dx[index] = dy[index] * m[index]
                        index &+= 1
                    }
                }
            }
        }
        return Tensor(shape: dOutput.shape, data: dInput)
    }
}
