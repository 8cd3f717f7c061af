/// How a weight tensor's first values are drawn, as PyTorch's `torch.nn.init` functions.
///
/// The fans are PyTorch's `_calculate_fan_in_and_fan_out`: for a weight `[O, I, k1, k2, ...]`,
/// `fanIn = I * k1 * k2 * ...` and `fanOut = O * k1 * k2 * ...` (a conv weight `[O, I, KH, KW]` gives
/// `I * KH * KW` and `O * KH * KW`; a linear weight `[O, I]` gives `I` and `O`).
///
/// - `xavierUniform`: `xavier_uniform_(w)`, uniform in `±sqrt(6 / (fanIn + fanOut))`.
/// - `xavierNormal`: `xavier_normal_(w)`, normal with standard deviation `sqrt(2 / (fanIn + fanOut))`.
/// - `heUniform`: `kaiming_uniform_(w, mode='fan_in', nonlinearity='relu')`, uniform in `±sqrt(6 / fanIn)`.
/// - `heNormal`: `kaiming_normal_(w, mode='fan_in', nonlinearity='relu')`, standard deviation `sqrt(2 / fanIn)`.
/// - `pytorchDefault`: what `nn.Conv2d` and `nn.Linear` do in `reset_parameters`,
///   `kaiming_uniform_(w, a=sqrt(5))`, uniform in `±1 / sqrt(fanIn)`; their bias is drawn from the
///   same range (`pytorchDefaultBias`).
public enum Initializer: Hashable, Sendable, CaseIterable {
    case xavierUniform
    case xavierNormal
    case heUniform
    case heNormal
    case pytorchDefault

    /// The distribution the values are drawn from.
    public enum Distribution: Hashable, Sendable {
        /// Uniform in `[-bound, bound)`.
        case uniform(bound: Float)
        /// Normal with mean 0.
        case normal(standardDeviation: Float)
    }

    /// The fans of a weight of shape `shape` (at least 2-D), as PyTorch computes them.
    public static func fans(of shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        precondition(shape.count >= 2, "Initializer.fans: weight shape \(shape) needs at least 2 dimensions")
        let receptiveField = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptiveField, shape[0] * receptiveField)
    }

    /// The distribution for a weight of shape `shape` (at least 2-D with nonzero fans).
    public func distribution(shape: [Int]) -> Distribution {
        let (fanIn, fanOut) = Self.fans(of: shape)
        precondition(fanIn > 0 && fanOut > 0, "Initializer.distribution: weight shape \(shape) has a zero fan")
        let fanSum = Double(fanIn + fanOut), fanInValue = Double(fanIn)
        switch self {
        case .xavierUniform: return .uniform(bound: Float((6 / fanSum).squareRoot()))
        case .xavierNormal: return .normal(standardDeviation: Float((2 / fanSum).squareRoot()))
        case .heUniform: return .uniform(bound: Float((6 / fanInValue).squareRoot()))
        case .heNormal: return .normal(standardDeviation: Float((2 / fanInValue).squareRoot()))
        case .pytorchDefault: return .uniform(bound: Float(1 / fanInValue.squareRoot()))
        }
    }

    /// A weight tensor of shape `shape` drawn from `random`. An empty shape (a zero dimension) gives an
    /// empty tensor and draws nothing.
    public func tensor(shape: [Int], random: inout SeededRandom) -> Tensor {
        if shape.reduce(1, *) == 0 { return Tensor(zeros: shape) }
        return Self.draw(distribution(shape: shape), shape: shape, random: &random)
    }

    /// The bias `[O]` of a layer whose weight has shape `weightShape` (`[O, I, ...]`), as `nn.Conv2d`
    /// and `nn.Linear` draw it: uniform in `±1 / sqrt(fanIn)`, or zeros when `fanIn` is 0.
    public static func pytorchDefaultBias(forWeightShape weightShape: [Int], random: inout SeededRandom) -> Tensor {
        let fanIn = fans(of: weightShape).fanIn
        let outputs = weightShape[0]
        guard fanIn > 0 else { return Tensor(zeros: [outputs]) }
        return draw(.uniform(bound: Float(1 / Double(fanIn).squareRoot())), shape: [outputs], random: &random)
    }

    private static func draw(_ distribution: Distribution, shape: [Int], random: inout SeededRandom) -> Tensor {
        let count = shape.reduce(1, *)
        var data = [Float](repeating: 0, count: count)
        switch distribution {
        case .uniform(let bound):
            for index in 0..<count { data[index] = random.nextFloat(in: -bound..<bound) }
        case .normal(let standardDeviation):
            for index in 0..<count { data[index] = random.nextNormal(standardDeviation: standardDeviation) }
        }
        return Tensor(shape: shape, data: data)
    }
}
