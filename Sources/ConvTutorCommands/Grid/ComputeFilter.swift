import ConvKernels

/// `convtutor compute`: a JSON Lines filter that runs whole tensors through the kernels.
///
/// Each input line is one request, each output line the answer to the request on the same line:
///
///     {"op": "relu", "input": {"shape": [3], "data": [-1, 0, 2]}, "gradOutput": {"shape": [3], "data": [1, 1, 1]}}
///     {"output": {"shape": [3], "data": [0, 0, 2]}, "gradInput": {"shape": [3], "data": [0, 0, 1]}}
///
/// Ops and fields are those of `ComputeOp`; stride, padding, dilation and groups default to
/// PyTorch's 1, 0, 1, 1, pooling's stride to its kernel and its ceilMode to false, leaky ReLU's
/// slope to 0.01. With
/// `gradOutput` the answer adds `gradInput`, `gradWeight` and `gradBias` where the op has them
/// (`add` answers `gradInput` and `gradOther`, `concat` a list `gradInputs`, one per input,
/// `channel_scale` `gradInput` and `gradScale`).
/// An invalid request is answered `{"error": "..."}` and the next line goes on.
public enum ComputeFilter {
    /// The answer to one request line; never throws, an invalid request is a `failed` answer.
    public static func answer(to line: String, budget: ResourceBudget = .standard) -> ComputeAnswer {
        do {
            let request = try ComputeRequest(line: line)
            let fields = try compute(request, budget: budget)
            return ComputeAnswer(json: JSONText.object(fields), failed: false)
        } catch {
            return ComputeAnswer(json: JSONText.object([("error", JSONText.string(error.message))]), failed: true)
        }
    }

    /// Answers every line `readLine` gives until it returns nil, passing each answer to `write`
    /// as soon as it is ready (the caller flushes, so that the filter works in a pipe).
    ///
    /// - Returns: the number of lines that failed.
    @discardableResult
    public static func run(readLine: () -> String?, write: (String) -> Void) -> Int {
        run(readInputLine: { readLine().map(InputLine.text) }, write: write)
    }

    /// The longest request line read: a tensor of about a million numbers. Parsed, each number
    /// takes tens of bytes, so a longer line could use gigabytes before any budget is checked.
    public static let maximumLineBytes = 4_000_000

    /// One line of input as a bounded reader gives it.
    public enum InputLine: Sendable {
        case text(String)
        /// A line longer than `maximumLineBytes` (its rest was skipped unread into memory).
        case tooLong
    }

    /// `run(readLine:write:)` for a reader that bounds its lines: a `.tooLong` line is answered with
    /// an error naming the limit, and the next line goes on.
    @discardableResult
    public static func run(readInputLine: () -> InputLine?, write: (String) -> Void) -> Int {
        var failures = 0
        while let line = readInputLine() {
            let answer: ComputeAnswer
            switch line {
            case .text(let text): answer = self.answer(to: text)
            case .tooLong:
                answer = ComputeAnswer(json: JSONText.object([("error", JSONText.string(
                    "the line is longer than \(ResourceBudget.describeBytes(maximumLineBytes)); a request is one line of at most "
                    + "that (a tensor of about a million numbers)"))]), failed: true)
            }
            if answer.failed { failures += 1 }
            write(answer.json)
        }
        return failures
    }

    /// Reads one line from `nextByte` (nil at the end) without ever holding more than
    /// `maximumLineBytes` of it: a longer line is read to its end and dropped.
    public static func readBoundedLine(_ nextByte: () -> UInt8?) -> InputLine? {
        var bytes: [UInt8] = []
        var tooLong = false
        var sawAnything = false
        while let byte = nextByte() {
            sawAnything = true
            if byte == UInt8(ascii: "\n") { break }
            if tooLong { continue }
            if bytes.count == maximumLineBytes {
                tooLong = true
                bytes = []
                continue
            }
            bytes.append(byte)
        }
        guard sawAnything else { return nil }
        if tooLong { return .tooLong }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return .text(String(decoding: bytes, as: UTF8.self))
    }

    // MARK: - Ops

