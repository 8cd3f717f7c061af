import Foundation

/// What checking a learner's answer found.
public enum QuizVerdict: Equatable, Sendable {
    case right
    /// A readable answer that is not the right one, with a short note ("not quite: 14 is not it").
    case wrong(String)
    /// Text that is not an answer of the expected kind, with what to type instead.
    case unreadable(String)
}

extension QuizSpec {
    /// Checks a typed answer: a number, a shape ("6x28x28", "6 x 28 x 28", "(6, 28, 28)", "6,28,28",
    /// "6×28×28"), a choice (its 1-based number or its text, case-insensitive) or, for cell
    /// questions, "row, column" (1-based, as the file writes positions).
    public func check(_ typed: String) -> QuizVerdict {
        let text = typed.trimmingCharacters(in: .whitespacesAndNewlines)
        switch answer {
        case .number(let right, let tolerance):
            return Self.checkNumber(text, right: right, tolerance: tolerance)
        case .shape(let right):
            return Self.checkShape(text, right: right)
        case .choice(let right):
            return checkChoice(text, right: right)
        case .cell(let row, let column):
            guard let numbers = Self.integers(text), numbers.count == 2 else {
                return .unreadable("pick the cell with the arrow keys, or type its row and column such as 2, 3")
            }
            return Self.checkCell(row: numbers[0] - 1, column: numbers[1] - 1, rightRow: row, rightColumn: column)
        }
    }

    /// Checks a picked cell of `grid` (row and column 0-based) against a cell answer.
    public func check(row: Int, column: Int) -> QuizVerdict {
        guard case .cell(let rightRow, let rightColumn) = answer else {
            return .unreadable("this question takes a typed answer, not a cell")
        }
        return Self.checkCell(row: row, column: column, rightRow: rightRow, rightColumn: rightColumn)
    }

    /// The right answer as shown after the learner gives up: "12", "6x28x28", "2. the max",
    /// "row 2, column 3 (value 7)".
    public var answerText: String {
        switch answer {
        case .number(let value, _):
            return LessonNumber.format(value)
        case .shape(let sizes):
            return sizes.map(String.init).joined(separator: "x")
        case .choice(let index):
            guard choices.indices.contains(index) else { return "choice \(index + 1)" }
            return "\(index + 1). \(choices[index])"
        case .cell(let row, let column):
            var text = "row \(row + 1), column \(column + 1)"
            if let grid, row >= 0, row < grid.height, column >= 0, column < grid.width {
                text += " (value \(LessonNumber.format(grid.channels[0][row][column])))"
            }
            return text
        }
    }

    // MARK: - Kinds of answer

    private static func checkNumber(_ text: String, right: Float, tolerance: Float) -> QuizVerdict {
        guard let typed = LessonNumber.parse(text) else {
            return .unreadable("type a number such as 12 or -0.5")
        }
        let difference = abs(Double(typed) - Double(right))
        // A hair of slack: both numbers went through Float, and "0.33" for 1/3 sits right at 0.01.
        if difference <= Double(max(tolerance, 0)) * (1 + 1e-4) + Double(right.ulp) {
            return .right
        }
        // Not "too high" or "too low": most answers are counts, sizes or cell values, where which side
        // of the answer a guess lies on is no help, and halving the gap would turn the quiz into a search.
        return .wrong("not quite: \(LessonNumber.format(typed)) is not it")
    }

    private static func checkShape(_ text: String, right: [Int]) -> QuizVerdict {
        let example = Self.shapeExample(count: right.count)
        guard let typed = Self.shape(text) else {
            return .unreadable("type a shape such as \(example)")
        }
        if typed == right { return .right }
        guard typed.count == right.count else {
            // Not a miss: the learner may know the answer and have typed it short ("5" for 5x5).
            let sizes = right.count == 1 ? "1 size" : "\(right.count) sizes"
            return .unreadable("the answer has \(sizes): type every one, like \(example)")
        }
        if typed.sorted() == right.sorted() {
            let order = right.count == 3 ? " (channels, then height, then width)" : right.count == 2 ? " (height, then width)" : ""
            return .wrong("not quite: the sizes are right but in another order\(order)")
        }
        let wrong = typed.indices.filter { typed[$0] != right[$0] }.map { ordinal($0 + 1) }
        let list = wrong.count == 1 ? wrong[0]
            : wrong.dropLast().joined(separator: ", ") + " and " + (wrong.last ?? "")
        return .wrong("not quite: the \(list) size\(wrong.count == 1 ? " is" : "s are") off")
    }

