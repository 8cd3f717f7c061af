import CommonIO
import ConvKernels
import Imaging
import Networks

/// An `ImageInspection` as one JSON object, for `convtutor inspect --json`:
///
///     {"image": "digit.png", "format": "PNG, 8-bit grey", "width": 96, "height": 96,
///      "model": "pretrained LeNet-5 (...)", "variant": "modern",
///      "normalization": {"mean": 0.1307, "std": 0.3081},
///      "prediction": 3, "probabilities": [10 numbers],
///      "preprocessing": {"inverted": true, "background": 0.93, "ink_rows": [12, 80],
///                        "ink_columns": [30, 61], "specks_removed": 0,
///                        "steps": [{"title": ..., "note": ..., "width": ..., "height": ...}],
///                        "input": [28 rows of 28 numbers in 0...1]},
///      "layers": [{"name": "conv1", "title": ..., "kind": "maps", "shape": [6, 28, 28],
///                  "values": [6 maps of 28 rows of 28 numbers]},
///                 {"name": "fc1", ..., "kind": "vector", "shape": [120], "values": [120 numbers]}, ...]}
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
            return object([("name", string(layer.name)), ("title", string(layer.title)),
                           ("kind", string(layer.isMap ? "maps" : "vector")),
                           ("shape", array(shape.map(String.init))), ("values", values)])
        }
        return object([
            ("image", string(inspection.imageName)),
            ("format", string(inspection.original.detail)),
            ("width", "\(inspection.original.width)"),
            ("height", "\(inspection.original.height)"),
            ("model", string(inspection.modelName)),
            ("variant", string(inspection.variant.rawValue)),
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
