import ConvKernels
import Foundation

// One function per step kind. Each checks its keys first (so a typo is reported as a typo, not as a
// missing key), then reads the values in the order they appear in lessons/README.md.

extension LessonParser {
    static let commonKeys = ["kind", "title", "text", "checks"]
    /// A convolution's keys apart from its input, shared by conv steps, pipeline stages and the playground.
    static let convOptionKeys = ["kernel", "kernels", "bias", "stride", "padding", "padding_mode", "convention",
                                 "dilation", "depthwise", "activation", "slope"]

    static let knownKeys: [StepKind: [String]] = [
        .text: commonKeys,
        .conv: commonKeys + ["input"] + convOptionKeys + ["predict"],
        .pool: commonKeys + ["input", "pool", "size", "stride", "padding", "predict"],
        .activation: commonKeys + ["function", "slope", "input", "range", "derivative"],
        .pipeline: commonKeys + ["input", "stage"],
        .quiz: commonKeys + ["question", "answer", "type", "tolerance", "choices", "grid", "hint", "explanation"],
        .playground: commonKeys + ["input"] + convOptionKeys + ["pool", "pool_size"],
        .image: commonKeys + ["image", "kernel", "kernels", "padding", "padding_mode", "stride", "activation", "slope"],
        .train: commonKeys + ["task", "learning_rate"] + trainKernelKeys + trainOverfittingKeys,
    ]
    static let trainKernelKeys = ["target", "start", "image", "steps"]
    static let trainOverfittingKeys = ["training_images", "epochs", "dropout", "weight_decay", "augment", "one_at_a_time"]
    static let stageKeys: [String: [String]] = [
        "conv": ["op"] + convOptionKeys,
        "activation": ["op", "function", "slope"],
        "pool": ["op", "pool", "size", "stride", "padding"],
    ]
    static let stageOps = ["conv", "activation", "pool"]

    static var kindsList: String { StepKind.allCases.map(\.rawValue).joined(separator: ", ") }

