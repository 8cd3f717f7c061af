import ConvKernels
import Foundation
import Imaging
import Networks

/// What every layer of LeNet-5 makes of one image: the image, its preprocessing, each layer's
/// output and the prediction. The inspector screen, `inspect --plain` and `inspect --json` all
/// show this one value.
public struct ImageInspection: Sendable {
    /// The image's path as the user gave it.
    public let imageName: String
    /// The decoded image, as its file holds it.
    public let original: PixelImage
    public let preprocessing: DigitPreprocessing
    /// "pretrained LeNet-5 (modern, 99.16% on MNIST test)", or the checkpoint's path and what its
    /// metadata says.
    public let modelName: String
    /// The network's variant: ReLU and max pooling (modern) or tanh and average pooling (classic).
    public let variant: LeNet5.Variant
    /// The normalisation the network was trained with: inputs are `(pixel - mean) / standardDeviation`.
    public let mean: Float
    public let standardDeviation: Float
    /// In order: input (28x28, normalised), conv1 (6 maps after batch norm, if any, and the
    /// activation), pool1, conv2 (16 maps, likewise), pool2, fc1, fc2 (after their activation),
    /// output (the 10 logits).
    public let layers: [InspectedLayer]
    /// The softmax of the logits: one probability per digit 0-9.
    public let probabilities: [Float]

    /// The digit with the highest probability.
    public var prediction: Int {
        probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
    }

    /// The MNIST normalisation used when a checkpoint does not say (PyTorch's examples use it).
    public static let mnistMean: Float = 0.1307
    public static let mnistStandardDeviation: Float = 0.3081

    /// Loads the image and the model (nil: the pretrained one), preprocesses the image and runs the
    /// forward pass keeping every layer's output.
    ///
    /// - Throws: `ImageError` for an image that cannot be read or holds no digit, `CheckpointError`
    ///   for a model file that cannot be read or is not a LeNet-5; both name the file.
    public static func load(imagePath: String, modelPath: String?) throws -> ImageInspection {
        let image = try ImageDecoder.decode(path: imagePath)
        let model = try InspectedModel.load(path: modelPath)
        return try inspect(image, name: imagePath, model: model)
    }

    /// Preprocesses `image` and runs `model` on it.
    ///
    /// - Throws: `ImageError` when the image holds no digit; `InspectionError` when a layer's values
    ///   are NaN or infinite (reported, never turned into a prediction).
    public static func inspect(_ image: PixelImage, name: String, model: InspectedModel) throws -> ImageInspection {
        try model.checkNormalization(image: name)
        // An image with no digit in it (a kernel test pattern, a photo of something else) still opens:
        // the network reads the whole image and the step says why. Only a blank one has nothing to show.
        let gray = image.grayscale()
        let preprocessing: DigitPreprocessing
        do {
            preprocessing = try DigitPreprocessor.prepare(gray, name: name)
        } catch where !DigitPreprocessor.isBlank(gray) {
            let reason = error.message.hasPrefix(name + ": ") ? String(error.message.dropFirst(name.count + 2)) : error.message
            preprocessing = DigitPreprocessor.wholeImage(gray, reason: reason)
        }
        let input = preprocessing.input(mean: model.mean, standardDeviation: model.standardDeviation)
        let activations = try model.network.forward(input, threads: 1)
        let layers = InspectedLayer.layers(of: activations, variant: model.network.variant)
        // Finite weights can still overflow a sum: refuse rather than show "prediction 0" from NaN.
        try InspectionError.checkFinite(layers, image: name, model: model.name)
        let probabilities = try Softmax.forward(input: activations.logits).data
        try InspectionError.checkFinite(probabilities, what: "the softmax of the logits", image: name, model: model.name)
        return ImageInspection(imageName: name, original: image, preprocessing: preprocessing, modelName: model.name,
                               variant: model.network.variant, mean: model.mean,
                               standardDeviation: model.standardDeviation, layers: layers, probabilities: probabilities)
    }

    public init(imageName: String, original: PixelImage, preprocessing: DigitPreprocessing, modelName: String,
                variant: LeNet5.Variant, mean: Float, standardDeviation: Float, layers: [InspectedLayer],
                probabilities: [Float]) {
        (self.imageName, self.original, self.preprocessing, self.modelName) = (imageName, original, preprocessing, modelName)
        (self.variant, self.mean, self.standardDeviation) = (variant, mean, standardDeviation)
        (self.layers, self.probabilities) = (layers, probabilities)
    }

    /// The rows and columns of the 28x28 input that feed cell (`row`, `column`) of map layer
    /// `layer` (an index into `layers`), clipped to the input: exact, from each layer's kernel,
    /// stride and padding (`LeNet5Windows`). A fully connected layer sees the whole input.
    public func receptiveField(layer: Int, row: Int, column: Int) -> (rows: ClosedRange<Int>, columns: ClosedRange<Int>) {
        precondition(layers.indices.contains(layer), "layer \(layer) of \(layers.count)")
        return LeNet5Windows.receptiveField(layer: layer, row: row, column: column)
    }
}

/// One layer's output for the inspected image.
public struct InspectedLayer: Sendable {
    /// "conv1".
    public let name: String
    /// "conv1 + ReLU: 6 maps of 28x28".
    public let title: String
    /// Always `[channels, height, width]`: a map layer's maps, or a fully connected layer's
    /// features as one map of one row, `[1, 1, features]`.
    public let values: Tensor
    /// Whether the layer is a stack of 2-D maps (input, conv and pool layers) rather than a vector.
    public let isMap: Bool

