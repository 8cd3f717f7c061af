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
    /// from its tensors. A checkpoint with no spec whose tensors are LeNet-5's (`conv1.weight`, ...:
    /// this program's earlier versions, the shipped model, ../shared/bench/lenet_peer.py) loads as the
    /// LeNet-5 its metadata or tensors describe. Tensor names may carry PyTorch's wrapper prefixes
    /// (`module.`, `_orig_mod.`).
    ///
    /// - Throws: `CheckpointError` naming `file` when the checkpoint records no spec (and is not
    ///   LeNet-5's) or one that cannot be built, when a tensor is missing, extra or has another shape
    ///   than the spec gives it, when a value is not finite, or when its normalisation is not understood.
    public init(checkpoint: Checkpoint, file: String) throws(CheckpointError) {
        _ = try checkpoint.normalization(name: file)
        try Checkpoint.checkFinite(checkpoint.tensors, name: file)
        let byName = try checkpoint.tensorsByParameterName(name: file)
        let spec: NetworkSpec, storedName: (String) -> String
        if let text = checkpoint.metadata[Self.specMetadataKey] {
            do {
                spec = try NetworkSpec.parse(text, file: file + " (its spec)")
            } catch {
                throw CheckpointError(error.description)
            }
            storedName = { $0 }
        } else if byName["conv1.weight"] != nil {
            spec = try Self.legacyLeNet5Spec(checkpoint, tensors: byName, file: file)
            storedName = Self.legacyLeNet5Names(spec)
        } else {
            let held = checkpoint.tensors.prefix(4).map(\.name).joined(separator: ", ")
                + (checkpoint.tensors.count > 4 ? ", ..." : "")
            throw CheckpointError("\(file): records no network spec (metadata '\(Self.specMetadataKey)') and is not a "
                + "LeNet-5 checkpoint (conv1.weight, conv2.weight, fc1.weight, ...; this one holds "
                + (held.isEmpty ? "no tensors" : held) + "); give a checkpoint written by convtutor train")
        }
        do {
            try self.init(spec: spec, seed: 0)
        } catch {
            throw CheckpointError("\(file): \(error.description)")
        }
        func load(_ names: [String], into tensors: inout [Tensor]) throws(CheckpointError) {
            for (index, name) in names.enumerated() {
                let stored = storedName(name)
                guard let tensor = byName[stored] else {
                    throw CheckpointError("\(file): has no tensor '\(stored)', which its spec '\(spec.name)' needs: "
                                              + "the spec and the weights do not match")
                }
                guard tensor.shape == tensors[index].shape else {
                    throw CheckpointError("\(file): tensor '\(stored)' is \(tensor.shape) but its spec '\(spec.name)' "
                                              + "gives it \(tensors[index].shape): the spec and the weights do not match")
                }
                tensors[index] = tensor
            }
        }
        try load(parameterNames, into: &parameters)
        try load(bufferNames, into: &buffers)
        let known = Set((parameterNames + bufferNames).map(storedName))
        if let extra = byName.keys.sorted().first(where: { !known.contains($0) }) {
            throw CheckpointError("\(file): has a tensor '\(extra)' its spec '\(spec.name)' does not have: "
                                      + "the spec and the weights do not match")
        }
    }

    /// The LeNet-5 a checkpoint without a spec holds: modern or classic from its metadata (modern
    /// when it does not say, as PyTorch's peer writes none), batch normalisation from its metadata or
    /// from whether it holds bn1's tensors, dropout from its metadata.
    static func legacyLeNet5Spec(_ checkpoint: Checkpoint, tensors: [String: Tensor],
                                 file: String) throws(CheckpointError) -> NetworkSpec {
        let variant = checkpoint.metadata["variant"] ?? "modern"
        guard let spec = BuiltInArchitecture.spec(named: variant == "classic" ? "lenet5-classic" : "lenet5"),
              variant == "modern" || variant == "classic" else {
            throw CheckpointError("\(file): variant \"\(variant)\" is not one of modern, classic")
        }
        var batchNorm = tensors["bn1.weight"] != nil
        if let text = checkpoint.metadata["batch_norm"] {
            guard text == "true" || text == "false" else {
                throw CheckpointError("\(file): batch_norm \"\(text)\" in the metadata is not true or false")
            }
            batchNorm = text == "true"
        }
        var dropout: Float = 0
        if let text = checkpoint.metadata["dropout"] {
            guard let value = Float(text), value >= 0, value < 1 else {
                throw CheckpointError("\(file): dropout \"\(text)\" in the metadata is not a probability below 1")
            }
            dropout = value
        }
        return (batchNorm ? spec.withBatchNorm() : spec).withDropout(dropout)
    }

    /// Maps the engine's names for a LeNet-5 spec (`layers.0.weight`) to those LeNet-5 checkpoints
    /// use (`conv1.weight`): the n-th convolution is conv*n*, the n-th batch norm bn*n*, the n-th
    /// linear layer fc*n*.
    public static func legacyLeNet5Names(_ spec: NetworkSpec) -> (String) -> String {
        var renames: [String: String] = [:]
        var counts: [String: Int] = [:]
        for (index, layer) in spec.layers.enumerated() {
            let prefix: String
            switch layer {
            case .conv: prefix = "conv"
            case .batchNorm: prefix = "bn"
            case .linear: prefix = "fc"
            default: continue
            }
            counts[prefix, default: 0] += 1
            renames["layers.\(index)"] = "\(prefix)\(counts[prefix]!)"
        }
        return { name in
            guard let dot = name.lastIndex(of: "."), let legacy = renames[String(name[..<dot])] else { return name }
            return legacy + name[dot...]
        }
    }
}
