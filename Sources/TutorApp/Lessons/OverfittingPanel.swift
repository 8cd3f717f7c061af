import ConvKernels
import Dispatch
import Lessons
import Synchronization
import TerminalUI
import Training
import Networks
import Datasets

/// A train step with `task = "overfitting"`: LeNet-5 trained on a small subset of the built-in
/// digits, once plain and once with the step's regularisation (dropout, weight decay,
/// augmentation), and with `one_at_a_time` also once with each chosen remedy alone; a table of
/// every run's final train and validation accuracy and gap, a verdict worked out from them, and a
/// chart of the plain run beside one other run (`c` picks which), epoch by epoch.
///
/// The plain run learns its few images by heart: its train accuracy climbs towards 100% while its
/// validation accuracy stays behind (the gap, in points). Every run starts from the same weights,
/// split and batch order (one seed), and all run at the same time, each a `TrainingSession` on its
/// own thread; the screen only reads their events in `tick`. Space starts (again), `s` stops.
///
/// The optimizer is the trainer's default (Adam at 0.003, constant rate after a short warm-up);
/// the step's `learning_rate` belongs to the kernel task and is not used here. The train accuracy
/// is the trainer's: measured on the batches as they were trained, so a regularised run's is
/// taken with dropout on and on augmented images (which is why it can sit below its validation
/// accuracy).
///
/// Measured for two runs (2 cores, debug build with the optimised kernels): 300 images and 15
/// epochs, about 5 s; plain ends at train 100%, validation 93%; regularised at train 84%,
/// validation 96%. Lesson 17's five runs (the same sizes, seed 5): 3 to 6 s played in the debug
/// build; in the release build on a shared machine (load average 9), 10 to 12 s against 5 s for the
/// two runs alone, three plays each. Validation 92.9% plain, 92.3% dropout, 93.6% weight decay,
/// 95.1% augmentation, 95.7% all three: augmentation alone does most of the work.
public final class OverfittingPanel: StepPanel {
    /// One run, as its events have told it so far.
    public struct Run: Sendable {
        /// What a run adds to the plain one: nothing, one remedy alone, or every remedy the step chose.
        public enum Kind: Sendable, Hashable { case plain, dropout, weightDecay, augmentation, regularised }
        public let kind: Kind
        /// One per finished epoch: the train accuracy (on the augmented, dropped-out batches as
        /// trained) and the validation accuracy (clean images, evaluation mode), 0...1.
        public var epochs: [(epoch: Int, train: Double, validation: Double)] = []
        public var stepsDone = 0
        /// Known once the run has started (steps per epoch times epochs).
        public var totalSteps: Int?
        /// Set when the run has ended.
        public var outcome: TrainingOutcome?

        public init(kind: Kind) { self.kind = kind }

        /// Train minus validation accuracy at the latest epoch, in percentage points.
        public var gapPoints: Double? {
            epochs.last.map { 100 * ($0.train - $0.validation) }
        }

        /// The run's name in the table and the verdict.
        public var name: String {
            switch kind {
            case .plain: "plain"
            case .dropout: "dropout"
            case .weightDecay: "weight decay"
            case .augmentation: "augmentation"
            case .regularised: "regularised"
            }
        }

        /// The run's name in the chart's legend, short so the legend fits 44 columns.
        var shortName: String {
            switch kind {
            case .plain: "plain"
            case .dropout: "drop."
            case .weightDecay: "decay"
            case .augmentation: "aug."
            case .regularised: "reg."
            }
        }
    }

    public enum Phase: Equatable, Sendable {
        /// Waiting for Space.
        case ready
        /// Making the images and the networks (on a background thread).
        case preparing
        case running
        /// Stopped with `s` (or by the host) before the end.
        case stopped
        /// Every run has ended.
        case finished
        /// The step cannot run (its task is not overfitting, or the trainer refused the settings).
        case failed(String)
    }

    public let spec: TrainSpec
    public private(set) var phase: Phase = .ready
    public private(set) var runs: [Run]
    /// The run (an index into `runs`, never the plain run's 0) the chart shows beside the plain run.
    public private(set) var chartedRun: Int
    /// Seconds from Space to the end of every run (or to now while they run), by `tick`'s clock.
    public private(set) var elapsedSeconds: Double = 0

    private let settings: Settings
    private var experiment: Experiment?
    private var startTime: Double?
    private var lastTime: Double?

