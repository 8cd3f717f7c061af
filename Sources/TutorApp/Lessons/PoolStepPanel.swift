import ConvKernels
import Lessons
import TerminalUI

/// A pooling step, one window at a time: the (padded) input with the current window on it (the
/// winning cell of max pooling marked), the output filling in cell by cell, the window's arithmetic
/// and the output-size formula. Everything shown comes from the trace of one real `Pool2d.forward`.
///
/// Keys as for `ConvStepPanel`: Right or Space next window, Left previous, Enter to the end, `a`
/// autoplay; in predict mode the learner types each output value first.
public final class PoolStepPanel: StepPanel {
    public let trace: PoolTrace
    private(set) var stepper: WindowStepper
    /// `windowIndex[channel][row][column]`: which window wrote that output cell.
    private let windowIndex: [[[Int]]]

    public init(trace: PoolTrace) {
        self.trace = trace
        stepper = WindowStepper(values: trace.windows.map(\.value), predict: trace.spec.predict)
        let output = trace.output
        windowIndex = WindowStepper.windowIndex(channels: output.channelCount, height: output.height, width: output.width,
                                                cells: trace.windows.map { ($0.channel, $0.outputRow, $0.outputColumn) })
    }

    public var keyHelp: [KeyHint] { stepper.keyHelp }
    public var isAnimating: Bool { stepper.isPlaying }
    public var isComplete: Bool { stepper.isComplete }

    /// The window shown, if any.
    public var currentWindow: PoolWindow? {
        trace.windows.isEmpty ? nil : trace.windows[stepper.current]
    }

    /// The index of the window shown.
    public var currentIndex: Int { stepper.current }

    /// Output cells predicted right (at the first or second try), and the number of cells.
    public var predictionScore: (right: Int, total: Int) { (stepper.rightCount, stepper.count) }

    public func handle(_ event: KeyEvent) -> Bool { stepper.handle(event) }

    public func tick(time: Double) { stepper.tick(time: time) }

    /// "max", "average", "sum" or "global average".
    private var kindName: String {
        trace.spec.kind == .globalAverage ? "global average" : trace.spec.kind.rawValue
    }

    // MARK: Drawing

    public func render(into buffer: inout CellBuffer, area: Rect, capabilities: TerminalCapabilities) {
        guard !area.isEmpty else { return }
        buffer.fill(area)
        var y = area.y
        let channels = trace.output.channelCount
        let window = currentWindow
        var place = "no windows", places = [place]
        if let window {
            let row = window.outputRow + 1, column = window.outputColumn + 1, channel = window.channel + 1
            if channels > 1 {
                place = "channel \(channel), output row \(row), column \(column)"
                places = [place, "channel \(channel), row \(row), col \(column)", "ch \(channel), row \(row), col \(column)"]
            } else {
                place = "output row \(row), column \(column)"
                places = [place, "row \(row), col \(column)"]
            }
        }
        stepper.renderStatus(places: places, in: area, into: &buffer, capabilities: capabilities)
        y += 2
        guard y < area.maxY else { return }

        let flow = GridFlow(blocks: inputBlocks(window) + outputBlocks(window), stacksInColumns: true)
        y += flow.render(in: Rect(x: area.x, y: y, width: area.width, height: area.maxY - y), into: &buffer,
                         capabilities: capabilities) + 1
        guard y < area.maxY else { return }

        let kind = trace.spec.kind
        let hint: String
        switch kind {
        case .max: hint = "the largest value under the window."
        case .average: hint = "add the values under the window and divide by how many there are."
        case .sum: hint = "add the values under the window."
        case .globalAverage: hint = "the mean of every value of the channel."
        }
        stepper.renderDetails(
            place: place,
            arithmetic: {
                guard let window else { return [] }
                return WindowArithmetic.lines(for: window, kind: kind, ascii: capabilities.glyphs == .ascii,
                                              width: area.width)
            },
            hint: hint, sizeFormula: trace.sizeFormula,
            currentLabel: kind == .max ? "cell being computed, largest value" : "cell being computed",
            in: Rect(x: area.x, y: y, width: area.width, height: area.maxY - y), into: &buffer, capabilities: capabilities)
    }

    /// One grid per input channel, padding marked, the current window highlighted on its channel
    /// and the winner of a max window drawn as the current cell.
    private func inputBlocks(_ window: PoolWindow?) -> [GridFlow.Block] {
        let input = trace.paddedInput
        let decimals = GridFlow.decimals(for: input.channels.joined().joined())
        return input.channels.enumerated().map { channel, rows in
            var grid = NumberGrid(rows, decimals: decimals)
            for row in 0..<input.height {
                for column in 0..<input.width where trace.isPadding(row: row, column: column) {
                    grid.highlight(row: row, column: column, .padding)
                }
            }
            if let window, window.channel == channel {
                for row in window.inputRows {
                    for column in window.inputColumns { grid.highlight(row: row, column: column, .window) }
                }
                // The cells run through the window's rows and columns row by row.
                if stepper.showsArithmetic, let winner = window.winner, !window.inputColumns.isEmpty,
                   winner / window.inputColumns.count < window.inputRows.count {
                    grid.highlight(row: window.inputRows[winner / window.inputColumns.count],
                                   column: window.inputColumns[winner % window.inputColumns.count], .current)
                }
            }
            let title = (input.channelCount == 1 ? "Input" : "Input ch \(channel + 1)")
            return GridFlow.Block(title: title, grid: grid)
        }
    }

    /// Each channel's output, filling in window by window.
    private func outputBlocks(_ window: PoolWindow?) -> [GridFlow.Block] {
        let output = trace.output
        let decimals = GridFlow.decimals(for: output.channels.joined().joined())
        return output.channels.enumerated().map { channel, rows in
            let grid = stepper.outputGrid(rows, decimals: decimals, windowIndex: windowIndex[channel])
            let title = (output.channelCount == 1 ? "Output" : "Output ch \(channel + 1)") + " (\(kindName))"
            return GridFlow.Block(title: title, grid: grid, sizedByEveryValue: true)
        }
    }
}
