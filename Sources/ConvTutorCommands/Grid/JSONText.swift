import CommonIO
import ConvKernels

/// Writing the JSON of compute answers.
public enum JSONText {
    /// A string literal with the escapes JSON requires.
    public static func string(_ text: String) -> String { JSONString.quoted(text) }

    /// `{"shape": [2, 3], "data": [1, 0.5, ...]}`: numbers in their shortest round-trip form,
    /// integers without a decimal point, non-finite values as null.
    public static func tensor(_ tensor: Tensor) -> String {
        "{\"shape\": [" + tensor.shape.map(String.init).joined(separator: ", ") + "], \"data\": ["
            + tensor.data.map(NumberText.json).joined(separator: ", ") + "]}"
    }

    /// An array from values already JSON.
    public static func array(_ values: [String]) -> String {
        "[" + values.joined(separator: ", ") + "]"
    }

    /// An object from fields in the given order, values already JSON.
    public static func object(_ fields: [(key: String, json: String)]) -> String {
        "{" + fields.map { string($0.key) + ": " + $0.json }.joined(separator: ", ") + "}"
    }
}
