import ConvKernels

/// A strict JSON reader (RFC 8259) for one compute request, with messages that say where and what.
///
/// Nesting is limited (`maximumDepth`) so that a line of ten thousand `[` is an error, not a
/// stack overflow.
public struct JSONParser {
    /// The deepest nesting of arrays and objects accepted.
    public static let maximumDepth = 64

    private let bytes: [UInt8]
    private var position = 0
    private var depth = 0

    private init(_ text: String) {
        bytes = Array(text.utf8)
    }

    /// The value `text` holds; nothing but whitespace may follow it.
    ///
    /// - Throws: `KernelError` "malformed JSON at character 12: expected ',' or '}' after a field".
    public static func parse(_ text: String) throws(KernelError) -> JSONValue {
        var parser = JSONParser(text)
        parser.skipWhitespace()
        let value = try parser.value()
        parser.skipWhitespace()
        guard parser.position == parser.bytes.count else {
            throw parser.error("unexpected text after the JSON value; one line holds one request")
        }
        return value
    }

    // MARK: - Grammar

    private mutating func value() throws(KernelError) -> JSONValue {
        guard let byte = peek() else { throw error("the line ends where a value was expected") }
        switch byte {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: throw error("expected a value (object, array, string, number, true, false or null), found \(found())")
        }
    }

    private mutating func object() throws(KernelError) -> JSONValue {
        try enter()
        position += 1  // {
        var fields: [String: JSONValue] = [:]
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return .object(fields)
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw error("expected a field name in double quotes, found \(found())") }
            let keyPosition = position
            let key = try string()
            guard fields[key] == nil else {
                position = keyPosition
                throw error("field \"\(key)\" appears twice")
            }
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw error("expected ':' after the field name \"\(key)\", found \(found())") }
            position += 1
            skipWhitespace()
            fields[key] = try value()
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"):
                position += 1
                depth -= 1
                return .object(fields)
            default: throw error("expected ',' or '}' after the value of \"\(key)\", found \(found())")
            }
        }
    }

    private mutating func array() throws(KernelError) -> JSONValue {
        try enter()
        position += 1  // [
        var values: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return .array(values)
        }
        while true {
            skipWhitespace()
            values.append(try value())
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"):
                position += 1
                depth -= 1
                return .array(values)
            default: throw error("expected ',' or ']' in an array, found \(found())")
            }
        }
    }

    private mutating func string() throws(KernelError) -> String {
        position += 1  // opening quote
        var utf8: [UInt8] = []
        while true {
            guard let byte = peek() else { throw error("the line ends inside a string; close it with '\"'") }
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: utf8, as: UTF8.self) else {
                    throw error("a string is not valid UTF-8")
                }
                return text
            case UInt8(ascii: "\\"):
                try escape(into: &utf8)
            case 0..<0x20:
                position -= 1
                throw error("a control character (code \(byte)) inside a string must be escaped")
            default:
                utf8.append(byte)
            }
        }
    }

    private mutating func escape(into utf8: inout [UInt8]) throws(KernelError) {
        guard let byte = peek() else { throw error("the line ends inside an escape sequence") }
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(byte)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hexQuad()
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by an escaped low surrogate.
                guard peek() == UInt8(ascii: "\\"), peek(1) == UInt8(ascii: "u") else {
                    throw error("a \\u escape of a high surrogate must be followed by a low surrogate")
                }
                position += 2
                let low = try hexQuad()
                guard (0xDC00..<0xE000).contains(low) else { throw error("a \\u escape of a high surrogate must be followed by a low surrogate") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw error("\\u escape \(scalar) is not a Unicode scalar") }
            utf8.append(contentsOf: Array(String(Character(unicode)).utf8))
        default:
            position -= 1
            throw error("unknown escape '\\\(Character(Unicode.Scalar(byte)))'; JSON allows \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX")
        }
    }

    private mutating func hexQuad() throws(KernelError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek(), let digit = Self.hexDigit(byte) else {
                throw error("a \\u escape needs four hexadecimal digits")
            }
            value = value * 16 + digit
            position += 1
        }
        return value
    }

    private static func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, returned as written.
    private mutating func number() throws(KernelError) -> String {
        let start = position
        if peek() == UInt8(ascii: "-") { position += 1 }
        guard let first = peek(), isDigit(first) else { throw error("expected a digit after '-', found \(found())") }
        if first == UInt8(ascii: "0") {
            position += 1
            if let next = peek(), isDigit(next) { throw error("a number must not start with 0 followed by digits") }
        } else {
            skipDigits()
        }
        if peek() == UInt8(ascii: ".") {
            position += 1
            guard let next = peek(), isDigit(next) else { throw error("expected a digit after the decimal point, found \(found())") }
            skipDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            position += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
            guard let next = peek(), isDigit(next) else { throw error("expected a digit in the exponent, found \(found())") }
            skipDigits()
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private mutating func literal(_ word: String) throws(KernelError) {
        let expected = Array(word.utf8)
        guard bytes.count - position >= expected.count, Array(bytes[position..<(position + expected.count)]) == expected else {
            throw error("expected a value (object, array, string, number, true, false or null), found \(found())")
        }
        position += expected.count
    }

    // MARK: - Helpers

    private mutating func enter() throws(KernelError) {
        depth += 1
        guard depth <= Self.maximumDepth else {
            throw error("arrays and objects are nested more than \(Self.maximumDepth) deep")
        }
    }

    private func peek(_ offset: Int = 0) -> UInt8? {
        position + offset < bytes.count ? bytes[position + offset] : nil
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func skipDigits() {
        while let byte = peek(), isDigit(byte) { position += 1 }
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
    }

    /// What stands at the current position, for messages: "'x'" or "the end of the line".
    private func found() -> String {
        guard position < bytes.count else { return "the end of the line" }
        let end = min(position + 12, bytes.count)
        let text = String(decoding: bytes[position..<end], as: UTF8.self)
        return "'" + text + (end < bytes.count ? "..." : "") + "'"
    }

    private func error(_ message: String) -> KernelError {
        let place = position < bytes.count ? "at character \(position + 1)" : "after character \(bytes.count)"
        return KernelError("malformed JSON \(place): \(message)")
    }
}
