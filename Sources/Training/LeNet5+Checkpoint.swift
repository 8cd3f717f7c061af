import ConvKernels

extension LeNet5 {
    /// The parameters under PyTorch's names, with the variant in the metadata (plus `metadata`).
    public func checkpoint(metadata: [String: String] = [:]) -> Checkpoint {
        var allMetadata = metadata
        allMetadata["variant"] = variant.rawValue
        allMetadata["model"] = "LeNet-5"
        return Checkpoint(tensors: Array(zip(Self.parameterNames, parameters)).map { ($0.0, $0.1) }, metadata: allMetadata)
    }

    /// A network with a checkpoint's parameters.
    ///
    /// - Throws: `CheckpointError` when a parameter is missing or has another shape, or the
    ///   checkpoint names another variant (one written by PyTorch, without metadata, is taken as
    ///   `variant`).
    public init(checkpoint: Checkpoint, variant expected: Variant = .modern, name: String) throws(CheckpointError) {
        let variant: Variant
        if let written = checkpoint.metadata["variant"] {
            guard let known = Variant(rawValue: written) else {
                throw CheckpointError("\(name): variant \"\(written)\" is not one of modern, classic")
            }
            variant = known
        } else {
            variant = expected
        }
        var parameters: [Tensor] = []
        for (parameterName, shape) in zip(Self.parameterNames, Self.parameterShapes) {
            guard let tensor = checkpoint.tensor(named: parameterName) else {
                throw CheckpointError("\(name): has no \(parameterName); a LeNet-5 checkpoint holds "
                    + Self.parameterNames.joined(separator: ", "))
            }
            guard tensor.shape == shape else {
                throw CheckpointError("\(name): \(parameterName) has shape \(tensor.shape); LeNet-5's is \(shape)")
            }
            parameters.append(tensor)
        }
        self.variant = variant
        self.parameters = parameters
    }
}
