/// An elementwise activation function with PyTorch's semantics, forward and backward side by side.
///
///     relu(x)              = x > 0 ? x : 0              relu'(x)        = x > 0 ? 1 : 0   (0 at x = 0)
///     leakyRelu(slope)(x)  = x > 0 ? x : slope * x      leakyRelu'(x)   = x > 0 ? 1 : slope
///     sigmoid(x)           = 1 / (1 + e^-x)             sigmoid'(x)     = s * (1 - s), s = sigmoid(x)
///     tanh(x)                                           tanh'(x)        = 1 - tanh(x)^2
///     relu6(x)             = min(max(x, 0), 6)          relu6'(x)       = 0 < x < 6 ? 1 : 0 (0 at 0 and 6)
///     silu(x)              = x * sigmoid(x)             silu'(x)        = s * (1 + x * (1 - s)), s = sigmoid(x)
///
/// tanh is `VectorMath.tanh` (within 3 ulp of the true value) on every path: forward, backward,
/// `value` and `derivative` agree bit for bit.
///
/// Shapes: any; the output and `dInput` have the input's shape. NaN passes through every function.
public enum Activation: Hashable, Sendable {
    case relu
    /// Leaky ReLU; callers choose the slope for negative inputs (PyTorch's default is 0.01).
    case leakyRelu(slope: Float)
    case sigmoid
    case tanh
    /// ReLU capped at 6 (MobileNet's).
    case relu6
    /// The sigmoid-weighted linear unit `x * sigmoid(x)`, also called swish (EfficientNet's).
    case silu

    /// The function's name as the command line and lessons spell it: "relu", "leaky-relu", "sigmoid", "tanh",
    /// "relu6", "silu".
    public var name: String {
        switch self {
        case .relu: "relu"
        case .leakyRelu: "leaky-relu"
        case .sigmoid: "sigmoid"
        case .tanh: "tanh"
        case .relu6: "relu6"
        case .silu: "silu"
        }
    }

    /// The function at one point, for plots and lessons (the same arithmetic as `forward`).
    @inline(__always)
    public func value(_ x: Float) -> Float {
        switch self {
        case .relu: Self.relu(x)
        case .leakyRelu(let slope): x > 0 ? x : x * slope
        case .sigmoid: Self.sigmoid(x)
        case .tanh: VectorMath.tanh(SIMD8(repeating: x))[0]
        case .relu6: Self.relu6(x)
        case .silu: x * Self.sigmoid(x)
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
            let t = VectorMath.tanh(SIMD8(repeating: x))[0]
            return 1 - t * t
        case .relu6:
            return x <= 0 || x >= 6 ? 0 : 1  // PyTorch's hardtanh_backward: a NaN input passes the gradient
        case .silu:
            let s = Self.sigmoid(x)
            return s * (1 + x * (1 - s))
        }
    }

    /// The function applied to every value of `input`.
    public func forward(_ input: Tensor) -> Tensor {
        // Every value is written, so the output starts uninitialised.
        Tensor(shape: input.shape) { target in
            input.data.withUnsafeBufferPointer { source in
                let x = source.baseAddress, y = target.baseAddress, count = source.count
                guard let x, let y else { return }
                // One loop per case, so each loop body is a straight line; ReLU and leaky ReLU eight
                // lanes at a time, with the same selects as the scalar functions (NaN passes, no -0).
                switch self {
                case .relu:
                    var index = 0
                    while count &- index >= 8 {
                        let value = Self.load(x + index)
                        Self.store(value.replacing(with: SIMD8<Float>.zero, where: value .<= SIMD8<Float>.zero), y + index)
                        index &+= 8
                    }
                    while index < count { y[index] = Self.relu(x[index]); index &+= 1 }
                case .leakyRelu(let slope):
                    let slopes = SIMD8<Float>(repeating: slope)
                    var index = 0
                    while count &- index >= 8 {
                        let value = Self.load(x + index)
                        Self.store((value * slopes).replacing(with: value, where: value .> SIMD8<Float>.zero), y + index)
                        index &+= 8
                    }
                    while index < count { y[index] = x[index] > 0 ? x[index] : x[index] * slope; index &+= 1 }
                case .sigmoid:
                    for index in 0..<count { y[index] = Self.sigmoid(x[index]) }
                case .tanh:
                    var index = 0
                    while count &- index >= 8 {
                        Self.store(VectorMath.tanh(Self.load(x + index)), y + index)
                        index &+= 8
                    }
                    while index < count { y[index] = value(x[index]); index &+= 1 }
                case .relu6:
                    for index in 0..<count { y[index] = Self.relu6(x[index]) }
                case .silu:
                    for index in 0..<count { y[index] = x[index] * Self.sigmoid(x[index]) }
                }
            }
        }
    }

    /// The gradient with respect to the input: `dInput = dOutput * derivative(input)`, elementwise.
    ///
    /// `input` and `dOutput` must have the same shape.
    public func backward(input: Tensor, dOutput: Tensor) -> Tensor {
        precondition(input.shape == dOutput.shape,
                     "\(name) backward: input shape \(input.shape) differs from dOutput shape \(dOutput.shape)")
        return Tensor(shape: input.shape) { target in
            input.data.withUnsafeBufferPointer { source in
                dOutput.data.withUnsafeBufferPointer { gradients in
                    let x = source.baseAddress, dy = gradients.baseAddress, dx = target.baseAddress, count = source.count
                    guard let x, let dy, let dx else { return }
                    switch self {
                    case .relu:
                        // PyTorch's threshold_backward: the gradient passes unless the input is <= 0 (NaN passes).
                        var index = 0
                        while count &- index >= 8 {
                            let value = Self.load(x + index), gradient = Self.load(dy + index)
                            Self.store(gradient.replacing(with: SIMD8<Float>.zero, where: value .<= SIMD8<Float>.zero), dx + index)
                            index &+= 8
                        }
                        while index < count { dx[index] = x[index] <= 0 ? 0 : dy[index]; index &+= 1 }
                    case .leakyRelu(let slope):
                        let slopes = SIMD8<Float>(repeating: slope)
                        var index = 0
                        while count &- index >= 8 {
                            let value = Self.load(x + index), gradient = Self.load(dy + index)
                            Self.store((gradient * slopes).replacing(with: gradient, where: value .> SIMD8<Float>.zero), dx + index)
                            index &+= 8
                        }
                        while index < count { dx[index] = x[index] > 0 ? dy[index] : dy[index] * slope; index &+= 1 }
                    case .sigmoid:
                        for index in 0..<count {
                            let s = Self.sigmoid(x[index])
                            dx[index] = dy[index] * (s * (1 - s))
                        }
                    case .tanh:
                        var index = 0
                        while count &- index >= 8 {
                            let t = VectorMath.tanh(Self.load(x + index))
                            Self.store(Self.load(dy + index) * (1 - t * t), dx + index)
                            index &+= 8
                        }
                        while index < count { dx[index] = dy[index] * derivative(x[index]); index &+= 1 }
                    case .relu6, .silu:
                        for index in 0..<count { dx[index] = dy[index] * derivative(x[index]) }
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    private static func store(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
    }

    /// ReLU that lets NaN through (as PyTorch does) and never writes -0.
    @inline(__always)
    private static func relu(_ x: Float) -> Float {
        x > 0 || x.isNaN ? x : 0
    }

    /// ReLU6 that lets NaN through (as PyTorch's clamp does) and never writes -0.
    @inline(__always)
    private static func relu6(_ x: Float) -> Float {
        x > 0 || x.isNaN ? min(x, 6) : 0
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
