import ConvKernels

/// `convtutor conv`: one filter (a kernel per input channel) slid over a grid by `Conv2d.forward`.
public enum ConvGridCommand {
    /// Convolves `input` (`C` channels) with `kernel` (`C` channels: one filter, one output
    /// channel) and reports the output, with every window's arithmetic from the kernel's observer
    /// when `steps` is true.
    ///
    /// With a `paddingMode` other than zero, the input is first padded by `Pad2d` in that mode and
    /// the convolution runs with padding 0; window positions in the steps then count from the padded
    /// grid's corner.
    ///
    /// - Throws: `KernelError` when the kernel has another number of channels than the input, or
    ///   the convolution itself rejects a size, stride, padding or dilation (its message unchanged).
    public static func run(
        input: Grid, kernel: Grid, bias: Float? = nil, options: Conv2dOptions = Conv2dOptions(),
        paddingMode: Pad2d.Mode = .zero, steps: Bool = false, budget: ResourceBudget = .standard
    ) throws(KernelError) -> GridReport {
        guard kernel.channelCount == input.channelCount else {
            throw KernelError("--kernel has \(channels(kernel.channelCount)) and --input has \(channels(input.channelCount)); "
                + "give one kernel per input channel, separated by '|' as in the input")
        }
        // `Grid.tensor` is 1 x C x H x W, which is also the weight layout of one filter: [O = 1, C, KH, KW].
        let biasTensor = bias.map { Tensor(shape: [1], data: [$0]) }
        var windows: [String] = []
        let observer: ((ConvWindow) -> Void)? = steps
            ? { windows.append(StepText.conv($0, hasBias: bias != nil)) }
            : nil
        var source = input.tensor, convOptions = options
        var paddingCost = KernelCost.zero
        if paddingMode != .zero {
            let sides = Pad2d.Sides(top: options.padding.height, bottom: options.padding.height,
                                    left: options.padding.width, right: options.padding.width)
            // The convolution's own checks first: a kernel that cannot fit is named as such, and a
            // padding too large for the budget is refused before it is made.
            _ = try Conv2dGeometry(inputShape: source.shape, weightShape: kernel.tensor.shape, options: options)
            paddingCost = try GridBudget.check(padding: sides, mode: paddingMode, inputShape: source.shape, budget: budget)
            source = try Pad2d.forward(input: source, sides: sides, mode: paddingMode)
            convOptions.padding = 0
        }
        let geometry = try Conv2dGeometry(inputShape: source.shape, weightShape: kernel.tensor.shape, options: convOptions)
        try OutputLimit.check(geometry)
        try GridBudget.check(geometry, padding: paddingCost, steps: steps, budget: budget)
        let output = try Conv2d.forward(input: source, weight: kernel.tensor, bias: biasTensor,
                                        options: convOptions, observer: observer)
        return GridReport(output: output.grid(), steps: steps ? windows : nil)
    }

    private static func channels(_ count: Int) -> String {
        count == 1 ? "1 channel" : "\(count) channels"
    }
}
