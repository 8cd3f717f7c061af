import Networks

/// A count a lesson states about LeNet-5 as ConvTutor builds and trains it (the modern variant:
/// ReLU, max pooling, no batch normalisation): the parameters, multiply-adds or output values of
/// one layer or the sum over several, or the whole network's parameters or multiply-adds. `lessons check` reads it off
/// the built-in lenet5 spec's summary, the table `convtutor model` prints, so a lesson cannot drift from the network.
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

    /// The layers whose counts are added, named as `convtutor model` names them (`conv1`,
    /// `maxpool1`, `flatten`, `fc3`, ...); empty: the whole network.
    public var layers: [String]
    public var quantity: Quantity

    public init(layers: [String], quantity: Quantity) {
        self.layers = layers
        self.quantity = quantity
    }

    /// One layer's count, or (nil) the whole network's.
    public init(layer: String?, quantity: Quantity) {
        self.init(layers: layer.map { [$0] } ?? [], quantity: quantity)
    }

    /// The networks a check may name; one for now, the one every lesson describes.
    static let networkNames = ["lenet5"]

    /// The layers of LeNet-5 under the names `convtutor model` gives them, made once.
    static let table: Result<[(name: String, row: LayerSummaryRow)], LessonError> = Result { () throws(LessonError) in
        do {
            return try BuiltInArchitecture.spec(named: "lenet5")!.summary().conventionalNames
        } catch {
            throw LessonError(message: "LeNet-5's layer table could not be made: \(error)")
        }
    }

    /// The names a `layer` may take, for messages: conv1, relu1, maxpool1, ...
    static var layerNames: [String] { (try? table.get().map(\.name)) ?? [] }

    /// "LeNet-5's conv2 parameters", "LeNet-5's multiply-adds (all layers)".
    var name: String {
        "LeNet-5's " + (layers.isEmpty ? "\(quantity.words) (all layers)"
            : "\(layers.joined(separator: " + ")) \(quantity.words)")
    }

    /// The count, from the network's layer table.
    func value() throws(LessonError) -> Int {
        let table = try Self.table.get()
        var rows = table
        if layers.isEmpty {
            guard quantity != .outputs else {
                throw LessonError(message: "count = \"outputs\" needs a layer; known layers: "
                    + Self.layerNames.joined(separator: ", "))
            }
        } else {
            rows = []
            for layer in layers {
                guard let row = table.first(where: { $0.name == layer }) else {
                    throw LessonError(message: "LeNet-5 has no layer '\(layer)'; known layers: "
                        + Self.layerNames.joined(separator: ", "))
                }
                rows.append(row)
            }
        }
        switch quantity {
        case .parameters: return rows.reduce(0) { $0 + $1.row.parameters }
        case .multiplyAdds: return rows.reduce(0) { $0 + $1.row.multiplyAdds }
        case .outputs: return rows.reduce(0) { $0 + $1.row.outputShape.count }
        }
    }
}
