/// The hyperparameters of a 2-D convolution.
public struct Conv2dOptions: Hashable, Sendable {
    public var stride: Pair
    public var padding: Pair
    public var dilation: Pair
    /// Input and output channels are split into this many groups; each output channel sees only
    /// its group's input channels. `groups == inputChannels` is a depthwise convolution.
    public var groups: Int

    public init(stride: Pair = 1, padding: Pair = 0, dilation: Pair = 1, groups: Int = 1) {
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
    }
}

/// Every size a convolution needs, checked once.
///
/// Shapes: input `[N, C, H, W]`, weight `[O, C / groups, KH, KW]`, bias `[O]`,
/// output `[N, O, OH, OW]` with `OH`, `OW` from `SlidingWindow.outputSize`.
public struct Conv2dGeometry: Hashable, Sendable {
    public let batch: Int
    public let inputChannels: Int
    public let inputHeight: Int
    public let inputWidth: Int
    public let outputChannels: Int
    public let kernelHeight: Int
    public let kernelWidth: Int
    public let outputHeight: Int
    public let outputWidth: Int
    public let options: Conv2dOptions

    public var groups: Int { options.groups }
    public var inputChannelsPerGroup: Int { inputChannels / options.groups }
    public var outputChannelsPerGroup: Int { outputChannels / options.groups }
    public var inputShape: [Int] { [batch, inputChannels, inputHeight, inputWidth] }
    public var weightShape: [Int] { [outputChannels, inputChannelsPerGroup, kernelHeight, kernelWidth] }
    public var outputShape: [Int] { [batch, outputChannels, outputHeight, outputWidth] }

    /// The number of output values, or nil when it does not fit in an `Int`.
    public var outputCount: Int? { ResourceBudget.product(outputShape) }

    /// Multiply-adds of one forward pass, or nil when the count does not fit in an `Int`.
    public var checkedMultiplyAdds: Int? {
        ResourceBudget.product(batch, outputChannels, outputHeight, outputWidth, inputChannelsPerGroup,
                               kernelHeight, kernelWidth)
    }

    /// Multiply-adds of one forward pass (`Int.max` when too many to count: the sizes come from
    /// users, so this must not trap; check `cost` against a budget before running such a call).
    public var multiplyAdds: Int { checkedMultiplyAdds ?? Int.max }

    /// The padded input's height and width (`H + 2 * padH`, `W + 2 * padW`); they fit in an `Int`,
    /// since `SlidingWindow.outputSize` checked them.
    public var paddedInputSize: Pair {
        Pair(inputHeight + 2 * options.padding.height, inputWidth + 2 * options.padding.width)
    }

    /// What one forward pass costs, from the shapes alone: the input, weight and output, the fast
    /// path's scratch (padded planes for the direct path, unfolded patches otherwise) for `threads`
    /// threads, and with `recordingWindows` every `ConvWindow` an observer would keep (one per output
    /// value, each with its `C / groups * KH * KW` terms). Steps are the multiply-adds.
    public func cost(recordingWindows: Bool = false, threads: Int = Parallel.defaultThreads) -> KernelCost {
        let tensors = ResourceBudget.sum(
            ResourceBudget.product(inputShape), ResourceBudget.product(weightShape), outputCount, outputChannels)
        let scratch: Int?
        if recordingWindows {
            scratch = 0  // the reference loops allocate only the output
        } else if Conv2d.directPathApplies(self) {
            // Per thread: one padded image and one wide output (all output channels, padded rows).
            let padded = paddedInputSize
            let plane = ResourceBudget.product(inputChannels, padded.height, padded.width)
            let wide = ResourceBudget.product(outputChannels, outputHeight, padded.width)
            scratch = ResourceBudget.sum(plane, wide).flatMap { ResourceBudget.product($0, max(1, threads)) }
        } else {
            let columns = min(outputHeight * outputWidth, 4096)
            scratch = ResourceBudget.product(inputChannelsPerGroup * kernelHeight * kernelWidth + outputChannelsPerGroup,
                                             columns, max(1, threads))
        }
        var bytes = KernelCost.floatBytes(ResourceBudget.sum(tensors, scratch))
        if recordingWindows {
            let perWindow = ResourceBudget.sum(
                MemoryLayout<ConvWindow>.stride + 96,  // the window and its three arrays' headers
                ResourceBudget.product(kernelHeight + kernelWidth, MemoryLayout<Int>.stride),
                ResourceBudget.product(inputChannelsPerGroup, kernelHeight, kernelWidth, MemoryLayout<ConvTerm>.stride))
            let recorded = outputCount.flatMap { count in perWindow.flatMap { ResourceBudget.product(count, $0) } }
            bytes = ResourceBudget.sum(bytes, recorded)
        }
        return KernelCost(bytes: bytes, steps: checkedMultiplyAdds)
    }

