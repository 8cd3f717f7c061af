import ConvKernels
import Foundation
import Testing
import TerminalUI
@testable import Training
@testable import TutorApp
import Networks
import Datasets

/// A short real run of a built-in network other than LeNet-5 on the built-in digits (one thread,
/// a fixed seed: deterministic), recorded once as `RecordedTraining` records LeNet-5's: its events
/// with each step's images per second replaced by 1,000, and its snapshots.
struct NetworkRecording: Sendable {
    let architecture: String
    let events: [TrainingEvent]
    let snapshots: [TrainingSnapshot]

    static let batchSize = 20
    static let epochs = 2
    static let data = TrainingData.builtInDigits(seed: 3, trainCount: 150, testCount: 40)
    static let dataset = "built-in digits 100 train / 50 val / 40 test"

    static func configuration(_ architecture: String, seed: UInt64 = 1) -> TrainingConfiguration {
        var configuration = TrainingConfiguration()
        guard let spec = BuiltInArchitecture.spec(named: architecture) else {
            preconditionFailure("\(architecture) is a built-in architecture")
        }
        configuration.architecture = spec
        configuration.epochs = epochs
        configuration.batchSize = batchSize
        configuration.validationCount = 50
        configuration.threads = 1
        configuration.seed = seed
        configuration.warmupSteps = 2
        configuration.snapshotInterval = 0
        return configuration
    }

    static func trainer(_ architecture: String, seed: UInt64 = 1) -> Trainer {
        do {
            return try Trainer(configuration: configuration(architecture, seed: seed), data: data)
        } catch {
            preconditionFailure("the recorded \(architecture) run's configuration is valid: \(error)")
        }
    }

    init(_ architecture: String) {
        self.architecture = architecture
        var trainer = Self.trainer(architecture)
        var events: [TrainingEvent] = []
        var snapshots: [TrainingSnapshot] = []
        _ = trainer.run(emit: { event in
            if case .step(let report) = event {
                events.append(.step(StepReport(epoch: report.epoch, batch: report.batch, batchesPerEpoch: report.batchesPerEpoch,
                                               step: report.step, loss: report.loss, accuracy: report.accuracy,
                                               learningRate: report.learningRate, imagesPerSecond: 1_000)))
            } else {
                events.append(event)
            }
        }, snapshot: { snapshots.append($0) })
        self.events = events
        self.snapshots = snapshots
    }

    static let resnet = NetworkRecording("resnet-mini")
    static let plain = NetworkRecording("plain-mini")

    /// The latest snapshot that carries a step's gradients.
    var stepSnapshot: TrainingSnapshot? { snapshots.last { $0.layers.contains { $0.gradientNorm > 0 } } }

    /// Every event but the last (`finished`): the run shown as it ends its last epoch.
    var eventsBeforeTheEnd: [TrainingEvent] {
        events.filter { if case .finished = $0 { false } else { true } }
    }

    func run(label: String, seed: UInt64 = 1) -> TrainingRun {
        TrainingRun(label: label, trainer: Self.trainer(architecture, seed: seed), dataset: Self.dataset)
    }

    /// A screen over recorded sources playing `recordings` (one run each, labelled with the
    /// network's name when several), fed every event but `finished` and the last snapshot.
    static func screen(_ recordings: [NetworkRecording]) -> (TrainingScreen, RecordedSources) {
        let sources = RecordedSources()
        let runs = recordings.map { $0.run(label: recordings.count > 1 ? $0.architecture : "modern") }
        let screen = TrainingScreen(runs: runs, restart: { seed in
            recordings.map { $0.run(label: recordings.count > 1 ? $0.architecture : "modern", seed: UInt64(seed)) }
        }, checkpointFolder: "/tmp/checkpoints") { _ in
            let source = RecordedSource()
            sources.all.append(source)
            return source
        }
        screen.tick(time: 0)
        for (source, recording) in zip(sources.all, recordings) { source.feed(Array(recording.events.prefix(1))) }
        screen.tick(time: 1)
        for (source, recording) in zip(sources.all, recordings) {
            source.feed(Array(recording.eventsBeforeTheEnd.dropFirst()), snapshot: recording.snapshots.last)
        }
        screen.tick(time: 84)
        return (screen, sources)
    }
}

@Suite("Training screen, any network")
struct TrainingNetworksTests {
    static let colour = TerminalCapabilities(colors: .palette256, glyphs: .unicode)

