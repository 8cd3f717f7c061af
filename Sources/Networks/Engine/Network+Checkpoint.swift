import ConvKernels

extension Network {
    /// The metadata key under which a checkpoint records its network's spec, as TOML.
    public static let specMetadataKey = "convtutor.spec"

    /// The parameters and buffers under their names, with the spec in the metadata, so that
    /// `init(checkpoint:file:)` (and `convtutor inspect --model`, `train --resume`) need nothing else.
    public func checkpoint(metadata: [String: String] = [:]) -> Checkpoint {
        var metadata = metadata
        metadata[Self.specMetadataKey] = spec.toml
        let tensors = zip(parameterNames + bufferNames, parameters + buffers).map { (name: $0.0, tensor: $0.1) }
        return Checkpoint(tensors: tensors, metadata: metadata)
    }

    /// The network a checkpoint recorded: its spec from the metadata, every parameter and buffer
    /// from its tensors. Refused, naming `file`, when it records no spec or one that cannot be
    /// built, or when a tensor is missing or has another shape than the spec gives it.
    public init(checkpoint: Checkpoint, file: String) throws(NetworkSpecError) {
        guard let text = checkpoint.metadata[Self.specMetadataKey] else {
            throw NetworkSpecError(file: file, "records no network spec (metadata '\(Self.specMetadataKey)'): it was not "
                                       + "written by the network engine; LeNet-5 checkpoints of earlier versions load as LeNet-5")
        }
        let spec = try NetworkSpec.parse(text, file: file + " (its spec)")
        try self.init(spec: spec, seed: 0)
        func load(_ names: [String], into tensors: inout [Tensor]) throws(NetworkSpecError) {
            for (index, name) in names.enumerated() {
                guard let tensor = checkpoint.tensor(named: name) else {
                    throw NetworkSpecError(file: file, "has no tensor '\(name)', which its spec '\(spec.name)' needs: "
                                               + "the spec and the weights do not match")
                }
                guard tensor.shape == tensors[index].shape else {
                    throw NetworkSpecError(file: file, "tensor '\(name)' is \(tensor.shape) but its spec '\(spec.name)' "
                                               + "gives it \(tensors[index].shape): the spec and the weights do not match")
                }
                tensors[index] = tensor
            }
        }
        try load(parameterNames, into: &parameters)
        try load(bufferNames, into: &buffers)
        let known = Set(parameterNames + bufferNames)
        if let extra = checkpoint.tensors.first(where: { !known.contains($0.name) }) {
            throw NetworkSpecError(file: file, "has a tensor '\(extra.name)' its spec '\(spec.name)' does not have: "
                                       + "the spec and the weights do not match")
        }
    }
}