    private typealias Fields = [(key: String, json: String)]

    private static func compute(_ request: ComputeRequest, budget: ResourceBudget) throws(KernelError) -> Fields {
        switch request.op {
        case .conv2d: return try conv2d(request, budget: budget)
        case .maxpool2d: return try pool2d(request, kind: .max, budget: budget)
        case .avgpool2d: return try pool2d(request, kind: .average, budget: budget)
        case .sumpool2d: return try pool2d(request, kind: .sum, budget: budget)
        case .globalavgpool2d: return try globalAveragePool2d(request)
        case .adaptiveavgpool2d: return try adaptiveAveragePool2d(request, budget: budget)
        case .relu: return try activation(request, .relu)
        case .leakyRelu:
            let slope = try request.number("slope", default: ActivateGridCommand.defaultSlope)
            return try activation(request, .leakyRelu(slope: slope))
        case .sigmoid: return try activation(request, .sigmoid)
        case .tanh: return try activation(request, .tanh)
        case .relu6: return try activation(request, .relu6)
        case .silu: return try activation(request, .silu)
        case .softmax: return try softmax(request)
        case .linear: return try linear(request)
        case .softmaxCrossEntropy: return try softmaxCrossEntropy(request)
        case .add: return try add(request)
        case .concat: return try concat(request)
        case .channelScale: return try channelScale(request)
        }
    }

    private static func conv2d(_ request: ComputeRequest, budget: ResourceBudget) throws(KernelError) -> Fields {
        let input = try request.tensor("input", shape: "[N, C, H, W]")
        let weight = try request.tensor("weight", shape: "[O, C/groups, KH, KW]")
        let bias = try request.optionalTensor("bias")
        let options = Conv2dOptions(
            stride: try request.pair("stride", default: 1) ?? 1,
            padding: try request.pair("padding", default: 0) ?? 0,
            dilation: try request.pair("dilation", default: 1) ?? 1,
            groups: try request.integer("groups", default: 1))
        let gradOutput = try request.optionalTensor("gradOutput")
        let geometry = try Conv2dGeometry(inputShape: input.shape, weightShape: weight.shape, options: options)
        try OutputLimit.check(geometry)
        // The backward pass costs about twice the forward: budget both when gradOutput asks for it.
        var cost = geometry.cost()
        // The answer's text: the output, and with gradOutput the input's and the weight's gradients.
        var written = geometry.outputCount
        if gradOutput != nil {
            cost = cost + cost + cost
            written = ResourceBudget.sum(written, ResourceBudget.product(input.shape), ResourceBudget.product(weight.shape))
        }
        cost.bytes = ResourceBudget.sum(cost.bytes, GridBudget.textBytes(written))
        do {
            try cost.check(budget, for: "conv2d of an input \(input.shape) with a weight \(weight.shape) into \(geometry.outputShape)"
                           + (gradOutput == nil ? "" : " and its gradients"), unit: "multiply-adds")
        } catch {
            throw KernelError(error)
        }
        let output = try Conv2d.forward(input: input, weight: weight, bias: bias, options: options)
        var fields: Fields = [("output", JSONText.tensor(output))]
        if let gradOutput {
            let gradients = try Conv2d.backward(input: input, weight: weight, dOutput: gradOutput,
                                                hasBias: bias != nil, options: options)
            fields += gradientFields(gradients.dInput, gradients.dWeight, gradients.dBias)
        }
        return fields
    }

