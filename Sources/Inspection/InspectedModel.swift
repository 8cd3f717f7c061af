import Foundation
import Networks

/// A network to inspect with, its name for display and the normalisation it was trained with.
public struct InspectedModel: Sendable {
    public let network: Network
    public let name: String
    public let mean: Float
    public let standardDeviation: Float

    public init(network: Network, name: String, mean: Float, standardDeviation: Float) {
        (self.network, self.name, self.mean, self.standardDeviation) = (network, name, mean, standardDeviation)
    }

    /// How many classes the inspector reads: the digits 0-9.
    public static let classes = 10

    /// Throws when the normalisation would divide by zero or make NaN (a model built in code; one
    /// from a checkpoint was checked on load).
    func checkNormalization(image: String) throws(InspectionError) {
        guard mean.isFinite, standardDeviation.isFinite, standardDeviation > 0 else {
            throw InspectionError("\(image): \(name) normalises with mean \(mean) and std \(standardDeviation); "
                + "both must be finite and the std above 0")
        }
    }

    /// The height and width of the grey images the network reads, or an error for one that takes
    /// colour or does not score the ten digits (a model built in code; a checkpoint's is checked on load).
    func inputSize(image: String) throws(InspectionError) -> (height: Int, width: Int) {
        if let problem = Self.problem(with: network.spec) { throw InspectionError("\(image): \(name) \(problem)") }
        guard case .maps(_, let height, let width) = network.spec.input else { preconditionFailure("checked by problem(with:)") }
        return (height, width)
    }

    /// Why the inspector cannot show `spec` ("takes 3x32x32 images (3 channels, colour); ..."), or
    /// nil when it can: one grey channel of any size (the digit is resized to it), ten classes.
    static func problem(with spec: NetworkSpec) -> String? {
        let takes = "the network '\(spec.name)' takes \(spec.input) images"
        guard case .maps(let channels, _, _) = spec.input else {
            return "\(takes) (a flat vector); the inspector gives a network a grey image, 1xHxW (MNIST's is 1x28x28)"
        }
        guard channels == 1 else {
            return "\(takes) (\(channels) channels\(channels == 3 ? ", colour" : "")); the inspector reads a grey digit "
                + "and needs a network with one input channel, 1xHxW (MNIST's is 1x28x28)"
        }
        guard spec.classes == classes else {
            return "the network '\(spec.name)' scores \(spec.classes) classes; the inspector reads a digit and needs a "
                + "network that scores the \(classes) digits 0-9"
        }
        return nil
    }

    /// The checkpoint at `path`, or the pretrained model for nil.
    ///
    /// - Throws: `CheckpointError` naming the file: one that cannot be read, is not a network, or
    ///   whose network does not read grey digits.
    public static func load(path: String?) throws(CheckpointError) -> InspectedModel {
        guard let path else {
            let (network, checkpoint) = try PretrainedModel.load()
            return try from(network, checkpoint: checkpoint, name: "pretrained LeNet-5", path: nil)
        }
        let checkpoint = try Checkpoint(path: path)
        let network = try Network(checkpoint: checkpoint, file: path)
        if let problem = problem(with: network.spec) {
            throw CheckpointError("\(path): \(problem); give a checkpoint of a network trained on grey digits "
                + "(convtutor train writes one)")
        }
        return try from(network, checkpoint: checkpoint, name: path, path: path)
    }

    /// "pretrained LeNet-5 (modern, 99.16% on MNIST test)"; "lenet.safetensors (LeNet-5 modern,
    /// 3 epochs on the built-in digits, 97.50% test accuracy)"; "res.safetensors (resnet-mini, ...)".
    static func from(_ network: Network, checkpoint: Checkpoint, name: String, path: String?) throws(CheckpointError) -> InspectedModel {
        let metadata = checkpoint.metadata
        let spec = network.spec
        var facts: [String]
        if let variant = lenet5Variant(of: spec) {
            facts = [path == nil ? variant : "LeNet-5 \(variant)"]
            if spec.layers.contains(where: { $0.kind == "batchnorm" }) { facts.append("batch norm") }
        } else {
            facts = [spec.name]
        }
        if case .maps(1, let height, let width) = spec.input, (height, width) != (28, 28) {
            facts.append("reads \(height)x\(width): the 28x28 digit is resized to it")
        }
        let dataset = metadata["dataset"].map(describeDataset)
        if path != nil, let epochs = metadata["epoch"] {
            facts.append("\(epochs) epoch\(epochs == "1" ? "" : "s")" + (dataset.map { " on \($0)" } ?? ""))
        }
        if let accuracy = metadata["test_accuracy"].flatMap(Double.init), accuracy.isFinite {
            let percent = String(format: "%.2f%%", accuracy * 100)
            facts.append(path == nil ? "\(percent) on \(dataset ?? "the") test" : "\(percent) test accuracy")
        }
        let normalization = try checkpoint.normalization(name: path ?? name)
        if normalization == nil {
            facts.append("no normalisation in its metadata: MNIST's 0.1307 / 0.3081 assumed")
        }
        return InspectedModel(network: network, name: "\(name) (\(facts.joined(separator: ", ")))",
                              mean: normalization?.mean ?? ImageInspection.mnistMean,
                              standardDeviation: normalization?.standardDeviation ?? ImageInspection.mnistStandardDeviation)
    }

    /// "modern" or "classic" for the built-in LeNet-5 specs (with or without batch norm and
    /// dropout), nil for any other network.
    static func lenet5Variant(of spec: NetworkSpec) -> String? {
        switch spec.name {
        case "lenet5": "modern"
        case "lenet5-classic": "classic"
        default: nil
        }
    }

    /// "IDX files in ../shared/data/mnist" -> "MNIST"; anything else as written.
    static func describeDataset(_ dataset: String) -> String {
        if dataset.lowercased().contains("mnist") { return "MNIST" }
        if dataset.lowercased().contains("built-in") || dataset.lowercased().contains("builtin") { return "the built-in digits" }
        return dataset
    }
}
