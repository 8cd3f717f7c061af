import ConvKernels

// The stepper: each builder makes ONE real kernel call with a window observer and keeps what the
// kernel reported. Nothing here adds up a window itself; the traces' numbers are the kernel's.
//
// Convolution: the padding per side is worked out from the spec's padding and convention, the
// input is padded with `Pad2d.forward` in the step's padding mode (zero included, so every mode is
// drawn the same way), and `Conv2d.forward` runs with padding 0 on the padded input. Window rows and
// columns therefore index `paddedInput` directly.

extension ConvTrace {
    /// Traces a convolution step: pads, runs `Conv2d.forward` once with an observer, applies the
    /// activation.
    ///
    /// - Throws: `LessonError` whose `field` names the key in the lesson file at fault (`kernel` or
    ///   `kernels`, `bias`, `stride`, `padding`, `dilation`, `padding_mode`, `convention`,
    ///   `depthwise`) and whose message says what would be accepted.
    public init(spec: ConvSpec) throws(LessonError) {
        let run = try StepTracer.convolve(spec, recordWindows: true)
        let sums = StepTracer.stack(run.sums)
        let output = try StepTracer.activate(sums, spec.activation, field: "activation")
        self.init(spec: spec, paddedInput: StepTracer.stack(run.padded), sides: run.plan.sides, sums: sums,
                  output: output, windows: run.windows,
                  sizeFormula: run.plan.formula(outputHeight: run.sums.shape[2], outputWidth: run.sums.shape[3]))
    }
}

/// The helpers the step builders share.
enum StepTracer {
    /// The most products a traced step records (each window keeps its terms); a step this big is
    /// not one to go through by hand, and recording it would take hundreds of megabytes.
    static let maxRecordedProducts = 2_000_000

    /// What one convolution did: the padded input, the kernel's output before the activation and,
    /// when recorded, every window.
    struct ConvRun {
        var plan: PaddingPlan
        var padded: Tensor
        var sums: Tensor
        var windows: [ConvWindow]
    }

    /// Checks the spec, pads the input with `Pad2d.forward` in the step's mode, and runs ONE
    /// `Conv2d.forward` with padding 0 on it: with an observer that records every window when
    /// `recordWindows`, else the fast path (image steps keep only the output).
    static func convolve(_ spec: ConvSpec, recordWindows: Bool) throws(LessonError) -> ConvRun {
        let kernels = try checkedKernels(spec)
        let kernelSize = Pair(kernels[0].height, kernels[0].width)
        let plan = try paddingPlan(spec: spec, kernel: kernelSize)
        let inputShape = [1, spec.input.channelCount, spec.input.height, spec.input.width]
        let weightShape = [kernels.count, kernels[0].channelCount, kernelSize.height, kernelSize.width]
        let options = Conv2dOptions(stride: spec.stride, padding: 0, dilation: spec.dilation,
                                    groups: spec.depthwise ? spec.input.channelCount : 1)
        // Everything estimated from the shapes and checked before the padded input is made.
        let geometry: Conv2dGeometry
        let paddingCost: KernelCost
        do {
            paddingCost = try Pad2d.cost(inputShape: inputShape, sides: plan.sides, mode: spec.paddingMode)
        } catch {
            throw padError(error, spec.input, mode: spec.paddingMode)
        }
        do {
            var paddedShape = inputShape
            paddedShape[2] += plan.sides.top + plan.sides.bottom
            paddedShape[3] += plan.sides.left + plan.sides.right
            geometry = try Conv2dGeometry(inputShape: paddedShape, weightShape: weightShape, options: options)
        } catch {
            throw LessonError(field: kernelField(spec), message: error.message)
        }
        if recordWindows, geometry.checkedMultiplyAdds.map({ $0 > maxRecordedProducts }) ?? true {
            var refusal = LessonError(field: "input", message: "stepping through this convolution would record "
                + "\(geometry.checkedMultiplyAdds.map(String.init) ?? "more") products; a step is for following by hand, "
                + "so keep it to at most \(maxRecordedProducts) (a smaller input, fewer filters "
                + "or a smaller kernel)")
            refusal.isOverBudget = true
            throw refusal
        }
        try checkBudget(geometry.cost(recordingWindows: recordWindows) + paddingCost,
                        for: "this convolution (\(geometry.inputShape) padded input, \(weightShape) filters)",
                        unit: "multiply-adds", field: kernelField(spec))
        let padded = try pad(spec.input, sides: plan.sides, mode: spec.paddingMode)
        let weight = Tensor(shape: weightShape, data: kernels.flatMap { $0.channels.flatMap { $0.flatMap { $0 } } })
        let bias = Tensor(shape: [spec.bias.count], data: spec.bias)
        do {
            guard recordWindows else {
                let sums = try Conv2d.forward(input: padded, weight: weight, bias: bias, options: options)
                return ConvRun(plan: plan, padded: padded, sums: sums, windows: [])
            }
            var windows: [ConvWindow] = []
            windows.reserveCapacity(geometry.outputCount ?? 0)
            let sums = try Conv2d.forward(input: padded, weight: weight, bias: bias, options: options, threads: 1,
                                          observer: { windows.append($0) })
            return ConvRun(plan: plan, padded: padded, sums: sums, windows: windows)
        } catch {
            throw LessonError(field: kernelField(spec), message: error.message)
        }
    }

