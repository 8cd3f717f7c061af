/// A problem with a lesson file or one of its steps, named as precisely as the reader knows it:
/// `file:line:column: lesson 'id', step 3 (conv), kernel: what was wrong; what would be accepted`.
public struct LessonError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    /// 1-based, when known (syntax errors always have them).
    public var line: Int?
    public var column: Int?
    public var lessonID: String?
    /// 1-based step number, when the problem is inside a step.
    public var step: Int?
    public var stepKind: String?
    /// The key in the file, e.g. "kernel" or "stage 2.size".
    public var field: String?
    public var message: String
    /// True when the values are valid but the computation they ask for is over a budget (memory,
    /// work, or the most a step records): a screen can refuse the change and keep what it had.
    public var isOverBudget = false

    public init(file: String = "", line: Int? = nil, column: Int? = nil, lessonID: String? = nil, step: Int? = nil,
                stepKind: String? = nil, field: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.lessonID = lessonID
        self.step = step
        self.stepKind = stepKind
        self.field = field
        self.message = message
    }

    public var description: String {
        var place = file
        if let line {
            place += ":\(line)"
            if let column { place += ":\(column)" }
        }
        var parts: [String] = []
        if let lessonID { parts.append("lesson '\(lessonID)'") }
        if let step { parts.append("step \(step)" + (stepKind.map { " (\($0))" } ?? "")) }
        var where_ = parts.joined(separator: ", ")
        if let field { where_ += (where_.isEmpty ? "" : ", ") + field }
        let prefix = [place, where_].filter { !$0.isEmpty }.joined(separator: ": ")
        return prefix.isEmpty ? message : "\(prefix): \(message)"
    }
}
