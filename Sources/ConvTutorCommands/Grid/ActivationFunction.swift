import ConvKernels

/// The functions `convtutor activate --fn` applies, spelled as on the command line.
public enum ActivationFunction: String, CaseIterable, Sendable {
    case relu
    case leakyRelu = "leaky-relu"
    case sigmoid
    case tanh
    /// Softmax over each row of the grid.
    case softmax

    /// What the function does, for help text.
    public var summary: String {
        switch self {
        case .relu: "max(x, 0)"
        case .leakyRelu: "x if x > 0, else slope * x"
        case .sigmoid: "1 / (1 + e^-x)"
        case .tanh: "the hyperbolic tangent"
        case .softmax: "e^x / (sum of e^x over the row), each row of the grid a probability distribution"
        }
    }
}
