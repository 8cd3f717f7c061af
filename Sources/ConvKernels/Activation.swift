/// An elementwise activation function with PyTorch's semantics, forward and backward side by side.
///
///     relu(x)              = x > 0 ? x : 0              relu'(x)        = x > 0 ? 1 : 0   (0 at x = 0)
///     leakyRelu(slope)(x)  = x > 0 ? x : slope * x      leakyRelu'(x)   = x > 0 ? 1 : slope
///     sigmoid(x)           = 1 / (1 + e^-x)             sigmoid'(x)     = s * (1 - s), s = sigmoid(x)
///     tanh(x)                                           tanh'(x)        = 1 - tanh(x)^2
///
/// Shapes: any; the output and `dInput` have the input's shape. NaN passes through every function.
public enum Activation: Hashable, Sendable {
    case relu
    /// Leaky ReLU; callers choose the slope for negative inputs (PyTorch's default is 0.01).
    case leakyRelu(slope: Float)
    case sigmoid
    case tanh

    /// The function's name as the command line and lessons spell it: "relu", "leaky-relu", "sigmoid", "tanh".
    public var name: String {
        switch self {
        case .relu: "relu"
        case .leakyRelu: "leaky-relu"
        case .sigmoid: "sigmoid"
        case .tanh: "tanh"
        }
    }

    /// The function at one point, for plots and lessons (the same arithmetic as `forward`).
    @inline(__always)
    public func value(_ x: Float) -> Float {
        switch self {
        case .relu: Self.relu(x)
        case .leakyRelu(let slope): x > 0 ? x : x * slope
        case .sigmoid: Self.sigmoid(x)
        case .tanh: Math.tanh(x)
        }
    }

    /// The derivative `d value / dx` at one point (the same arithmetic as `backward`).
    @inline(__always)
    public func derivative(_ x: Float) -> Float {
        switch self {
        case .relu:
            return x <= 0 ? 0 : 1  // PyTorch's threshold_backward: a NaN input passes the gradient
        case .leakyRelu(let slope):
            return x > 0 ? 1 : slope
        case .sigmoid:
            let s = Self.sigmoid(x)
            return s * (1 - s)
        case .tanh:
            let t = Math.tanh(x)
            return 1 - t * t
        }
    }

    /// The function applied to every value of `input`.
    public func forward(_ input: Tensor) -> Tensor {
        var output = [Float](repeating: 0, count: input.count)
        input.data.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                // One loop per case, so each loop body is a straight line the compiler can vectorise.
                switch self {
                case .relu:
                    for index in 0..<source.count { target[index] = Self.relu(source[index]) }
                case .leakyRelu(let slope):
                    for index in 0..<source.count {
                        let x = source[index]
                        target[index] = x > 0 ? x : x * slope
                    }
                case .sigmoid:
                    for index in 0..<source.count { target[index] = Self.sigmoid(source[index]) }
                case .tanh:
                    for index in 0..<source.count { target[index] = Math.tanh(source[index]) }
                }
            }
        }
        return Tensor(shape: input.shape, data: output)
    }

    /// The gradient with respect to the input: `dInput = dOutput * derivative(input)`, elementwise.
    ///
    /// `input` and `dOutput` must have the same shape.
    public func backward(input: Tensor, dOutput: Tensor) -> Tensor {
        precondition(input.shape == dOutput.shape,
                     "\(name) backward: input shape \(input.shape) differs from dOutput shape \(dOutput.shape)")
        var dInput = [Float](repeating: 0, count: input.count)
        input.data.withUnsafeBufferPointer { source in
            dOutput.data.withUnsafeBufferPointer { gradients in
                dInput.withUnsafeMutableBufferPointer { target in
                    switch self {
                    case .relu:
                        for index in 0..<source.count { target[index] = source[index] <= 0 ? 0 : gradients[index] }
                    case .leakyRelu(let slope):
                        for index in 0..<source.count {
                            target[index] = source[index] > 0 ? gradients[index] : gradients[index] * slope
                        }
                    case .sigmoid:
                        for index in 0..<source.count {
                            let s = Self.sigmoid(source[index])
                            target[index] = gradients[index] * (s * (1 - s))
                        }
                    case .tanh:
                        for index in 0..<source.count {
                            let t = Math.tanh(source[index])
                            target[index] = gradients[index] * (1 - t * t)
                        }
                    }
                }
            }
        }
        return Tensor(shape: input.shape, data: dInput)
    }

    /// ReLU that lets NaN through (as PyTorch does) and never writes -0.
    @inline(__always)
    private static func relu(_ x: Float) -> Float {
        x > 0 || x.isNaN ? x : 0
    }

    /// The logistic function, stable for large |x|: the exponential's argument is never positive,
    /// so it cannot overflow.
    @inline(__always)
    private static func sigmoid(_ x: Float) -> Float {
        if x >= 0 {
            return 1 / (1 + Math.exp(-x))
        }
        let e = Math.exp(x)
        return e / (1 + e)
    }
}