    /// Refuses a step whose computation is over `LessonLimits.budget`, with the estimate and the limit.
    static func checkBudget(_ cost: KernelCost, for what: String, unit: String, field: String) throws(LessonError) {
        do {
            try cost.check(LessonLimits.budget, for: what, unit: unit)
        } catch {
            var refusal = LessonError(field: field, message: error.message + "; use a smaller input, kernel or padding")
            refusal.isOverBudget = true
            throw refusal
        }
    }

    /// "kernel" for one filter, "kernels" for several: the key the file most likely used.
    static func kernelField(_ spec: ConvSpec) -> String {
        spec.kernels.count == 1 ? "kernel" : "kernels"
    }

    /// The spec's kernels, checked against each other and the input; a one-channel preset is
    /// repeated across a multi-channel input (as the lesson format promises).
    static func checkedKernels(_ spec: ConvSpec) throws(LessonError) -> [GridStack] {
        let field = kernelField(spec)
        let channels = spec.input.channelCount
        guard let first = spec.kernels.first else {
            throw LessonError(field: "kernel", message: "the step has no kernel; give `kernel` (a grid or a preset: "
                + "\(KernelPreset.namesList)) or `kernels` (a list of them)")
        }
        for (index, kernel) in spec.kernels.enumerated().dropFirst()
        where kernel.height != first.height || kernel.width != first.width {
            throw LessonError(field: field, message: "filter \(index + 1) is \(kernel.height)x\(kernel.width) but filter 1 is "
                + "\(first.height)x\(first.width); every filter of a step needs the same size")
        }
        let wanted = spec.depthwise ? 1 : channels
        let kernels = spec.kernels.map { kernel in
            kernel.presetName != nil && kernel.channelCount == 1 && wanted > 1
                ? GridStack(channels: Array(repeating: kernel.channels[0], count: wanted), presetName: kernel.presetName)
                : kernel
        }
        for (index, kernel) in kernels.enumerated() where kernel.channelCount != wanted {
            let which = kernels.count == 1 ? "the kernel" : "filter \(index + 1)"
            let has = kernel.channelCount == 1 ? "1 channel" : "\(kernel.channelCount) channels"
            if spec.depthwise {
                throw LessonError(field: field, message: "\(which) has \(has); with depthwise = true each filter is one "
                    + "grid that sees only its own input channel")
            }
            let input = channels == 1 ? "1 channel" : "\(channels) channels"
            throw LessonError(field: field, message: "\(which) has \(has) but the input has \(input); a filter needs one "
                + "grid per input channel (\(channels) here), or set depthwise = true to give each channel its own grid")
        }
        if spec.depthwise && kernels.count != channels {
            throw LessonError(field: "depthwise", message: "depthwise = true needs one filter per input channel: the input "
                + "has \(channels) channel\(channels == 1 ? "" : "s") and there \(kernels.count == 1 ? "is 1 filter" : "are \(kernels.count) filters")")
        }
        if spec.bias.count != kernels.count {
            throw LessonError(field: "bias", message: "bias has \(spec.bias.count) value\(spec.bias.count == 1 ? "" : "s") but "
                + "there \(kernels.count == 1 ? "is 1 filter" : "are \(kernels.count) filters"); give one number for every "
                + "filter, or one per filter")
        }
        if let bad = spec.bias.first(where: { !$0.isFinite }) {
            throw LessonError(field: "bias", message: "bias \(bad) is not a finite number")
        }
        return kernels
    }

