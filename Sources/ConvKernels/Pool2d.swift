/// What a pooling window computes from its cells.
public enum PoolKind: String, CaseIterable, Sendable {
    /// The largest cell; padding cells are -infinity, so they never win.
    case max
    /// The sum of the cells divided by the window size; padding cells count as zeros and count in
    /// the divisor (PyTorch's `avg_pool2d` with `count_include_pad=True`).
    case average
    /// The sum of the cells; padding adds 0.
    case sum
}

/// The hyperparameters of a 2-D pooling.
public struct Pool2dOptions: Hashable, Sendable {
    public var kernel: Pair
    public var stride: Pair
    /// Padding on each side; at most half the kernel (PyTorch's rule).
    public var padding: Pair
    /// PyTorch's `ceil_mode`: round the output size up, so a last window that runs past the padded
    /// input is kept (clipped) when it starts inside the input or its left/top padding.
    public var ceilMode: Bool

    /// - Parameter stride: the step between windows; nil means the kernel size (windows that tile).
    public init(kernel: Pair, stride: Pair? = nil, padding: Pair = 0, ceilMode: Bool = false) {
        self.kernel = kernel
        self.stride = stride ?? kernel
        self.padding = padding
        self.ceilMode = ceilMode
    }
}

/// 2-D max, average and sum pooling with PyTorch's semantics: forward and backward side by side.
///
/// Shapes: input `[N, C, H, W]`, output `[N, C, OH, OW]` with
/// `OH = floor((H + 2 * padH - KH) / strideH) + 1` (`SlidingWindow.outputSize`, dilation 1), and
/// the same for the width. With `ceilMode` (PyTorch's `ceil_mode=True`) the division rounds up
/// instead, less one when the last window would start past the input and its top padding
/// (`(OH - 1) * strideH >= H + padH`); that last window is clipped: max and sum pool the cells it
/// holds, and average pooling divides by its part inside the padded input, as PyTorch does. Output cell `(y, x)` pools input rows `y * sH - pH ..< y * sH - pH + KH`
/// and columns `x * sW - pW ..< x * sW - pW + KW` of its own batch item and channel.
///
/// One set of loops serves both uses: with an observer it also reports every window; without one
/// it builds no arrays.
public enum Pool2d {
    /// The pooled output `[N, C, OH, OW]`.
    ///
    /// - Parameter observer: told about every window, in output order; passing one runs the
    ///   reference loops (without one, unpadded pooling takes `Pool2d+Fast.swift`'s path).
    /// - Throws: `KernelError` when the input is not 4-D or empty, or the kernel, stride or padding
    ///   break a rule (see `SlidingWindow.outputSize`; padding at most half the kernel).
    public static func forward(
        input: Tensor, kind: PoolKind, options: Pool2dOptions, threads: Int = Parallel.defaultThreads,
        observer: ((PoolWindow) -> Void)? = nil
    ) throws(KernelError) -> Tensor {
        let geometry = try Geometry(inputShape: input.shape, options: options)
        if observer == nil && fastPathApplies(geometry) {
            return fastForward(geometry, input: input, kind: kind, threads: threads)
        }
        return pool(geometry, input: input, kind: kind, observer: observer)
    }

    /// The gradient with respect to the input `[N, C, H, W]`, given the output's gradient
    /// `dOutput` `[N, C, OH, OW]`.
    ///
    /// Max pooling routes each output gradient to its window's winner, average pooling spreads
    /// `gradOutput / divisor` over the window's input cells, sum pooling adds `gradOutput` to each;
    /// where windows overlap the shares accumulate.
    ///
    /// - Parameter observer: told about every window's contributions, in the order they are added.
    /// - Throws: `KernelError` for the same rules as `forward`, and when `dOutput` does not have the
    ///   output's shape.
    public static func backward(
        input: Tensor, dOutput: Tensor, kind: PoolKind, options: Pool2dOptions, threads: Int = Parallel.defaultThreads,
        observer: ((PoolGradientWindow) -> Void)? = nil
    ) throws(KernelError) -> Tensor {
        let geometry = try Geometry(inputShape: input.shape, options: options)
        guard dOutput.shape == geometry.outputShape else {
            throw KernelError("pool2d dOutput must have the output's shape \(geometry.outputShape); got \(dOutput.shape)")
        }
        if observer == nil && fastPathApplies(geometry) {
            return fastBackward(geometry, input: input, dOutput: dOutput, kind: kind, threads: threads)
        }
        return unpool(geometry, input: input, dOutput: dOutput, kind: kind, observer: observer)
    }

