import ConvKernels

extension Checkpoint {
    /// The prefixes PyTorch's wrappers put before every name in a state dict: `module.`
    /// (`nn.DataParallel`, `DistributedDataParallel`) and `_orig_mod.` (`torch.compile`).
    public static let wrapperPrefixes = ["module.", "_orig_mod."]

    /// `key` without the wrappers' prefixes, in any order and number:
    /// `module._orig_mod.conv1.weight` and `_orig_mod.module.conv1.weight` are both `conv1.weight`.
    public static func parameterName(_ key: String) -> String {
        var name = Substring(key)
        while let prefix = wrapperPrefixes.first(where: { name.hasPrefix($0) && name.count > $0.count }) {
            name = name.dropFirst(prefix.count)
        }
        return String(name)
    }

    /// The tensors under their parameter names (see `parameterName(_:)`).
    ///
    /// - Throws: `CheckpointError` naming `name` when two tensors come to the same parameter name.
    public func tensorsByParameterName(name: String) throws(CheckpointError) -> [String: Tensor] {
        var byName: [String: (key: String, tensor: Tensor)] = [:]
        for (key, tensor) in tensors {
            let parameter = Self.parameterName(key)
            if let earlier = byName[parameter] {
                throw CheckpointError("\(name): holds both \(earlier.key) and \(key), which are the same parameter "
                    + "\(parameter) once the wrappers' prefixes (\(Self.wrapperPrefixes.joined(separator: ", "))) are "
                    + "removed; keep one of them")
            }
            byName[parameter] = (key, tensor)
        }
        return byName.mapValues(\.tensor)
    }
}
