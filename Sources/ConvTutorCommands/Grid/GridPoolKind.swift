import ConvKernels

/// The pooling kinds as `convtutor pool --kind` spells them.
public enum GridPoolKind: String, CaseIterable, Sendable {
    case max
    case avg
    case sum

    /// The kernel's pooling kind.
    public var kind: PoolKind {
        switch self {
        case .max: .max
        case .avg: .average
        case .sum: .sum
        }
    }

    /// What the kind computes, for help text.
    public var summary: String {
        switch self {
        case .max: "the largest cell of each window"
        case .avg: "the mean of each window (padding cells count as 0, also in the divisor)"
        case .sum: "the sum of each window"
        }
    }
}
