/// A number a lesson's text states that a step computes, for `lessons check` to verify: one cell of a
/// step's output, and either the value the text quotes or (in a number quiz) the quiz's own answer.
///
/// Written in a step as `checks = [{ cell = [1, 1], value = 18 }]`; see lessons/README.md.
public struct StatedNumber: Hashable, Sendable {
    /// The step whose output holds the number (1-based); nil: the step the check is written in.
    public var step: Int?
    /// For a pipeline step: the stage whose output is meant (1-based); nil: the last stage.
    public var stage: Int?
    /// The output cell, 1-based as lessons count: row 1 is the top row.
    public var row: Int
    public var column: Int
    /// 1-based output channel (a filter's feature map); 1 unless the step has several.
    public var channel: Int
    /// The number the text states; nil in a number quiz: the quiz's answer is the stated number.
    public var value: Float?
    /// How far the computed value may be from the stated one (the text rounds).
    public var tolerance: Float
    /// The line of the `checks` key, for messages.
    public var line: Int?

    public init(step: Int? = nil, stage: Int? = nil, row: Int, column: Int, channel: Int = 1, value: Float?,
                tolerance: Float = 0.01, line: Int? = nil) {
        self.step = step
        self.stage = stage
        self.row = row
        self.column = column
        self.channel = channel
        self.value = value
        self.tolerance = tolerance
        self.line = line
    }

    /// "output cell [2, 3]" with the channel and stage when they matter.
    var cellName: String {
        var name = "output cell [\(row), \(column)]"
        if channel != 1 { name += " of channel \(channel)" }
        if let stage { name += " of stage \(stage)" }
        return name
    }
}
