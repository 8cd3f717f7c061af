/// The named 3x3 kernels a lesson or the playground may use instead of typing the numbers.
///
/// All are cross-correlation kernels as the convolution applies them (not flipped): `sobel-x`
/// responds to brightness rising from left to right, `sobel-y` from top to bottom.
public enum KernelPreset: String, CaseIterable, Sendable {
    case identity
    case sobelX = "sobel-x"
    case sobelY = "sobel-y"
    case laplacian
    case boxBlur = "box-blur"
    case gaussian
    case sharpen
    case emboss

    /// The kernel's values, row by row.
    public var grid: [[Float]] {
        switch self {
        case .identity: [[0, 0, 0], [0, 1, 0], [0, 0, 0]]
        case .sobelX: [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
        case .sobelY: [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]
        case .laplacian: [[0, 1, 0], [1, -4, 1], [0, 1, 0]]
        case .boxBlur: Array(repeating: Array(repeating: 1 / 9, count: 3), count: 3)
        case .gaussian: [[1, 2, 1], [2, 4, 2], [1, 2, 1]].map { $0.map { $0 / 16 } }
        case .sharpen: [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]
        case .emboss: [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]
        }
    }

    /// What it does, in a few words, for labels and the playground.
    public var summary: String {
        switch self {
        case .identity: "copies the input"
        case .sobelX: "vertical edges (left-to-right change)"
        case .sobelY: "horizontal edges (top-to-bottom change)"
        case .laplacian: "edges in every direction"
        case .boxBlur: "the mean of the 3x3 neighbourhood"
        case .gaussian: "a smooth blur weighted to the centre"
        case .sharpen: "the centre minus its neighbours"
        case .emboss: "a raised, lit-from-the-top-left look"
        }
    }

    /// The kernel as a stack with `channels` copies of the grid (one per input channel).
    public func stack(channels: Int = 1) -> GridStack {
        GridStack(channels: Array(repeating: grid, count: max(channels, 1)), presetName: rawValue)
    }

    /// The preset names, comma-separated, for error messages.
    public static var namesList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