    // MARK: - Loops

    /// The forward loops: one window at a time, cells in row-major order.
    private static func pool(
        _ g: Geometry, input: Tensor, kind: PoolKind, observer: ((PoolWindow) -> Void)?
    ) -> Tensor {
        let observing = observer != nil
        let isMax = kind == .max
        let paddingValue: Float = isMax ? -.infinity : 0
        let kernelHeight = g.kernel.height, kernelWidth = g.kernel.width
        let height = g.inputHeight, width = g.inputWidth
        var output = [Float](repeating: 0, count: g.outputShape.reduce(1, *))
        input.data.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                var outputIndex = 0
                for n in 0..<g.batch {
                    for c in 0..<g.channels {
                        let plane = (n &* g.channels &+ c) &* height &* width
                        for y in 0..<g.outputHeight {
                            let top = g.firstRow(outputRow: y)
                            for x in 0..<g.outputWidth {
                                let left = g.firstColumn(outputColumn: x)
                                var sum: Float = 0
                                var best: Float = -.infinity
                                var winner = -1
                                var cellIndex = 0
                                var cells: [PoolCell] = []  // stays empty (no allocation) without an observer
                                if observing { cells.reserveCapacity(kernelHeight * kernelWidth) }
                                for i in 0..<kernelHeight {
                                    let row = top &+ i
                                    let rowInside = row >= 0 && row < height
                                    for j in 0..<kernelWidth {
                                        let column = left &+ j
                                        if rowInside && column >= 0 && column < width {
                                            let value = source[plane &+ row &* width &+ column]
                                            if isMax {
                                                // PyTorch's CPU kernel: a strictly larger value or a NaN
                                                // takes over, so ties keep the first cell.
                                                if winner < 0 || value > best || value.isNaN {
                                                    best = value
                                                    winner = cellIndex
                                                }
                                            } else {
                                                sum += value
                                            }
                                            if observing {
                                                cells.append(PoolCell(inputRow: row, inputColumn: column,
                                                                      value: value, isPadding: false))
                                            }
                                        } else if observing {
                                            cells.append(PoolCell(inputRow: row, inputColumn: column,
                                                                  value: paddingValue, isPadding: true))
                                        }
                                        cellIndex &+= 1
                                    }
                                }
                                let divisor = kind == .average ? g.averageDivisor(outputRow: y, outputColumn: x) : 1
                                let value: Float
                                switch kind {
                                case .max: value = best
                                case .average: value = sum / Float(divisor)
                                case .sum: value = sum
                                }
                                target[outputIndex] = value
                                outputIndex &+= 1
                                if let observer {
                                    observer(PoolWindow(
                                        batch: n, channel: c, outputRow: y, outputColumn: x,
                                        inputRows: (0..<kernelHeight).map { top + $0 },
                                        inputColumns: (0..<kernelWidth).map { left + $0 },
                                        cells: cells, winner: isMax ? winner : nil, divisor: divisor, value: value))
                                }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: g.outputShape, data: output)
    }

    /// The backward loops: every output cell scatters its gradient, in output order.
    private static func unpool(
        _ g: Geometry, input: Tensor, dOutput: Tensor, kind: PoolKind, observer: ((PoolGradientWindow) -> Void)?
    ) -> Tensor {
        let observing = observer != nil
        let isMax = kind == .max
        let kernelHeight = g.kernel.height, kernelWidth = g.kernel.width
        let height = g.inputHeight, width = g.inputWidth
        var dInput = [Float](repeating: 0, count: g.inputShape.reduce(1, *))
        input.data.withUnsafeBufferPointer { source in
            dOutput.data.withUnsafeBufferPointer { gradients in
                dInput.withUnsafeMutableBufferPointer { target in
                    var outputIndex = 0
                    for n in 0..<g.batch {
                        for c in 0..<g.channels {
                            let plane = (n &* g.channels &+ c) &* height &* width
                            for y in 0..<g.outputHeight {
                                let top = g.firstRow(outputRow: y)
                                for x in 0..<g.outputWidth {
                                    let left = g.firstColumn(outputColumn: x)
                                    let gradOutput = gradients[outputIndex]
                                    outputIndex &+= 1
                                    var contributions: [PoolContribution] = []
                                    if isMax {
                                        // Find the forward pass's winner again, by the same rule.
                                        var best: Float = -.infinity
                                        var winnerRow = -1, winnerColumn = -1
                                        for row in max(top, 0)..<min(top &+ kernelHeight, height) {
                                            for column in max(left, 0)..<min(left &+ kernelWidth, width) {
                                                let value = source[plane &+ row &* width &+ column]
                                                if winnerRow < 0 || value > best || value.isNaN {
                                                    best = value
                                                    winnerRow = row
                                                    winnerColumn = column
                                                }
                                            }
                                        }
                                        target[plane &+ winnerRow &* width &+ winnerColumn] += gradOutput
                                        if observing {
                                            contributions = [PoolContribution(inputRow: winnerRow, inputColumn: winnerColumn,
                                                                              gradient: gradOutput)]
                                        }
                                    } else {
                                        let share = kind == .average
                                            ? gradOutput / Float(g.averageDivisor(outputRow: y, outputColumn: x))
                                            : gradOutput
                                        for row in max(top, 0)..<min(top &+ kernelHeight, height) {
                                            for column in max(left, 0)..<min(left &+ kernelWidth, width) {
                                                target[plane &+ row &* width &+ column] += share
                                                if observing {
                                                    contributions.append(PoolContribution(inputRow: row, inputColumn: column,
                                                                                          gradient: share))
                                                }
                                            }
                                        }
                                    }
                                    if let observer {
                                        observer(PoolGradientWindow(batch: n, channel: c, outputRow: y, outputColumn: x,
                                                                    gradOutput: gradOutput, contributions: contributions))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: g.inputShape, data: dInput)
    }

    // MARK: - Geometry

    /// Every size a pooling needs, checked once.
    /// Every size a pooling needs, checked once (`init` throws what `forward` would), and what a
    /// call costs (`cost`), so callers can refuse an over-budget pooling before running it.
    public struct Geometry: Hashable, Sendable {
        public let batch: Int
        public let channels: Int
        public let inputHeight: Int
        public let inputWidth: Int
        public let outputHeight: Int
        public let outputWidth: Int
        public let kernel: Pair
        public let stride: Pair
        public let padding: Pair
        public let ceilMode: Bool
        /// Whether every window lies inside the padded input: always so without `ceilMode`, and with
        /// it when the output is no larger than the floor convention's.
        public let windowsFit: Bool

        public var inputShape: [Int] { [batch, channels, inputHeight, inputWidth] }
        public var outputShape: [Int] { [batch, channels, outputHeight, outputWidth] }

        /// The number of output values, or nil when it does not fit in an `Int`.
        public var outputCount: Int? { ResourceBudget.product(outputShape) }

        /// Window cells visited by one pass: `N * C * OH * OW * KH * KW` (nil: too many to count).
        /// A huge window over a small padded input has a 1x1 output and still this many cells.
        public var cellVisits: Int? {
            ResourceBudget.product(batch, channels, outputHeight, outputWidth, kernel.height, kernel.width)
        }

        /// What one pass costs: the input and output, and with `recordingWindows` every
        /// `PoolWindow` an observer keeps (each with its `KH * KW` cells). Steps are the cell visits.
        public func cost(recordingWindows: Bool = false) -> KernelCost {
            var bytes = KernelCost.floatBytes(ResourceBudget.sum(ResourceBudget.product(inputShape), outputCount))
            if recordingWindows {
                let perWindow = ResourceBudget.sum(
                    MemoryLayout<PoolWindow>.stride + 96,
                    ResourceBudget.product(kernel.height + kernel.width, MemoryLayout<Int>.stride),
                    ResourceBudget.product(kernel.height, kernel.width, MemoryLayout<PoolCell>.stride))
                let recorded = outputCount.flatMap { count in perWindow.flatMap { ResourceBudget.product(count, $0) } }
                bytes = ResourceBudget.sum(bytes, recorded)
            }
            return KernelCost(bytes: bytes, steps: cellVisits)
        }

        public init(inputShape: [Int], options: Pool2dOptions) throws(KernelError) {
            guard inputShape.count == 4 else {
                throw KernelError("pool2d input must have 4 dimensions [N, C, H, W]; got shape \(inputShape)")
            }
            guard inputShape.allSatisfy({ $0 >= 1 }) else {
                throw KernelError("pool2d input shape \(inputShape) has an empty dimension; every size must be at least 1")
            }
            let floorOutput = try SlidingWindow.outputSize(
                input: Pair(inputShape[2], inputShape[3]), kernel: options.kernel,
                stride: options.stride, padding: options.padding)
            var output = floorOutput
            if options.ceilMode {
                output = Pair(
                    Self.ceilOutputSize(floor: output.height, input: inputShape[2], kernel: options.kernel.height,
                                        stride: options.stride.height, padding: options.padding.height),
                    Self.ceilOutputSize(floor: output.width, input: inputShape[3], kernel: options.kernel.width,
                                        stride: options.stride.width, padding: options.padding.width))
            }
            // PyTorch's rule; it also guarantees every window holds at least one input cell.
            for (axis, padding, kernel) in [("height", options.padding.height, options.kernel.height),
                                            ("width", options.padding.width, options.kernel.width)]
            where padding > kernel / 2 {
                throw KernelError("padding \(padding) along the \(axis) is too large for kernel \(axis) \(kernel); "
                    + "pad should be at most half of the kernel size (at most \(kernel / 2))")
            }
            batch = inputShape[0]
            channels = inputShape[1]
            inputHeight = inputShape[2]
            inputWidth = inputShape[3]
            outputHeight = output.height
            outputWidth = output.width
            kernel = options.kernel
            stride = options.stride
            padding = options.padding
            ceilMode = options.ceilMode
            windowsFit = output == floorOutput
        }

        /// PyTorch's `pooling_output_shape` with `ceil_mode`: one more window than the floor when
        /// a remainder is left, unless that window would start past the input and its top padding.
        /// `floor` is `SlidingWindow.outputSize`, which has checked the sizes.
        private static func ceilOutputSize(floor: Int, input: Int, kernel: Int, stride: Int, padding: Int) -> Int {
            let remainder = (input + 2 * padding - kernel) % stride
            guard remainder > 0 else { return floor }
            // The extra window's first row; past Int.max it certainly starts beyond the input.
            let (start, overflow) = floor.multipliedReportingOverflow(by: stride)
            return overflow || start >= input + padding ? floor : floor + 1
        }

        /// The input row of the window's top row (may lie in the padding).
        @inline(__always)
        func firstRow(outputRow: Int) -> Int { outputRow &* stride.height &- padding.height }

        /// The input column of the window's left column (may lie in the padding).
        @inline(__always)
        func firstColumn(outputColumn: Int) -> Int { outputColumn &* stride.width &- padding.width }

        /// PyTorch's divisor with `count_include_pad=True`: the window clipped to the padded input.
        /// With the floor convention every window fits, so this is `KH * KW`; with `ceilMode` the
        /// last window of a row or column may be smaller.
        func averageDivisor(outputRow: Int, outputColumn: Int) -> Int {
            let top = firstRow(outputRow: outputRow), left = firstColumn(outputColumn: outputColumn)
            let bottom = min(top + kernel.height, inputHeight + padding.height)
            let right = min(left + kernel.width, inputWidth + padding.width)
            return (bottom - top) * (right - left)
        }
    }
}
