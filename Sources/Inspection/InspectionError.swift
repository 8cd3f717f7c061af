import Networks

/// An inspection that ran but whose numbers cannot be shown: a layer's values became NaN or
/// infinite (weights so large that a sum overflows `Float`). Reported instead of a prediction
/// read from numbers that mean nothing.
public struct InspectionError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    /// Throws when the input layer holds NaN or infinite values.
    static func checkFinite(_ layers: [InspectedLayer], image: String, model: String) throws(InspectionError) {
        for layer in layers {
            try check(layer.values.data, origin: layer.name == "input" ? "the normalised input" : "layer \(layer.name)",
                      image: image, model: model)
        }
    }

    /// Throws when any of the network's `stages` holds NaN or infinite values, naming the first
    /// such layer (the rest follow from it) and the model.
    static func checkFinite(_ stages: [Network.Stage], image: String, model: String) throws(InspectionError) {
        for stage in stages {
            try check(stage.output.data, origin: "the output of the network's layer \(stage.label) (\(stage.kind))",
                      image: image, model: model)
        }
    }

    private static func check(_ values: [Float], origin: String, image: String, model: String) throws(InspectionError) {
        let census = NonFiniteCount(values)
        guard census.total > 0 else { return }
        throw InspectionError("\(image): \(origin) holds \(census) with \(model), so there is no prediction to "
            + "show; a model's weights and normalisation must keep every layer's values within 32-bit floats "
            + "(up to about 3.4e38): retrain it, or give another --model")
    }

    /// Throws when `values` (named by `what`) hold NaN or infinite values.
    static func checkFinite(_ values: [Float], what: String, image: String, model: String) throws(InspectionError) {
        let census = NonFiniteCount(values)
        guard census.total > 0 else { return }
        throw InspectionError("\(image): \(what) holds \(census) with \(model), so there is no prediction to show")
    }
}
