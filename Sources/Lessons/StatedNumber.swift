/// A number a lesson's text states that `lessons check` verifies: one cell of a step's output, a
/// count of LeNet-5's (a layer's parameters, say), or how a kernel-learning run ends; and either the
/// value the text quotes or (in a number quiz) the quiz's own answer.
///
/// Written in a step as `checks = [{ cell = [1, 1], value = 18 }]` or
/// `checks = [{ network = "lenet5", layer = "conv2", count = "parameters", value = 2416 }]`; see
/// lessons/README.md.
public struct StatedNumber: Hashable, Sendable {
    /// What the number is about.
    public enum Subject: Hashable, Sendable {
        /// One cell of a step's output.
        case cell(OutputCell)
        /// A count of the network ConvTutor trains.
        case network(NetworkCount)
        /// How a kernel-learning train step's run ends (`step`: the step, 1-based; nil: this one).
        case run(RunMeasure, step: Int?)
    }

    /// What a check can say about a finished kernel-learning run.
    public enum RunMeasure: String, CaseIterable, Hashable, Sendable {
        /// The steps the run made and kept (fewer than `steps` when it converged or refused a step).
        case steps
        /// The loss of the kernel it ends with.
        case loss
        /// The largest difference between that kernel and the target, entry by entry.
        case largestError = "largest_error"

        /// "the steps the run kept", for messages.
        var words: String {
            switch self {
            case .steps: "the steps the run kept"
            case .loss: "the loss the run ends with"
            case .largestError: "the largest difference from the target the run ends with"
            }
        }
    }

    /// One cell of a step's output.
    public struct OutputCell: Hashable, Sendable {
        /// The step whose output holds the number (1-based); nil: the step the check is written in.
        public var step: Int?
        /// For a pipeline step: the stage whose output is meant (1-based); nil: the last stage.
        public var stage: Int?
        /// The output cell, 1-based as lessons count: row 1 is the top row.
        public var row: Int
        public var column: Int
        /// 1-based output channel (a filter's feature map); 1 unless the step has several.
        public var channel: Int

        /// "output cell [2, 3]" with the channel and stage when they matter.
        var name: String {
            var name = "output cell [\(row), \(column)]"
            if channel != 1 { name += " of channel \(channel)" }
            if let stage { name += " of stage \(stage)" }
            return name
        }
    }

    public var subject: Subject
    /// The number the text states; nil in a number quiz: the quiz's answer is the stated number.
    public var value: Float?
    /// How far the computed value may be from the stated one (the text rounds).
    public var tolerance: Float
    /// The line of the `checks` key, for messages.
    public var line: Int?

    /// A number stated about one cell of a step's output.
    public init(step: Int? = nil, stage: Int? = nil, row: Int, column: Int, channel: Int = 1, value: Float?,
                tolerance: Float = 0.01, line: Int? = nil) {
        self.init(subject: .cell(OutputCell(step: step, stage: stage, row: row, column: column, channel: channel)),
                  value: value, tolerance: tolerance, line: line)
    }

    /// A number stated about the network (`count`).
    public init(network count: NetworkCount, value: Float?, tolerance: Float = 0.01, line: Int? = nil) {
        self.init(subject: .network(count), value: value, tolerance: tolerance, line: line)
    }

    public init(subject: Subject, value: Float?, tolerance: Float, line: Int?) {
        self.subject = subject
        self.value = value
        self.tolerance = tolerance
        self.line = line
    }

    /// The step (1-based) whose output the number is about, when it is about a step; nil: this step.
    var targetStep: Int? {
        switch subject {
        case .cell(let cell): cell.step
        case .run(_, let step): step
        case .network: nil
        }
    }
}
