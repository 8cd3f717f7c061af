// A TOML 1.0 reader for the files people write for ConvTutor (lessons; network specs next).
//
// Why not a library: the one on hand (TOMLKit, toml++ underneath) compiles toml++ with its
// assertions on, and toml++ asserts, ending the program, on malformed text it should refuse
// (`a = [1,}`, `[[[1]]]`, `[ .`: found by fuzzing). A lesson folder is untrusted input, so the
// reader must refuse every malformed document with its line and column and never stop the
// program; it must also never use memory or stack out of proportion to the text. This one is a
// plain recursive-descent reader over the UTF-8 bytes, with nesting limited to
// `maximumNesting`.

/// A TOML value.
public indirect enum TOMLValue: Equatable, Sendable {
    case table([String: TOMLValue])
    case array([TOMLValue])
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    /// A date, a time or both, as written, with its TOML type name ("offset date-time",
    /// "local date-time", "local date" or "local time").
    case dateTime(String, type: String)
}

/// Why a TOML document was refused, with where: 1-based line and column (in characters).
public struct TOMLSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "line \(line), column \(column): \(message)" }
}

public enum TOMLDocument {
    /// Tables, arrays and inline tables nested deeper than this are refused: the reader and
    /// everything that walks a parsed document recurse once per level, and no hand-written
    /// file needs more.
    public static let maximumNesting = 64

    /// Parses a whole document into its root table.
    public static func parse(_ text: String) throws(TOMLSyntaxError) -> [String: TOMLValue] {
        var reader = TOMLReader(bytes: Array(text.utf8))
        return try reader.document()
    }
}

// MARK: - Tables while the document is read

/// A table under construction: tables stay open to later headers and dotted keys until the end.
private final class OpenTable {
    enum Entry {
        /// A finished value: a scalar, an array written with `[...]`, or an inline table (which
        /// can never be extended).
        case value(TOMLValue)
        case table(OpenTable)
        /// Written with `[[name]]`; later headers and keys go into the last element.
        case tableArray([OpenTable])
    }

    var entries: [String: Entry] = [:]
    /// The line each key was first defined on, for "defined twice" messages.
    var lines: [String: Int] = [:]
    /// How many tables and arrays enclose this one (the root is 0).
    let depth: Int
    /// Defined by its own `[header]`: a second header for it is an error.
    var definedByHeader = false
    /// Made by a dotted key (`a.b = 1` makes table `a`): only more dotted keys may add to it.
    var madeByDottedKeys = false

    init(depth: Int) { self.depth = depth }

    func finished() -> [String: TOMLValue] {
        entries.mapValues { entry in
            switch entry {
            case .value(let value): value
            case .table(let table): .table(table.finished())
            case .tableArray(let tables): .array(tables.map { .table($0.finished()) })
            }
        }
    }
}

// MARK: - The reader

