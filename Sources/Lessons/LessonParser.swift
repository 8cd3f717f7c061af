import CommonIO
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a lesson file (TOML, see lessons/README.md) into a `Lesson`, checking every key.
///
/// Every problem is a `LessonError` that names the file, the line when it can be found, the lesson,
/// the step (1-based) and its kind, the key, and what would have been accepted. Numbers a step shows are
/// not computed here: shape problems that only a kernel call can find (a kernel larger than the padded
/// input) are reported by the stepper's traces.
public enum LessonParser {
    /// The keys a lesson file may have at the top level.
    static let topLevelKeys = ["id", "title", "summary", "order", "step"]

    /// Parses the text of a lesson file; `file` is used in error messages and stored in `Lesson.file`.
    public static func parse(_ text: String, file: String) throws(LessonError) -> Lesson {
        let fields: [String: TOMLNode]
        do {
            fields = try TOMLDocument.parse(text)
        } catch {
            throw LessonError(file: file, line: error.line, column: error.column, message: error.message)
        }
        let source = SourceMap(text: text)
        var place = Place(file: file, source: source)

        // The id first, so every later message can name the lesson.
        let top = FieldReader(fields: fields, place: place)
        let id = try top.requiredString("id")
        guard !id.isEmpty, id.unicodeScalars.allSatisfy({ Self.idCharacters.contains($0) }) else {
            throw top.error("id", "'\(id)' is not a valid id; use letters, digits and '-' only (e.g. \"padding-modes\")")
        }
        place.lessonID = id
        let reader = FieldReader(fields: fields, place: place)
        try reader.checkKnownKeys(topLevelKeys, for: "the top level of a lesson")
        let title = try reader.requiredString("title")
        let summary = try reader.string("summary") ?? ""
        let order = try reader.int("order")

        guard let stepsNode = fields["step"] else {
            throw reader.error(nil, "the lesson has no steps; add at least one [[step]] with a kind")
        }
        guard case .array(let stepNodes) = stepsNode, !stepNodes.isEmpty else {
            let found = if case .table = stepsNode { "a single [step] table" } else { stepsNode.summary }
            throw reader.error("step", "expected one or more [[step]] tables (two brackets), found \(found)")
        }
        var steps: [LessonStep] = []
        for (index, node) in stepNodes.enumerated() {
            var stepPlace = place
            stepPlace.step = index + 1
            guard case .table(let stepFields) = node else {
                throw FieldReader(fields: [:], place: stepPlace)
                    .error(nil, "expected a [[step]] table, found \(node.summary)")
            }
            steps.append(try parseStep(stepFields, place: stepPlace))
        }
        return Lesson(id: id, title: title, summary: summary, order: order, file: file, steps: steps)
    }

    /// The largest lesson file read: a lesson is text a person writes, and its grids are for
    /// following by hand, so 1 MB is far more than any needs.
    public static let maximumFileBytes = 1_000_000

    /// Reads and parses the lesson file at `path`.
    public static func load(path: String) throws(LessonError) -> Lesson {
        try parse(try readText(path), file: path)
    }

    /// The text of the lesson file at `path`: only a regular file (a FIFO or a device is refused
    /// without blocking) of at most `maximumFileBytes`, in UTF-8.
    static func readText(_ path: String) throws(LessonError) -> String {
        let text: String?
        do {
            text = try RegularFile.readText(path, limit: maximumFileBytes)
        } catch {
            let reason = error.reason.hasPrefix("is ") || error.reason.hasPrefix("grew ") ? "it " + error.reason : error.reason
            throw LessonError(file: path, message: "cannot read the file: \(reason)"
                + (error.kind == .notRegular || error.kind == .folder ? "; a lesson is a regular .toml file" : ""))
        }
        guard let text else { throw LessonError(file: path, message: "the file is not UTF-8 text") }
        return text
    }

    static let idCharacters: CharacterSet = {
        var set = CharacterSet(charactersIn: "-")
        set.formUnion(CharacterSet(charactersIn: "a"..."z"))
        set.formUnion(CharacterSet(charactersIn: "A"..."Z"))
        set.formUnion(CharacterSet(charactersIn: "0"..."9"))
        return set
    }()

    /// A file-system error in a few words ("No such file or directory").
    static func describe(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain, let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(code.rawValue))
        }
        if nsError.domain == NSCocoaErrorDomain && nsError.code == NSFileReadNoSuchFileError {
            return "no such file"
        }
        return nsError.localizedDescription
    }
}

// MARK: - The parsed document

/// A value of a lesson file, as the TOML reader gives it.
typealias TOMLNode = TOMLValue

