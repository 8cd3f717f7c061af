import ConvKernels

extension Network {
    /// What a training forward pass keeps for the backward pass: each layer's input and what its
    /// kernel cached, blocks nested as in the spec.
    public struct Trace: Sendable {
        /// The network's input `[N, C, H, W]`.
        public let input: Tensor
        /// `[N, classes]`
        public let logits: Tensor
        let layers: [LayerTrace]
    }

    indirect enum LayerTrace: Sendable {
        /// A layer's input (the backward pass of most kernels reads it) and what else it keeps.
        case leaf(input: Tensor, cache: LeafCache)
        case residual(body: [LayerTrace], shortcut: [LayerTrace], inputShape: [Int])
        case branches([[LayerTrace]], outputShapes: [[Int]], inputShape: [Int])
        /// Squeeze-and-excitation's intermediate values, each `[N, ·, 1, 1]`.
        case squeezeExcite(input: Tensor, pooled: Tensor, reduced: Tensor, activated: Tensor, gate: Tensor)
    }

    enum LeafCache: Sendable {
        case none
        case batchNorm(BatchNorm2d.Cache)
        case dropoutMask(Tensor)
    }

    /// The logits `[N, classes]` in evaluation mode: batch norm with its running statistics, no dropout.
    public func logits(_ input: Tensor, threads: Int = Parallel.defaultThreads) throws(KernelError) -> Tensor {
        var random = SeededRandom(seed: 0)
        var buffers = self.buffers
        var traces: [LayerTrace] = []
        return try run(plan, input, training: false, random: &random, buffers: &buffers, traces: &traces, threads: threads)
    }

    /// One top-level layer and what it gave, in evaluation mode: what the inspector and the training
    /// screen's probe draw (a block, residual or branches, is one stage: its output).
    public struct Stage: Sendable {
        /// The layer's place in the spec, counting from 1 ("3"), as the summary's rows label it.
        public let label: String
        /// The spec's kind ("conv", "maxpool", "residual", ...).
        public let kind: String
        /// The layer keeps the shape and works value by value (`LayerSpec.isElementwise`).
        public let isElementwise: Bool
        /// `[N, C, H, W]` for maps, `[N, F]` for features; the last stage's output is the logits.
        public let output: Tensor

        public init(label: String, kind: String, isElementwise: Bool, output: Tensor) {
            self.label = label
            self.kind = kind
            self.isElementwise = isElementwise
            self.output = output
        }
    }

    /// Every top-level layer's output for `input` `[N, C, H, W]`, in evaluation mode.
    public func stages(_ input: Tensor, threads: Int = Parallel.defaultThreads) throws(KernelError) -> [Stage] {
        var random = SeededRandom(seed: 0)
        var buffers = self.buffers
        var traces: [LayerTrace] = []
        var x = input
        var stages: [Stage] = []
        for (index, (node, layer)) in zip(plan, spec.layers).enumerated() {
            x = try run(node, x, training: false, random: &random, buffers: &buffers, traces: &traces, threads: threads)
            stages.append(Stage(label: String(index + 1), kind: layer.kind, isElementwise: layer.isElementwise, output: x))
        }
        return stages
    }

    /// A training forward pass: batch statistics (the running ones are updated in `buffers`, as
    /// PyTorch's `model.train()` does) and dropout masks drawn from `random`.
    public mutating func forwardForTraining(_ input: Tensor, random: inout SeededRandom,
                                            threads: Int = Parallel.defaultThreads) throws(KernelError) -> Trace {
        var traces: [LayerTrace] = []
        let logits = try run(plan, input, training: true, random: &random, buffers: &buffers, traces: &traces, threads: threads)
        return Trace(input: input, logits: logits, layers: traces)
    }

    /// The gradients of every parameter (in `parameterNames` order) given the logits' gradient, and
    /// the input's gradient when asked (saliency needs it; training does not).
    public func backward(_ trace: Trace, dLogits: Tensor, needInputGradient: Bool = false,
                         threads: Int = Parallel.defaultThreads) throws(KernelError) -> (parameters: [Tensor], dInput: Tensor?) {
        // Placeholders (shared storage, nothing allocated): every parameter's layer writes its gradient.
        var gradients = parameters
        let dInput = try back(plan, trace.layers, dLogits, gradients: &gradients, needInputGradient: needInputGradient,
                              threads: threads)
        return (gradients, needInputGradient ? dInput : nil)
    }