private struct TOMLReader {
    let bytes: [UInt8]
    /// Where each line starts, for turning a position into a line and column.
    let lineStarts: [Int]
    var index = 0
    /// How many tables and arrays enclose the value being read.
    var depth = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
        lineStarts = [0] + bytes.indices.filter { bytes[$0] == UInt8(ascii: "\n") }.map { $0 + 1 }
    }

    /// The 1-based line holding byte `position`.
    func line(at position: Int) -> Int {
        var low = 0, high = lineStarts.count  // the answer is the count of line starts <= position
        while low < high {
            let middle = (low + high) / 2
            if lineStarts[middle] <= position { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// A new table inside `parent`, refused when the document would nest too deep.
    func table(inside parent: OpenTable, at position: Int) throws(TOMLSyntaxError) -> OpenTable {
        guard parent.depth < TOMLDocument.maximumNesting else {
            throw error("tables and arrays are nested more than \(TOMLDocument.maximumNesting) deep", at: position)
        }
        return OpenTable(depth: parent.depth + 1)
    }

    // MARK: Characters

    var current: UInt8? { index < bytes.count ? bytes[index] : nil }
    func peek(_ offset: Int) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }
    var atEnd: Bool { index >= bytes.count }

    static func isBareKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case ascii("a")...ascii("z"), ascii("A")...ascii("Z"), ascii("0")...ascii("9"), ascii("_"), ascii("-"): true
        default: false
        }
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= ascii("0") && byte <= ascii("9") }

    /// A control character TOML allows in no string or comment (tab is allowed everywhere).
    static func isForbiddenControl(_ byte: UInt8) -> Bool { (byte < 0x20 && byte != ascii("\t")) || byte == 0x7F }

    mutating func skipSpaces() {
        while let byte = current, byte == ascii(" ") || byte == ascii("\t") { index += 1 }
    }

    /// A comment from `#` to the end of the line (not the newline itself).
    mutating func skipComment() throws(TOMLSyntaxError) {
        guard current == ascii("#") else { return }
        index += 1
        while let byte = current, byte != ascii("\n") {
            if byte == ascii("\r") && peek(1) == ascii("\n") { return }
            if Self.isForbiddenControl(byte) { throw error("a comment may not hold control character \(Self.describe(byte))") }
            index += 1
        }
    }

    /// Consumes a newline (LF or CRLF) if one is here.
    mutating func newline() -> Bool {
        if current == ascii("\n") { index += 1; return true }
        if current == ascii("\r") && peek(1) == ascii("\n") { index += 2; return true }
        return false
    }

    /// Spaces, comments and newlines, as allowed between the values of an array.
    mutating func skipBlankLines() throws(TOMLSyntaxError) {
        while true {
            skipSpaces()
            try skipComment()
            if !newline() { return }
        }
    }

    /// After an expression: only spaces and a comment may follow on its line.
    mutating func endOfLine(after what: String) throws(TOMLSyntaxError) {
        skipSpaces()
        try skipComment()
        if atEnd || newline() { return }
        throw error("unexpected \(describeHere()) after \(what); put each key = value and each [table] on its own line")
    }

    // MARK: Errors

    func error(_ message: String, at position: Int? = nil) -> TOMLSyntaxError {
        let position = min(position ?? index, bytes.count)
        let line = line(at: position), lineStart = lineStarts[line - 1]
        // Columns count characters: UTF-8 continuation bytes do not start one.
        let column = 1 + bytes[lineStart..<position].reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
        return TOMLSyntaxError(line: line, column: column, message: message)
    }

    static func describe(_ byte: UInt8) -> String {
        switch byte {
        case ascii("\n"): "a line break"
        case ascii("\r"): "a carriage return"
        case 0x20..<0x7F: "'\(Character(Unicode.Scalar(byte)))'"
        default: "U+00" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
        }
    }

    func describeHere() -> String {
        guard let byte = current else { return "end of file" }
        if byte >= 0x80 {
            var end = index + 1
            while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
            return "'\(String(decoding: bytes[index..<end], as: UTF8.self))'"
        }
        return Self.describe(byte)
    }

    // MARK: The document

    mutating func document() throws(TOMLSyntaxError) -> [String: TOMLValue] {
        let root = OpenTable(depth: 0)
        var table = root
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        while true {
            try skipBlankLines()
            guard let byte = current else { break }
            let line = line(at: index)
            if byte == ascii("[") {
                let isArray = peek(1) == ascii("[")
                index += isArray ? 2 : 1
                skipSpaces()
                let keys = try key(what: isArray ? "an array-of-tables header [[...]]" : "a table header [...]")
                skipSpaces()
                let closing = isArray ? "]]" : "]"
                guard current == ascii("]"), !isArray || peek(1) == ascii("]") else {
                    throw error("expected '\(closing)' to close the header, found \(describeHere())")
                }
                index += isArray ? 2 : 1
                table = try open(keys, root: root, asArrayElement: isArray, line: line)
                try endOfLine(after: "the header")
            } else {
                try keyValue(into: table, line: line)
                try endOfLine(after: "a value")
            }
        }
        return root.finished()
    }

    /// The table a `[keys]` or `[[keys]]` header names, made or found.
    func open(_ keys: [(name: String, at: Int)], root: OpenTable, asArrayElement: Bool, line: Int) throws(TOMLSyntaxError) -> OpenTable {
        var table = root
        var path = ""
        for (position, key) in keys.enumerated() {
            path += (path.isEmpty ? "" : ".") + key.name
            let isLast = position == keys.count - 1
            switch table.entries[key.name] {
            case nil:
                let made = try self.table(inside: table, at: key.at)
                if isLast && asArrayElement {
                    table.entries[key.name] = .tableArray([made])
                } else {
                    made.definedByHeader = isLast
                    table.entries[key.name] = .table(made)
                }
                table.lines[key.name] = line
                table = made
            case .table(let existing):
                if isLast {
                    let first = table.lines[key.name].map { " on line \($0)" } ?? ""
                    if asArrayElement {
                        throw error("[[\(path)]]: \(path) is already a table\(first); it cannot also be an array of tables", at: key.at)
                    }
                    if existing.definedByHeader { throw error("table [\(path)] is defined twice (first\(first))", at: key.at) }
                    if existing.madeByDottedKeys {
                        throw error("table [\(path)] was already made by dotted keys\(first); add to it with more dotted keys there instead", at: key.at)
                    }
                    existing.definedByHeader = true
                }
                table = existing
            case .tableArray(var elements):
                if isLast && asArrayElement {
                    let made = try self.table(inside: table, at: key.at)
                    elements.append(made)
                    table.entries[key.name] = .tableArray(elements)
                    table = made
                } else if isLast {
                    throw error("[\(path)] is already an array of tables ([[\(path)]]); it cannot also be a table", at: key.at)
                } else {
                    table = elements[elements.count - 1]
                }
            case .value(let value):
                let first = table.lines[key.name].map { " on line \($0)" } ?? ""
                let kind = if case .table = value { "an inline table, which cannot be extended" } else { "a value" }
                throw error("\(path) is already \(kind)\(first); it cannot also be a table", at: key.at)
            }
        }
        return table
    }

    /// `key = value`, with a dotted key making or extending tables under `table`.
    mutating func keyValue(into table: OpenTable, line: Int) throws(TOMLSyntaxError) {
        let keys = try key(what: "a key")
        skipSpaces()
        guard current == ascii("=") else {
            throw error("expected '=' after the key \(keys.map(\.name).joined(separator: ".")), found \(describeHere())")
        }
        index += 1
        skipSpaces()
        // The tables a dotted key names come first, so the value knows how deep it sits.
        let target = try tableForDottedKey(keys, in: table, line: line)
        let last = keys[keys.count - 1]
        if target.entries[last.name] != nil {
            let first = target.lines[last.name].map { " (first on line \($0))" } ?? ""
            throw error("the key \(last.name) is defined twice\(first)", at: last.at)
        }
        let outerDepth = depth
        depth = target.depth
        defer { depth = outerDepth }
        target.entries[last.name] = .value(try value())
        target.lines[last.name] = line
    }

    /// The table a dotted key's last part goes into: `a.b.c = 1` makes or extends tables a and a.b.
    func tableForDottedKey(_ keys: [(name: String, at: Int)], in table: OpenTable, line: Int) throws(TOMLSyntaxError) -> OpenTable {
        var table = table
        for key in keys.dropLast() {
            switch table.entries[key.name] {
            case nil:
                let made = try self.table(inside: table, at: key.at)
                made.madeByDottedKeys = true
                table.entries[key.name] = .table(made)
                table.lines[key.name] = line
                table = made
            case .table(let existing) where existing.madeByDottedKeys && !existing.definedByHeader:
                table = existing
            default:
                let first = table.lines[key.name].map { " on line \($0)" } ?? ""
                throw error("\(key.name) is already defined\(first); a dotted key cannot add to it", at: key.at)
            }
        }
        return table
    }

    // MARK: Keys

    /// A dotted key: simple keys (bare or quoted) joined by '.', with spaces allowed around dots.
    mutating func key(what: String) throws(TOMLSyntaxError) -> [(name: String, at: Int)] {
        var keys: [(name: String, at: Int)] = []
        while true {
            let start = index
            guard let byte = current else { throw error("expected \(what) name, found end of file") }
            if byte == ascii("\"") || byte == ascii("'") {
                if peek(1) == byte && peek(2) == byte { throw error("a key cannot be a multi-line string") }
                keys.append((try string(), start))
            } else if Self.isBareKeyByte(byte) {
                while let byte = current, Self.isBareKeyByte(byte) { index += 1 }
                keys.append((String(decoding: bytes[start..<index], as: UTF8.self), start))
            } else {
                throw error("expected \(what) name (letters, digits, '_' and '-', or a quoted string), found \(describeHere())")
            }
            skipSpaces()
            guard current == ascii(".") else { return keys }
            index += 1
            skipSpaces()
        }
    }

    // MARK: Values

    mutating func value() throws(TOMLSyntaxError) -> TOMLValue {
        guard let byte = current else { throw error("expected a value, found end of file") }
        switch byte {
        case ascii("\""), ascii("'"):
            return .string(try string())
        case ascii("["):
            return try nested { (reader: inout TOMLReader) throws(TOMLSyntaxError) in try reader.array() }
        case ascii("{"):
            return try nested { (reader: inout TOMLReader) throws(TOMLSyntaxError) in try reader.inlineTable() }
        default:
            return try bareValue()
        }
    }

    mutating func nested(_ read: (inout TOMLReader) throws(TOMLSyntaxError) -> TOMLValue) throws(TOMLSyntaxError) -> TOMLValue {
        guard depth < TOMLDocument.maximumNesting else {
            throw error("tables and arrays are nested more than \(TOMLDocument.maximumNesting) deep")
        }
        depth += 1
        defer { depth -= 1 }
        return try read(&self)
    }

    /// `[ value, value, ]`: newlines and comments allowed between values, a trailing comma too.
    mutating func array() throws(TOMLSyntaxError) -> TOMLValue {
        index += 1
        var items: [TOMLValue] = []
        while true {
            try skipBlankLines()
            if current == ascii("]") { index += 1; return .array(items) }
            if current == ascii(",") { throw error("expected a value or ']' in the array, found ','") }
            items.append(try value())
            try skipBlankLines()
            switch current {
            case ascii(","): index += 1
            case ascii("]"): index += 1; return .array(items)
            default: throw error("expected ',' or ']' after a value in the array, found \(describeHere())")
            }
        }
    }

    /// `{ key = value, key = value }`: one line, no trailing comma.
    mutating func inlineTable() throws(TOMLSyntaxError) -> TOMLValue {
        index += 1
        let table = OpenTable(depth: depth)
        let line = line(at: index)
        skipSpaces()
        if current == ascii("}") { index += 1; return .table([:]) }
        while true {
            try keyValue(into: table, line: line)
            skipSpaces()
            switch current {
            case ascii(","):
                index += 1
                skipSpaces()
                if current == ascii("}") { throw error("an inline table may not end with a comma") }
            case ascii("}"):
                index += 1
                return .table(table.finished())
            default:
                throw error("expected ',' or '}' in the inline table (which must be on one line), found \(describeHere())")
            }
        }
    }

    // MARK: Strings

    /// A basic ("..."), literal ('...') or multi-line (""" or ''') string.
    mutating func string() throws(TOMLSyntaxError) -> String {
        let quote = bytes[index]
        let escapes = quote == ascii("\"")
        let multiLine = peek(1) == quote && peek(2) == quote
        let start = index
        index += multiLine ? 3 : 1
        if multiLine { _ = newline() }  // a newline right after the opening quotes is not part of it
        var text: [UInt8] = []
        while true {
            guard let byte = current else { throw error("this string is not closed before the end of the file", at: start) }
            if byte == quote {
                if !multiLine { index += 1; return String(decoding: text, as: UTF8.self) }
                if peek(1) == quote && peek(2) == quote {
                    // Up to two more quotes just before the closing three belong to the string.
                    var extra = 0
                    while extra < 2 && peek(3 + extra) == quote { extra += 1 }
                    text += Array(repeating: quote, count: extra)
                    index += 3 + extra
                    return String(decoding: text, as: UTF8.self)
                }
                text.append(byte)
                index += 1
                continue
            }
            if byte == ascii("\n") || (byte == ascii("\r") && peek(1) == ascii("\n")) {
                guard multiLine else { throw error("this string is not closed on its line (use \"\"\" for text over several lines)", at: start) }
                _ = newline()
                text.append(ascii("\n"))
                continue
            }
            if Self.isForbiddenControl(byte) { throw error("a string may not hold control character \(Self.describe(byte)); write it as an escape") }
            if escapes && byte == ascii("\\") {
                try escape(into: &text, multiLine: multiLine)
                continue
            }
            text.append(byte)
            index += 1
        }
    }

    mutating func escape(into text: inout [UInt8], multiLine: Bool) throws(TOMLSyntaxError) {
        let start = index
        index += 1
        guard let byte = current else { throw error("this string is not closed before the end of the file") }
        let simple: [UInt8: UInt8] = [ascii("b"): 0x08, ascii("t"): 0x09, ascii("n"): 0x0A, ascii("f"): 0x0C,
                                      ascii("r"): 0x0D, ascii("\""): ascii("\""), ascii("\\"): ascii("\\")]
        if let replacement = simple[byte] {
            text.append(replacement)
            index += 1
            return
        }
        if byte == ascii("u") || byte == ascii("U") {
            let count = byte == ascii("u") ? 4 : 8
            index += 1
            guard index + count <= bytes.count,
                  let code = UInt32(String(decoding: bytes[index..<index + count], as: UTF8.self), radix: 16),
                  bytes[index..<index + count].allSatisfy({ Self.isHexDigit($0) }) else {
                throw error("\\\(Character(Unicode.Scalar(byte))) needs \(count) hexadecimal digits", at: start)
            }
            guard let scalar = Unicode.Scalar(code) else {
                throw error("\\\(Character(Unicode.Scalar(byte)))\(String(code, radix: 16, uppercase: true)) is not a Unicode scalar value", at: start)
            }
            text += Array(String(Character(scalar)).utf8)
            index += count
            return
        }
        if multiLine {
            // A backslash ending a line removes the line break and the blanks after it.
            var look = index
            while look < bytes.count && (bytes[look] == ascii(" ") || bytes[look] == ascii("\t")) { look += 1 }
            if look < bytes.count && (bytes[look] == ascii("\n") || (bytes[look] == ascii("\r") && look + 1 < bytes.count && bytes[look + 1] == ascii("\n"))) {
                index = look
                while let byte = current, byte == ascii(" ") || byte == ascii("\t") || byte == ascii("\n")
                    || (byte == ascii("\r") && peek(1) == ascii("\n")) {
                    index += 1
                }
                return
            }
        }
        throw error("\\\(describeHere().trimmingQuotes) is not an escape TOML knows; use \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX or \\UXXXXXXXX", at: start)
    }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= ascii("a") && byte <= ascii("f")) || (byte >= ascii("A") && byte <= ascii("F"))
    }

    // MARK: Numbers, booleans, dates

    /// true, false, a number, or a date and time: the text up to the next separator.
    mutating func bareValue() throws(TOMLSyntaxError) -> TOMLValue {
        let start = index
        func isTokenByte(_ byte: UInt8) -> Bool { Self.isBareKeyByte(byte) || byte == ascii("+") || byte == ascii(".") || byte == ascii(":") }
        while let byte = current, isTokenByte(byte) { index += 1 }
        // A date and a time may be separated by a space: "1979-05-27 07:32:00".
        if index - start == 10, current == ascii(" "), let next = peek(1), Self.isDigit(next),
           Self.matches(bytes[start..<index], "dddd-dd-dd") {
            index += 1
            while let byte = current, isTokenByte(byte) { index += 1 }
        }
        let token = String(decoding: bytes[start..<index], as: UTF8.self)
        guard !token.isEmpty else {
            throw error("expected a value (a string, a number, true or false, an array [...] or an inline table {...}), found \(describeHere())")
        }
        if token == "true" { return .bool(true) }
        if token == "false" { return .bool(false) }
        if let type = Self.dateTimeType(bytes[start..<index]) { return .dateTime(token, type: type) }
        if let value = Self.integer(token) { return .int(value) }
        if let value = Self.float(token) {
            guard value.isFinite || !token.contains(where: \.isNumber) else {
                throw error("\(token) is too large for a 64-bit floating-point number", at: start)
            }
            return .double(value)
        }
        if Self.integerShaped(token) { throw error("\(token) is too large for a 64-bit integer", at: start) }
        throw error("'\(token)' is not a value; a string needs quotes, and a number is written like 3, -2, 0.5 or 1e-3", at: start)
    }

    /// Digits with single underscores between them: "1_000".
    static func digitsWithUnderscores(_ text: Substring, isDigit: (Character) -> Bool) -> Bool {
        guard let first = text.first, let last = text.last, isDigit(first), isDigit(last) else { return false }
        var previousUnderscore = false
        for character in text {
            if character == "_" {
                if previousUnderscore { return false }
                previousUnderscore = true
            } else if isDigit(character) {
                previousUnderscore = false
            } else {
                return false
            }
        }
        return true
    }

    static func isDecimal(_ character: Character) -> Bool { character.isASCII && character.isNumber }

    /// A decimal integer's text: optional sign, no leading zeros.
    static func decimalIntegerShaped(_ text: Substring) -> Bool {
        let unsigned = text.first == "+" || text.first == "-" ? text.dropFirst() : text
        guard digitsWithUnderscores(unsigned, isDigit: isDecimal) else { return false }
        return unsigned == "0" || unsigned.first != "0"
    }

    static func integerShaped(_ token: String) -> Bool {
        let radixes: [(prefix: String, isDigit: (Character) -> Bool)] = [
            ("0x", { $0.isHexDigit }), ("0o", { ("0"..."7").contains($0) }), ("0b", { $0 == "0" || $0 == "1" }),
        ]
        for radix in radixes where token.hasPrefix(radix.prefix) {
            return digitsWithUnderscores(token.dropFirst(2), isDigit: radix.isDigit)
        }
        return decimalIntegerShaped(Substring(token))
    }

    static func integer(_ token: String) -> Int? {
        guard integerShaped(token) else { return nil }
        let digits = token.replacingOccurrences(of: "_", with: "")
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where digits.hasPrefix(prefix) {
            return Int(digits.dropFirst(2), radix: radix)
        }
        return Int(digits)
    }

    static func float(_ token: String) -> Double? {
        let unsigned = token.first == "+" || token.first == "-" ? token.dropFirst() : Substring(token)
        if unsigned == "inf" || unsigned == "nan" {
            let magnitude = unsigned == "inf" ? Double.infinity : Double.nan
            return token.first == "-" ? -magnitude : magnitude
        }
        let exponentStart = token.firstIndex { $0 == "e" || $0 == "E" }
        let mantissa = token[..<(exponentStart ?? token.endIndex)]
        let parts = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard decimalIntegerShaped(parts[0]) else { return nil }
        if parts.count == 2 { guard digitsWithUnderscores(parts[1], isDigit: isDecimal) else { return nil } }
        if let exponentStart {
            var exponent = token[token.index(after: exponentStart)...]
            if exponent.first == "+" || exponent.first == "-" { exponent = exponent.dropFirst() }
            guard digitsWithUnderscores(exponent, isDigit: isDecimal) else { return nil }
        } else if parts.count == 1 {
            return nil  // an integer, not a float
        }
        return Double(token.replacingOccurrences(of: "_", with: ""))
    }

    /// Whether `text` has the shape of `pattern`, where 'd' is any digit and the rest must match.
    static func matches(_ text: ArraySlice<UInt8>, _ pattern: String) -> Bool {
        let pattern = Array(pattern.utf8)
        guard text.count == pattern.count else { return false }
        return zip(text, pattern).allSatisfy { byte, expected in expected == ascii("d") ? isDigit(byte) : byte == expected }
    }

    static func number(_ text: ArraySlice<UInt8>) -> Int { text.reduce(0) { $0 * 10 + Int($1 - ascii("0")) } }

    /// The TOML type of a date, time or date-time written as RFC 3339, or nil if the text is not one.
    static func dateTimeType(_ text: ArraySlice<UInt8>) -> String? {
        let start = text.startIndex
        func validTime(_ time: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
            // hh:mm:ss with an optional fraction; returns what follows.
            guard time.count >= 8, matches(time.prefix(8), "dd:dd:dd"),
                  number(time.prefix(2)) <= 23, number(time.dropFirst(3).prefix(2)) <= 59,
                  number(time.dropFirst(6).prefix(2)) <= 60 else { return nil }
            var rest = time.dropFirst(8)
            if rest.first == ascii(".") {
                let digits = rest.dropFirst().prefix { isDigit($0) }
                guard !digits.isEmpty else { return nil }
                rest = rest.dropFirst(1 + digits.count)
            }
            return rest
        }
        if let rest = validTime(text), rest.isEmpty { return "local time" }
        guard text.count >= 10, matches(text.prefix(10), "dddd-dd-dd") else { return nil }
        let month = number(text[(start + 5)..<(start + 7)]), day = number(text[(start + 8)..<(start + 10)])
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
        if text.count == 10 { return "local date" }
        let separator = text[start + 10]
        guard separator == ascii("T") || separator == ascii("t") || separator == ascii(" "),
              let zone = validTime(text.dropFirst(11)) else { return nil }
        if zone.isEmpty { return "local date-time" }
        if zone.count == 1 && (zone.first == ascii("Z") || zone.first == ascii("z")) { return "offset date-time" }
        guard zone.count == 6, zone.first == ascii("+") || zone.first == ascii("-"), matches(zone.dropFirst(), "dd:dd"),
              number(zone.dropFirst().prefix(2)) <= 23, number(zone.suffix(2)) <= 59 else { return nil }
        return "offset date-time"
    }
}

private func ascii(_ character: Unicode.Scalar) -> UInt8 { UInt8(ascii: character) }

private extension String {
    var trimmingQuotes: String { count >= 2 && first == "'" && last == "'" ? String(dropFirst().dropLast()) : self }
}
