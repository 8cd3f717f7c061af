import ConvKernels
import Lessons
import TerminalUI

/// A convolution step, one window at a time: the (padded) input with the current window on it,
/// the kernel, the output filling in cell by cell, the window's arithmetic written out, and how the
/// output size was worked out. Everything shown comes from the trace of one real `Conv2d.forward`.
///
/// Keys: Right or Space next window, Left previous, Enter to the end, `a` autoplay; in predict mode
/// digits, '-', '.', Backspace and Enter type and check each output value before it is revealed.
public final class ConvStepPanel: StepPanel {
    public let trace: ConvTrace
    private(set) var stepper: WindowStepper
    /// Each filter's weights as the kernel used them, `[filter][channel][row][column]`, read from its
    /// first window's products (so a preset repeated across channels shows as it was applied).
    let filterKernels: [[[[Float]]]]
    /// The input channels each filter's windows read.
    let filterChannels: [[Int]]
    /// `windowIndex[filter][row][column]`: which window wrote that output cell.
    private let windowIndex: [[[Int]]]

    public init(trace: ConvTrace) {
        self.trace = trace
        let output = trace.output
        stepper = WindowStepper(values: trace.windows.map { output.channels[$0.outputChannel][$0.outputRow][$0.outputColumn] },
                                predict: trace.spec.predict)
        windowIndex = WindowStepper.windowIndex(channels: output.channelCount, height: output.height, width: output.width,
                                                cells: trace.windows.map { ($0.outputChannel, $0.outputRow, $0.outputColumn) })
        var kernels: [[[[Float]]]] = [], channels: [[Int]] = []
        for filter in 0..<output.channelCount {
            guard let first = trace.windows.first(where: { $0.outputChannel == filter }) else {
                kernels.append([])
                channels.append([])
                continue
            }
            let read = Array(Set(first.terms.map(\.inputChannel))).sorted()
            var grids = read.map { _ in
                Array(repeating: Array(repeating: Float(0), count: first.inputColumns.count), count: first.inputRows.count)
            }
            for term in first.terms {
                if let slot = read.firstIndex(of: term.inputChannel) {
                    grids[slot][term.kernelRow][term.kernelColumn] = term.weight
                }
            }
            kernels.append(grids)
            channels.append(read)
        }
        filterKernels = kernels
        filterChannels = channels
    }

    public var keyHelp: [KeyHint] { stepper.keyHelp }
    public var isAnimating: Bool { stepper.isPlaying }
    public var isComplete: Bool { stepper.isComplete }

    /// The window shown, if any.
    public var currentWindow: ConvWindow? {
        trace.windows.isEmpty ? nil : trace.windows[stepper.current]
    }

    /// The index of the window shown.
    public var currentIndex: Int { stepper.current }

    /// Output cells predicted right at the first try, and the number of cells (predict mode).
    public var predictionScore: (right: Int, total: Int) { (stepper.rightCount, stepper.count) }

    public func handle(_ event: KeyEvent) -> Bool { stepper.handle(event) }

    public func tick(time: Double) { stepper.tick(time: time) }

    // MARK: Drawing