extension TOMLValue {
    /// The value in a few words for messages: `the string "abc"`, `2.5`, `an array`.
    var summary: String {
        switch self {
        case .table: "a table"
        case .array(let items): items.isEmpty ? "an empty array" : "an array"
        case .string(let text): "the string \"\(text.count > 40 ? String(text.prefix(37)) + "..." : text)\""
        case .int(let value): "\(value)"
        case .double(let value): "\(value)"
        case .bool(let value): "\(value)"
        case .dateTime(_, let type): "a \(type)"
        }
    }

    /// The value as a number, when it is one.
    var number: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }
}

// MARK: - Where a problem is

/// Where in the file a value comes from: enough to build a `LessonError` with the line.
struct Place {
    var file: String
    var lessonID: String?
    /// 1-based.
    var step: Int?
    var kind: String?
    /// 1-based, inside a pipeline step.
    var stage: Int?
    var source: SourceMap

    init(file: String, source: SourceMap) {
        self.file = file
        self.source = source
    }

    /// An error about `field` (a key here, or nil for the step or lesson as a whole).
    func error(_ field: String?, _ message: String) -> LessonError {
        let shownField: String? = switch (stage, field) {
        case (let stage?, let field?): "stage \(stage).\(field)"
        case (let stage?, nil): "stage \(stage)"
        case (nil, let field): field
        }
        let line = source.line(step: step, stage: stage, key: field)
        return LessonError(file: file, line: line, lessonID: lessonID, step: step, stepKind: kind,
                           field: shownField, message: message)
    }
}

/// Finds the line of a step, a pipeline stage or a key by scanning the text (the TOML reader keeps no
/// positions for values). Lines inside multi-line strings are skipped.
struct SourceMap {
    private struct Line {
        var number: Int
        var text: Substring
    }

    /// Lines outside multi-line strings, with their 1-based numbers.
    private let lines: [Line]

    init(text: String) {
        var kept: [Line] = []
        var openDelimiter: String?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let startsInsideString = openDelimiter != nil
            var rest = raw[...]
            // Track """ and ''' so a line inside a grid is never taken for a key.
            while !rest.isEmpty {
                if let open = openDelimiter {
                    guard let range = rest.range(of: open) else { break }
                    openDelimiter = nil
                    rest = rest[range.upperBound...]
                } else {
                    let double = rest.range(of: "\"\"\""), single = rest.range(of: "'''")
                    let comment = rest.firstIndex(of: "#")
                    let first = [double, single].compactMap { $0 }.min { $0.lowerBound < $1.lowerBound }
                    guard let first, comment.map({ first.lowerBound < $0 }) ?? true else { break }
                    openDelimiter = String(rest[first])
                    rest = rest[first.upperBound...]
                }
            }
            if !startsInsideString { kept.append(Line(number: index + 1, text: raw)) }
        }
        lines = kept
    }

    private static func isHeader(_ text: Substring, _ name: String) -> Bool {
        let trimmed = text.drop { $0 == " " || $0 == "\t" }
        guard trimmed.hasPrefix("[[") else { return false }
        let inside = trimmed.dropFirst(2).prefix { $0 != "]" }
        return inside.trimmingCharacters(in: .whitespaces) == name
    }

    private static func isKey(_ text: Substring, _ key: String) -> Bool {
        var rest = text.drop { $0 == " " || $0 == "\t" }
        for quote in ["\"", "'"] where rest.hasPrefix(quote + key + quote) {
            rest = rest.dropFirst(key.count + 2)
            return rest.drop { $0 == " " || $0 == "\t" }.hasPrefix("=")
        }
        guard rest.hasPrefix(key) else { return false }
        rest = rest.dropFirst(key.count)
        return rest.drop { $0 == " " || $0 == "\t" }.hasPrefix("=")
    }

    private static func isAnyHeader(_ text: Substring) -> Bool {
        text.drop { $0 == " " || $0 == "\t" }.hasPrefix("[")
    }

    /// The line of `key` in step `step` (1-based) and pipeline stage `stage`, else the line of the
    /// stage's or step's header; with no step, a top-level key.
    func line(step: Int?, stage: Int? = nil, key: String?) -> Int? {
        var start = 0, headerLine: Int?
        if let step {
            let headers = lines.indices.filter { Self.isHeader(lines[$0].text, "step") }
            guard step >= 1, step <= headers.count else { return nil }
            start = headers[step - 1]
            headerLine = lines[start].number
            if let stage {
                let end = step < headers.count ? headers[step] : lines.count
                let stages = (start..<end).filter { Self.isHeader(lines[$0].text, "step.stage") }
                guard stage >= 1, stage <= stages.count else { return headerLine }
                start = stages[stage - 1]
                headerLine = lines[start].number
            }
            start += 1
        }
        guard let key else { return headerLine }
        var index = start
        while index < lines.count, !Self.isAnyHeader(lines[index].text) {
            if Self.isKey(lines[index].text, key) { return lines[index].number }
            index += 1
        }
        return headerLine
    }
}