    private static func pool2d(_ request: ComputeRequest, kind: PoolKind, budget: ResourceBudget) throws(KernelError) -> Fields {
        let input = try request.tensor("input", shape: "[N, C, H, W]")
        let options = Pool2dOptions(
            kernel: try request.requiredPair("kernel"),
            stride: try request.pair("stride", default: nil),
            padding: try request.pair("padding", default: 0) ?? 0,
            ceilMode: try request.bool("ceilMode", default: false))
        let gradOutput = try request.optionalTensor("gradOutput")
        let geometry = try Pool2d.Geometry(inputShape: input.shape, options: options)
        var cost = geometry.cost()
        var written = geometry.outputCount
        if gradOutput != nil {
            cost = cost + cost
            written = ResourceBudget.sum(written, ResourceBudget.product(input.shape))
        }
        cost.bytes = ResourceBudget.sum(cost.bytes, GridBudget.textBytes(written))
        do {
            try cost.check(budget, for: "\(request.op.rawValue) of an input \(input.shape) with a \(options.kernel.height)x"
                           + "\(options.kernel.width) window into \(geometry.outputShape)" + (gradOutput == nil ? "" : " and its gradient"),
                           unit: "window cell visits")
        } catch {
            throw KernelError(error)
        }
        var fields: Fields = [("output", JSONText.tensor(try Pool2d.forward(input: input, kind: kind, options: options)))]
        if let gradOutput {
            let dInput = try Pool2d.backward(input: input, dOutput: gradOutput, kind: kind, options: options)
            fields.append(("gradInput", JSONText.tensor(dInput)))
        }
        return fields
    }

    private static func globalAveragePool2d(_ request: ComputeRequest) throws(KernelError) -> Fields {
        let input = try request.tensor("input", shape: "[N, C, H, W]")
        let gradOutput = try request.optionalTensor("gradOutput")
        var fields: Fields = [("output", JSONText.tensor(try GlobalAvgPool2d.forward(input: input)))]
        if let gradOutput {
            fields.append(("gradInput", JSONText.tensor(try GlobalAvgPool2d.backward(input: input, dOutput: gradOutput))))
        }
        return fields
    }

    private static func adaptiveAveragePool2d(_ request: ComputeRequest, budget: ResourceBudget) throws(KernelError) -> Fields {
        let input = try request.tensor("input", shape: "[N, C, H, W]")
        let outputSize = try request.requiredPair("outputSize")
        let gradOutput = try request.optionalTensor("gradOutput")
        if input.rank == 4 && outputSize.height >= 1 && outputSize.width >= 1 {
            // A window spans at most H / OH + 2 rows, so the windows of a column visit at most H + 2 * OH rows.
            let (batch, channels, height, width) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
            let outputCount = ResourceBudget.product(batch, channels, outputSize.height, outputSize.width)
            let rows = ResourceBudget.sum(height, ResourceBudget.product(2, outputSize.height))
            let columns = ResourceBudget.sum(width, ResourceBudget.product(2, outputSize.width))
            var steps = rows.flatMap { rows in columns.flatMap { ResourceBudget.product(batch, channels, rows, $0) } }
            var written = outputCount
            if gradOutput != nil {
                steps = ResourceBudget.sum(steps, steps)
                written = ResourceBudget.sum(written, input.count)
            }
            let bytes = ResourceBudget.sum(KernelCost.floatBytes(ResourceBudget.sum(input.count, outputCount)),
                                           GridBudget.textBytes(written))
            do {
                try KernelCost(bytes: bytes, steps: steps).check(
                    budget, for: "adaptive average pooling of an input \(input.shape) to \(outputSize.height)x\(outputSize.width)"
                        + (gradOutput == nil ? "" : " and its gradient"), unit: "window cell visits")
            } catch {
                throw KernelError(error)
            }
        }
        var fields: Fields = [("output", JSONText.tensor(try AdaptiveAvgPool2d.forward(input: input, outputSize: outputSize)))]
        if let gradOutput {
            fields.append(("gradInput", JSONText.tensor(
                try AdaptiveAvgPool2d.backward(input: input, outputSize: outputSize, dOutput: gradOutput))))
        }
        return fields
    }

    private static func activation(_ request: ComputeRequest, _ function: Activation) throws(KernelError) -> Fields {
        let input = try request.tensor("input", shape: "[any sizes]")
        let gradOutput = try request.optionalTensor("gradOutput")
        var fields: Fields = [("output", JSONText.tensor(function.forward(input)))]
        if let gradOutput {
            // `Activation.backward` takes matching shapes as a precondition; here they come from a user.
            guard gradOutput.shape == input.shape else {
                throw KernelError("\(request.op.rawValue) gradOutput must have the output's shape \(input.shape); got \(gradOutput.shape)")
            }
            fields.append(("gradInput", JSONText.tensor(function.backward(input: input, dOutput: gradOutput))))
        }
        return fields
    }

