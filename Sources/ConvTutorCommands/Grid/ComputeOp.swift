/// The operations `convtutor compute` answers, spelled as in a request's `"op"`.
public enum ComputeOp: String, CaseIterable, Sendable {
    case conv2d
    case maxpool2d
    case avgpool2d
    case sumpool2d
    case globalavgpool2d
    case adaptiveavgpool2d
    case relu
    case leakyRelu = "leaky_relu"
    case sigmoid
    case tanh
    case relu6
    case silu
    case softmax
    case linear
    case softmaxCrossEntropy = "softmax_cross_entropy"
    case add
    case concat
    case channelScale = "channel_scale"

    /// Every op's name, comma separated, for messages.
    public static var list: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The fields a request for this op may carry besides `"op"`, in the order help lists them.
    public var fields: [String] {
        switch self {
        case .conv2d: ["input", "weight", "bias", "stride", "padding", "dilation", "groups", "gradOutput"]
        case .maxpool2d, .avgpool2d, .sumpool2d: ["input", "kernel", "stride", "padding", "ceilMode", "gradOutput"]
        case .globalavgpool2d, .relu, .sigmoid, .tanh, .relu6, .silu, .softmax: ["input", "gradOutput"]
        case .leakyRelu: ["input", "slope", "gradOutput"]
        case .linear: ["input", "weight", "bias", "gradOutput"]
        case .softmaxCrossEntropy: ["input", "labels"]
        case .add: ["input", "other", "gradOutput"]
        case .concat: ["inputs", "gradOutput"]
        case .channelScale: ["input", "scale", "gradOutput"]
        case .adaptiveavgpool2d: ["input", "outputSize", "gradOutput"]
        }
    }
}
