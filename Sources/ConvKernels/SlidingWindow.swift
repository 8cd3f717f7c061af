/// The output-size arithmetic shared by convolution and pooling, in one place.
public enum SlidingWindow {
    /// The number of window positions along one axis (PyTorch's floor convention):
    ///
    ///     output = floor((input + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1
    ///
    /// `dilation * (kernel - 1) + 1` is the span the kernel covers. The window must fit inside the
    /// padded input at least once; the last partial window, if any, is dropped (the floor).
    ///
    /// - Parameter axis: "height" or "width", used in the error message.
    /// - Throws: `KernelError` naming the value and the rule when a size is not positive, padding is
    ///   negative, or the kernel's span exceeds the padded input.
    public static func outputSize(
        input: Int, kernel: Int, stride: Int, padding: Int, dilation: Int = 1, axis: String = "height"
    ) throws(KernelError) -> Int {
        guard input >= 1 else { throw KernelError("input \(axis) is \(input); it must be at least 1") }
        guard kernel >= 1 else { throw KernelError("kernel \(axis) is \(kernel); it must be at least 1") }
        guard stride >= 1 else { throw KernelError("stride \(stride) along the \(axis) is invalid; stride must be at least 1") }
        guard dilation >= 1 else { throw KernelError("dilation \(dilation) along the \(axis) is invalid; dilation must be at least 1") }
        guard padding >= 0 else { throw KernelError("padding \(padding) along the \(axis) is invalid; padding must be 0 or more") }
        // Checked arithmetic: absurd values (a padding of 2^62) are a user's error, not a crash.
        let (spread, spreadOverflow) = dilation.multipliedReportingOverflow(by: kernel - 1)
        let (bothSides, sidesOverflow) = padding.multipliedReportingOverflow(by: 2)
        let (paddedInput, paddedOverflow) = input.addingReportingOverflow(bothSides)
        guard !spreadOverflow, spread < Int.max, !sidesOverflow, !paddedOverflow else {
            throw KernelError("kernel \(axis) \(kernel), dilation \(dilation) and padding \(padding) along the \(axis) are too large to compute with")
        }
        let span = spread + 1
        let padded = paddedInput
        guard span <= padded else {
            let what = dilation == 1 ? "kernel \(axis) \(kernel)" : "dilated kernel \(axis) \(span) (kernel \(kernel), dilation \(dilation))"
            throw KernelError("\(what) is larger than the padded input \(axis) \(padded) (input \(input) + 2 x padding \(padding))")
        }
        return (padded - span) / stride + 1
    }

    /// `outputSize` for both axes at once.
    public static func outputSize(
        input: Pair, kernel: Pair, stride: Pair, padding: Pair, dilation: Pair = 1
    ) throws(KernelError) -> Pair {
        Pair(
            try outputSize(input: input.height, kernel: kernel.height, stride: stride.height,
                           padding: padding.height, dilation: dilation.height, axis: "height"),
            try outputSize(input: input.width, kernel: kernel.width, stride: stride.width,
                           padding: padding.width, dilation: dilation.width, axis: "width"))
    }
}