    /// Checks the shapes of an input and a weight against the options.
    ///
    /// - Throws: `KernelError` naming the shape or option at fault and the rule it broke.
    public init(inputShape: [Int], weightShape: [Int], options: Conv2dOptions) throws(KernelError) {
        guard inputShape.count == 4 else {
            throw KernelError("conv2d input must have 4 dimensions [N, C, H, W]; got shape \(inputShape)")
        }
        guard weightShape.count == 4 else {
            throw KernelError("conv2d weight must have 4 dimensions [O, C/groups, KH, KW]; got shape \(weightShape)")
        }
        guard inputShape.allSatisfy({ $0 >= 1 }) else {
            throw KernelError("conv2d input shape \(inputShape) has an empty dimension; every size must be at least 1")
        }
        guard weightShape.allSatisfy({ $0 >= 1 }) else {
            throw KernelError("conv2d weight shape \(weightShape) has an empty dimension; every size must be at least 1")
        }
        let groups = options.groups
        guard groups >= 1 else { throw KernelError("groups \(groups) is invalid; groups must be at least 1") }
        let channels = inputShape[1], outputs = weightShape[0]
        guard channels % groups == 0 else {
            throw KernelError("groups \(groups) does not divide the \(channels) input channels")
        }
        guard outputs % groups == 0 else {
            throw KernelError("groups \(groups) does not divide the \(outputs) output channels")
        }
        guard weightShape[1] == channels / groups else {
            throw KernelError("conv2d weight shape \(weightShape) needs \(channels / groups) input channels per group "
                + "(input has \(channels) channels in \(groups) group\(groups == 1 ? "" : "s")); it has \(weightShape[1])")
        }
        let output = try SlidingWindow.outputSize(
            input: Pair(inputShape[2], inputShape[3]), kernel: Pair(weightShape[2], weightShape[3]),
            stride: options.stride, padding: options.padding, dilation: options.dilation)
        batch = inputShape[0]
        inputChannels = channels
        inputHeight = inputShape[2]
        inputWidth = inputShape[3]
        outputChannels = outputs
        kernelHeight = weightShape[2]
        kernelWidth = weightShape[3]
        outputHeight = output.height
        outputWidth = output.width
        self.options = options
    }

    /// Checks a bias shape (`[O]`) against this geometry.
    public func checkBias(_ shape: [Int]) throws(KernelError) {
        guard shape == [outputChannels] else {
            throw KernelError("conv2d bias must have shape [\(outputChannels)] (one per output channel); got \(shape)")
        }
    }

    /// Checks an output gradient's shape against this geometry.
    public func checkOutputGradient(_ shape: [Int]) throws(KernelError) {
        guard shape == outputShape else {
            throw KernelError("conv2d gradOutput must have the output's shape \(outputShape); got \(shape)")
        }
    }

    /// The input row read by output row `outputRow` at kernel row `kernelRow` (may lie in the padding).
    @inline(__always)
    public func inputRow(outputRow: Int, kernelRow: Int) -> Int {
        outputRow * options.stride.height - options.padding.height + kernelRow * options.dilation.height
    }

    /// The input column read by output column `outputColumn` at kernel column `kernelColumn`.
    @inline(__always)
    public func inputColumn(outputColumn: Int, kernelColumn: Int) -> Int {
        outputColumn * options.stride.width - options.padding.width + kernelColumn * options.dilation.width
    }
}
