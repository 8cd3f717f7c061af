/// Flattening every dimension after the batch into one (PyTorch's `nn.Flatten()`): the values
/// stay in place, only the shape changes; backward reshapes the gradient back.
///
/// Shapes: input `[N, d1, d2, ...]` (at least 2 dimensions), output `[N, d1 * d2 * ...]`.
public enum Flatten {
    /// The input as `[N, product of the other dimensions]`.
    public static func forward(_ input: Tensor) -> Tensor {
        precondition(input.rank >= 2, "Flatten needs a tensor [N, ...] of at least 2 dimensions; got shape \(input.shape)")
        return input.reshaped(outputShape(of: input.shape))
    }

    /// `dOutput` `[N, product of the rest]` reshaped to the forward input's shape.
    public static func backward(dOutput: Tensor, inputShape: [Int]) -> Tensor {
        precondition(inputShape.count >= 2, "Flatten needs an input shape [N, ...] of at least 2 dimensions; got \(inputShape)")
        precondition(dOutput.shape == outputShape(of: inputShape),
                     "Flatten backward: dOutput shape \(dOutput.shape) should be \(outputShape(of: inputShape)) for input shape \(inputShape)")
        return dOutput.reshaped(inputShape)
    }

    private static func outputShape(of inputShape: [Int]) -> [Int] {
        [inputShape[0], inputShape.dropFirst().reduce(1, *)]
    }
}