    /// How the experiment is sized; the defaults are what a lesson gets.
    public struct Settings: Sendable {
        /// Held-out images the validation accuracy is measured on.
        public var validationImages = 1_000
        public var batchSize = 32
        /// One seed for every run: the same first weights, split and batch order.
        public var seed: UInt64 = 5
        /// The dropout probability when the step asks for dropout. 0.25 rather than the classic 0.5:
        /// on 300 images for 15 epochs 0.5 leaves the regularised run undertrained (validation 90%
        /// against the plain run's 93%), 0.25 lets it end above the plain run (96% against 93%).
        public var dropout: Float = 0.25

        public init() {}
    }

    public init(spec: TrainSpec, settings: Settings = Settings()) {
        self.spec = spec
        self.settings = settings
        runs = Self.runKinds(for: spec.task).map { Run(kind: $0) }
        chartedRun = runs.count - 1
        if case .kernel = spec.task {
            phase = .failed("this panel runs the overfitting task; the step's task is kernel")
        }
    }

    deinit { experiment?.stop() }

    /// The runs a task asks for: plain and regularised; with `oneAtATime`, plain, each chosen remedy
    /// alone, and (when more than one was chosen) all of them together.
    static func runKinds(for task: TrainSpec.Task) -> [Run.Kind] {
        guard case .overfitting(_, _, let dropout, let weightDecay, let augment, let oneAtATime) = task else {
            return [.plain, .regularised]
        }
        guard oneAtATime else { return [.plain, .regularised] }
        let alone: [Run.Kind] = (dropout ? [.dropout] : []) + (weightDecay > 0 ? [.weightDecay] : [])
            + (augment ? [.augmentation] : [])
        return [.plain] + alone + (alone.count > 1 ? [.regularised] : [])
    }

    public var keyHelp: [KeyHint] {
        var hints: [KeyHint]
        switch phase {
        case .preparing, .running: hints = [KeyHint("s", "stop")]
        case .failed: return []
        default: hints = [KeyHint("Space", phase == .ready ? "start" : "start again")]
        }
        if runs.count > 2 { hints.append(KeyHint("c", "chart the next run")) }
        return hints
    }

    public var isAnimating: Bool { phase == .preparing || phase == .running }

    /// Done once every run has finished every epoch.
    public var isComplete: Bool { phase == .finished }

    /// True while a training thread (or the preparation) may still be working.
    public var isWorking: Bool { experiment?.isWorking ?? false }

    public func handle(_ event: KeyEvent) -> Bool {
        switch event {
        case .character(" "):
            switch phase {
            case .ready, .stopped, .finished: start()
            case .preparing, .running: break  // already going: the key is still this panel's
            case .failed: return false
            }
        case .character("s"):
            guard phase == .preparing || phase == .running else { return false }
            stop()
        case .character("c"):
            guard runs.count > 2, !isFailed else { return false }
            chartedRun = chartedRun % (runs.count - 1) + 1  // 1, 2, ..., last, 1: never the plain run
        default:
            return false
        }
        return true
    }

    private var isFailed: Bool {
        if case .failed = phase { return true }
        return false
    }

    /// Starts every run from the beginning (on background threads).
    public func start() {
        guard case .overfitting(let images, let epochs, _, _, _, _) = spec.task else { return }
        experiment?.stop()
        var plain = TrainingConfiguration()
        plain.epochs = epochs
        plain.trainingSubset = images
        plain.validationCount = settings.validationImages
        plain.batchSize = settings.batchSize
        plain.seed = settings.seed
        plain.threads = 1  // one core per run; the runs share the machine
        plain.schedule = .perEpoch(.constant)
        plain.warmupSteps = 10
        plain.snapshotInterval = 3_600  // the panel reads events only
        let configurations = runs.map { configuration(for: $0.kind, plain: plain) }
        runs = runs.map { Run(kind: $0.kind) }
        startTime = nil
        lastTime = nil
        elapsedSeconds = 0
        phase = .preparing
        experiment = Experiment(configurations: configurations, trainingCount: images + settings.validationImages,
                                dataSeed: settings.seed)
    }

    /// The plain configuration with what `kind` adds: one remedy, or every remedy the step chose.
    private func configuration(for kind: Run.Kind, plain: TrainingConfiguration) -> TrainingConfiguration {
        guard case .overfitting(_, _, let dropout, let weightDecay, let augment, _) = spec.task else { return plain }
        var run = plain
        if kind == .dropout || (kind == .regularised && dropout) { run.dropout = settings.dropout }
        if kind == .weightDecay || kind == .regularised { run.weightDecay = weightDecay }
        if kind == .augmentation || (kind == .regularised && augment) { run.augmentation = Augmentation() }
        return run
    }

