import Foundation

extension LessonParser {
    enum QuizType: String, CaseIterable { case number, shape, choice, cell }

    /// A quiz step. `type` is inferred when absent: choices given -> choice; a grid and `[row, column]`
    /// -> cell; a number -> number; a string such as "3x3" -> shape. Cells are 1-based in the file and
    /// 0-based in the model; a choice answer is the 1-based number of the right choice or its exact text.
    static func quizSpec(_ reader: FieldReader) throws(LessonError) -> QuizSpec {
        let question = try reader.requiredString("question")
        guard !question.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw reader.error("question", "the question is empty")
        }
        let answerNode = try reader.require("answer", "a number, a shape such as \"3x3\", a choice or [row, column]")
        let explicitType = try reader.choice("type", QuizType.self)
        let grid = try reader.stack("grid")
        let tolerance = try reader.float("tolerance") ?? 0.01
        guard tolerance >= 0 else {
            throw reader.error("tolerance", "\(tolerance) is invalid; the tolerance must be 0 or more")
        }

        var choices: [String] = []
        if let node = reader.fields["choices"] {
            guard case .array(let items) = node, !items.isEmpty else {
                throw reader.error("choices", "expected an array of strings, found \(node.summary)")
            }
            for (index, item) in items.enumerated() {
                guard case .string(let text) = item else {
                    throw reader.error("choices", "choice \(index + 1) is \(item.summary); every choice is a string in quotes")
                }
                if let earlier = choices.firstIndex(of: text) {
                    throw reader.error("choices", "choice \(index + 1) repeats choice \(earlier + 1) (\"\(text)\"); "
                        + "every choice must differ")
                }
                choices.append(text)
            }
        }

        let type: QuizType
        if let explicitType {
            type = explicitType
        } else if !choices.isEmpty {
            type = .choice
        } else if grid != nil, case .array(let items) = answerNode, items.count == 2 {
            type = .cell
        } else if case .array(let items) = answerNode, items.count == 2 {
            throw reader.error(nil, "missing required key 'grid': a [row, column] answer is a cell of the quiz's grid")
        } else if answerNode.number != nil {
            type = .number
        } else if case .string(let text) = answerNode, GridReader.number(text.trimmingCharacters(in: .whitespaces)) != nil {
            type = .number
        } else if case .string(let text) = answerNode, parseShape(text) != nil {
            type = .shape
        } else {
            throw reader.error("answer", "cannot tell the quiz type from \(answerNode.summary); give a number, a shape "
                + "such as \"3x3\", choices, or a grid with [row, column], or set type = "
                + QuizType.allCases.map(\.rawValue).joined(separator: " | "))
        }

        let answer: QuizSpec.Answer
        switch type {
        case .number:
            var value: Double?
            if case .string(let text) = answerNode {
                value = GridReader.number(text.trimmingCharacters(in: .whitespaces)).map(Double.init)
            } else {
                value = answerNode.number
            }
            guard let value, value.isFinite else {
                throw reader.error("answer", "expected a number for a number quiz, found \(answerNode.summary)")
            }
            answer = .number(Float(value), tolerance: tolerance)
        case .shape:
            var dimensions: [Int]?
            switch answerNode {
            case .string(let text): dimensions = parseShape(text)
            case .int(let value) where value >= 1: dimensions = [value]
            case .array(let items):
                let values = items.compactMap { item -> Int? in if case .int(let v) = item, v >= 1 { v } else { nil } }
                dimensions = values.count == items.count && !values.isEmpty ? values : nil
            default: dimensions = nil
            }
            guard let dimensions else {
                throw reader.error("answer", "expected a shape such as \"3x3\" or \"6x28x28\" (positive whole numbers), "
                    + "found \(answerNode.summary)")
            }
            answer = .shape(dimensions)
        case .choice:
            guard choices.count >= 2 else {
                throw reader.error(choices.isEmpty ? nil : "choices",
                                   "a choice quiz needs 'choices' with at least two strings")
            }
            switch answerNode {
            case .int(let number):
                guard number >= 1 && number <= choices.count else {
                    throw reader.error("answer", "choice \(number) is out of range; the choices are numbered 1 to "
                        + "\(choices.count)")
                }
                answer = .choice(number - 1)
            case .string(let text):
                guard let index = choices.firstIndex(of: text) else {
                    throw reader.error("answer", "\"\(text)\" is not one of the choices; give its number (1 to "
                        + "\(choices.count)) or its exact text: " + choices.map { "\"\($0)\"" }.joined(separator: ", "))
                }
                answer = .choice(index)
            default:
                throw reader.error("answer", "expected the number of the right choice (1 to \(choices.count)) or its "
                    + "exact text, found \(answerNode.summary)")
            }
        case .cell:
            guard let grid else {
                throw reader.error(nil, "missing required key 'grid' (a cell quiz asks for a cell of its grid)")
            }
            guard case .array(let items) = answerNode, items.count == 2,
                  case .int(let row) = items[0], case .int(let column) = items[1] else {
                throw reader.error("answer", "expected [row, column] (1-based whole numbers), found \(answerNode.summary)")
            }
            guard (1...grid.height).contains(row), (1...grid.width).contains(column) else {
                throw reader.error("answer", "cell [\(row), \(column)] is outside the \(grid.height)x\(grid.width) grid; "
                    + "rows go from 1 to \(grid.height) and columns from 1 to \(grid.width) (row 1 is the top row)")
            }
            answer = .cell(row: row - 1, column: column - 1)
        }
        return QuizSpec(question: question, answer: answer, choices: choices, grid: grid,
                        hint: try reader.string("hint"), explanation: try reader.string("explanation"))
    }

    /// "3x3", "6 x 28 x 28", "(6, 28, 28)", "6,28,28", "6×28×28": positive whole numbers.
    static func parseShape(_ text: String) -> [Int]? {
        let stripped = text.trimmingCharacters(in: CharacterSet(charactersIn: " \t()[]"))
        let parts = stripped.split(whereSeparator: { "xX×*, \t".contains($0) })
        let values = parts.compactMap { Int($0) }
        guard !values.isEmpty, values.count == parts.count, values.allSatisfy({ $0 >= 1 }) else { return nil }
        return values
    }
}
