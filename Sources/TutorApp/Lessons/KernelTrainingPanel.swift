import ConvKernels
import Lessons
import TerminalUI

/// A train step with `task = "kernel"`: a kernel learned by gradient descent, live.
///
/// The target kernel and the learned one side by side (numbers that change as it learns), the loss
/// on a logarithmic axis, and the image, the target output and the learned kernel's output as
/// heatmaps. Space runs and pauses (about 20 steps a second), `n` takes one step, `r` starts again.
/// `g` shows the last step's backward pass one gradient window at a time (Left/Right): the window
/// on the input, its line of arithmetic per kernel cell, and `dW` summed so far. Every number comes
/// from `KernelLearner`, that is from `Conv2d.forward`, `Conv2d.backward` and `SGD`.
public final class KernelTrainingPanel: StepPanel {
    /// The run as it stands.
    public private(set) var learner: KernelLearner
    private let start: KernelLearner
    /// True while Space has it running.
    public private(set) var isRunning = false
    /// True while the gradient windows are shown instead of the curve and the maps.
    public private(set) var showsGradient = false
    /// The gradient window shown, an index into `learner.lastGradientWindows`.
    public private(set) var windowIndex = 0
    /// True once `z` has been pressed in this gradient view: the next press goes on down the order.
    private var contributionWalkStarted = false
    /// Steps owed to the clock while running (fractions carry over between ticks).
    private var owedSteps = 0.0
    private var lastTick: Double?

    /// Steps per second while running.
    public static let stepsPerSecond = 20.0
    /// At most this many steps per tick, so that a late tick never stalls the screen.
    static let maximumStepsPerTick = 5

    /// A panel for `spec`, whose task must be `.kernel`.
    ///
    /// - Throws: a `LessonError` naming the field when the task, the image or the kernels do not fit.
    public convenience init(spec: TrainSpec) throws(LessonError) {
        self.init(learner: try KernelLearner(spec: spec))
    }

    /// A panel for a learner made elsewhere (tests give one an image of their own).
    public init(learner: KernelLearner) {
        self.learner = learner
        start = learner
    }

    public var keyHelp: [KeyHint] {
        var hints = [KeyHint("Space", isRunning ? "pause" : "run"), KeyHint("n", "one step"),
                     KeyHint("g", showsGradient ? "back to the curve" : "gradient windows"), KeyHint("r", "reset")]
        if showsGradient {
            hints.insert(KeyHint("←→", "previous/next window"), at: 3)
            hints.insert(KeyHint("z", "windows by how much they change dW"), at: 4)
        }
        return hints
    }

    public var isAnimating: Bool { isRunning }

    /// Done once the run has finished: its steps made, the kernel found, or stopped by a failure.
    public var isComplete: Bool { learner.isFinished }

    public func handle(_ event: KeyEvent) -> Bool {
        switch event {
        case .character(" "):
            if isRunning {
                isRunning = false
            } else if !learner.isFinished {
                isRunning = true
                lastTick = nil
                owedSteps = 0
            }
        case .character("n"):
            isRunning = false
            step()
        case .character("g"):
            contributionWalkStarted = false
            if showsGradient {
                showsGradient = false
            } else {
                isRunning = false
                // Something to show: the first step's windows when none was taken yet.
                if learner.lastGradientWindows.isEmpty { step() }
                showsGradient = true
                windowIndex = min(windowIndex, max(0, learner.lastGradientWindows.count - 1))
            }
        case .character("r"):
            learner = start
            isRunning = false
            windowIndex = 0
        case .left where showsGradient:
            windowIndex = max(0, windowIndex - 1)
        case .right where showsGradient:
            windowIndex = min(max(0, learner.lastGradientWindows.count - 1), windowIndex + 1)
        case .home where showsGradient:
            windowIndex = 0
        case .end where showsGradient:
            windowIndex = max(0, learner.lastGradientWindows.count - 1)
        case .character("z") where showsGradient:
            // Near the end most windows add next to nothing (their output already matches): walk the
            // windows from the one that changes dW most; the first press goes to the largest.
            if contributionWalkStarted {
                windowIndex = Self.nextContributingWindow(after: windowIndex, in: learner.lastGradientWindows) ?? windowIndex
            } else {
                windowIndex = Self.windowsByContribution(learner.lastGradientWindows).first ?? windowIndex
                contributionWalkStarted = true
            }
        default:
            return false
        }
        return true
    }