    private func checkChoice(_ text: String, right: Int) -> QuizVerdict {
        let count = choices.count
        let range = count == 1 ? "1" : "1 to \(count)"
        let normalized = Self.normalizedChoice(text)
        // The choice's text first, so a choice that is itself a number ("4") is found by its text.
        if let index = choices.firstIndex(where: { Self.normalizedChoice($0) == normalized }), !normalized.isEmpty {
            return index == right ? .right : .wrong("not quite: that is not the right choice")
        }
        guard let number = Int(normalized.trimmingCharacters(in: CharacterSet(charactersIn: ".)"))) else {
            return .unreadable("type the number of a choice (\(range)) or its text")
        }
        guard number >= 1 && number <= count else {
            return .unreadable("there \(count == 1 ? "is 1 choice" : "are \(count) choices"); type a number from \(range)")
        }
        return number - 1 == right ? .right : .wrong("not quite: choice \(number) is not the right one")
    }

    private static func checkCell(row: Int, column: Int, rightRow: Int, rightColumn: Int) -> QuizVerdict {
        switch (row == rightRow, column == rightColumn) {
        case (true, true): .right
        case (true, false): .wrong("not quite: right row, wrong column")
        case (false, true): .wrong("not quite: right column, wrong row")
        case (false, false): .wrong("not quite: that is not the cell")
        }
    }

    // MARK: - Reading answers

    /// Sizes separated by x, ×, *, commas or spaces, optionally in brackets; every size at least 1.
    static func shape(_ text: String) -> [Int]? {
        var body = text.lowercased()
        for (open, close) in [("(", ")"), ("[", "]")] where body.hasPrefix(open) && body.hasSuffix(close) {
            body = String(body.dropFirst().dropLast())
        }
        let separators = CharacterSet(charactersIn: "x×*,").union(.whitespaces)
        let parts = body.components(separatedBy: separators).filter { !$0.isEmpty }
        guard !parts.isEmpty else { return nil }
        var sizes: [Int] = []
        for part in parts {
            guard part.allSatisfy({ $0.isASCII && $0.isNumber }), let size = Int(part), size >= 1 else { return nil }
            sizes.append(size)
        }
        // "6,28x28" mixes separators harmlessly; "6 28" with no separator at all is fine too.
        return sizes
    }

    /// Whole numbers separated by commas or spaces, optionally in brackets ("2, 3", "(2,3)", "2 3").
    static func integers(_ text: String) -> [Int]? {
        var body = text
        for (open, close) in [("(", ")"), ("[", "]")] where body.hasPrefix(open) && body.hasSuffix(close) {
            body = String(body.dropFirst().dropLast())
        }
        let parts = body.components(separatedBy: CharacterSet(charactersIn: ",;").union(.whitespaces))
            .filter { !$0.isEmpty }
        guard !parts.isEmpty else { return nil }
        var numbers: [Int] = []
        for part in parts {
            guard let number = Int(part) else { return nil }
            numbers.append(number)
        }
        return numbers
    }

    private static func normalizedChoice(_ text: String) -> String {
        text.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    private static func shapeExample(count: Int) -> String {
        switch count {
        case 1: "12"
        case 2: "28x28"
        case 3: "6x28x28"
        default: (["1", "6"] + Array(repeating: "28", count: max(count - 2, 0))).joined(separator: "x")
        }
    }

    private static func ordinal(_ n: Int) -> String {
        switch n {
        case 1: "1st"
        case 2: "2nd"
        case 3: "3rd"
        default: "\(n)th"
        }
    }
}
