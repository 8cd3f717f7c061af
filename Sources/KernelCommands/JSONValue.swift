/// A JSON value as read from a compute request.
///
/// Numbers keep their text, so that data converts straight to `Float` (no detour through
/// `Double`) and a shape entry can be told apart from `2.5`.
public indirect enum JSONValue: Equatable, Sendable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    /// The number exactly as written, e.g. `-1.5e3`.
    case number(String)
    case bool(Bool)
    case null

    /// What kind of value this is, for error messages: "an object", "a string", ...
    public var kindDescription: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }

    /// The value written back as compact JSON, for error messages that quote it (long values are cut).
    public var shortText: String {
        let text: String
        switch self {
        case .object(let fields):
            text = "{" + fields.keys.sorted().map { JSONText.string($0) + ": " + fields[$0, default: .null].shortText }
                .joined(separator: ", ") + "}"
        case .array(let values): text = "[" + values.map(\.shortText).joined(separator: ", ") + "]"
        case .string(let string): text = JSONText.string(string)
        case .number(let number): text = number
        case .bool(let value): text = value ? "true" : "false"
        case .null: text = "null"
        }
        return text.count > 60 ? String(text.prefix(57)) + "..." : text
    }
}