    /// Pads `input` by `sides` with `Pad2d.forward` in `mode`; a padding the mode cannot make is
    /// reported on `padding_mode`.
    static func pad(_ input: GridStack, sides: Pad2d.Sides, mode: Pad2d.Mode) throws(LessonError) -> Tensor {
        do {
            return try Pad2d.forward(input: input.tensor, sides: sides, mode: mode)
        } catch {
            throw padError(error, input, mode: mode)
        }
    }

    /// A padding `KernelError`, on the key that broke it (`padding_mode` for reflect and circular
    /// padding wider than they can be), with what would be accepted.
    static func padError(_ error: KernelError, _ input: GridStack, mode: Pad2d.Mode) -> LessonError {
        let height = input.height, width = input.width
        let advice: String
        switch mode {
        case .reflect:
            advice = "reflect padding needs less padding than the input size (at most \(height - 1) rows and "
                + "\(width - 1) columns here); use less padding or padding_mode = \"zero\" or \"replicate\""
        case .circular:
            advice = "circular padding can wrap at most the input size (\(height) rows and \(width) columns here); "
                + "use less padding or padding_mode = \"zero\" or \"replicate\""
        case .zero, .replicate:
            advice = "padding must be 0 or more, and at most \(LessonLimits.largestSide)"
        }
        return LessonError(field: mode == .reflect || mode == .circular ? "padding_mode" : "padding",
                           message: "\(error.message); \(advice)")
    }

    /// A `[1, C, H, W]` tensor as a stack of grids.
    static func stack(_ tensor: Tensor) -> GridStack {
        precondition(tensor.rank == 4 && tensor.shape[0] == 1, "expected a [1, C, H, W] tensor, got \(tensor.shape)")
        return GridStack(channels: (0..<tensor.shape[1]).map { tensor.grid(batch: 0, channel: $0) })
    }

    /// The activation applied by the kernels: `Activation.forward`, or `Softmax.forward` over all the
    /// cells of each channel.
    static func activate(_ stack: GridStack, _ activation: ActivationChoice?, field: String) throws(LessonError) -> GridStack {
        guard let activation else { return stack }
        switch activation {
        case .elementwise(let function):
            return Self.stack(function.forward(stack.tensor))
        case .softmax:
            let rows = stack.tensor.reshaped([stack.channelCount, stack.height * stack.width])
            do {
                let probabilities = try Softmax.forward(input: rows)
                return Self.stack(probabilities.reshaped([1, stack.channelCount, stack.height, stack.width]))
            } catch {
                throw LessonError(field: field, message: error.message)
            }
        }
    }
}

// MARK: - Padding and the output-size formula

extension StepTracer {
    /// The padding of one axis and how its output size is written out.
    struct AxisPlan {
        var axis: String
        var input: Int
        var kernel: Int
        var stride: Int
        var dilation: Int
        var before: Int
        var after: Int
        var rule: Rule
        /// `dilation * (kernel - 1) + 1`; `paddingPlan` has checked it fits before a plan is made.
        var span: Int { dilation * (kernel - 1) + 1 }