    /// Stops every run (the host calls it when leaving the step); the threads end at their next step.
    public func stop() {
        experiment?.stop()
        if phase == .preparing || phase == .running { phase = .stopped }
    }

    public func tick(time: Double) {
        if phase == .preparing || phase == .running {
            if startTime == nil { startTime = time }
            lastTime = time
            elapsedSeconds = time - (startTime ?? time)
        }
        guard let experiment else { return }
        if let problem = experiment.failure {
            phase = .failed(problem)
            return
        }
        let batches = experiment.takeEvents()
        if phase == .preparing && experiment.hasStarted { phase = .running }
        for (index, events) in batches.enumerated() where index < runs.count {
            for event in events { apply(event, to: index) }
        }
        if phase == .running && runs.allSatisfy({ $0.outcome != nil }) {
            phase = runs.allSatisfy({ $0.outcome?.reason == .completed }) ? .finished : .stopped
        }
    }

    private func apply(_ event: TrainingEvent, to index: Int) {
        switch event {
        case .started(let start):
            runs[index].totalSteps = start.stepsPerEpoch * start.epochs
        case .step(let report):
            runs[index].stepsDone = report.step
        case .epoch(let report):
            runs[index].epochs.append((report.epoch, report.trainAccuracy, report.validationAccuracy ?? 0))
            runs[index].stepsDone = report.step
        case .finished(let outcome):
            runs[index].outcome = outcome
        case .checkpointSaved, .checkpointFailed, .evaluated:
            break
        }
    }

    // MARK: Text

    /// What the regularised run adds: "dropout 0.25, weight decay 0.0005, augmentation".
    var regularisationText: String {
        guard case .overfitting(_, _, let dropout, let weightDecay, let augment, _) = spec.task else { return "" }
        var parts: [String] = []
        if dropout { parts.append("dropout \(LessonNumber.format(settings.dropout))") }
        // Swift's shortest round-trip text: 0.0005 stays "0.0005" (three decimals would round it).
        if weightDecay > 0 { parts.append("weight decay \(weightDecay)") }
        if augment { parts.append("augmentation") }
        return parts.isEmpty ? "nothing (the same as plain)" : parts.joined(separator: ", ")
    }

    var statusLine: String {
        if case .failed(let message) = phase { return "Cannot run: \(message)" }
        guard case .overfitting(let images, let epochs, _, _, _, _) = spec.task else { return "" }
        let sizes = "\(images) images, \(settings.validationImages) to validate, \(epochs) epochs"
        switch phase {
        case .ready: return "\(sizes). Space starts."
        case .preparing: return "Drawing \(images + settings.validationImages) digits…"
        case .running:
            let slowest = runs.map(\.epochs.count).min() ?? 0
            return "\(runs.count) runs at epoch \(min(epochs, slowest + 1))/\(epochs). s stops."
        case .stopped: return "Stopped. Space starts again."
        case .finished:
            return "\(runs.count) runs done in \(ProgressBar.durationText(seconds: elapsedSeconds)). Space: again."
        case .failed: return ""  // answered above
        }
    }

    /// The columns of the results table: the run's name, then train, val and gap right-aligned.
    static let nameColumnWidth = 13
    static let figureColumnWidths = [7, 7, 7]

    /// "run            train    val    gap": the header of the results table.
    static var tableHeader: String {
        tableRow(["run", "train", "val", "gap"])
    }

    static func tableRow(_ cells: [String]) -> String {
        let name = cells[0] + String(repeating: " ", count: max(1, nameColumnWidth - cells[0].count))
        let figures = zip(cells.dropFirst(), figureColumnWidths).map { cell, width in
            String(repeating: " ", count: max(1, width - cell.count)) + cell
        }
        return name + figures.joined()
    }

    /// "plain          100.0%  93.0%   7.0": a run's latest epoch, gap in points; dashes before one ends.
    func tableRow(_ run: Run) -> String {
        guard let last = run.epochs.last, let gap = run.gapPoints else {
            return Self.tableRow([run.name, "-", "-", "-"])
        }
        return Self.tableRow([run.name, Self.percent(last.train), Self.percent(last.validation), Self.points(gap)])
    }