    public func render(into buffer: inout CellBuffer, area: Rect, capabilities: TerminalCapabilities) {
        guard !area.isEmpty else { return }
        buffer.fill(area)
        var y = area.y
        let filters = trace.output.channelCount
        let window = currentWindow
        var place = "no windows", places = [place]
        if let window {
            let row = window.outputRow + 1, column = window.outputColumn + 1, filter = window.outputChannel + 1
            if filters > 1 {
                place = "output \(filter), row \(row), column \(column)"
                places = ["filter \(filter) of \(filters)" + (capabilities.glyphs == .unicode ? " · " : " - ") + place,
                          "filter \(filter), row \(row), col \(column)"]
            } else {
                place = "output row \(row), column \(column)"
                places = [place, "row \(row), col \(column)"]
            }
        }
        stepper.renderStatus(places: places, in: area, into: &buffer, capabilities: capabilities)
        y += 2
        guard y < area.maxY else { return }

        let flow = GridFlow(blocks: inputBlocks(window) + kernelBlocks(window) + outputBlocks(window), stacksInColumns: true)
        y += flow.render(in: Rect(x: area.x, y: y, width: area.width, height: area.maxY - y), into: &buffer,
                         capabilities: capabilities) + 1
        guard y < area.maxY else { return }

        let spec = trace.spec
        stepper.renderDetails(
            place: place,
            arithmetic: { [trace] in
                guard let window else { return [] }
                let output = trace.output.channels[window.outputChannel][window.outputRow][window.outputColumn]
                return WindowArithmetic.lines(for: window, bias: window.bias, activation: spec.activation, output: output,
                                              ascii: capabilities.glyphs == .ascii, width: area.width)
            },
            hint: "multiply each input under the window by the kernel weight over it and add the products"
                + (spec.bias.contains { $0 != 0 } ? ", then the bias" : "")
                + (spec.activation.map { ", then apply \($0.name)" } ?? "") + ".",
            sizeFormula: trace.sizeFormula, paddingMode: spec.paddingMode,
            in: Rect(x: area.x, y: y, width: area.width, height: area.maxY - y), into: &buffer, capabilities: capabilities)
    }

    /// One grid per input channel, padding marked and the current window's cells highlighted.
    private func inputBlocks(_ window: ConvWindow?) -> [GridFlow.Block] {
        let input = trace.paddedInput
        let decimals = GridFlow.decimals(for: input.channels.joined().joined())
        let windowChannels = Set(window?.terms.map(\.inputChannel) ?? [])
        return input.channels.enumerated().map { channel, rows in
            var grid = NumberGrid(rows, decimals: decimals)
            for row in 0..<input.height {
                for column in 0..<input.width where trace.isPadding(row: row, column: column) {
                    grid.highlight(row: row, column: column, .padding)
                }
            }
            if let window, windowChannels.contains(channel) {
                for row in window.inputRows {
                    for column in window.inputColumns { grid.highlight(row: row, column: column, .window) }
                }
            }
            return GridFlow.Block(title: input.channelCount == 1 ? "Input" : "Input ch \(channel + 1)", grid: grid)
        }
    }

    /// The current filter's kernel, one grid per channel it reads.
    private func kernelBlocks(_ window: ConvWindow?) -> [GridFlow.Block] {
        let filter = window?.outputChannel ?? 0
        guard filter < filterKernels.count else { return [] }
        let grids = filterKernels[filter]
        let decimals = GridFlow.decimals(for: grids.joined().joined())
        let filters = filterKernels.count
        let preset = filter < trace.spec.kernels.count ? trace.spec.kernels[filter].presetName : nil
        return grids.enumerated().map { slot, rows in
            var title = filters > 1 ? "Filter \(filter + 1)" : "Kernel"
            if grids.count > 1 || trace.spec.depthwise { title += " ch \(filterChannels[filter][slot] + 1)" }
            if slot == 0, let preset { title += " " + preset }
            return GridFlow.Block(title: title, grid: NumberGrid(rows, decimals: decimals))
        }
    }

    /// Each filter's output, filling in window by window.
    private func outputBlocks(_ window: ConvWindow?) -> [GridFlow.Block] {
        let output = trace.output
        let decimals = GridFlow.decimals(for: output.channels.joined().joined())
        let activation = trace.spec.activation.map { " (\($0.name))" } ?? ""
        return output.channels.enumerated().map { filter, rows in
            let grid = stepper.outputGrid(rows, decimals: decimals, windowIndex: windowIndex[filter])
            let title = (output.channelCount == 1 ? "Output" : "Output \(filter + 1)") + activation
            let isCurrent = window?.outputChannel == filter
            return GridFlow.Block(title: title, grid: grid, titleStyle: isCurrent || output.channelCount == 1 ? .bold : .dim,
                                  sizedByEveryValue: true)
        }
    }
}
