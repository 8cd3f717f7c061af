import CommonIO
import ConvKernels
import Imaging
import Networks

/// An `ImageInspection` as one JSON object, for `convtutor inspect --json`:
///
///     {"image": "digit.png", "format": "PNG, 8-bit grey", "width": 96, "height": 96,
///      "model": "pretrained LeNet-5 (...)", "architecture": "lenet5", "variant": "modern" (null for
///      a network that is not a LeNet-5), "input_shape": [1, 28, 28],
///      "normalization": {"mean": 0.1307, "std": 0.3081},
///      "prediction": 3, "probabilities": [10 numbers],
///      "preprocessing": {"inverted": true, "background": 0.93, "ink_rows": [12, 80],
///                        "ink_columns": [30, 61], "specks_removed": 0,
///                        "steps": [{"title": ..., "note": ..., "width": ..., "height": ...}],
///                        "input": [28 rows of 28 numbers in 0...1]},
///      "layers": [{"name": "1 conv", "title": "1 conv 6@5x5 + 2 relu: ...", "kind": "maps",
///                  "stages": [{"label": "1", "kind": "conv"}, {"label": "2", "kind": "relu"}],
///                  "shape": [6, 28, 28], "values": [6 maps of 28 rows of 28 numbers]},
///                 {"name": "8 linear", ..., "kind": "vector", "shape": [120], "values": [120 numbers]}, ...]}
///
/// A layer's "stages" are the network's top-level layers it shows (the input has none); the last
/// layer is the output, its values the logits.
///
/// Numbers are written as Swift prints a `Float` (the shortest text that reads back exactly).
public enum InspectionJSON {
    public static func render(_ inspection: ImageInspection) -> String {
        let preprocessing = inspection.preprocessing
        let steps = preprocessing.steps.map { step in
            object([("title", string(step.title)), ("note", string(step.note)),
                    ("width", "\(step.image.width)"), ("height", "\(step.image.height)")])
        }
        let centred = preprocessing.centred
        let input = (0..<centred.height).map { row in
            array((0..<centred.width).map { number(centred[row, $0]) })
        }
        let layers = inspection.layers.map { layer -> String in
            let values: String
            let shape: [Int]
            if layer.isMap {
                shape = layer.values.shape
                values = array((0..<layer.channels).map { channel in
                    array(layer.map(channel).map { row in array(row.map(number)) })
                })
            } else {
                shape = [layer.values.count]
                values = array(layer.values.data.map(number))
            }
            let stages = layer.stages.map { object([("label", string($0.label)), ("kind", string($0.kind))]) }
            return object([("name", string(layer.name)), ("title", string(layer.title)),
                           ("kind", string(layer.isMap ? "maps" : "vector")), ("stages", array(stages)),
                           ("shape", array(shape.map(String.init))), ("values", values)])
        }
        return object([
            ("image", string(inspection.imageName)),
            ("format", string(inspection.original.detail)),
            ("width", "\(inspection.original.width)"),
            ("height", "\(inspection.original.height)"),
            ("model", string(inspection.modelName)),
            ("architecture", string(inspection.spec.name)),
            ("variant", inspection.lenet5Variant.map(string) ?? "null"),
            ("input_shape", array(inspection.spec.input.dimensions.map(String.init))),
            ("normalization", object([("mean", number(inspection.mean)), ("std", number(inspection.standardDeviation))])),
            ("prediction", "\(inspection.prediction)"),
            ("probabilities", array(inspection.probabilities.map(number))),
            ("preprocessing", object([
                ("inverted", preprocessing.inverted ? "true" : "false"),
                ("background", number(preprocessing.background)),
                ("ink_rows", array([preprocessing.inkRows.lowerBound, preprocessing.inkRows.upperBound].map(String.init))),
                ("ink_columns", array([preprocessing.inkColumns.lowerBound, preprocessing.inkColumns.upperBound].map(String.init))),
                ("specks_removed", "\(preprocessing.specksRemoved)"),
                ("steps", array(steps)),
                ("input", array(input)),
            ])),
            ("layers", array(layers)),
        ]) + "\n"
    }

    // MARK: Writing JSON

    static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { string($0.0) + ": " + $0.1 }.joined(separator: ", ") + "}"
    }

    static func array(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }

    /// A finite value as Swift prints it ("0.25", "1e-05"); JSON has no NaN or infinity: null.
    static func number(_ value: Float) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded() && abs(value) < 1e7 { return String(Int(value)) }
        return "\(value)"
    }

    static func string(_ text: String) -> String { JSONString.quoted(text) }
}
