/// What a grid command prints: the output grid, and the windows' arithmetic when asked for.
public struct GridReport: Equatable, Sendable {
    /// The output rows.
    public var output: [[Float]]
    /// One line per window (see `StepText`), or nil when steps were not asked for.
    public var steps: [String]?

    public init(output: [[Float]], steps: [String]? = nil) {
        self.output = output
        self.steps = steps
    }

    /// For people: the steps (if any), a blank line and `output:`, then the grid in aligned
    /// columns. For programs (`json`): `{"output": [[19, 25], [37, 43]]}`, with a `"steps"` array
    /// of the same lines when there are steps.
    public func rendered(json: Bool) -> String {
        if json {
            var fields = ["\"output\": " + GridText.json(output)]
            if let steps {
                fields.append("\"steps\": [" + steps.map(JSONText.string).joined(separator: ", ") + "]")
            }
            return "{" + fields.joined(separator: ", ") + "}"
        }
        guard let steps else { return GridText.aligned(output) }
        return (steps + ["", "output:", GridText.aligned(output)]).joined(separator: "\n")
    }
}