    /// The windows in order of how much they change dW (the largest |input × dOut| of their terms),
    /// largest first: near the end most windows add next to nothing, and `z` walks this order.
    static func windowsByContribution(_ windows: [ConvGradientWindow]) -> [Int] {
        let sizes = windows.map { window in
            window.terms.filter { !$0.isPadding }.map { abs($0.input * window.gradOutput) }.max() ?? 0
        }
        return windows.indices.sorted { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : $0 < $1 }
    }

    /// The window after `index` in `windowsByContribution` order (the largest when `index` is not
    /// ranked yet or is the last).
    static func nextContributingWindow(after index: Int, in windows: [ConvGradientWindow]) -> Int? {
        let order = windowsByContribution(windows)
        guard let first = order.first else { return nil }
        guard let rank = order.firstIndex(of: index), rank + 1 < order.count else { return first }
        return order[rank + 1]
    }

    public func tick(time: Double) {
        guard isRunning else { return }
        if let lastTick {
            owedSteps += max(0, time - lastTick) * Self.stepsPerSecond
        } else {
            owedSteps = 1  // the first step at once
        }
        lastTick = time
        let due = min(Int(owedSteps), Self.maximumStepsPerTick)
        owedSteps = min(owedSteps - Double(due), 1)
        for _ in 0..<due where !learner.isFinished { step() }
        if learner.isFinished { isRunning = false }
    }

    public func stop() { isRunning = false }

    private func step() {
        learner.step()
        windowIndex = min(windowIndex, max(0, learner.lastGradientWindows.count - 1))
    }

    // MARK: Text

    /// "step 37/200  loss 0.00123  learning rate 0.5".
    var statusLine: String {
        "step \(learner.stepCount)/\(learner.spec.steps)  loss \(LessonNumber.format(learner.loss))  "
            + "learning rate \(LessonNumber.format(learner.learningRate))"
    }

    /// What the run is doing and what to press, or how it ended.
    var stateLine: String {
        if let failure = learner.failure { return "Stopped: \(failure)." }
        if learner.loss < KernelLearner.convergedLoss {
            return "Found it: every entry within \(LessonNumber.format(learner.largestKernelError)) of the target."
        }
        if learner.stepCount >= learner.spec.steps {
            return "Done \(learner.stepCount) steps; largest error \(LessonNumber.format(learner.largestKernelError))."
        }
        if isRunning { return "Learning... Space pauses." }
        return learner.stepCount == 0 ? "Space runs, n steps once, g shows the gradient."
            : "Paused. Space runs, n steps once, g gradient."
    }

    // MARK: Drawing

    public func render(into buffer: inout CellBuffer, area: Rect, capabilities: TerminalCapabilities) {
        buffer.fill(area)
        guard !area.isEmpty else { return }
        let glyphs = capabilities.glyphs.glyphs
        let mono = capabilities.colors == .monochrome
        var rest = area
        let (statusRow, afterStatus) = rest.splitTop(1)
        buffer.write(glyphs.text(statusLine), x: statusRow.x, y: statusRow.y, style: .bold, clip: statusRow)
        // The state wraps (a failure says what to change; at 80x24 the keys need two rows), up to three rows.
        let stateText = StyledText(stateLine)
        let stateRows = min(3, max(1, stateText.wrapped(width: area.width, glyphs: capabilities.glyphs).count))
        let (stateArea, afterState) = afterStatus.splitTop(stateRows)
        let stateStyle: Style = learner.failure == nil ? .dim : (mono ? .bold : Style(foreground: .red, attributes: .bold))
        stateText.render(in: stateArea, into: &buffer, capabilities: capabilities, style: stateStyle)
        // A blank row under the status, unless the gradient view needs every row.
        rest = showsGradient && area.height < 24 ? afterState : afterState.splitTop(1).rest
        if showsGradient {
            renderGradient(in: rest, into: &buffer, capabilities: capabilities)
            return
        }
        let kernelsHeight = renderKernels(in: rest, into: &buffer, capabilities: capabilities)
        rest = rest.splitTop(kernelsHeight + 1).rest
        guard !rest.isEmpty else { return }
        // The maps take up to half of what is left, the curve the rest.
        let mapRows = rest.height >= 8 ? min(rest.height / 2, 1 + (learner.image.height + 1) / 2) : 0
        let (chartArea, mapArea) = rest.splitBottom(mapRows)
        lossChart.render(in: chartArea, into: &buffer, capabilities: capabilities)
        if mapRows > 0 { renderMaps(in: mapArea, into: &buffer, capabilities: capabilities) }
    }

