import ConvKernels
import Foundation

/// A JSON value as read from a compute request, by Foundation's `JSONDecoder` (`init(parsing:)`).
///
/// Numbers keep what the request format needs of them: the nearest `Float` rounded once from the
/// digits (no detour through `Double`), and whether they are whole, so that a shape entry can be
/// told apart from `2.5`. Of a key written twice in one object the first value counts
/// (`JSONDecoder`'s rule).
public indirect enum JSONValue: Equatable, Sendable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case number(Number)
    case bool(Bool)
    case null

    /// A JSON number, read from its digits as a `Double`, a `Float` and, when whole, an `Int`.
    public struct Number: Equatable, Sendable {
        /// The nearest `Double`.
        public let double: Double
        /// The nearest `Float`, rounded once from the digits: `0.1` gives `Float(0.1)` exactly;
        /// nil when the number lies beyond a `Float`'s range (+-3.4e38).
        public let float: Float?
        /// The number as an `Int` when it is whole and fits one: `2`, `2.0` and `2e0` all give 2;
        /// nil for `2.5`.
        public let integer: Int?

        /// The number written back for messages, in its shortest form: `3`, `2.5`, `1e39`, `1e-7`.
        public var text: String {
            if let integer { return String(integer) }
            var text = double.description
            if text.hasSuffix(".0") { text.removeLast(2) }
            // Swift writes `1e+39` and `1e-07`; JSON's usual form is `1e39` and `1e-7`.
            guard let e = text.firstIndex(of: "e") else { return text }
            let exponent = text[text.index(after: e)...]
            let sign = exponent.first == "-" ? "-" : ""
            let digits = exponent.drop { $0 == "+" || $0 == "-" || $0 == "0" }
            return text[..<e] + "e" + sign + (digits.isEmpty ? "0" : digits)
        }
    }

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
        case .number(let number): text = number.text
        case .bool(let value): text = value ? "true" : "false"
        case .null: text = "null"
        }
        return text.count > 60 ? String(text.prefix(57)) + "..." : text
    }
}

// MARK: - Reading

extension JSONValue {
    /// The deepest nesting of arrays and objects accepted (a request needs three).
    public static let maximumDepth = 64

    /// The value `text` holds; nothing but whitespace may follow it.
    ///
    /// - Throws: `KernelError` "malformed JSON: Invalid value around character 14." (Foundation's
    ///   reason and place), or "arrays and objects are nested more than 64 deep".
    public init(parsing text: String) throws(KernelError) {
        let data = Data(text.utf8)
        do {
            self = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch let error as KernelError {
            throw error
        } catch {
            throw KernelError("malformed JSON: " + Self.reason(data, decodingError: error))
        }
    }

    /// Why Foundation refuses `data`. Outside Apple's platforms `JSONDecoder` says only "The given
    /// data was not valid JSON." (swift-foundation drops the underlying error there), so the
    /// reason and the place come from `JSONSerialization`, which reads the same grammar.
    private static func reason(_ data: Data, decodingError: any Error) -> String {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed)
        } catch {
            if let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String { return reason }
        }
        if case DecodingError.dataCorrupted(let context) = decodingError { return context.debugDescription }
        return String(describing: decodingError)
    }
}

extension JSONValue: Decodable {
    /// Reads any JSON value through a single-value container by asking for each kind in turn:
    /// a type mismatch means "not this kind", any other error (a malformed number or string,
    /// which `JSONDecoder` checks only when asked for the value) is the line's error.
    public init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer()
        if value.decodeNil() {
            self = .null
        } else if let double = try Self.decode(Double.self, from: value) {
            self = .number(Number(double: double, from: value))
        } else if let bool = try Self.decode(Bool.self, from: value) {
            self = .bool(bool)
        } else if let string = try Self.decode(String.self, from: value) {
            self = .string(string)
        } else {
            // An array or an object: the nesting is bounded before reading what is inside, so
            // that deep nesting is an error and never exhausts the stack.
            guard decoder.codingPath.count < Self.maximumDepth else {
                throw KernelError("arrays and objects are nested more than \(Self.maximumDepth) deep")
            }
            if let array = try Self.decode([JSONValue].self, from: value) {
                self = .array(array)
            } else {
                self = .object(try value.decode([String: JSONValue].self))
            }
        }
    }

    /// The value as a `T`, or nil when it is another kind of JSON value.
    private static func decode<T: Decodable>(_ type: T.Type, from value: any SingleValueDecodingContainer) throws -> T? {
        do {
            return try value.decode(type)
        } catch DecodingError.typeMismatch {
            return nil
        }
    }
}

extension JSONValue.Number {
    /// The number `value` holds, whose digits read as `double`.
    fileprivate init(double: Double, from value: any SingleValueDecodingContainer) {
        self.double = double
        if let nearest = try? value.decode(Float.self) {
            float = nearest
        } else if abs(double) < 1 {
            // JSONDecoder refuses a number that underflows a Float (1e-50); as a Float it is 0.
            float = double.sign == .minus ? -0.0 : 0.0
        } else {
            float = nil
        }
        integer = double.rounded() == double ? try? value.decode(Int.self) : nil
    }
}
