import ConvKernels

/// Writing the JSON of compute answers.
public enum JSONText {
    /// A string literal with the escapes JSON requires.
    public static func string(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// `{"shape": [2, 3], "data": [1, 0.5, ...]}`: numbers in their shortest round-trip form,
    /// integers without a decimal point, non-finite values as null.
    public static func tensor(_ tensor: Tensor) -> String {
        "{\"shape\": [" + tensor.shape.map(String.init).joined(separator: ", ") + "], \"data\": ["
            + tensor.data.map(NumberText.json).joined(separator: ", ") + "]}"
    }

    /// An object from fields in the given order, values already JSON.
    public static func object(_ fields: [(key: String, json: String)]) -> String {
        "{" + fields.map { string($0.key) + ": " + $0.json }.joined(separator: ", ") + "}"
    }
}
