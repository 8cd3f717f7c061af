import CommonIO
import ConvKernels
import Foundation

/// The keys of one table (the lesson, a step or a pipeline stage) and where they are, with typed
/// accessors whose errors name the key and what would be accepted.
struct FieldReader {
    var fields: [String: TOMLNode]
    var place: Place

    func error(_ field: String?, _ message: String) -> LessonError {
        place.error(field, message)
    }

    /// Unknown keys are errors so typos are caught; the message lists the keys `what` accepts.
    func checkKnownKeys(_ known: [String], for what: String) throws(LessonError) {
        for key in fields.keys.sorted() where !known.contains(key) {
            var message = "unknown key '\(key)' for \(what)"
            if let near = NearestName.to(key, in: known) { message += " (did you mean '\(near)'?)" }
            message += "; known keys: \(known.joined(separator: ", "))"
            throw error(key, message)
        }
    }

    func has(_ key: String) -> Bool { fields[key] != nil }

    func require(_ key: String, _ accepted: String) throws(LessonError) -> TOMLNode {
        guard let node = fields[key] else {
            throw error(nil, "missing required key '\(key)' (\(accepted))")
        }
        return node
    }

    // MARK: Scalars

    func string(_ key: String) throws(LessonError) -> String? {
        guard let node = fields[key] else { return nil }
        guard case .string(let text) = node else {
            throw error(key, "expected a string in quotes, found \(node.summary)")
        }
        return text
    }

    func requiredString(_ key: String) throws(LessonError) -> String {
        guard let text = try string(key) else {
            throw error(nil, "missing required key '\(key)' (a string in quotes)")
        }
        return text
    }

    func bool(_ key: String) throws(LessonError) -> Bool? {
        guard let node = fields[key] else { return nil }
        guard case .bool(let value) = node else {
            throw error(key, "expected true or false, found \(node.summary)")
        }
        return value
    }

    func int(_ key: String, atLeast minimum: Int? = nil, atMost maximum: Int? = nil) throws(LessonError) -> Int? {
        guard let node = fields[key] else { return nil }
        guard case .int(let value) = node else {
            throw error(key, "expected a whole number, found \(node.summary)")
        }
        if let minimum, value < minimum {
            throw error(key, "\(value) is too small; \(key) must be at least \(minimum)")
        }
        if let maximum, value > maximum {
            throw error(key, "\(value) is too large; \(key) must be at most \(maximum)")
        }
        return value
    }

    func float(_ key: String) throws(LessonError) -> Float? {
        guard let node = fields[key] else { return nil }
        guard let value = node.number, value.isFinite else {
            throw error(key, "expected a number, found \(node.summary)")
        }
        return Float(value)
    }

