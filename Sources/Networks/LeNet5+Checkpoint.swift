import ConvKernels

extension LeNet5 {
    /// The parameters (and batch normalisation's running statistics) under PyTorch's names, with the
    /// variant and options in the metadata (plus `metadata`).
    public func checkpoint(metadata: [String: String] = [:]) -> Checkpoint {
        var allMetadata = metadata
        allMetadata["model"] = "LeNet-5"
        allMetadata["variant"] = variant.rawValue
        allMetadata["batch_norm"] = options.batchNorm ? "true" : "false"
        allMetadata["dropout"] = "\(options.dropout)"
        var tensors = Array(zip(parameterNames, parameters)).map { (name: $0.0, tensor: $0.1) }
        if options.batchNorm {
            tensors += zip(Self.runningStatisticNames, runningStatistics).map { (name: $0.0, tensor: $0.1) }
        }
        return Checkpoint(tensors: tensors, metadata: allMetadata)
    }

    /// A network with a checkpoint's parameters. Tensor names may carry the prefixes PyTorch's
    /// wrappers add (`module.` from DataParallel, `_orig_mod.` from torch.compile, or both); see
    /// `Checkpoint.parameterName(_:)`.
    ///
    /// - Parameter variant: taken when the checkpoint does not say (one written by PyTorch has no
    ///   metadata); when it does and `requireVariant` is true, the two must agree.
    /// - Throws: `CheckpointError` when a parameter is missing or has another shape, or the
    ///   checkpoint's metadata is not understood (the normalisation too, so every user of the
    ///   network finds a bad one here, see `Checkpoint.normalization(name:)`). The values are finite:
    ///   `Checkpoint` refuses NaN and infinities when it reads them.
    public init(checkpoint: Checkpoint, variant expected: Variant = .modern, requireVariant: Bool = false,
                name: String) throws(CheckpointError) {
        _ = try checkpoint.normalization(name: name)
        try Checkpoint.checkFinite(checkpoint.tensors, name: name)
        let byName = try checkpoint.tensorsByParameterName(name: name)
        let variant: Variant
        if let written = checkpoint.metadata["variant"] {
            guard let known = Variant(rawValue: written) else {
                throw CheckpointError("\(name): variant \"\(written)\" is not one of modern, classic")
            }
            if requireVariant && known != expected {
                throw CheckpointError("\(name): holds a \(known.rawValue) LeNet-5, not the \(expected.rawValue) one asked for; "
                    + "give --variant \(known.rawValue) or another checkpoint")
            }
            variant = known
        } else {
            variant = expected
        }
        var options = Options()
        if let batchNorm = checkpoint.metadata["batch_norm"] {
            guard batchNorm == "true" || batchNorm == "false" else {
                throw CheckpointError("\(name): batch_norm \"\(batchNorm)\" in the metadata is not true or false")
            }
            options.batchNorm = batchNorm == "true"
        } else {
            // A checkpoint without metadata (PyTorch's) has batch normalisation if it holds its tensors.
            options.batchNorm = byName["bn1.weight"] != nil
        }
        if let dropout = checkpoint.metadata["dropout"] {
            guard let value = Float(dropout), value >= 0, value < 1 else {
                throw CheckpointError("\(name): dropout \"\(dropout)\" in the metadata is not a probability below 1")
            }
            options.dropout = value
        }
        var names = Self.parameterNames, shapes = Self.parameterShapes
        if options.batchNorm {
            names += Self.batchNormParameterNames + Self.runningStatisticNames
            shapes += Self.batchNormParameterShapes + Self.runningStatisticShapes
        }
        var tensors: [Tensor] = []
        for (tensorName, shape) in zip(names, shapes) {
            guard let tensor = byName[tensorName] else {
                let held = checkpoint.tensors.prefix(6).map(\.name).joined(separator: ", ")
                    + (checkpoint.tensors.count > 6 ? ", ..." : "")
                throw CheckpointError("\(name): has no \(tensorName); a LeNet-5 checkpoint holds "
                    + names.joined(separator: ", ") + " (this one holds " + (held.isEmpty ? "no tensors" : held) + ")")
            }
            guard tensor.shape == shape else {
                throw CheckpointError("\(name): \(tensorName) has shape \(tensor.shape); LeNet-5's is \(shape)")
            }
            tensors.append(tensor)
        }
        let parameterCount = Self.parameterNames.count + (options.batchNorm ? Self.batchNormParameterNames.count : 0)
        self.init(variant: variant, options: options, parameters: Array(tensors[..<parameterCount]),
                  runningStatistics: Array(tensors[parameterCount...]))
    }
}