    /// Which remedy, alone, closed the gap most (and which least), from the runs' last epochs; nil
    /// until every run alone has an epoch, or when there is no run of one remedy alone.
    static func verdict(_ runs: [Run]) -> String? {
        guard let plain = runs.first(where: { $0.kind == .plain }), let plainGap = plain.gapPoints else { return nil }
        let alone = runs.filter { $0.kind != .plain && $0.kind != .regularised }
        guard !alone.isEmpty else { return nil }
        var gaps: [(run: Run, gap: Double)] = []
        for run in alone {
            guard let gap = run.gapPoints else { return nil }
            gaps.append((run, gap))
        }
        // Stable: on a tie the run listed first (dropout, weight decay, augmentation) wins.
        let best = gaps.min { $0.gap < $1.gap }!
        guard best.gap < plainGap else {
            return "Alone, no remedy closed the gap: plain's is \(points(plainGap)) points, the smallest alone "
                + "\(points(best.gap)) (\(best.run.name))."
        }
        var text = "Alone, \(best.run.name) closed the gap most: \(points(plainGap)) to \(points(best.gap)) points"
        if gaps.count > 1, let worst = gaps.max(by: { $0.gap < $1.gap }), worst.run.kind != best.run.kind {
            text += "; \(worst.run.name) least (to \(points(worst.gap)))"
        }
        return text + "."
    }

    /// "accuracy of plain and augmentation (c: next)", naming the run the chart shows beside plain;
    /// it stands for the chart's title, so the legend of four curves has the row.
    var chartCaption: String {
        guard runs.count > 2 else { return "" }
        return "accuracy of plain and \(runs[chartedRun].name) (c: next)"
    }

    /// `units` joined by `separator`, wrapped to `width` between units; continuation lines start
    /// with `indent` spaces. A unit too long for a line gets a line of its own (cut when drawn).
    static func wrap(_ units: [String], separator: String, width: Int, indent: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for unit in units where !unit.isEmpty {
            if line.isEmpty {
                line = (lines.isEmpty ? "" : String(repeating: " ", count: indent)) + unit
            } else if line.count + separator.count + unit.count <= width {
                line += separator + unit
            } else {
                lines.append(line)
                line = String(repeating: " ", count: indent) + unit
            }
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }

    /// Prose wrapped at spaces to `width`.
    static func wrapWords(_ text: String, width: Int) -> [String] {
        wrap(text.split(separator: " ").map(String.init), separator: " ", width: width, indent: 0)
    }

    static func percent(_ fraction: Double) -> String { NumberGrid.format(100 * fraction, decimals: 1) + "%" }
    static func points(_ value: Double) -> String { NumberGrid.format(value, decimals: 1) }

    /// The plain run's and the charted run's train and validation accuracy by epoch.
    var chart: LineChart {
        var series: [LineChart.Series] = []
        let colours: [(TerminalColor, TerminalColor)] = [(.cyan, .blue), (.yellow, .red)]
        let shown = runs.count > 1 ? [runs[0], runs[chartedRun]] : runs
        for (run, colour) in zip(shown, colours) {
            let epochs = run.epochs.map { Double($0.epoch) }
            series.append(LineChart.Series("\(run.shortName) train", x: epochs, y: run.epochs.map(\.train),
                                           color: colour.0))
            series.append(LineChart.Series("\(run.shortName) val", x: epochs, y: run.epochs.map(\.validation),
                                           color: colour.1))
        }
        var epochCount = 1
        if case .overfitting(_, let epochs, _, _, _, _) = spec.task { epochCount = max(1, epochs) }
        return LineChart(series: series, title: chartCaption.isEmpty ? "Accuracy" : "",
                         xAxis: LineChart.Axis(bounds: .fixed(1...Double(max(2, epochCount)))),
                         yAxis: LineChart.Axis(bounds: .fixed(0...1), format: .percent), xTitle: "epoch")
    }

    // MARK: Drawing

    /// The fewest rows worth giving the chart; with less room it is left out.
    static let minimumChartHeight = 5

    /// Draws, top to bottom: the status, what the regularised run adds, a note on the train
    /// accuracy, the progress bar, the chart's caption and the chart, the results table and the
    /// verdict. Lines wrap rather than being cut. When the height is short, the status, the table and
    /// the verdict come first, then the caption, the progress bar, the chart, the regularisation,
    /// and the note last.
    public func render(into buffer: inout CellBuffer, area: Rect, capabilities: TerminalCapabilities) {
        buffer.fill(area)
        guard !area.isEmpty else { return }
        let glyphs = capabilities.glyphs.glyphs
        if case .failed = phase {
            let style = capabilities.colors == .monochrome ? Style.bold : Style(foreground: .red, attributes: .bold)
            for (index, text) in Self.wrapWords(statusLine, width: area.width).prefix(area.height).enumerated() {
                buffer.write(glyphs.truncated(text, toWidth: area.width), x: area.x, y: area.y + index, style: style, clip: area)
            }
            return
        }
        let width = area.width
        var status = Self.wrapWords(statusLine, width: width)
        var table = [Self.tableHeader] + runs.map(tableRow)
        // The verdict waits for the end: halfway through, the ranking can still change.
        var verdict = phase == .finished ? Self.verdict(runs).map { Self.wrapWords($0, width: width) } ?? [] : []
        var caption = chartCaption.isEmpty ? [] : Self.wrapWords(chartCaption, width: width)
        var regularised = Self.wrapWords("regularised = " + regularisationText, width: width)
        var note = Self.wrapWords("(train accuracy as trained: with dropout and augmentation)", width: width)
        var showsProgress = true

        // Share the rows out by priority.
        var left = area.height
        func take(_ lines: inout [String]) {
            lines = Array(lines.prefix(max(0, left)))
            left -= lines.count
        }
        take(&status)
        take(&table)
        take(&verdict)
        take(&caption)
        // Once finished the status says so, and the row is worth more to the chart.
        showsProgress = left > 0 && phase != .finished
        if showsProgress { left -= 1 }
        // What "regularised" adds, and the note, only where the chart keeps its rows.
        if !runs.contains(where: { $0.kind == .regularised }) || left - regularised.count < Self.minimumChartHeight {
            regularised = []
        }
        take(&regularised)
        if left - note.count < Self.minimumChartHeight + 3 { note = [] }
        take(&note)
        let chartHeight = left >= Self.minimumChartHeight ? left : 0

        var y = area.y
        func write(_ lines: [String], style: Style) {
            for text in lines {
                buffer.write(glyphs.truncated(text, toWidth: width), x: area.x, y: y, style: style, clip: area)
                y += 1
            }
        }
        write(status, style: .bold)
        write(regularised, style: .dim)
        write(note, style: .dim)
        if showsProgress {
            let done = runs.reduce(0) { $0 + $1.stepsDone }
            let total = runs.reduce(0) { $0 + ($1.totalSteps ?? 0) }
            let fraction = phase == .finished ? 1 : (total > 0 ? Double(done) / Double(total) : 0)
            ProgressBar(label: "progress", fraction: fraction,
                        detail: phase == .ready ? "" : ProgressBar.durationText(seconds: elapsedSeconds))
                .render(in: Rect(x: area.x, y: y, width: width, height: 1), into: &buffer, capabilities: capabilities)
            y += 1
        }
        write(caption, style: .dim)
        if chartHeight > 0 {
            chart.render(in: Rect(x: area.x, y: y, width: width, height: chartHeight), into: &buffer, capabilities: capabilities)
        }
        y = area.maxY - table.count - verdict.count
        write(table, style: .plain)
        write(verdict, style: .bold)
    }
}

/// The training sessions of an overfitting experiment, and the thread that prepares them.
private final class Experiment: Sendable {
    private struct State: ~Copyable {
        var sessions: [TrainingSession] = []
        var stopRequested = false
        var preparing = true
        var failure: String?
    }

