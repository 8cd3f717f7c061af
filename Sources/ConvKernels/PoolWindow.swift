/// One cell of a pooling window: an input cell, or a cell of the padding around the input.
public struct PoolCell: Hashable, Sendable {
    /// Where the cell lies on the input; outside `0..<H` or `0..<W` in the padding.
    public var inputRow: Int
    public var inputColumn: Int
    /// The input value, or the padding value of the pooling kind: -infinity for max pooling (so
    /// padding never wins), 0 for average and sum pooling.
    public var value: Float
    /// True when the cell lies in the padding.
    public var isPadding: Bool

    public init(inputRow: Int, inputColumn: Int, value: Float, isPadding: Bool) {
        self.inputRow = inputRow
        self.inputColumn = inputColumn
        self.value = value
        self.isPadding = isPadding
    }
}

/// One output cell of a pooling forward pass, as the kernel computed it.
///
/// Replaying the cells gives `value` bit for bit: for max pooling it is `cells[winner].value`
/// (the first largest cell in row-major order; a NaN cell wins, as in PyTorch); for average
/// pooling the cells summed in order starting from 0, then divided by `divisor`; for sum pooling
/// the same sum.
public struct PoolWindow: Hashable, Sendable {
    public var batch: Int
    public var channel: Int
    public var outputRow: Int
    public var outputColumn: Int
    /// The input rows the window covers, top to bottom (may lie in the padding).
    public var inputRows: [Int]
    /// The input columns the window covers, left to right (may lie in the padding).
    public var inputColumns: [Int]
    /// Every cell of the window, row by row, padding cells flagged.
    public var cells: [PoolCell]
    /// The index into `cells` of the winning cell (max pooling only; nil otherwise).
    public var winner: Int?
    /// What average pooling divides the sum by (1 for max and sum pooling).
    public var divisor: Int
    /// The value written to the output.
    public var value: Float

    public init(batch: Int, channel: Int, outputRow: Int, outputColumn: Int, inputRows: [Int], inputColumns: [Int],
                cells: [PoolCell], winner: Int?, divisor: Int, value: Float) {
        self.batch = batch
        self.channel = channel
        self.outputRow = outputRow
        self.outputColumn = outputColumn
        self.inputRows = inputRows
        self.inputColumns = inputColumns
        self.cells = cells
        self.winner = winner
        self.divisor = divisor
        self.value = value
    }
}

/// One share of a pooling backward pass: `gradient` is added to the input gradient at
/// (`inputRow`, `inputColumn`) of the window's batch item and channel.
public struct PoolContribution: Hashable, Sendable {
    public var inputRow: Int
    public var inputColumn: Int
    public var gradient: Float

    public init(inputRow: Int, inputColumn: Int, gradient: Float) {
        self.inputRow = inputRow
        self.inputColumn = inputColumn
        self.gradient = gradient
    }
}

/// One output cell's share of a pooling backward pass.
///
/// Adding every window's contributions, in the order reported, to a zero tensor rebuilds the
/// input gradient bit for bit.
public struct PoolGradientWindow: Hashable, Sendable {
    public var batch: Int
    public var channel: Int
    public var outputRow: Int
    public var outputColumn: Int
    /// The gradient arriving at this output cell.
    public var gradOutput: Float
    /// (input row, input column, the share added to dInput there): the winner alone for max
    /// pooling; every non-padding cell for average (`gradOutput / divisor`) and sum (`gradOutput`).
    public var contributions: [PoolContribution]

    public init(batch: Int, channel: Int, outputRow: Int, outputColumn: Int, gradOutput: Float,
                contributions: [PoolContribution]) {
        self.batch = batch
        self.channel = channel
        self.outputRow = outputRow
        self.outputColumn = outputColumn
        self.gradOutput = gradOutput
        self.contributions = contributions
    }
}
