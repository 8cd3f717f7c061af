/// JSON string literals, for the hand-written JSON of `compute`, `train --log` and `inspect --json`.
public enum JSONString {
    /// `text` quoted, with the escapes JSON requires (control characters and DEL as `\u00XX`). The
    /// result is also a TOML basic string, so network specs are written with it too.
    public static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
