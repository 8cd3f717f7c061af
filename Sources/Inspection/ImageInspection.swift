import ConvKernels
import Foundation
import Imaging
import Networks

/// What every layer of a network makes of one image: the image, its preprocessing, each layer's
/// output and the prediction. The inspector screen, `inspect --plain` and `inspect --json` all
/// show this one value.
public struct ImageInspection: Sendable {
    /// The image's path as the user gave it.
    public let imageName: String
    /// The decoded image, as its file holds it.
    public let original: PixelImage
    public let preprocessing: DigitPreprocessing
    /// What the network reads, 0...1 before normalisation: the preprocessing's 28x28, or it
    /// resized to the network's input when that is another size.
    public let input: GrayImage
    /// "pretrained LeNet-5 (modern, 99.16% on MNIST test)", or the checkpoint's path and what its
    /// metadata says.
    public let modelName: String
    /// The network's spec: its layers, for the layers' titles and the receptive fields.
    public let spec: NetworkSpec
    /// The normalisation the network was trained with: inputs are `(pixel - mean) / standardDeviation`.
    public let mean: Float
    public let standardDeviation: Float
    /// In order: the input (normalised), then each of the network's top-level layers (`Network.stages`),
    /// an activation, batch norm or dropout shown with the layer it follows and a flatten left out
    /// (see `InspectedLayer.layers`); the last is the output, the logits.
    public let layers: [InspectedLayer]
    /// The softmax of the logits: one probability per digit 0-9.
    public let probabilities: [Float]

    /// The digit with the highest probability.
    public var prediction: Int {
        probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
    }

    /// "modern" or "classic" for a LeNet-5 (as the shipped model and earlier versions' checkpoints
    /// are), nil for another architecture.
    public var lenet5Variant: String? { InspectedModel.lenet5Variant(of: spec) }

    /// The MNIST normalisation used when a checkpoint does not say (PyTorch's examples use it).
    public static let mnistMean: Float = 0.1307
    public static let mnistStandardDeviation: Float = 0.3081

    /// Loads the image and the model (nil: the pretrained one), preprocesses the image and runs the
    /// network keeping every layer's output.
    ///
    /// - Throws: `ImageError` for an image that cannot be read or holds no digit, `CheckpointError`
    ///   for a model file that cannot be read, is not a network or takes other images than grey
    ///   digits; both name the file.
    public static func load(imagePath: String, modelPath: String?) throws -> ImageInspection {
        let image = try ImageDecoder.decode(path: imagePath)
        let model = try InspectedModel.load(path: modelPath)
        return try inspect(image, name: imagePath, model: model)
    }

    /// Preprocesses `image` and runs `model` on it.
    ///
    /// - Throws: `ImageError` when the image holds no digit; `InspectionError` when the network
    ///   takes other images than grey ones (a model built in code; a checkpoint's is checked on
    ///   load) or a layer's values are NaN or infinite (reported, never turned into a prediction).
    public static func inspect(_ image: PixelImage, name: String, model: InspectedModel) throws -> ImageInspection {
        try model.checkNormalization(image: name)
        let size = try model.inputSize(image: name)
        let (height, width) = (size.height, size.width)
        // An image with no digit in it (a kernel test pattern, a photo of something else) still opens:
        // the network reads the whole image and the step says why. Only a blank one has nothing to show.
        let preprocessing = try prepare(image.grayscale(), name: name)
        let read = Self.resized(preprocessing.centred, width: width, height: height)
        let input = Tensor(shape: [1, 1, height, width],
                           data: read.pixels.map { ($0 - model.mean) / model.standardDeviation })
        let inputLayer = InspectedLayer.input(input)
        // Finite weights can still overflow a sum: refuse rather than show "prediction 0" from NaN.
        try InspectionError.checkFinite([inputLayer], image: name, model: model.name)
        let stages = try model.network.stages(input, threads: 1)
        try InspectionError.checkFinite(stages, image: name, model: model.name)
        let layers = [inputLayer] + InspectedLayer.layers(of: stages, spec: model.network.spec)
        // A spec has at least one layer (its summary checks), so there is a last stage: the logits.
        let logits = stages[stages.count - 1].output
        let probabilities = try Softmax.forward(input: logits).data
        try InspectionError.checkFinite(probabilities, what: "the softmax of the logits", image: name, model: model.name)
        return ImageInspection(imageName: name, original: image, preprocessing: preprocessing, input: read,
                               modelName: model.name, spec: model.network.spec, mean: model.mean,
                               standardDeviation: model.standardDeviation, layers: layers, probabilities: probabilities)
    }

    /// MNIST's recipe on `gray`; for an image with no digit in it, the whole image (the step says
    /// why). Throws `ImageError` for a blank one.
    static func prepare(_ gray: GrayImage, name: String) throws(ImageError) -> DigitPreprocessing {
        do {
            return try DigitPreprocessor.prepare(gray, name: name)
        } catch where !DigitPreprocessor.isBlank(gray) {
            let reason = error.message.hasPrefix(name + ": ") ? String(error.message.dropFirst(name.count + 2)) : error.message
            return DigitPreprocessor.wholeImage(gray, reason: reason)
        }
    }

    /// `image` at `width x height`, itself when it is that size already.
    static func resized(_ image: GrayImage, width: Int, height: Int) -> GrayImage {
        image.width == width && image.height == height ? image : image.resized(width: width, height: height)
    }

    public init(imageName: String, original: PixelImage, preprocessing: DigitPreprocessing, input: GrayImage,
                modelName: String, spec: NetworkSpec, mean: Float, standardDeviation: Float, layers: [InspectedLayer],
                probabilities: [Float]) {
        (self.imageName, self.original, self.preprocessing, self.input) = (imageName, original, preprocessing, input)
        (self.modelName, self.spec, self.mean, self.standardDeviation) = (modelName, spec, mean, standardDeviation)
        (self.layers, self.probabilities) = (layers, probabilities)
    }

    /// The rows and columns of the network's input that feed cell (`row`, `column`) of map layer
    /// `layer` (an index into `layers`), clipped to the input: from the spec's kernels, strides,
    /// paddings and dilations (`ReceptiveField`). A layer after global pooling, a flatten or a
    /// linear layer sees the whole input.
    public func receptiveField(layer: Int, row: Int, column: Int) -> (rows: ClosedRange<Int>, columns: ClosedRange<Int>) {
        precondition(layers.indices.contains(layer), "layer \(layer) of \(layers.count)")
        return ReceptiveField.of(spec, layers: layers[layer].layersApplied, row: row, column: column)
    }
}