    // MARK: Forward

    private func run(_ nodes: [Node], _ input: Tensor, training: Bool, random: inout SeededRandom, buffers: inout [Tensor],
                     traces: inout [LayerTrace], threads: Int) throws(KernelError) -> Tensor {
        var x = input
        for node in nodes {
            x = try run(node, x, training: training, random: &random, buffers: &buffers, traces: &traces, threads: threads)
        }
        return x
    }

    private func run(_ node: Node, _ x: Tensor, training: Bool, random: inout SeededRandom, buffers: inout [Tensor],
                     traces: inout [LayerTrace], threads: Int) throws(KernelError) -> Tensor {
        var cache = LeafCache.none
        let output: Tensor
        switch node {
        case .conv(let options, let weight, let bias):
            output = try Conv2d.forward(input: x, weight: parameters[weight], bias: bias.map { parameters[$0] },
                                        options: options, threads: threads)
        case .batchNorm(let channels, let epsilon, let momentum, let gamma, let mean, let flat):
            var layer = try BatchNorm2d(channels: channels, epsilon: epsilon, momentum: momentum)
            layer.gamma = parameters[gamma]
            layer.beta = parameters[gamma + 1]
            layer.runningMean = buffers[mean]
            layer.runningVariance = buffers[mean + 1]
            let maps = flat ? Tensor(shape: [x.shape[0], channels, 1, 1], data: x.data) : x
            let (normalized, batchCache) = try layer.forward(maps, training: training)
            buffers[mean] = layer.runningMean
            buffers[mean + 1] = layer.runningVariance
            output = flat ? Tensor(shape: x.shape, data: normalized.data) : normalized
            cache = .batchNorm(batchCache)
        case .activation(let function):
            output = function.forward(x)
        case .pool(let kind, let options):
            output = try Pool2d.forward(input: x, kind: kind, options: options, threads: threads)
        case .adaptiveAvgPool(let size):
            output = try AdaptiveAvgPool2d.forward(input: x, outputSize: size)
        case .globalAvgPool:
            output = try GlobalAvgPool2d.forward(input: x)
        case .flatten:
            output = Flatten.forward(x)
        case .linear(let weight, let bias, let flattens):
            output = try Linear.forward(input: flattens ? Flatten.forward(x) : x, weight: parameters[weight],
                                        bias: bias.map { parameters[$0] }, threads: threads)
        case .dropout(let probability):
            guard training, probability > 0 else {
                output = x
                break
            }
            let dropped = try Dropout(probability: probability).forward(x, training: true, random: &random)
            output = dropped.output
            cache = .dropoutMask(dropped.mask)
        case .residual(let body, let shortcut):
            var bodyTraces: [LayerTrace] = [], shortcutTraces: [LayerTrace] = []
            let bodyOutput = try run(body, x, training: training, random: &random, buffers: &buffers, traces: &bodyTraces,
                                     threads: threads)
            let shortcutOutput = try run(shortcut, x, training: training, random: &random, buffers: &buffers,
                                         traces: &shortcutTraces, threads: threads)
            traces.append(.residual(body: bodyTraces, shortcut: shortcutTraces, inputShape: x.shape))
            return try TensorAdd.forward(a: bodyOutput, b: shortcutOutput)
        case .branches(let branches):
            var outputs: [Tensor] = [], branchTraces: [[LayerTrace]] = []
            for branch in branches {
                var branchTrace: [LayerTrace] = []
                outputs.append(try run(branch, x, training: training, random: &random, buffers: &buffers,
                                       traces: &branchTrace, threads: threads))
                branchTraces.append(branchTrace)
            }
            traces.append(.branches(branchTraces, outputShapes: outputs.map(\.shape), inputShape: x.shape))
            return try ChannelConcat.forward(inputs: outputs)
        case .squeezeExcite(let reduce, let expand, let activation):
            let pooled = try AdaptiveAvgPool2d.forward(input: x, outputSize: 1)
            let reduced = try Conv2d.forward(input: pooled, weight: parameters[reduce], bias: parameters[reduce + 1], threads: threads)
            let activated = activation.forward(reduced)
            let gate = Activation.sigmoid.forward(
                try Conv2d.forward(input: activated, weight: parameters[expand], bias: parameters[expand + 1], threads: threads))
            if training {
                traces.append(.squeezeExcite(input: x, pooled: pooled, reduced: reduced, activated: activated, gate: gate))
            }
            return try ChannelScale.forward(input: x, scale: gate)
        }
        if training { traces.append(.leaf(input: x, cache: cache)) }
        return output
    }