    private let state = Mutex(State())

    /// Makes the images and starts one session per configuration, off the calling thread.
    init(configurations: [TrainingConfiguration], trainingCount: Int, dataSeed: UInt64) {
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            let data = TrainingData.builtInDigits(seed: dataSeed, trainCount: trainingCount, testCount: 0)
            var trainers: [Trainer] = []
            do {
                for configuration in configurations { trainers.append(try Trainer(configuration: configuration, data: data)) }
            } catch {
                state.withLock {
                    $0.failure = "\(error)"
                    $0.preparing = false
                }
                return
            }
            state.withLock { state in
                defer { state.preparing = false }
                guard !state.stopRequested else { return }
                state.sessions = trainers.map { TrainingSession(trainer: $0) }
            }
        }
    }

    var hasStarted: Bool { state.withLock { !$0.sessions.isEmpty } }
    var failure: String? { state.withLock { $0.failure } }

    /// True while preparing or while a session's thread is still running.
    var isWorking: Bool {
        state.withLock { state in state.preparing || state.sessions.contains { !$0.isFinished } }
    }

    /// Each session's new events, in the order of the configurations (empty before they start).
    func takeEvents() -> [[TrainingEvent]] {
        let sessions = state.withLock { $0.sessions }
        return sessions.map { $0.takeEvents() }
    }

    func stop() {
        let sessions = state.withLock { state in
            state.stopRequested = true
            return state.sessions
        }
        for session in sessions { session.control.stop() }
    }
}