    public init(name: String, title: String, values: Tensor, isMap: Bool) {
        precondition(values.rank == 3, "a layer's values are [channels, height, width]; got \(values.shape)")
        (self.name, self.title, self.values, self.isMap) = (name, title, values, isMap)
    }

    public var channels: Int { values.shape[0] }
    public var height: Int { values.shape[1] }
    public var width: Int { values.shape[2] }

    /// Map `channel`, row by row.
    public func map(_ channel: Int) -> [[Float]] {
        precondition((0..<channels).contains(channel), "map \(channel) of \(channels)")
        let start = channel * height * width
        return (0..<height).map { row in Array(values.data[(start + row * width)..<(start + (row + 1) * width)]) }
    }

    /// The smallest and largest value of map `channel`.
    public func range(ofMap channel: Int) -> ClosedRange<Float> {
        let start = channel * height * width
        let slice = values.data[start..<(start + height * width)]
        return (slice.min() ?? 0)...(slice.max() ?? 0)
    }

    /// The layers of LeNet-5's forward pass, as `ImageInspection.layers` lists them.
    static func layers(of a: LeNet5.Activations, variant: LeNet5.Variant) -> [InspectedLayer] {
        let activation = variant == .modern ? "ReLU" : "tanh"
        let pooling = variant == .modern ? "max" : "average"
        func map(_ name: String, _ title: String, _ tensor: Tensor) -> InspectedLayer {
            let shape = Array(tensor.shape.dropFirst())
            let described = "\(shape[0]) map\(shape[0] == 1 ? "" : "s") of \(shape[1])x\(shape[2])"
            return InspectedLayer(name: name, title: "\(title): \(described)", values: tensor.reshaped(shape), isMap: true)
        }
        func vector(_ name: String, _ title: String, _ tensor: Tensor) -> InspectedLayer {
            InspectedLayer(name: name, title: "\(title): \(tensor.count) values",
                           values: tensor.reshaped([1, 1, tensor.count]), isMap: false)
        }
        let normalized = a.conv1Normalized == nil ? "" : " + batch norm"
        return [
            map("input", "input (normalised)", a.input),
            map("conv1", "conv1\(normalized) + \(activation)", a.conv1Activated),
            map("pool1", "pool1 (\(pooling) 2x2)", a.pool1),
            map("conv2", "conv2\(normalized) + \(activation)", a.conv2Activated),
            map("pool2", "pool2 (\(pooling) 2x2)", a.pool2),
            vector("fc1", "fc1 + \(activation)", a.fc1Activated),
            vector("fc2", "fc2 + \(activation)", a.fc2Activated),
            vector("output", "output (logits)", a.logits),
        ]
    }
}

/// A LeNet-5 to inspect with, its name for display and the normalisation it was trained with.
public struct InspectedModel: Sendable {
    public let network: LeNet5
    public let name: String
    public let mean: Float
    public let standardDeviation: Float

    public init(network: LeNet5, name: String, mean: Float, standardDeviation: Float) {
        (self.network, self.name, self.mean, self.standardDeviation) = (network, name, mean, standardDeviation)
    }

    /// Throws when the normalisation would divide by zero or make NaN (a model built in code; one
    /// from a checkpoint was checked on load).
    func checkNormalization(image: String) throws(InspectionError) {
        guard mean.isFinite, standardDeviation.isFinite, standardDeviation > 0 else {
            throw InspectionError("\(image): \(name) normalises with mean \(mean) and std \(standardDeviation); "
                + "both must be finite and the std above 0")
        }
    }

    /// The checkpoint at `path`, or the pretrained model for nil.
    ///
    /// - Throws: `CheckpointError` naming the file.
    public static func load(path: String?) throws(CheckpointError) -> InspectedModel {
        guard let path else {
            let (network, checkpoint) = try PretrainedModel.load()
            return try from(network, checkpoint: checkpoint, name: "pretrained LeNet-5", path: nil)
        }
        var checkpoint = try Checkpoint(path: path)
        // Until the inspector takes any network: a LeNet-5 the engine wrote, under LeNet-5's names.
        if checkpoint.metadata[Network.specMetadataKey] != nil {
            let engine = try Network(checkpoint: checkpoint, file: path)
            let rename = Network.legacyLeNet5Names(engine.spec)
            checkpoint.tensors = checkpoint.tensors.map { (name: rename($0.name), tensor: $0.tensor) }
            checkpoint.metadata["variant"] = engine.spec.name == "lenet5-classic" ? "classic" : "modern"
            checkpoint.metadata["batch_norm"] = engine.spec.layers.contains { $0.kind == "batchnorm" } ? "true" : "false"
        }
        let network = try LeNet5(checkpoint: checkpoint, name: path)
        return try from(network, checkpoint: checkpoint, name: path, path: path)
    }

    /// "pretrained LeNet-5 (modern, 99.16% on MNIST test)"; "lenet.safetensors (LeNet-5 modern,
    /// 3 epochs on the built-in digits, 97.50% test accuracy)".
    static func from(_ network: LeNet5, checkpoint: Checkpoint, name: String, path: String?) throws(CheckpointError) -> InspectedModel {
        let metadata = checkpoint.metadata
        var facts = [path == nil ? network.variant.rawValue : "LeNet-5 \(network.variant.rawValue)"]
        if network.options.batchNorm { facts.append("batch norm") }
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

    /// "IDX files in ../shared/data/mnist" -> "MNIST"; anything else as written.
    static func describeDataset(_ dataset: String) -> String {
        if dataset.lowercased().contains("mnist") { return "MNIST" }
        if dataset.lowercased().contains("built-in") || dataset.lowercased().contains("builtin") { return "the built-in digits" }
        return dataset
    }
}
