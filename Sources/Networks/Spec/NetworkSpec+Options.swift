/// The training options that change a network (`convtutor train --batch-norm`, `--dropout`), as
/// edits of its spec: the network that trains is always the spec's, and a checkpoint records it.
extension NetworkSpec {
    /// Batch normalisation after every top-level convolution that is not already followed by one,
    /// before its activation (as LeNet-5 with `--batch-norm` has it: conv, batchnorm, relu, pool).
    public func withBatchNorm() -> NetworkSpec {
        var edited = self
        edited.layers = []
        for (index, layer) in layers.enumerated() {
            edited.layers.append(layer)
            guard case .conv = layer else { continue }
            let next = layers.indices.contains(index + 1) ? layers[index + 1] : nil
            if case .batchNorm = next { continue }
            edited.layers.append(.batchNorm(LayerSpec.BatchNorm()))
        }
        return edited
    }

    /// Dropout with `probability` after the activation that follows each top-level linear layer but
    /// the last (LeNet-5's fc1 and fc2), or after the linear layer itself when no activation follows.
    /// A probability of 0 leaves the spec as it is.
    public func withDropout(_ probability: Float) -> NetworkSpec {
        guard probability > 0 else { return self }
        let lastLinear = layers.lastIndex { if case .linear = $0 { true } else { false } }
        var edited = self
        edited.layers = []
        var dropoutAfterActivation = false
        for (index, layer) in layers.enumerated() {
            edited.layers.append(layer)
            if case .linear = layer, index != lastLinear {
                if layers.indices.contains(index + 1) && layers[index + 1].isActivation {
                    dropoutAfterActivation = true
                } else {
                    edited.layers.append(.dropout(probability: probability))
                }
            } else if dropoutAfterActivation {
                edited.layers.append(.dropout(probability: probability))
                dropoutAfterActivation = false
            }
        }
        return edited
    }
}

extension LayerSpec {
    /// An elementwise activation function (a layer with no parameters that keeps the shape).
    public var isActivation: Bool {
        switch self {
        case .relu, .relu6, .leakyReLU, .sigmoid, .tanh, .silu: true
        default: false
        }
    }

    /// Keeps the shape and works value by value (an activation, batch norm, dropout): pictures show
    /// it with the layer it follows.
    public var isElementwise: Bool {
        switch self {
        case .batchNorm, .dropout: true
        default: isActivation
        }
    }
}