    static func render(_ view: TrainingGradientsView, width: Int, height: Int,
                       capabilities: TerminalCapabilities = colour) -> CellBuffer {
        var buffer = CellBuffer(width: width, height: height)
        view.render(in: buffer.area, into: &buffer, capabilities: capabilities)
        return buffer
    }

    /// The bar drawn on row `y` from column `x`: whole blocks and a last partial one, in eighths.
    static func drawnUnits(_ buffer: CellBuffer, x: Int, y: Int) -> Int {
        let eighths = Array(GlyphSet.unicode.glyphs.horizontalEighths)
        var units = 0
        var column = x
        while column < buffer.width {
            let character = buffer[column, y].character
            if character == "█" {
                units += 8
            } else if let index = eighths.firstIndex(of: character) {
                units += index + 1
                break
            } else {
                break
            }
            column += 1
        }
        return units
    }

    // MARK: Gradient norms

    @Test("gradient norms: bar lengths grow with the log of the norm, on one scale shared by both runs")
    func barsAreOrderedByLogNorm() {
        // Both recorded runs' real norms, and made-up ones spread over five decades.
        let plain = TrainingGradientsView.Run(label: "plain-mini", snapshot: NetworkRecording.plain.stepSnapshot!, color: .cyan)
        let resnet = TrainingGradientsView.Run(label: "resnet-mini", snapshot: NetworkRecording.resnet.stepSnapshot!, color: .yellow)
        let spread = [3e-5, 2e-4, 2e-4, 0.0071, 0.09, 0.5, 1.7].enumerated().map {
            TrainingGradientsView.Entry(name: "\($0.offset + 1) conv", norm: $0.element)
        }
        for runs in [[plain, resnet], [TrainingGradientsView.Run(label: "a", entries: spread, color: .cyan),
                                       TrainingGradientsView.Run(label: "b", entries: spread.reversed(), color: .yellow)]] {
            let view = TrainingGradientsView(runs: runs)
            let entries = runs.flatMap(\.entries)
            #expect(entries.allSatisfy { $0.norm > 0 && $0.norm.isFinite })
            // The axis spans the decades of every norm of both runs.
            let decades = view.decades
            #expect(entries.allSatisfy { Double(decades.lowerBound) <= log10($0.norm) && log10($0.norm) <= Double(decades.upperBound) })
            // On screen: both runs side by side, each bar as long as the view says, one length per norm.
            let buffer = Self.render(view, width: 110, height: 20)
            let text = buffer.lines.joined(separator: "\n")
            // Each run's name over its column.
            #expect(buffer.line(1).hasPrefix(runs[0].label!) && buffer.line(1).contains("  \(runs[1].label!)"), "\(text)")
            var drawn: [(norm: Double, units: Int)] = []
            let barWidth = view.sideBySideBarWidth(width: 110)!
            var columnX = 0
            for run in runs {
                // The run's column: its labels, then its bars, all `barWidth` cells, then the values.
                let labelWidth = TrainingGradientsView.labelWidth([run])
                for y in 2..<buffer.height {
                    let line = Array(buffer.line(y))
                    guard columnX + labelWidth <= line.count else { continue }
                    let name = String(line[columnX..<(columnX + labelWidth)]).trimmingCharacters(in: .whitespaces)
                    guard let entry = run.entries.first(where: { $0.name == name }) else { continue }
                    let units = Self.drawnUnits(buffer, x: columnX + labelWidth + 1, y: y)
                    #expect(units == view.barUnits(entry.norm, width: barWidth), "\(entry.name): \(units)")
                    drawn.append((entry.norm, units))
                }
                columnX += labelWidth + 1 + barWidth + 1 + TrainingGradientsView.valueWidth + TrainingGradientsView.columnGap
            }
            #expect(drawn.count == entries.count, "\(text)")
            // Monotone: a larger norm is never a shorter bar, whichever run it belongs to; and the
            // length is linear in the log: equal ratios, equal differences (to an eighth, rounding).
            let sorted = drawn.sorted { $0.norm < $1.norm }
            for (a, b) in zip(sorted, sorted.dropFirst()) { #expect(a.units <= b.units, "\(a) then \(b)") }
            let width = Double(barWidth * 8)
            let span = Double(decades.upperBound - decades.lowerBound)
            for bar in drawn {
                let expected = (log10(bar.norm) - Double(decades.lowerBound)) / span * width
                #expect(abs(Double(bar.units) - max(1, expected)) <= 0.5 + 1e-9, "\(bar)")
            }
        }
    }

    @Test("gradient norms: 0 before the first step, NaN and infinity are shown as such, without a bar")
    func zeroNanAndInfinity() {
        let entries = [("1 conv", 0.0), ("2 conv", Double.nan), ("3 linear", Double.infinity), ("4 linear", 0.004)]
            .map { TrainingGradientsView.Entry(name: $0.0, norm: $0.1) }
        let view = TrainingGradientsView(runs: [TrainingGradientsView.Run(label: nil, entries: entries, color: .cyan)])
        #expect(entries.map { view.valueText($0.norm) } == ["0", "nan", "inf", "4.0e-03"])
        #expect(entries.map { view.barUnits($0.norm, width: 20) }.prefix(3) == [0, 0, 0])
        #expect(view.barUnits(0.004, width: 20) >= 1)
        let buffer = Self.render(view, width: 40, height: 8)
        for (row, name) in ["1 conv", "2 conv", "3 linear"].enumerated() {
            #expect(buffer.line(row + 1).hasPrefix(name) && Self.drawnUnits(buffer, x: 9, y: row + 1) == 0)
        }
        #expect(buffer.line(2).contains("nan") && buffer.line(3).contains("inf"))
        // Before the first step every norm is 0: the axis is 1e-4 to 1e0 and no bar is drawn.
        let zero = TrainingGradientsView(runs: [TrainingGradientsView.Run(label: nil,
            snapshot: RecordedTraining.trainer().currentSnapshot(), color: .cyan)])
        #expect(zero.runs[0].entries.allSatisfy { $0.norm == 0 } && zero.decades == -4...0)
        let zeroText = Self.render(zero, width: 60, height: 8)
        #expect(zeroText.line(0).contains("1e-4") && zeroText.line(0).contains("1e0"))
        #expect(zeroText.lines.joined().filter { $0 == "█" }.isEmpty)
        // A norm far below the others is drawn at the axis's low end, marked.
        let tiny = TrainingGradientsView(runs: [TrainingGradientsView.Run(label: nil, entries: [
            TrainingGradientsView.Entry(name: "1 conv", norm: 1e-20), TrainingGradientsView.Entry(name: "2 conv", norm: 1)], color: .cyan)])
        #expect(tiny.decades == -8...0 && tiny.valueText(1e-20) == "<1.0e-20" && tiny.barUnits(1e-20, width: 10) == 1)
        // NaN everywhere (a diverged run) draws at every size, in every mode.
        let nan = TrainingGradientsView(runs: [TrainingGradientsView.Run(label: nil, snapshot: TrainingViewsTests.nanSnapshot, color: .cyan)])
        for (width, height) in TrainingViewsTests.sizes {
            for capabilities in [Self.colour, .plain] {
                TrainingViewsTests.expectDrawsInside("gradient norms", width: width, height: height, capabilities: capabilities) {
                    nan.render(in: $0, into: &$1, capabilities: capabilities)
                }
            }
        }
    }

    @Test("gradient norms: a list longer than the rows says how many more and where; ↑ and ↓ scroll it when focused")
    func scrolling() {
        let resnet = TrainingGradientsView.Run(label: nil, snapshot: NetworkRecording.resnet.stepSnapshot!, color: .cyan)
        #expect(resnet.entries.map(\.name) == ["1 conv", "4.1 conv", "4.4 conv", "6.1 conv", "6.4 conv", "6.shortcut.1 conv",
                                               "8.1 conv", "8.4 conv", "8.shortcut.1 conv", "11 linear"])
        let top = Self.render(TrainingGradientsView(runs: [resnet]), width: 50, height: 6)
        #expect(top.line(1).hasPrefix("1 conv") && top.line(4).hasPrefix("6.1 conv"))
        #expect(top.line(5).hasPrefix("… +6 more below (Enter zooms, ↑↓ scroll)"))
        let scrolled = Self.render(TrainingGradientsView(runs: [resnet], scroll: 3, zoomHint: nil), width: 50, height: 6)
        #expect(scrolled.line(1).hasPrefix("6.1 conv") && scrolled.line(5).hasPrefix("… 3 more above, +3 more below (↑↓ scroll)"))
        let end = Self.render(TrainingGradientsView(runs: [resnet], scroll: 99, zoomHint: nil), width: 50, height: 6)
        #expect(end.line(4).hasPrefix("11 linear") && end.line(5).hasPrefix("… 6 more above (↑↓ scroll)"))
        // On the screen: ↓ and ↑ move the list while the panel is focused, and say so otherwise.
        let (screen, _) = NetworkRecording.screen([.resnet])
        _ = screen.handle(.down)
        #expect(screen.gradientScroll == 0 && screen.status?.contains("Tab to focus them") == true)
        for _ in 0..<5 { _ = screen.handle(.tab) }
        #expect(screen.focus == .gradients)
        for _ in 0..<3 { _ = screen.handle(.down) }
        _ = screen.handle(.up)
        #expect(screen.gradientScroll == 2)
        let text = Snapshot.text(of: TrainingScreenTests.render(screen, width: 120, height: 40))
        #expect(text.contains("│4.4 conv ") && !text.contains("│4.1 conv ") && text.contains("… 2 more above, +"), "\(text)")
        for _ in 0..<40 { _ = screen.handle(.down) }
        #expect(screen.gradientScroll == 9)
    }

    // MARK: The screen with resnet-mini and a comparison

    @Test(arguments: [(80, 24), (120, 40)])
    func resnetSnapshots(size: (Int, Int)) throws {
        let (screen, _) = NetworkRecording.screen([.resnet])
        let buffer = TrainingScreenTests.render(screen, width: size.0, height: size.1)
        try Snapshot.expect(buffer, named: "training-resnet-mini-\(size.0)x\(size.1)-colour")
        let text = Snapshot.text(of: buffer)
        #expect(text.hasPrefix("Training resnet-mini · 77,754 parameters"))
        if size.0 == 80 {
            #expect(text.contains("Tab, Enter: filters · probe #") && text.contains(" · grad norms"))
            return
        }
        // The first convolution's sixteen 3x3 filters, the gradient norms of the first layers and
        // how many more, the probe's first stages and a line naming the others.
        #expect(text.contains("conv1 weights 16×3×3, ±"))
        #expect(text.contains("conv2 weights (no room: Enter zooms)"))
        for name in ["1 conv ", "4.1 conv ", "6.shortcut.1 conv "] { #expect(text.contains("│" + name), "\(name)") }
        #expect(text.contains("… +4 more below (Enter zooms)"))
        #expect(text.contains("input 28×28 and conv1: 16 maps 28×28, drawn at 4×4"))
        // A residual block and the ReLU after it are one picture: the block's output after the ReLU.
        #expect(text.contains("residual2: 32 maps 14×14, drawn at 2×2"))
        #expect(text.contains("residual3: 64 maps 7×7, 0 to ") && text.contains("(no room: Enter zooms)"))
    }

    @Test("resnet-mini zoomed: both convolutions' filters with their real shapes, every stage, every layer's norm")
    func resnetZoomed() {
        let (screen, _) = NetworkRecording.screen([.resnet])
        func zoomed(_ section: TrainingScreen.Section) -> String {
            while screen.focus != section { _ = screen.handle(.tab) }
            _ = screen.handle(.enter)
            defer { _ = screen.handle(.escape) }
            return Snapshot.text(of: TrainingScreenTests.render(screen, width: 120, height: 40))
        }
        let filters = zoomed(.filters)
        #expect(filters.contains("conv1 weights: 16 filters 3×3, scale ±"))
        #expect(filters.contains("conv2 (layer 4.1) weights: 16 filters 3×3, each the mean of its 16 channels, scale ±"))
        #expect(filters.contains("1   2   3   4   5   6   7   8   9   10  11  12  13  14  15  16"))
        let probe = zoomed(.probe)
        for (name, stage) in Network.Stage.pictured(NetworkRecording.resnet.snapshots.last!.probeStages) {
            let shape = stage.output.shape
            #expect(probe.contains("\(name): \(shape[1]) maps \(shape[2])×\(shape[3])"), "\(name)")
        }
        #expect(Network.Stage.pictured(NetworkRecording.resnet.snapshots.last!.probeStages).map(\.name) == ["conv1", "residual1", "residual2", "residual3"])
        let gradients = zoomed(.gradients)
        for entry in screen.gradientsView(zoomHint: nil).runs[0].entries { #expect(gradients.contains("│" + entry.name + " ")) }
        #expect(gradients.contains("vanishing gradients") && !gradients.contains("more below"))
    }

    @Test("plain-mini against resnet-mini: both runs' norms side by side on one scale")
    func compareNetworks() throws {
        let (screen, _) = NetworkRecording.screen([.plain, .resnet])
        let buffer = TrainingScreenTests.render(screen, width: 120, height: 40)
        try Snapshot.expect(buffer, named: "training-compare-networks-120x40-colour")
        let text = Snapshot.text(of: buffer)
        let headings = text.split(separator: "\n").first { $0.contains("plain-mini, step 10 (8 layers)") }
        #expect(headings?.contains("resnet-mini, step 10 (10 layers)") == true, "\(text)")
        #expect(text.contains("Gradient norms (log) ─") && !text.contains("Gradient norms (log) (plain"))
        let view = screen.gradientsView(zoomHint: nil)
        #expect(view.runs.map { $0.entries.count } == [8, 10])
        for run in view.runs {
            for entry in run.entries { #expect(text.contains(entry.name + " ") && text.contains(view.valueText(entry.norm))) }
        }
        // Zoomed at 80x24, both lists whole.
        for _ in 0..<5 { _ = screen.handle(.tab) }
        _ = screen.handle(.enter)
        let zoomed = Snapshot.text(of: TrainingScreenTests.render(screen, width: 80, height: 24))
        #expect(!zoomed.contains("more below") && zoomed.contains("11 linear") && zoomed.contains("23 linear"), "\(zoomed)")
    }

    // MARK: Filters of other shapes

    /// `snapshot` with its layers replaced.
    static func snapshot(_ snapshot: TrainingSnapshot, layers: [TrainingSnapshot.LayerState]) -> TrainingSnapshot {
        TrainingSnapshot(epoch: snapshot.epoch, step: snapshot.step, networkName: snapshot.networkName, layers: layers,
                         probeIndex: snapshot.probeIndex, probeLabel: snapshot.probeLabel, probeInput: snapshot.probeInput,
                         probeStages: snapshot.probeStages, probeProbabilities: snapshot.probeProbabilities, confusion: nil)
    }

    static func layer(_ label: String, _ shape: [Int]) -> TrainingSnapshot.LayerState {
        let count = shape.reduce(1, *)
        let weights = Tensor(shape: shape, data: (0..<count).map { Float($0 % 7 - 3) / 10 })
        return TrainingSnapshot.LayerState(label: label, kind: "conv", weights: weights, gradient: weights, gradientNorm: 1)
    }

    @Test("filters: one convolution says there is no conv2; none says there are no filters; depthwise and RGB say so")
    func filterShapes() {
        let base = NetworkRecording.resnet.snapshots.last!
        let linear = base.layers.last!
        func text(_ layers: [TrainingSnapshot.LayerState], width: Int = 120, height: Int = 40) -> String {
            let view = TrainingFiltersView(snapshot: Self.snapshot(base, layers: layers), showGradients: false)
            var buffer = CellBuffer(width: width, height: height)
            view.render(in: buffer.area, into: &buffer, capabilities: Self.colour)
            return buffer.lines.joined(separator: "\n")
        }
        let one = text([base.layers[0], linear])
        #expect(one.contains("conv1 weights: 16 filters 3×3") && one.contains("no conv2: resnet-mini has one convolution"))
        #expect(text([linear]).contains("resnet-mini has no convolution: no filters to draw"))
        let depthwise = text([base.layers[0], Self.layer("4", [16, 1, 3, 3]), linear])
        #expect(depthwise.contains("conv2 weights: 16 filters (across) × 1 channel each (depthwise) (down), 3×3"), "\(depthwise)")
        let rgb = text([Self.layer("1", [8, 3, 5, 5]), Self.layer("3", [4, 8, 1, 1]), linear])
        #expect(rgb.contains("conv1 weights: 8 filters 5×5, each the mean of its 3 channels"))
        #expect(rgb.contains("conv2 weights: 4 filters (across) × 8 channels (down), 1×1"))
        // Short of rows, conv1 in several rows keeps a line for conv2 rather than hide it.
        let short = text(base.layers, width: 37, height: 8)
        #expect(short.contains("conv2 weights (no room"), "\(short)")
    }
}
