import ArgumentParser
import Networks

/// What `--arch NAME|FILE` names, for every command that takes a network: a spec file (a name with
/// a slash or ending in .toml), a built-in architecture that trains here, or a model-zoo table.
enum NetworkChoice {
    static var builtInList: String { BuiltInArchitecture.all.map(\.name).joined(separator: ", ") }
    static var zooList: String { ModelZoo.names.joined(separator: ", ") }

    static func isFile(_ name: String) -> Bool { name.contains("/") || name.hasSuffix(".toml") }

    /// The spec, its shapes checked (a network to build, not only a table to print): a failure
    /// names the file and the layer.
    static func buildableSpec(named name: String, command: String) throws -> NetworkSpec {
        let spec = try spec(named: name, command: command)
        do {
            _ = try spec.summary(file: isFile(name) ? name : nil)
        } catch {
            throw CommandFailure("convtutor \(command): \(error)")
        }
        return spec
    }

    /// The spec, or a failure (exit 1) naming the file and what is wrong, or listing the names there are.
    static func spec(named name: String, command: String) throws -> NetworkSpec {
        if let spec = BuiltInArchitecture.spec(named: name) { return spec }
        if let spec = ModelZoo.spec(named: name) { return spec }
        if isFile(name) {
            do {
                return try NetworkSpec.load(contentsOf: name)
            } catch {
                throw CommandFailure("convtutor \(command): \(error)")
            }
        }
        throw CommandFailure("convtutor \(command): there is no architecture called '\(name)'; --arch takes a spec file "
                                 + "(a path, or a name ending in .toml), a built-in one (\(builtInList)) or a zoo table "
                                 + "(\(zooList))")
    }
}

/// `--variant`: which LeNet-5, a shorthand for `--arch lenet5` or `--arch lenet5-classic`.
enum LeNetVariant: String, CaseIterable, ExpressibleByArgument {
    /// ReLU and max pooling.
    case modern
    /// tanh and average pooling, as published.
    case classic

    /// The built-in architecture's name.
    var architecture: String { self == .modern ? "lenet5" : "lenet5-classic" }
}
