import Networks

/// A count a lesson states about LeNet-5 as ConvTutor builds and trains it (the modern variant:
/// ReLU, max pooling, no batch normalisation): one layer's parameters, multiply-adds or output
/// values, or the whole network's parameters or multiply-adds. `lessons check` reads it off
/// `LeNet5.summary()`, the table `convtutor model` prints, so a lesson cannot drift from the network.
public struct NetworkCount: Hashable, Sendable {
    public enum Quantity: String, CaseIterable, Sendable {
        /// Weights and biases.
        case parameters
        /// Multiply-adds of one image's forward pass (biases, activations and pooling not counted).
        case multiplyAdds = "multiply_adds"
        /// The values one image gives the layer's output (6 x 28 x 28 = 4,704 for conv1).
        case outputs

        /// "multiply-adds", for messages.
        var words: String { rawValue.replacingOccurrences(of: "_", with: "-") }
    }

    /// The layer, named as `convtutor model` names it (`conv1`, `maxpool1`, `flatten`, `fc3`, ...);
    /// nil: the whole network.
    public var layer: String?
    public var quantity: Quantity

    public init(layer: String?, quantity: Quantity) {
        self.layer = layer
        self.quantity = quantity
    }

    /// The networks a check may name; one for now, the one every lesson describes.
    static let networkNames = ["lenet5"]

    /// The layers of LeNet-5, as `summary()` gives them: one forward pass of a blank image, made once.
    static let layers: Result<[LeNet5.LayerSummary], LessonError> = Result { () throws(LessonError) in
        do {
            return try LeNet5(seed: 0).summary()
        } catch {
            throw LessonError(message: "LeNet-5's layer table could not be made: \(error)")
        }
    }

    /// The names a `layer` may take, for messages: conv1, relu1, maxpool1, ...
    static var layerNames: [String] { (try? layers.get().map(\.name)) ?? [] }

    /// "LeNet-5's conv2 parameters", "LeNet-5's multiply-adds (all layers)".
    var name: String {
        "LeNet-5's " + (layer.map { "\($0) \(quantity.words)" } ?? "\(quantity.words) (all layers)")
    }

    /// The count, from the network's layer table.
    func value() throws(LessonError) -> Int {
        let layers = try Self.layers.get()
        guard let layer else {
            switch quantity {
            case .parameters: return layers.reduce(0) { $0 + $1.parameters }
            case .multiplyAdds: return layers.reduce(0) { $0 + $1.multiplyAdds }
            case .outputs: throw LessonError(message: "count = \"outputs\" needs a layer; known layers: "
                + Self.layerNames.joined(separator: ", "))
            }
        }
        guard let row = layers.first(where: { $0.name == layer }) else {
            throw LessonError(message: "LeNet-5 has no layer '\(layer)'; known layers: " + Self.layerNames.joined(separator: ", "))
        }
        switch quantity {
        case .parameters: return row.parameters
        case .multiplyAdds: return row.multiplyAdds
        case .outputs: return row.outputShape.reduce(1, *)
        }
    }
}