    // MARK: Backward

    /// Walks `nodes` backwards from `dOutput`, writing each parameter's gradient into `gradients`;
    /// returns the gradient of the nodes' input.
    private func back(_ nodes: [Node], _ traces: [LayerTrace], _ dOutput: Tensor, gradients: inout [Tensor],
                      needInputGradient: Bool, threads: Int) throws(KernelError) -> Tensor {
        precondition(nodes.count == traces.count, "a trace of \(traces.count) layers for \(nodes.count)")
        var d = dOutput
        for index in nodes.indices.reversed() {
            // Only the very first layer of the network may skip its input gradient.
            let first = index == 0 && !needInputGradient
            d = try back(nodes[index], traces[index], d, gradients: &gradients, skipInputGradient: first, threads: threads)
        }
        return d
    }

    private func back(_ node: Node, _ trace: LayerTrace, _ dOutput: Tensor, gradients: inout [Tensor],
                      skipInputGradient: Bool, threads: Int) throws(KernelError) -> Tensor {
        switch (node, trace) {
        case (.residual(let body, let shortcut), .residual(let bodyTraces, let shortcutTraces, let inputShape)):
            let joined = try TensorAdd.backward(dOutput: dOutput, inputShape: dOutput.shape)
            let dBody = try back(body, bodyTraces, joined.dA, gradients: &gradients, needInputGradient: true, threads: threads)
            let dShortcut = shortcut.isEmpty ? joined.dB
                : try back(shortcut, shortcutTraces, joined.dB, gradients: &gradients, needInputGradient: true, threads: threads)
            precondition(dBody.shape == inputShape)
            return try TensorAdd.forward(a: dBody, b: dShortcut)
        case (.branches(let branches), .branches(let branchTraces, let outputShapes, let inputShape)):
            let pieces = try ChannelConcat.backward(dOutput: dOutput, inputShapes: outputShapes)
            var dInput = Tensor(zeros: inputShape)
            for (index, branch) in branches.enumerated() {
                let dBranch = branch.isEmpty ? pieces[index]
                    : try back(branch, branchTraces[index], pieces[index], gradients: &gradients, needInputGradient: true,
                               threads: threads)
                dInput = try TensorAdd.forward(a: dInput, b: dBranch)
            }
            return dInput
        case (.squeezeExcite(let reduce, let expand, let activation),
              .squeezeExcite(let input, let pooled, let reduced, let activated, let gate)):
            let scaled = try ChannelScale.backward(input: input, scale: gate, dOutput: dOutput)
            // sigmoid'(z) = g (1 - g), from the gate itself.
            var dExpanded = scaled.dScale
            for index in 0..<dExpanded.count { dExpanded.data[index] *= gate.data[index] * (1 - gate.data[index]) }
            let expanded = try Conv2d.backward(input: activated, weight: parameters[expand], dOutput: dExpanded, threads: threads)
            gradients[expand] = expanded.dWeight
            if let dBias = expanded.dBias { gradients[expand + 1] = dBias }
            let dReduced = activation.backward(input: reduced, dOutput: expanded.dInput)
            let reducedGradients = try Conv2d.backward(input: pooled, weight: parameters[reduce], dOutput: dReduced, threads: threads)
            gradients[reduce] = reducedGradients.dWeight
            if let dBias = reducedGradients.dBias { gradients[reduce + 1] = dBias }
            let dPooled = try AdaptiveAvgPool2d.backward(input: input, outputSize: 1, dOutput: reducedGradients.dInput)
            return try TensorAdd.forward(a: scaled.dInput, b: dPooled)
        case (_, .leaf(let input, let cache)):
            return try backLeaf(node, input: input, cache: cache, dOutput, gradients: &gradients,
                                skipInputGradient: skipInputGradient, threads: threads)
        default:
            preconditionFailure("the trace does not match the network's layers")
        }
    }