    /// The loss after each step, on a logarithmic axis.
    var lossChart: LineChart {
        LineChart(series: [LineChart.Series("loss", values: learner.losses.map(Double.init))],
                  title: "Loss (mean squared error)",
                  xAxis: LineChart.Axis(bounds: .fixed(0...Double(Self.stepAxisEnd(steps: learner.stepCount)))),
                  yAxis: LineChart.Axis(scale: .logarithmic), xTitle: "step", legend: .hidden)
    }

    /// Where the step axis ends: at least 10, else the steps so far rounded up to a multiple of 10.
    /// Such a range always gets whole-number ticks (0 5 10, 0 10 20 30, ...); the automatic range of
    /// the first few points gave 0 0.2 0.4 ... 1.
    static func stepAxisEnd(steps: Int) -> Int {
        max(10, (steps + 9) / 10 * 10)
    }

    /// The target and learned kernels (and the last gradient when there is room), labelled, side by
    /// side; returns the rows used.
    private func renderKernels(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) -> Int {
        let targetName = learner.target.presetName.map { "target (\($0))" } ?? "target"
        var grids = [(targetName, NumberGrid(learner.target.channels[0], decimals: 2)),
                     ("learned", NumberGrid(learner.kernel.channels[0], decimals: 2))]
        let gradient = learner.gradient.channels[0]
        grids.append(("dW (last step)", NumberGrid(gradient, decimals: Self.decimals(forMagnitude:
            gradient.joined().map(abs).max() ?? 0))))
        return renderGrids(grids, in: area, into: &buffer, capabilities: capabilities)
    }

    /// Labelled grids left to right, as many as fit (at least the first); returns the rows used.
    private func renderGrids(_ grids: [(String, NumberGrid)], in area: Rect, into buffer: inout CellBuffer,
                             capabilities: TerminalCapabilities) -> Int {
        guard !area.isEmpty else { return 0 }
        let glyphs = capabilities.glyphs.glyphs
        var x = area.x, height = 0
        for (index, (label, grid)) in grids.enumerated() {
            let size = grid.size(glyphs: capabilities.glyphs)
            let width = max(size.width, label.count)
            if index > 0 && x + width > area.maxX { break }
            buffer.write(glyphs.text(label), x: x, y: area.y, style: .bold, clip: area)
            grid.render(in: Rect(x: x, y: area.y + 1, width: width, height: size.height).intersection(area),
                        into: &buffer, capabilities: capabilities)
            height = max(height, 1 + size.height)
            x += width + 3
        }
        return min(height, area.height)
    }

    /// The image, the target output and the learned output, each with its label above.
    private func renderMaps(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        let glyphs = capabilities.glyphs.glyphs
        let gap = 2, tileWidth = max(1, (area.width - 2 * gap) / 3)
        // The outputs share one symmetric range, so that equal colours mean equal values.
        let outputRange = ValueRange(fitting: learner.targetOutput.channels[0].joined()).symmetric
        let maps: [(String, Heatmap)] = [
            ("image", Heatmap(learner.image.channels[0], scale: .sequential, range: ValueRange(lower: 0, upper: 1),
                              mode: .halfBlocks, scaling: .fit)),
            ("target output", Heatmap(learner.targetOutput.channels[0], scale: .diverging, range: outputRange,
                                      mode: .halfBlocks, scaling: .fit)),
            ("learned output", Heatmap(learner.output.channels[0], scale: .diverging, range: outputRange,
                                       mode: .halfBlocks, scaling: .fit)),
        ]
        for (index, (label, map)) in maps.enumerated() {
            let tile = Rect(x: area.x + index * (tileWidth + gap), y: area.y, width: tileWidth, height: area.height)
                .intersection(area)
            guard !tile.isEmpty else { continue }
            buffer.write(glyphs.truncated(label, toWidth: tile.width), x: tile.x, y: tile.y, style: .dim, clip: tile)
            map.render(in: tile.splitTop(1).rest, into: &buffer, capabilities: capabilities)
        }
    }