    /// One of `allowed` (a string enum), naming the choices on a mismatch.
    func choice<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) throws(LessonError) -> T?
    where T.RawValue == String {
        guard let text = try string(key) else { return nil }
        guard let value = T(rawValue: text) else {
            throw error(key, "unknown \(key) '\(text)'; use one of: \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    // MARK: Pairs and padding

    /// An integer (both directions) or `[rows, columns]`, each from `minimum` to `maximum` (by
    /// default the largest grid side a lesson holds: no size, stride, padding or dilation beyond it
    /// can be of use, and every sum and product of such numbers fits in an `Int`).
    func pair(_ key: String, atLeast minimum: Int, atMost maximum: Int = LessonLimits.largestSide) throws(LessonError) -> Pair? {
        guard let node = fields[key] else { return nil }
        let rule = minimum == 1 ? "\(key) must be at least 1" : "\(key) must be \(minimum) or more"
        let upperRule = "\(key) must be at most \(maximum)"
            + (maximum == LessonLimits.largestSide ? " (\(LessonLimits.largestSideReason))" : "")
        func checked(_ value: Int, _ along: String) throws(LessonError) -> Int {
            guard value >= minimum else { throw error(key, "\(key) \(value)\(along) is invalid; \(rule)") }
            guard value <= maximum else { throw error(key, "\(key) \(value)\(along) is too large; \(upperRule)") }
            return value
        }
        switch node {
        case .int(let value):
            return Pair(try checked(value, ""))
        case .array(let items):
            guard items.count == 2, case .int(let rows) = items[0], case .int(let columns) = items[1] else {
                throw error(key, "expected a whole number or [rows, columns], found \(node.summary)")
            }
            return Pair(try checked(rows, " along the rows"), try checked(columns, " along the columns"))
        default:
            throw error(key, "expected a whole number or [rows, columns], found \(node.summary)")
        }
    }

    /// A pair of at least 0, or "same" / "valid".
    func padding(_ key: String = "padding") throws(LessonError) -> PaddingAmount? {
        guard let node = fields[key] else { return nil }
        if case .string(let text) = node {
            switch text {
            case "same": return .same
            case "valid": return .valid
            default:
                throw error(key, "unknown padding '\(text)'; use a whole number, [rows, columns], \"same\" or \"valid\"")
            }
        }
        guard case .int = node else {
            guard case .array = node else {
                throw error(key, "expected a whole number, [rows, columns], \"same\" or \"valid\", found \(node.summary)")
            }
            return try pair(key, atLeast: 0).map { .explicit(rows: $0.height, columns: $0.width) }
        }
        return try pair(key, atLeast: 0).map { .explicit(rows: $0.height, columns: $0.width) }
    }

    // MARK: Activations

    /// `activation` (or `function`) with its `slope`: relu | leaky-relu | sigmoid | tanh (| softmax).
    func activation(_ key: String, allowSoftmax: Bool) throws(LessonError) -> ActivationChoice? {
        let slope = try float("slope")
        guard let name = try string(key) else {
            if slope != nil { throw error("slope", "slope is only used with \(key) = \"leaky-relu\"") }
            return nil
        }
        let names = ["relu", "leaky-relu", "sigmoid", "tanh"] + (allowSoftmax ? ["softmax"] : [])
        if slope != nil && name != "leaky-relu" {
            throw error("slope", "slope is only used with \(key) = \"leaky-relu\", not \"\(name)\"")
        }
        switch name {
        case "relu": return .elementwise(.relu)
        case "leaky-relu": return .elementwise(.leakyRelu(slope: slope ?? 0.01))
        case "sigmoid": return .elementwise(.sigmoid)
        case "tanh": return .elementwise(.tanh)
        case "softmax" where allowSoftmax: return .softmax
        default:
            throw error(key, "unknown \(key) '\(name)'; use one of: \(names.joined(separator: ", "))")
        }
    }

    // MARK: Grids

    /// A grid, or a stack of channels (an array of grids; a 3-deep array).
    func stack(_ key: String) throws(LessonError) -> GridStack? {
        guard let node = fields[key] else { return nil }
        return try GridReader(reader: self, key: key).stack(node)
    }

    func requiredStack(_ key: String) throws(LessonError) -> GridStack {
        guard let stack = try stack(key) else {
            throw error(nil, "missing required key '\(key)' (a grid: rows of numbers in a \"\"\" string, "
                + "or an array of arrays; several grids for channels)")
        }
        return stack
    }

    /// One filter: a grid, a stack or a preset name (a preset is repeated over `channels`).
    func filter(_ node: TOMLNode, key: String, label: String?, channels: Int) throws(LessonError) -> GridStack {
        try GridReader(reader: self, key: key, label: label).filter(node, channels: channels)
    }
}

/// Reads grids and stacks from strings or arrays, naming the row and channel of a problem.
struct GridReader {
    var reader: FieldReader
    var key: String
    /// "kernel 2" when the value is one item of an array key.
    var label: String?

    private func fail(_ channel: Int?, _ message: String) -> LessonError {
        var prefix = label.map { "\($0): " } ?? ""
        if let channel { prefix += "channel \(channel): " }
        return reader.error(key, prefix + message)
    }

    static let shapeHelp = "a grid is rows of numbers in a \"\"\" string, or an array of arrays of numbers"

    func stack(_ node: TOMLNode) throws(LessonError) -> GridStack {
        if case .string = node {
            return GridStack(channels: [try grid(node, channel: nil)])
        }
        switch node {
        case .array where !isStackArray(node):
            return GridStack(channels: [try grid(node, channel: nil)])
        case .array(let items):
            guard !items.isEmpty else { throw fail(nil, "the stack of channels is empty; \(Self.shapeHelp)") }
            guard items.count <= LessonLimits.largestChannelCount else {
                throw fail(nil, "the stack has \(items.count) channels; a lesson's stack has at most "
                    + "\(LessonLimits.largestChannelCount)")
            }
            var channels: [[[Float]]] = []
            for (index, item) in items.enumerated() {
                let grid = try grid(item, channel: items.count > 1 ? index + 1 : nil)
                if let first = channels.first, first.count != grid.count || first[0].count != grid[0].count {
                    throw fail(nil, "channel \(index + 1) is \(grid.count)x\(grid[0].count), channel 1 is "
                        + "\(first.count)x\(first[0].count); every channel needs the same size")
                }
                channels.append(grid)
            }
            return GridStack(channels: channels)
        default:
            throw fail(nil, "expected a grid, found \(node.summary); \(Self.shapeHelp), or an array of grids for channels")
        }
    }

    /// An array whose items are strings or arrays of arrays: a stack rather than one grid.
    private func isStackArray(_ node: TOMLNode) -> Bool {
        guard case .array(let items) = node, let first = items.first else { return false }
        switch first {
        case .string: return true
        case .array(let row): if case .array = row.first { return true } else { return false }
        default: return false
        }
    }

    func filter(_ node: TOMLNode, channels: Int) throws(LessonError) -> GridStack {
        if case .string(let text) = node, let preset = try presetName(text) {
            return preset.stack(channels: channels)
        }
        return try stack(node)
    }

    /// The preset a string names, nil when the string is numbers; unknown names are errors.
    private func presetName(_ text: String) throws(LessonError) -> KernelPreset? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let first = trimmed.unicodeScalars.first, CharacterSet.letters.contains(first),
              !trimmed.contains(where: { $0 == "\n" || $0 == " " || $0 == "," }) else { return nil }
        guard let preset = KernelPreset(rawValue: trimmed) else {
            throw fail(nil, "unknown kernel preset '\(trimmed)'; known presets: \(KernelPreset.namesList)")
        }
        return preset
    }

    /// One 2-D grid from a multi-line string or an array of arrays.
    func grid(_ node: TOMLNode, channel: Int?) throws(LessonError) -> [[Float]] {
        var rows: [[Float]] = []
        switch node {
        case .string(let text):
            // The command line's reader (`--input "0 1 2; 3 4 5"`), so a grid reads the same in both.
            do {
                rows = try GridRows.parse(Substring(text))
            } catch {
                throw fail(channel, error.message)
            }
            try checkSide(rows: rows.count, channel: channel)
            for (index, row) in rows.enumerated() {
                try checkSide(columns: row.count, row: index + 1, channel: channel)
            }
        case .array(let items):
            try checkSide(rows: items.count, channel: channel)
            for (index, item) in items.enumerated() {
                guard case .array(let cells) = item else {
                    throw fail(channel, "row \(index + 1) is \(item.summary), not an array of numbers; \(Self.shapeHelp)")
                }
                try checkSide(columns: cells.count, row: index + 1, channel: channel)
                var row: [Float] = []
                for cell in cells {
                    guard let value = cell.number, value.isFinite else {
                        let shown: String = if case .string(let text) = cell { text } else { cell.summary }
                        throw fail(channel, "'\(shown)' in row \(index + 1) is not a number")
                    }
                    row.append(Float(value))
                }
                rows.append(row)
            }
        default:
            throw fail(channel, "expected a grid, found \(node.summary); \(Self.shapeHelp)")
        }
        guard let first = rows.first, !first.isEmpty else {
            throw fail(channel, "the grid is empty; \(Self.shapeHelp)")
        }
        for (index, row) in rows.enumerated() where row.count != first.count {
            throw fail(channel, "row \(index + 1) has \(Self.count(row.count)), row 1 has \(first.count); "
                + "every row needs the same number")
        }
        return rows
    }

    private static func count(_ n: Int) -> String { n == 1 ? "1 value" : "\(n) values" }

    /// Refuses a grid taller than a lesson's grids may be, before its numbers are read.
    private func checkSide(rows: Int, channel: Int?) throws(LessonError) {
        guard rows <= LessonLimits.largestSide else {
            throw fail(channel, "the grid has \(rows) rows; a grid has at most \(LessonLimits.largestSide) "
                + "(\(LessonLimits.largestSideReason))")
        }
    }

    /// Refuses a row wider than a lesson's grids may be, before its numbers are read.
    private func checkSide(columns: Int, row: Int, channel: Int?) throws(LessonError) {
        guard columns <= LessonLimits.largestSide else {
            throw fail(channel, "row \(row) has \(columns) numbers; a grid has at most \(LessonLimits.largestSide) "
                + "columns (\(LessonLimits.largestSideReason))")
        }
    }

    /// A finite number as a teacher writes one: "3", "-0.5", "1e-3", "+2", "−1" (a typographic minus).
    static func number(_ word: String) -> Float? {
        let normalized = word.replacingOccurrences(of: "\u{2212}", with: "-")
        guard normalized.allSatisfy({ $0.isNumber || "+-.eE".contains($0) }),
              let value = Double(normalized), value.isFinite else { return nil }
        return Float(value)
    }
}