    private func backLeaf(_ node: Node, input: Tensor, cache: LeafCache, _ dOutput: Tensor, gradients: inout [Tensor],
                          skipInputGradient: Bool, threads: Int) throws(KernelError) -> Tensor {
        switch node {
        case .conv(let options, let weight, let bias):
            let result = try Conv2d.backward(input: input, weight: parameters[weight], dOutput: dOutput, hasBias: bias != nil,
                                             options: options, needInputGradient: !skipInputGradient, threads: threads)
            gradients[weight] = result.dWeight
            if let bias, let dBias = result.dBias { gradients[bias] = dBias }
            return result.dInput
        case .batchNorm(let channels, let epsilon, let momentum, let gamma, _, let flat):
            guard case .batchNorm(let batchCache) = cache else { preconditionFailure("batch norm without its cache") }
            let layer = try BatchNorm2d(channels: channels, epsilon: epsilon, momentum: momentum)
            let maps = flat ? Tensor(shape: [dOutput.shape[0], channels, 1, 1], data: dOutput.data) : dOutput
            let result = layer.backward(dOutput: maps, cache: batchCache)
            gradients[gamma] = result.dGamma
            gradients[gamma + 1] = result.dBeta
            return flat ? Tensor(shape: input.shape, data: result.dInput.data) : result.dInput
        case .activation(let function):
            return function.backward(input: input, dOutput: dOutput)
        case .pool(let kind, let options):
            return try Pool2d.backward(input: input, dOutput: dOutput, kind: kind, options: options, threads: threads)
        case .adaptiveAvgPool(let size):
            return try AdaptiveAvgPool2d.backward(input: input, outputSize: size, dOutput: dOutput)
        case .globalAvgPool:
            return try GlobalAvgPool2d.backward(input: input, dOutput: dOutput)
        case .flatten:
            return Flatten.backward(dOutput: dOutput, inputShape: input.shape)
        case .linear(let weight, let bias, let flattens):
            let flat = flattens ? Flatten.forward(input) : input
            let result = try Linear.backward(input: flat, weight: parameters[weight], dOutput: dOutput, hasBias: bias != nil,
                                             threads: threads)
            gradients[weight] = result.dWeight
            if let bias, let dBias = result.dBias { gradients[bias] = dBias }
            return flattens ? Flatten.backward(dOutput: result.dInput, inputShape: input.shape) : result.dInput
        case .dropout(let probability):
            guard case .dropoutMask(let mask) = cache else { return dOutput }
            return try Dropout(probability: probability).backward(dOutput: dOutput, mask: mask)
        case .residual, .branches, .squeezeExcite:
            preconditionFailure("a block traced as a leaf")
        }
    }
}

extension Network.Stage {
    /// The stages as a learner reads them: each elementwise stage joins the group of the layer it
    /// follows (the group's last output is what the next layer sees: LeNet-5's "conv1 + ReLU"); the
    /// last stage, the logits, always stands alone.
    public static func grouped(_ stages: [Network.Stage]) -> [[Network.Stage]] {
        var groups: [[Network.Stage]] = []
        for (index, stage) in stages.enumerated() {
            if stage.isElementwise, index != stages.count - 1, !groups.isEmpty {
                groups[groups.count - 1].append(stage)
            } else {
                groups.append([stage])
            }
        }
        return groups
    }

    /// The groups worth a picture of their maps (maps larger than 1x1), each named as a learner
    /// reads LeNet-5 ("conv1", "pool1", "conv2", "pool2"; "residual1", "branches1"), its stage the
    /// group's last.
    public static func pictured(_ stages: [Network.Stage]) -> [(name: String, stage: Network.Stage)] {
        var counts: [String: Int] = [:]
        return grouped(stages).compactMap { group in
            guard let first = group.first, let last = group.last, last.output.shape.count == 4,
                  last.output.shape[2] * last.output.shape[3] > 1 else { return nil }
            let family = ["maxpool", "avgpool", "adaptive_avgpool"].contains(first.kind) ? "pool" : first.kind
            counts[family, default: 0] += 1
            return ("\(family)\(counts[family]!)", last)
        }
    }
}