    /// The gradient view: which window, the input around it with the window highlighted, `dW` so
    /// far, and the window's arithmetic.
    private func renderGradient(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        let glyphs = capabilities.glyphs.glyphs
        let windows = learner.lastGradientWindows
        guard windows.indices.contains(windowIndex) else {
            buffer.write(glyphs.text("No gradient yet: the run has taken no step."), x: area.x, y: area.y, style: .dim,
                         clip: area)
            return
        }
        let window = windows[windowIndex]
        let (titleRow, body) = area.splitTop(1)
        buffer.write(glyphs.text("Step \(learner.stepCount) backward: window \(windowIndex + 1) of \(windows.count)"),
                     x: titleRow.x, y: titleRow.y, style: .bold, clip: titleRow)
        let arithmetic = learner.gradientArithmetic(windowIndex: windowIndex, ascii: capabilities.glyphs == .ascii)
        // The grids get what the arithmetic leaves, with one or two cells of context around the window.
        let gridRoom = body.height - arithmetic.count - 1
        let sumValues = learner.gradientSums(throughWindow: windowIndex)[0]
        var sums = NumberGrid(sumValues, decimals: Self.decimals(forMagnitude: sumValues.joined().map(abs).max() ?? 0))
        // Labelled as the arithmetic names the cells: dW[row,column], counted from 1.
        sums.rowLabels = NumberGrid.indexLabels(sums.rowCount, from: 1)
        sums.columnLabels = NumberGrid.indexLabels(sums.columnCount, from: 1)
        var context = 2
        var crop = inputCrop(window, context: context)
        while context > 0 && (crop.size(glyphs: capabilities.glyphs).height + 1 > gridRoom
                              || crop.size(glyphs: capabilities.glyphs).width + 3 + sums.size(glyphs: capabilities.glyphs).width > body.width) {
            context -= 1
            crop = inputCrop(window, context: context)
        }
        // Too short for the grids and every line of arithmetic: the arithmetic alone (its lines
        // name each input value and the output cell).
        let gridsFit = crop.size(glyphs: capabilities.glyphs).height + 1 <= body.height - arithmetic.count
        let used = gridsFit ? renderGrids([("input x around the window", crop), ("dW so far", sums)], in: body,
                                          into: &buffer, capabilities: capabilities) : 0
        let spacer = body.height - used >= arithmetic.count + 1 ? 1 : 0
        let linesArea = body.splitTop(used + spacer).rest
        for (offset, line) in arithmetic.enumerated() where offset < linesArea.height {
            buffer.write(line, x: linesArea.x, y: linesArea.y + offset, style: offset == 0 ? .bold : .plain,
                         clip: linesArea)
        }
    }

    /// Decimals that show two significant digits of the largest value (gradients are often
    /// thousandths): 2 for 0.5, 4 for 0.002, at most 6.
    static func decimals(forMagnitude magnitude: Float) -> Int {
        guard magnitude > 0 && magnitude.isFinite else { return 2 }
        var decimals = 1, threshold: Float = 1
        while magnitude < threshold && decimals < 6 {
            decimals += 1
            threshold /= 10
        }
        return max(2, decimals)
    }

    /// The input around `window`, `context` cells either side, labelled with the image's rows and
    /// columns (counted from 1), the window's cells highlighted.
    private func inputCrop(_ window: ConvGradientWindow, context: Int) -> NumberGrid {
        let image = learner.image.channels[0]
        let rows = max(0, (window.inputRows.first ?? 0) - context)..<min(image.count, (window.inputRows.last ?? 0) + context + 1)
        let columns = max(0, (window.inputColumns.first ?? 0) - context)
            ..< min(image[0].count, (window.inputColumns.last ?? 0) + context + 1)
        var grid = NumberGrid(rows.map { row in columns.map { image[row][$0] } }, decimals: 2)
        grid.rowLabels = rows.map { String($0 + 1) }
        grid.columnLabels = columns.map { String($0 + 1) }
        for row in window.inputRows where rows.contains(row) {
            for column in window.inputColumns where columns.contains(column) {
                grid.highlight(row: row - rows.lowerBound, column: column - columns.lowerBound, .window)
            }
        }
        return grid
    }
}