    static func parseStep(_ fields: [String: TOMLNode], place: Place) throws(LessonError) -> LessonStep {
        var place = place
        let bare = FieldReader(fields: fields, place: place)
        guard let kindName = try bare.string("kind") else {
            throw bare.error(nil, "missing required key 'kind'; known kinds: \(kindsList)")
        }
        guard let kind = StepKind(rawValue: kindName) else {
            throw bare.error("kind", "unknown step kind '\(kindName)'; known kinds: \(kindsList)")
        }
        place.kind = kind.rawValue
        let reader = FieldReader(fields: fields, place: place)
        try reader.checkKnownKeys(knownKeys[kind] ?? commonKeys, for: "a \(kind.rawValue) step")
        let title = try reader.string("title")
        let text = try reader.string("text")

        let content: StepContent
        switch kind {
        case .text:
            guard let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw reader.error(text == nil ? nil : "text",
                                   text == nil ? "missing required key 'text' (a text step shows only its text)"
                                               : "the text is empty; a text step shows only its text")
            }
            content = .text
        case .conv:
            let input = try reader.requiredStack("input")
            var spec = try convSpec(reader, input: input)
            spec.predict = try reader.bool("predict") ?? false
            content = .conv(spec)
        case .pool:
            let input = try reader.requiredStack("input")
            content = .pool(try poolSpec(reader, input: input, required: true))
        case .activation:
            content = .activation(try activationSpec(reader))
        case .pipeline:
            content = .pipeline(try pipelineSpec(reader))
        case .quiz:
            content = .quiz(try quizSpec(reader))
        case .playground:
            content = .playground(try playgroundSpec(reader))
        case .image:
            content = .image(try imageSpec(reader))
        case .train:
            content = .train(try trainSpec(reader))
        }
        return LessonStep(title: title, text: text ?? "", content: content, checks: try statedNumbers(reader))
    }

    // MARK: conv

    /// The conv keys apart from `input` and `predict`. `defaultKernel` stands in when neither
    /// `kernel` nor `kernels` is given (nil: one of them is required).
    static func convSpec(_ reader: FieldReader, input: GridStack, defaultKernel: KernelPreset? = nil,
                         defaultPadding: PaddingAmount = .explicit(rows: 0, columns: 0)) throws(LessonError) -> ConvSpec {
        let depthwise = try reader.bool("depthwise") ?? false
        let kernels = try filters(reader, channels: input.channelCount, depthwise: depthwise, defaultKernel: defaultKernel)

        var bias: [Float]?
        if let node = reader.fields["bias"] {
            switch node {
            case .int, .double:
                guard let value = node.number, value.isFinite else { throw reader.error("bias", "expected a number") }
                bias = Array(repeating: Float(value), count: kernels.count)
            case .array(let items):
                var values: [Float] = []
                for item in items {
                    guard let value = item.number, value.isFinite else {
                        throw reader.error("bias", "expected numbers, found \(item.summary)")
                    }
                    values.append(Float(value))
                }
                guard values.count == kernels.count else {
                    throw reader.error("bias", "\(values.count) \(values.count == 1 ? "bias" : "biases") for "
                        + "\(kernels.count) \(kernels.count == 1 ? "filter" : "filters"); give one number per filter "
                        + "(or a single number for all)")
                }
                bias = values
            default:
                throw reader.error("bias", "expected a number or an array with one number per filter, found \(node.summary)")
            }
        }
        let spec = ConvSpec(
            input: input, kernels: kernels, bias: bias,
            stride: try reader.pair("stride", atLeast: 1) ?? 1,
            padding: try reader.padding() ?? defaultPadding,
            paddingMode: try reader.choice("padding_mode", Pad2d.Mode.self) ?? .zero,
            rule: try reader.choice("convention", PaddingRule.self) ?? .pytorch,
            dilation: try reader.pair("dilation", atLeast: 1) ?? 1,
            depthwise: depthwise,
            activation: try reader.activation("activation", allowSoftmax: false))
        try checkPaddingUse(spec, reader)
        return spec
    }

    /// Explicit padding wider than both the input and the kernel's span less one adds only windows
    /// that lie wholly in the padding, far from the input: such a value is a mistake (or a way to ask
    /// for a huge output), refused with the largest padding accepted. (A 1x1 kernel may still show a
    /// padding mode around the whole input.)
    static func checkPaddingUse(_ spec: ConvSpec, _ reader: FieldReader) throws(LessonError) {
        guard case .explicit(let rows, let columns) = spec.padding, let kernel = spec.kernels.first else { return }
        // Every number here is at most `LessonLimits.largestSide`, so the spans cannot overflow.
        let spanRows = spec.dilation.height * (kernel.height - 1) + 1
        let spanColumns = spec.dilation.width * (kernel.width - 1) + 1
        for (amount, span, input, along) in [(rows, spanRows, spec.input.height, "rows"),
                                             (columns, spanColumns, spec.input.width, "columns")] {
            let largest = max(span - 1, input)
            guard amount > largest else { continue }
            throw reader.error("padding", "padding \(amount) along the \(along) is more than the input can use: padding must "
                + "be at most \(largest), the larger of the input's \(input) \(along) and the kernel's span \(span) less one "
                + "(more adds only windows of pure padding)")
        }
    }

    /// `kernel` (one filter) or `kernels` (several), each with `channels` channels (1 with depthwise).
    static func filters(_ reader: FieldReader, channels: Int, depthwise: Bool,
                        defaultKernel: KernelPreset?) throws(LessonError) -> [GridStack] {
        let one = reader.fields["kernel"], many = reader.fields["kernels"]
        if one != nil && many != nil {
            throw reader.error("kernels", "give either kernel (one filter) or kernels (several), not both")
        }
        var key = "kernel"
        var filters: [GridStack]
        if let one {
            let filter = try reader.filter(one, key: "kernel", label: nil, channels: channels)
            // A depthwise kernel written as one stack is one single-channel filter per input channel.
            filters = depthwise && filter.channelCount == channels
                ? filter.channels.map { GridStack($0, presetName: filter.presetName) } : [filter]
        } else if let many {
            key = "kernels"
            guard case .array(let items) = many, !items.isEmpty else {
                throw reader.error("kernels", "expected an array of kernels (grids, stacks or preset names), "
                    + "found \(many.summary)")
            }
            filters = []
            for (index, item) in items.enumerated() {
                filters.append(try reader.filter(item, key: "kernels", label: "kernel \(index + 1)",
                                                 channels: depthwise ? 1 : channels))
            }
        } else if let defaultKernel {
            filters = depthwise ? Array(repeating: defaultKernel.stack(), count: channels)
                                : [defaultKernel.stack(channels: channels)]
        } else {
            throw reader.error(nil, "missing required key 'kernel' (a grid, a stack or a preset: "
                + "\(KernelPreset.namesList)) or 'kernels' (an array of them)")
        }

        let label = { (index: Int) in filters.count > 1 ? "kernel \(index + 1)" : "the kernel" }
        let channelWord = { (n: Int) in n == 1 ? "1 channel" : "\(n) channels" }
        for (index, filter) in filters.enumerated() {
            let expected = depthwise ? 1 : channels
            if filter.channelCount != expected {
                let rule = depthwise
                    ? "a depthwise filter sees one channel: give one grid per filter"
                    : "give one grid per input channel (a preset is repeated across the channels)"
                throw reader.error(key, "\(label(index)) has \(channelWord(filter.channelCount)), the input has "
                    + "\(channelWord(channels)); \(rule)")
            }
            if filter.height != filters[0].height || filter.width != filters[0].width {
                throw reader.error(key, "kernel \(index + 1) is \(filter.height)x\(filter.width), kernel 1 is "
                    + "\(filters[0].height)x\(filters[0].width); every filter needs the same size")
            }
        }
        if depthwise && filters.count != channels {
            throw reader.error(key, "depthwise needs one filter per input channel: the input has "
                + "\(channelWord(channels)), there \(filters.count == 1 ? "is 1 filter" : "are \(filters.count) filters")")
        }
        return filters
    }

    // MARK: pool

    static func poolSpec(_ reader: FieldReader, input: GridStack, required: Bool) throws(LessonError) -> PoolSpec {
        guard let kind = try reader.choice("pool", PoolSpec.Kind.self) else {
            throw reader.error(nil, "missing required key 'pool' (one of: "
                + "\(PoolSpec.Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let size = try reader.pair("size", atLeast: 1) ?? 2
        return PoolSpec(input: input, kind: kind, size: size, stride: try reader.pair("stride", atLeast: 1),
                        padding: try reader.pair("padding", atLeast: 0) ?? 0,
                        predict: try reader.bool("predict") ?? false)
    }

    // MARK: activation

    static func activationSpec(_ reader: FieldReader) throws(LessonError) -> ActivationSpec {
        guard let function = try reader.activation("function", allowSoftmax: true) else {
            throw reader.error(nil, "missing required key 'function' (relu, leaky-relu, sigmoid, tanh or softmax)")
        }
        var range: ClosedRange<Float> = -4...4
        if let node = reader.fields["range"] {
            guard case .array(let items) = node, items.count == 2,
                  let low = items[0].number, let high = items[1].number, low.isFinite, high.isFinite else {
                throw reader.error("range", "expected [low, high], two numbers, found \(node.summary)")
            }
            guard low < high else {
                throw reader.error("range", "[\(low), \(high)] is empty; the first number must be below the second")
            }
            range = Float(low)...Float(high)
        }
        return ActivationSpec(function: function, input: try reader.stack("input"), plotRange: range,
                              showDerivative: try reader.bool("derivative") ?? true)
    }

    // MARK: pipeline

    static func pipelineSpec(_ reader: FieldReader) throws(LessonError) -> PipelineSpec {
        let input = try reader.requiredStack("input")
        guard let node = reader.fields["stage"] else {
            throw reader.error(nil, "missing required key 'stage': add [[step.stage]] tables with op = "
                + stageOps.joined(separator: " | "))
        }
        guard case .array(let items) = node, !items.isEmpty else {
            throw reader.error("stage", "expected [[step.stage]] tables, found \(node.summary)")
        }
        var stages: [PipelineStage] = []
        // Channels flowing into the next stage: a conv changes them to its filter count.
        var channels = input.channelCount
        for (index, item) in items.enumerated() {
            var place = reader.place
            place.stage = index + 1
            guard case .table(let fields) = item else {
                throw place.error(nil, "expected a [[step.stage]] table, found \(item.summary)")
            }
            let stage = FieldReader(fields: fields, place: place)
            guard let op = try stage.string("op") else {
                throw stage.error(nil, "missing required key 'op' (one of: \(stageOps.joined(separator: ", ")))")
            }
            guard let keys = stageKeys[op] else {
                throw stage.error("op", "unknown op '\(op)'; known ops: \(stageOps.joined(separator: ", "))")
            }
            try stage.checkKnownKeys(keys, for: "a \(op) stage")
            switch op {
            case "conv":
                // The stage sees the previous stage's output; a placeholder with that many channels
                // stands in for it here (the stepper replaces it).
                let placeholder = channels == input.channelCount ? input
                    : GridStack(channels: Array(repeating: input.channels[0], count: channels))
                let spec = try convSpec(stage, input: placeholder)
                channels = spec.depthwise ? channels : spec.kernels.count
                stages.append(.conv(ConvSpec(input: input, kernels: spec.kernels, bias: spec.bias, stride: spec.stride,
                                             padding: spec.padding, paddingMode: spec.paddingMode, rule: spec.rule,
                                             dilation: spec.dilation, depthwise: spec.depthwise,
                                             activation: spec.activation)))
            case "activation":
                guard let function = try stage.activation("function", allowSoftmax: true) else {
                    throw stage.error(nil, "missing required key 'function' (relu, leaky-relu, sigmoid, tanh or softmax)")
                }
                stages.append(.activation(function))
            default:
                stages.append(.pool(try poolSpec(stage, input: input, required: true)))
            }
        }
        return PipelineSpec(input: input, stages: stages)
    }

    // MARK: playground and image

    static func playgroundSpec(_ reader: FieldReader) throws(LessonError) -> PlaygroundSpec {
        let input = try reader.requiredStack("input")
        let start = try convSpec(reader, input: input, defaultKernel: .identity)
        return PlaygroundSpec(start: start, pool: try reader.choice("pool", PoolSpec.Kind.self),
                              poolSize: try reader.pair("pool_size", atLeast: 1) ?? 2)
    }

    static func imageSpec(_ reader: FieldReader) throws(LessonError) -> ImageSpec {
        let image = try reader.requiredString("image")
        guard !image.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw reader.error("image", "the image name is empty; use a sample image name or a path relative to the lesson")
        }
        // Sample images are one grayscale channel; a file is made grayscale when it is loaded.
        let kernels = try filters(reader, channels: 1, depthwise: false, defaultKernel: nil)
        return ImageSpec(image: image, kernels: kernels, padding: try reader.padding() ?? .same,
                         paddingMode: try reader.choice("padding_mode", Pad2d.Mode.self) ?? .zero,
                         stride: try reader.pair("stride", atLeast: 1) ?? 1,
                         activation: try reader.activation("activation", allowSoftmax: false))
    }

    // MARK: train

    enum TrainTaskName: String, CaseIterable { case kernel, overfitting }

    static func trainSpec(_ reader: FieldReader) throws(LessonError) -> TrainSpec {
        guard let task = try reader.choice("task", TrainTaskName.self) else {
            throw reader.error(nil, "missing required key 'task' (kernel or overfitting)")
        }
        // Keys of the other task are mistakes here: name the ones this task takes.
        let own = commonKeys + ["task", "learning_rate"] + (task == .kernel ? trainKernelKeys : trainOverfittingKeys)
        try reader.checkKnownKeys(own, for: "a train step with task = \"\(task.rawValue)\"")
        let learningRate = try reader.float("learning_rate") ?? 0.1
        guard learningRate > 0 else {
            throw reader.error("learning_rate", "\(learningRate) is invalid; the learning rate must be above 0")
        }
        switch task {
        case .kernel:
            guard let targetNode = reader.fields["target"] else {
                throw reader.error(nil, "missing required key 'target' (the kernel to learn: a grid or a preset: "
                    + "\(KernelPreset.namesList))")
            }
            let target = try reader.filter(targetNode, key: "target", label: nil, channels: 1)
            guard target.channelCount == 1 else {
                throw reader.error("target", "the target has \(target.channelCount) channels; the images are "
                    + "grayscale, so give one grid")
            }
            var start: GridStack?
            if let startNode = reader.fields["start"] {
                let grid = try reader.filter(startNode, key: "start", label: nil, channels: 1)
                guard grid.channelCount == 1, grid.height == target.height, grid.width == target.width else {
                    throw reader.error("start", "the start kernel is \(grid.channelCount)x\(grid.height)x\(grid.width), "
                        + "the target is \(target.height)x\(target.width); give one grid of the target's size")
                }
                start = grid
            }
            let image = try reader.string("image") ?? "house"
            let steps = try reader.int("steps", atLeast: 1, atMost: LessonLimits.largestTrainingSteps) ?? 200
            return TrainSpec(task: .kernel(target: target, start: start, image: image), learningRate: learningRate,
                             steps: steps)
        case .overfitting:
            let weightDecay = try reader.float("weight_decay") ?? 0.0005
            guard weightDecay >= 0 else {
                throw reader.error("weight_decay", "\(weightDecay) is invalid; weight_decay must be 0 or more")
            }
            // A live experiment inside a lesson: small enough to finish while the learner watches.
            return TrainSpec(task: .overfitting(trainingImages: try reader.int("training_images", atLeast: 10, atMost: 10_000) ?? 500,
                                                epochs: try reader.int("epochs", atLeast: 1, atMost: 200) ?? 30,
                                                dropout: try reader.bool("dropout") ?? true,
                                                weightDecay: weightDecay,
                                                augment: try reader.bool("augment") ?? true,
                                                oneAtATime: try reader.bool("one_at_a_time") ?? false),
                             learningRate: learningRate)
        }
    }
}