        enum Rule { case floor, sameFloor, tensorflowSame, tensorflowValid, cs231n }

        /// "height: floor((5 + 1 + 1 - 3) / 2) + 1 = 3" and its variants.
        func formula(output: Int) -> String {
            let (first, second) = axis == "height" ? ("top", "bottom") : ("left", "right")
            let spanText = dilation == 1 ? "" : " (dilated span \(dilation)x(\(kernel) - 1) + 1 = \(span))"
            switch rule {
            case .floor:
                return "\(axis): floor((\(input) + \(before) + \(after) - \(span)) / \(stride)) + 1 = \(output)\(spanText)"
            case .sameFloor:
                return "\(axis): same padding (\(span) - 1) / 2 = \(before) each side; "
                    + "floor((\(input) + \(before) + \(after) - \(span)) / \(stride)) + 1 = \(output)\(spanText)"
            case .tensorflowSame:
                return "\(axis): ceil(\(input) / \(stride)) = \(output); padding max((\(output) - 1)x\(stride) + \(span) - "
                    + "\(input), 0) = \(before + after): pad \(before) \(first), \(after) \(second)\(spanText)"
            case .tensorflowValid:
                return "\(axis): ceil((\(input) - \(span) + 1) / \(stride)) = \(output)\(spanText)"
            case .cs231n:
                return "\(axis): (\(input) - \(span) + 2x\(before)) / \(stride) + 1 = \(output)\(spanText)"
            }
        }
    }

    struct PaddingPlan {
        var height: AxisPlan
        var width: AxisPlan
        var sides: Pad2d.Sides {
            Pad2d.Sides(top: height.before, bottom: height.after, left: width.before, right: width.after)
        }

        func formula(outputHeight: Int, outputWidth: Int) -> [String] {
            [height.formula(output: outputHeight), width.formula(output: outputWidth)]
        }
    }

    /// Works out the padding per side from the spec's padding amount and convention, checking every
    /// value with the kernels' own rules (`SlidingWindow.outputSize`, `PaddingConvention`).
    static func paddingPlan(spec: ConvSpec, kernel: Pair) throws(LessonError) -> PaddingPlan {
        let explicit: Pair?
        switch spec.padding {
        case .explicit(let rows, let columns): explicit = Pair(rows, columns)
        case .same, .valid: explicit = nil
        }
        func axis(_ name: String, input: Int, kernel: Int, stride: Int, dilation: Int, padding: Int?) throws(LessonError) -> AxisPlan {
            // Checked first: every later sum of these numbers (span, padded size) then fits.
            _ = try checkedSpan(axis: name, input: input, kernel: kernel, dilation: dilation, padding: padding ?? 0, spec: spec)
            var plan = AxisPlan(axis: name, input: input, kernel: kernel, stride: stride, dilation: dilation,
                                before: 0, after: 0, rule: .floor)
            // The shared checks first (stride, dilation, padding sign, the kernel fitting), with the
            // padding each convention would use, so their message reaches the learner.
            var symmetric = padding ?? 0
            switch spec.padding {
            case .explicit: plan.rule = spec.rule == .cs231n ? .cs231n : .floor
            case .valid: plan.rule = spec.rule == .cs231n ? .cs231n : (spec.rule == .tensorflow ? .tensorflowValid : .floor)
            case .same:
                if spec.rule == .tensorflow {
                    plan.rule = .tensorflowSame
                } else {
                    guard stride >= 1, dilation >= 1 else { break }
                    guard plan.span % 2 == 1 else {
                        throw LessonError(field: "padding", message: "padding = \"same\" along the \(name) needs a "
                            + "kernel with an odd span so the padding splits evenly; this one spans \(plan.span) "
                            + "\(name == "height" ? "rows" : "columns"). Use convention = \"tensorflow\" for TensorFlow's "
                            + "uneven split (the extra cell at the \(name == "height" ? "bottom" : "right")), or give the padding as a number")
                    }
                    symmetric = (plan.span - 1) / 2
                    plan.rule = spec.rule == .cs231n ? .cs231n : .sameFloor
                }
            }
            do {
                if plan.rule == .tensorflowSame {
                    let result = try PaddingConvention.tensorflowSame.output(input: input, kernel: kernel, stride: stride,
                                                                            dilation: dilation, axis: name)
                    plan.before = result.before
                    plan.after = result.after
                } else {
                    _ = try SlidingWindow.outputSize(input: input, kernel: kernel, stride: stride, padding: symmetric,
                                                     dilation: dilation, axis: name)
                    plan.before = symmetric
                    plan.after = symmetric
                }
            } catch {
                throw axisError(error, axis: name, input: input, kernel: kernel, stride: stride, dilation: dilation,
                                padding: symmetric, spec: spec)
            }
            if plan.rule == .cs231n {
                do {
                    _ = try PaddingConvention.cs231n.output(input: input, kernel: kernel, stride: stride,
                                                            padding: symmetric, dilation: dilation, axis: name)
                } catch {
                    throw LessonError(field: "convention", message: error.message + "; choose a stride, padding or kernel "
                        + "size that makes the division whole, or use convention = \"pytorch\" to round down")
                }
            }
            return plan
        }
        return PaddingPlan(
            height: try axis("height", input: spec.input.height, kernel: kernel.height, stride: spec.stride.height,
                             dilation: spec.dilation.height, padding: explicit?.height),
            width: try axis("width", input: spec.input.width, kernel: kernel.width, stride: spec.stride.width,
                            dilation: spec.dilation.width, padding: explicit?.width))
    }

