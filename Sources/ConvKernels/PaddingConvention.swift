/// How the frameworks a learner meets decide a convolution's output size and padding.
///
/// - `pytorch`: explicit symmetric padding, and the floor: `floor((in + 2p - span) / stride) + 1`
///   (`SlidingWindow.outputSize`); a last partial window is dropped.
/// - `tensorflowSame`: TensorFlow's `padding="SAME"`: the output is `ceil(in / stride)` and the
///   padding that needs, `max((out - 1) * stride + span - in, 0)`, is split with the smaller half
///   first: top/left get `total / 2`, bottom/right the rest (so an odd total puts the extra cell at
///   the bottom and right).
/// - `tensorflowValid`: no padding, `ceil((in - span + 1) / stride)`, which equals PyTorch's floor
///   with padding 0.
/// - `cs231n`: CS231n's rule `(W - F + 2P) / S + 1` must be a whole number; otherwise the
///   hyperparameters are called invalid rather than rounded.
public enum PaddingConvention: String, CaseIterable, Sendable {
    case pytorch, tensorflowSame, tensorflowValid, cs231n

    /// The output size and the padding before and after along one axis.
    ///
    /// - Parameters: `padding` is used by `pytorch` and `cs231n` (symmetric); the TensorFlow modes work
    ///   it out themselves. `span` is `dilation * (kernel - 1) + 1`.
    /// - Throws: `KernelError` naming the rule when the window does not fit, or, for `cs231n`, when
    ///   the division is not whole.
    public func output(input: Int, kernel: Int, stride: Int, padding: Int = 0, dilation: Int = 1,
                       axis: String = "width") throws(KernelError) -> (size: Int, before: Int, after: Int) {
        switch self {
        case .pytorch:
            let size = try SlidingWindow.outputSize(input: input, kernel: kernel, stride: stride, padding: padding,
                                                    dilation: dilation, axis: axis)
            return (size, padding, padding)
        case .tensorflowValid:
            let size = try SlidingWindow.outputSize(input: input, kernel: kernel, stride: stride, padding: 0,
                                                    dilation: dilation, axis: axis)
            return (size, 0, 0)
        case .tensorflowSame:
            // Validates the sizes (a padding of 0 always fits "SAME"'s rule for a kernel inside the input or not).
            guard input >= 1, kernel >= 1, stride >= 1, dilation >= 1 else {
                _ = try SlidingWindow.outputSize(input: input, kernel: kernel, stride: stride, padding: 0,
                                                 dilation: dilation, axis: axis)
                return (0, 0, 0)
            }
            // Checked: the window must fit the input with padding 0 or some padding; the padding SAME
            // needs is below `span`, so once the span is countable the rest cannot overflow.
            let (spread, spreadOverflow) = dilation.multipliedReportingOverflow(by: kernel - 1)
            guard !spreadOverflow, spread < Int.max - input else {
                throw KernelError("kernel \(axis) \(kernel) with dilation \(dilation) along the \(axis) is too large to compute with")
            }
            let span = spread + 1
            let size = input / stride + (input % stride == 0 ? 0 : 1)
            let total = max((size - 1) * stride + span - input, 0)
            return (size, total / 2, total - total / 2)
        case .cs231n:
            // The shared checks first (sizes, signs, overflow, the kernel fitting), so the sums below fit.
            _ = try SlidingWindow.outputSize(input: input, kernel: kernel, stride: stride, padding: padding,
                                             dilation: dilation, axis: axis)
            let span = dilation * (kernel - 1) + 1
            let numerator = input - span + 2 * padding
            guard numerator >= 0 else {
                throw KernelError("filter \(span) is larger than the input \(input) + 2 x padding \(padding) along the \(axis)")
            }
            guard stride >= 1, numerator % stride == 0 else {
                throw KernelError("(W - F + 2P) / S + 1 = (\(input) - \(span) + 2x\(padding)) / \(stride) + 1 = "
                    + "\(numerator)/\(stride) + 1 is not a whole number: CS231n calls these hyperparameters invalid "
                    + "(PyTorch would round down to \(numerator / max(stride, 1) + 1))")
            }
            return (numerator / stride + 1, padding, padding)
        }
    }
}