    private static func softmax(_ request: ComputeRequest) throws(KernelError) -> Fields {
        let input = try request.tensor("input", shape: "[N, K]")
        let gradOutput = try request.optionalTensor("gradOutput")
        let output = try Softmax.forward(input: input)
        var fields: Fields = [("output", JSONText.tensor(output))]
        if let gradOutput {
            fields.append(("gradInput", JSONText.tensor(try Softmax.backward(output: output, dOutput: gradOutput))))
        }
        return fields
    }

    private static func linear(_ request: ComputeRequest) throws(KernelError) -> Fields {
        let input = try request.tensor("input", shape: "[N, F]")
        let weight = try request.tensor("weight", shape: "[O, F]")
        let bias = try request.optionalTensor("bias")
        let gradOutput = try request.optionalTensor("gradOutput")
        let output = try Linear.forward(input: input, weight: weight, bias: bias)
        var fields: Fields = [("output", JSONText.tensor(output))]
        if let gradOutput {
            let gradients = try Linear.backward(input: input, weight: weight, dOutput: gradOutput, hasBias: bias != nil)
            fields += gradientFields(gradients.dInput, gradients.dWeight, gradients.dBias)
        }
        return fields
    }

    private static func softmaxCrossEntropy(_ request: ComputeRequest) throws(KernelError) -> Fields {
        let logits = try request.tensor("input", shape: "[N, K]")
        let labels = try request.integers("labels")
        let (loss, dLogits) = try SoftmaxCrossEntropy.forward(logits: logits, labels: labels)
        return [("loss", NumberText.json(loss)), ("gradInput", JSONText.tensor(dLogits))]
    }

    private static func add(_ request: ComputeRequest) throws(KernelError) -> Fields {
        let input = try request.tensor("input", shape: "[any sizes]")
        let other = try request.tensor("other", shape: "[the input's shape]")
        let gradOutput = try request.optionalTensor("gradOutput")
        var fields: Fields = [("output", JSONText.tensor(try TensorAdd.forward(a: input, b: other)))]
        if let gradOutput {
            let gradients = try TensorAdd.backward(dOutput: gradOutput, inputShape: input.shape)
            fields += [("gradInput", JSONText.tensor(gradients.dA)), ("gradOther", JSONText.tensor(gradients.dB))]
        }
        return fields
    }

    private static func concat(_ request: ComputeRequest) throws(KernelError) -> Fields {
        let inputs = try request.tensors("inputs", shape: "[N, C, H, W]")
        let gradOutput = try request.optionalTensor("gradOutput")
        var fields: Fields = [("output", JSONText.tensor(try ChannelConcat.forward(inputs: inputs)))]
        if let gradOutput {
            let dInputs = try ChannelConcat.backward(dOutput: gradOutput, inputShapes: inputs.map(\.shape))
            fields.append(("gradInputs", JSONText.array(dInputs.map(JSONText.tensor))))
        }
        return fields
    }

    private static func channelScale(_ request: ComputeRequest) throws(KernelError) -> Fields {
        let input = try request.tensor("input", shape: "[N, C, H, W]")
        let scale = try request.tensor("scale", shape: "[N, C, 1, 1]")
        let gradOutput = try request.optionalTensor("gradOutput")
        var fields: Fields = [("output", JSONText.tensor(try ChannelScale.forward(input: input, scale: scale)))]
        if let gradOutput {
            let gradients = try ChannelScale.backward(input: input, scale: scale, dOutput: gradOutput)
            fields += [("gradInput", JSONText.tensor(gradients.dInput)), ("gradScale", JSONText.tensor(gradients.dScale))]
        }
        return fields
    }

    private static func gradientFields(_ dInput: Tensor, _ dWeight: Tensor, _ dBias: Tensor?) -> Fields {
        var fields: Fields = [("gradInput", JSONText.tensor(dInput)), ("gradWeight", JSONText.tensor(dWeight))]
        if let dBias { fields.append(("gradBias", JSONText.tensor(dBias))) }
        return fields
    }
}