    /// Refuses (on the key at fault) a kernel span or padded size that does not fit in an `Int`:
    /// values the parser bounds, but a spec built in code (the playground) may not be.
    static func checkedSpan(axis: String, input: Int, kernel: Int, dilation: Int, padding: Int,
                            spec: ConvSpec) throws(LessonError) -> Int {
        guard kernel >= 1, dilation >= 1, padding >= 0 else { return 1 }  // SlidingWindow names these
        guard let spread = ResourceBudget.product(dilation, kernel - 1), spread < Int.max else {
            throw LessonError(field: "dilation", message: "dilation \(dilation) with kernel \(axis) \(kernel) is too large "
                + "to compute with; the dilated kernel must fit inside the padded input")
        }
        guard ResourceBudget.sum(input, padding, padding) != nil else {
            throw LessonError(field: "padding", message: "padding \(padding) along the \(axis) is too large to compute with; "
                + "padding must be at most \(LessonLimits.largestSide)")
        }
        return spread + 1
    }

    /// A size rule's `KernelError`, on the key that broke it, with what would be accepted.
    static func axisError(_ error: KernelError, axis: String, input: Int, kernel: Int, stride: Int, dilation: Int,
                          padding: Int, spec: ConvSpec) -> LessonError {
        if stride < 1 { return LessonError(field: "stride", message: error.message) }
        if dilation < 1 { return LessonError(field: "dilation", message: error.message) }
        if padding < 0 { return LessonError(field: "padding", message: error.message) }
        let padded = ResourceBudget.sum(input, padding, padding) ?? Int.max
        if error.message.contains("too large to compute") {
            return LessonError(field: padding > input ? "padding" : (dilation > 1 ? "dilation" : kernelField(spec)),
                               message: error.message)
        }
        let lines = axis == "height" ? "rows" : "columns"
        let advice = dilation > 1
            ? "the dilated kernel must fit inside the padded input (at most \(padded) \(lines) here): use a smaller "
                + "dilation or kernel, or more padding"
            : "the kernel must fit inside the padded input (at most \(padded) \(lines) here): use a smaller kernel or more padding"
        return LessonError(field: dilation > 1 ? "dilation" : kernelField(spec), message: "\(error.message); \(advice)")
    }
}
