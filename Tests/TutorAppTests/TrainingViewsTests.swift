import ConvKernels
import TerminalUI
import Testing
@testable import Training
@testable import TutorApp
import Networks
import Datasets

/// The live training screen's three views, drawn from a real run: LeNet-5 trained for a few steps
/// on the built-in digits, on one thread with a fixed seed.
@Suite("Training views")
struct TrainingViewsTests {
    /// A snapshot taken after a step (gradients set), the one after the epoch (confusion set) and the epoch's report.
    static let run: (stepSnapshot: TrainingSnapshot, epochSnapshot: TrainingSnapshot, report: EpochReport) = {
        let (train, test) = SyntheticDigits.make(trainCount: 500, testCount: 100, seed: 21)
        let data = TrainingData(source: .builtInDigits(seed: 21), train: train, test: test)
        var configuration = TrainingConfiguration()
        configuration.epochs = 1
        configuration.batchSize = 50
        configuration.threads = 1
        configuration.validationCount = 200
        configuration.trainingSubset = 150
        configuration.seed = 9
        configuration.learningRate = 1e-3
        configuration.schedule = .perEpoch(.constant)
        configuration.warmupSteps = 0
        configuration.snapshotInterval = 0
        do {
            var trainer = try Trainer(configuration: configuration, data: data)
            var snapshots: [TrainingSnapshot] = []
            var reports: [EpochReport] = []
            _ = trainer.run(emit: { if case .epoch(let report) = $0 { reports.append(report) } },
                            snapshot: { snapshots.append($0) })
            guard let report = reports.last, let last = snapshots.last,
                  let step = snapshots.last(where: { $0.confusion == nil }) else {
                preconditionFailure("the run gave \(reports.count) reports and \(snapshots.count) snapshots")
            }
            return (step, last, report)
        } catch {
            preconditionFailure("a trainer on the built-in digits: \(error)")
        }
    }()

    static let colour = TerminalCapabilities(colors: .palette256, glyphs: .unicode)
    static let sizes: [(Int, Int)] = [(0, 0), (1, 1), (2, 5), (10, 3), (30, 8), (40, 12), (60, 20), (80, 24),
                                      (100, 30), (120, 40), (200, 60)]

    static func render(_ draw: (Rect, inout CellBuffer) -> Void, width: Int, height: Int) -> CellBuffer {
        var buffer = CellBuffer(width: width, height: height)
        draw(buffer.area, &buffer)
        return buffer
    }

    /// Draws into the middle of a larger buffer filled with `@` and checks nothing outside the area changed.
    static func expectDrawsInside(_ name: String, width: Int, height: Int, capabilities: TerminalCapabilities,
                                  _ draw: (Rect, inout CellBuffer) -> Void) {
        var buffer = CellBuffer(width: width + 4, height: height + 4, filling: Cell("@"))
        let area = Rect(x: 2, y: 2, width: width, height: height)
        draw(area, &buffer)
        for y in 0..<buffer.height {
            for x in 0..<buffer.width where !area.contains(x: x, y: y) {
                if buffer[x, y] != Cell("@") {
                    Issue.record("\(name) at \(width)x\(height) drew at (\(x), \(y)) outside \(area)")
                    return
                }
            }
        }
    }

    // MARK: Filters

    @Test("filters: conv1 and conv2 labelled, with the layer's scale, weights or gradients")
    func filtersText() {
        let view = TrainingFiltersView(snapshot: Self.run.stepSnapshot, showGradients: false)
        let text = Self.render({ view.render(in: $0, into: &$1, capabilities: Self.colour) }, width: 120, height: 40)
            .lines.joined(separator: "\n")
        let scale1 = TrainingViewDrawing.format(view.conv1Range.upper)
        #expect(text.contains("conv1 weights: 6 filters 5×5, scale ±\(scale1)"))
        #expect(text.contains("conv2 weights: 16 filters (across) × 6 channels (down)"))
        let numbers = Self.render({ view.render(in: $0, into: &$1, capabilities: Self.colour) }, width: 120, height: 40)
            .line(1)
        #expect(numbers.hasPrefix("1     2     3     4     5     6"))
        let gradients = TrainingFiltersView(snapshot: Self.run.stepSnapshot, showGradients: true)
        let gradientText = Self.render({ gradients.render(in: $0, into: &$1, capabilities: Self.colour) },
                                       width: 120, height: 40).lines.joined(separator: "\n")
        #expect(gradientText.contains("conv1 gradient: 6 filters 5×5, scale ±"
            + TrainingViewDrawing.format(gradients.conv1Range.upper)))
        #expect(gradientText.contains("conv2 gradient"))
        // At an epoch's end no step has run since: the snapshot carries the last step's gradients.
        let atEpochEnd = TrainingFiltersView(snapshot: Self.run.epochSnapshot, showGradients: true)
        #expect(Self.run.epochSnapshot.step == Self.run.stepSnapshot.step)
        #expect(atEpochEnd.conv1.data == gradients.conv1.data && atEpochEnd.conv2.data == gradients.conv2.data)
        #expect(atEpochEnd.conv1.data.contains { $0 != 0 })
        // Before the first step there are none: all 0, and the title says so.
        let untrained = TrainingFiltersView(snapshot: RecordedTraining.trainer().currentSnapshot(), showGradients: true)
        #expect(untrained.conv1.data.allSatisfy { $0 == 0 })
        let zeroText = Self.render({ untrained.render(in: $0, into: &$1, capabilities: Self.colour) }, width: 120, height: 40)
        #expect(zeroText.line(0).hasPrefix("conv1 gradient: 6 filters 5×5, scale all 0"))
    }

    @Test("filters: one scale per layer, symmetric about 0, shared by every filter; the cells drawn with it")
    func filtersShareScale() {
        let snapshot = Self.run.stepSnapshot
        let view = TrainingFiltersView(snapshot: snapshot, showGradients: false)
        let magnitude1 = snapshot.convolutions[0].weights.data.map(abs).max() ?? 0
        let magnitude2 = snapshot.convolutions[1].weights.data.map(abs).max() ?? 0
        #expect(view.conv1Range == ValueRange(lower: -magnitude1, upper: magnitude1))
        #expect(view.conv2Range == ValueRange(lower: -magnitude2, upper: magnitude2))
        #expect(view.conv1Maps.count == 6 && view.conv1Maps.allSatisfy { $0.range == view.conv1Range && $0.scale == .diverging })
        #expect(view.conv2Maps.count == 96 && view.conv2Maps.allSatisfy { $0.range == view.conv2Range })
        // Each filter's cells have the colours of the shared mapping (▀: upper value on lower value).
        let buffer = Self.render({ view.render(in: $0, into: &$1, capabilities: Self.colour) }, width: 120, height: 40)
        let mapping = ColorMapping(scale: .diverging, range: view.conv1Range)
        for filter in 0..<6 {
            for row in stride(from: 0, to: 4, by: 2) {
                for column in 0..<5 {
                    let cell = buffer[filter * 6 + column, 2 + row / 2]
                    let upper = snapshot.convolutions[0].weights[filter, 0, row, column]
                    let lower = snapshot.convolutions[0].weights[filter, 0, row + 1, column]
                    #expect(cell.character == "▀")
                    #expect(cell.style.foreground == mapping.color(for: upper, mode: .palette256))
                    #expect(cell.style.background == mapping.color(for: lower, mode: .palette256))
                }
            }
        }
    }

    @Test("filters: a colour key for each layer beside conv1's maps, from -m to m")
    func filtersLegend() {
        let view = TrainingFiltersView(snapshot: Self.run.stepSnapshot, showGradients: false)
        let buffer = Self.render({ view.render(in: $0, into: &$1, capabilities: Self.colour) }, width: 120, height: 40)
        let conv1Key = Legend(scale: .diverging, range: view.conv1Range)
        let conv2Key = Legend(scale: .diverging, range: view.conv2Range)
        #expect(String(buffer.line(2).dropFirst(38)).hasPrefix("conv1 \(conv1Key.label(view.conv1Range.lower)) "))
        #expect(String(buffer.line(3).dropFirst(38)).hasPrefix("conv2 \(conv2Key.label(view.conv2Range.lower)) "))
        #expect(buffer.line(2).contains(" 0 ") && buffer.line(2).hasSuffix(conv1Key.label(view.conv1Range.upper)
            + String(repeating: " ", count: 120 - 78)))
    }

    @Test("filters: gradients toggle shows the gradient tensors, on their own scale")
    func gradientsToggle() {
        let snapshot = Self.run.stepSnapshot
        let weights = TrainingFiltersView(snapshot: snapshot, showGradients: false)
        let gradients = TrainingFiltersView(snapshot: snapshot, showGradients: true)
        #expect(gradients.conv1.data == snapshot.convolutions[0].gradient.data && gradients.conv2.data == snapshot.convolutions[1].gradient.data)
        #expect(weights.conv1.data == snapshot.convolutions[0].weights.data)
        #expect(snapshot.convolutions[0].gradient.data.contains { $0 != 0 }, "a step's snapshot carries the step's gradients")
        #expect(gradients.conv1Range != weights.conv1Range)
        let a = Self.render({ weights.render(in: $0, into: &$1, capabilities: Self.colour) }, width: 120, height: 40)
        let b = Self.render({ gradients.render(in: $0, into: &$1, capabilities: Self.colour) }, width: 120, height: 40)
        #expect(a != b)
    }

    @Test("filters: conv2 drops to each filter's channel mean (5x5 pictures, labelled so), then to a line, when space is short")
    func filtersDegrade() {
        #expect(TrainingFiltersView.conv2Layout(width: 120, height: 30, capabilities: Self.colour, filters: 16, channels: 6, kernel: 5) == .full(filtersAcross: true))
        #expect(TrainingFiltersView.conv2Layout(width: 45, height: 60, capabilities: Self.colour, filters: 16, channels: 6, kernel: 5) == .full(filtersAcross: false))
        #expect(TrainingFiltersView.conv2Layout(width: 60, height: 12, capabilities: Self.colour, filters: 16, channels: 6, kernel: 5) == .channelMeans(perRow: 10))
        #expect(TrainingFiltersView.conv2Layout(width: 60, height: 4, capabilities: Self.colour, filters: 16, channels: 6, kernel: 5) == .summary)
        // One value per cell: each 5x5 filter is 10 cells wide and 5 rows tall.
        #expect(TrainingFiltersView.conv2Layout(width: 120, height: 30, capabilities: .plain, filters: 16, channels: 6, kernel: 5) == .channelMeans(perRow: 11))
        let view = TrainingFiltersView(snapshot: Self.run.stepSnapshot, showGradients: false)
        let small = Self.render({ view.render(in: $0, into: &$1, capabilities: Self.colour) }, width: 60, height: 17)
        #expect(small.lines.joined(separator: " ").contains("conv2 weights: 16 filters 5×5, each the mean of its 6 channels"))
        // The means are drawn on their own scale, the largest magnitude of any filter's mean.
        let weights = Self.run.stepSnapshot.convolutions[1].weights.data
        var largestMean: Float = 0
        for filter in 0..<16 {
            for index in 0..<25 {
                var mean: Float = 0
                for channel in 0..<6 { mean += weights[(filter * 6 + channel) * 25 + index] / 6 }
                largestMean = max(largestMean, abs(mean))
            }
        }
        #expect(small.lines.joined(separator: " ").contains("scale ±\(TrainingViewDrawing.format(largestMean)); all 96: Enter zooms"))
        let tiny = Self.render({ view.render(in: $0, into: &$1, capabilities: Self.colour) }, width: 100, height: 8)
        #expect(tiny.lines.joined().contains("conv2 weights (no room: Enter zooms) ±"
            + "\(TrainingViewDrawing.format(view.conv2Range.upper)), mean |x| "))
        let flat = Self.render({ view.render(in: $0, into: &$1, capabilities: Self.colour) }, width: 100, height: 4)
        #expect(flat.line(1).hasPrefix("6 filters (no room: Enter zooms) ±\(TrainingViewDrawing.format(view.conv1Range.upper))"))
        // Zoomed there is nowhere larger to go: the line says only that there is no room.
        let zoomed = TrainingFiltersView(snapshot: Self.run.stepSnapshot, showGradients: false, zoomHint: nil)
        let flatZoomed = Self.render({ zoomed.render(in: $0, into: &$1, capabilities: Self.colour) }, width: 100, height: 4)
        #expect(flatZoomed.line(1).hasPrefix("6 filters (no room) ±"))
    }

    @Test("filters: in a wide, short area conv2 goes beside conv1 when that gives it more")
    func filtersBeside() {
        let view = TrainingFiltersView(snapshot: Self.run.stepSnapshot, showGradients: false)
        let buffer = Self.render({ view.render(in: $0, into: &$1, capabilities: Self.colour) }, width: 140, height: 7)
        #expect(String(buffer.line(1).dropFirst(38)).hasPrefix("conv2 weights: 16 filters 5×5, each the mean"))
        #expect(buffer.line(1).hasPrefix("1     2     3     4     5     6   "))
    }

    @Test("filters: with one value per cell each filter keeps its shape, 10 cells by 5 rows")
    func filtersInASCII() {
        let view = TrainingFiltersView(snapshot: Self.run.stepSnapshot, showGradients: false)
        let colours = TerminalCapabilities(colors: .palette256, glyphs: .ascii)
        let buffer = Self.render({ view.render(in: $0, into: &$1, capabilities: colours) }, width: 80, height: 30)
        // conv1's first filter: 10 coloured cells across, 5 rows down, then a gap.
        for row in 2..<7 {
            #expect((0..<10).allSatisfy { buffer[$0, row].style.background != .terminalDefault }, "row \(row)")
            #expect(buffer[10, row].style.background == .terminalDefault)
        }
        #expect(buffer[0, 7].style.background == .terminalDefault)
    }

    // MARK: Probe

    @Test("probe: wide, every probability on one line, the digit beside conv1's maps at one size, the size drawn named")
    func probeWide() {
        let view = TrainingProbeView(snapshot: Self.run.epochSnapshot)
        let buffer = Self.render({ view.render(in: $0, into: &$1, capabilities: Self.colour) }, width: 100, height: 20)
        #expect(buffer.line(1).hasPrefix(view.probabilitiesLine))
        #expect(view.probabilitiesLine.hasPrefix("softmax 0:") && view.probabilitiesLine.contains("\(Self.run.epochSnapshot.probeLabel)*:"))
        // The band's title names the size every picture in it is drawn at; the pictures are that wide.
        let title = buffer.line(2)
        let match = title.firstMatch(of: #/^input 28×28 and conv1: 6 maps 28×28, drawn at (\d+)×(\d+), /#)
        #expect(match != nil, "\(title)")
        let drawn = Int(match?.1 ?? "") ?? 0
        #expect(drawn > 0 && drawn < 28 && drawn % 2 == 0)
        #expect((0..<drawn).allSatisfy { buffer[$0, 3].character == "▀" } && buffer[drawn, 3].character == " ")
        // Seven pictures: the digit and conv1's six.
        #expect((0..<7).allSatisfy { buffer[$0 * (drawn + 1), 3].character == "▀" })
        // pool1 at exactly half conv1's size.
        let pool1Row = (0..<buffer.height).first { buffer.line($0).hasPrefix("pool1:") } ?? 0
        #expect(buffer.line(pool1Row).hasPrefix("pool1: 6 maps 14×14, drawn at \(drawn / 2)×\(drawn / 2), "))
    }

    @Test("probe: the bars are the softmax (summing to 1), the label marked, the prediction named")
    func probe() {
        let snapshot = Self.run.epochSnapshot
        let view = TrainingProbeView(snapshot: snapshot)
        let bars = view.probabilityBars
        #expect(bars.bars.count == 10)
        #expect(abs(bars.bars.reduce(0) { $0 + $1.value } - 1) < 1e-4)
        #expect(bars.bars[snapshot.probeLabel].label == "\(snapshot.probeLabel)*")
        #expect(bars.bars.filter { $0.label.hasSuffix("*") }.count == 1)
        let predicted = snapshot.probeProbabilities.indices.max { snapshot.probeProbabilities[$0] < snapshot.probeProbabilities[$1] }
        #expect(view.prediction == predicted)
        #expect(bars.largestIndex == predicted, "the prediction's bar is the highlighted one")
        // Narrow: the digit, the bars and the maps stacked.
        let buffer = Self.render({ view.render(in: $0, into: &$1, capabilities: Self.colour) }, width: 50, height: 60)
        let text = buffer.lines.joined(separator: "\n")
        #expect(buffer.line(0).hasPrefix("probe image #\(snapshot.probeIndex): label \(snapshot.probeLabel), predicted \(view.prediction)"))
        #expect(text.contains("softmax (* label \(snapshot.probeLabel))"))
        #expect(text.contains("\(snapshot.probeLabel)* "))
        for (name, stage) in Network.Stage.pictured(snapshot.probeStages) {
            let output = stage.output
            let title = "\(name): \(output.shape[1]) maps \(output.shape[2])×\(output.shape[3])"
            #expect(text.contains(title), "\(title) in\n\(text)")
        }
        let layers = view.layers
        #expect(layers.map(\.name) == ["conv1", "pool1", "conv2", "pool2"])
        #expect(layers.map { $0.output.shape[1] } == [6, 6, 16, 16])
        for layer in layers { #expect(layer.maps.allSatisfy { $0.range == layer.range }) }
    }

    // MARK: Confusion

    @Test("confusion: the matrix counts every validation image, precision, recall and pairs agree with it")
    func confusion() {
        let report = Self.run.report
        let view = TrainingConfusionView(report: report)
        let matrix = view.matrix
        #expect(matrix.counts.flatMap { $0 }.reduce(0, +) == report.confusion.total)
        #expect(report.confusion.total == 200)
        #expect((0..<10).map { matrix.counts[$0][$0] }.reduce(0, +) == report.confusion.correct)
        let buffer = Self.render({ view.render(in: $0, into: &$1, capabilities: Self.colour) }, width: 200, height: 60)
        let text = buffer.lines.joined(separator: "\n")
        #expect(buffer.line(0).hasPrefix("validation after epoch 1: "))
        #expect(buffer.line(0).contains("\(report.confusion.correct) of 200"))
        #expect(text.contains("prec%  rec%") && text.contains("most confused"))
        for line in view.precisionRecallLines.dropFirst() { #expect(text.contains(line)) }
        for pair in report.confusion.mostConfused(limit: 5) {
            #expect(text.contains("\(pair.actual) → \(pair.predicted)  ×\(pair.count)"))
        }
        // The gallery: every kept mistake with its caption.
        #expect(!report.misclassified.isEmpty, "three steps leave mistakes")
        #expect(text.contains("misclassified (true → predicted), first \(report.misclassified.count)"))
        for example in report.misclassified { #expect(text.contains("\(example.label) → \(example.predicted)")) }
        // Narrow: a line of pairs instead of pictures when even small digits do not fit.
        let short = Self.render({ view.render(in: $0, into: &$1, capabilities: Self.colour) }, width: 200, height: 17)
        #expect(short.lines.joined().contains("misclassified: \(report.misclassified[0].label) → "))
    }

    /// The step snapshot with every weight, gradient, activation and probability NaN (a diverged run).
    static var nanSnapshot: TrainingSnapshot {
        let s = run.stepSnapshot
        func nan(_ tensor: Tensor) -> Tensor { Tensor(repeating: .nan, shape: tensor.shape) }
        let layers = s.layers.map { layer in
            TrainingSnapshot.LayerState(label: layer.label, kind: layer.kind, weights: nan(layer.weights),
                                        gradient: nan(layer.gradient), gradientNorm: .nan)
        }
        let stages = s.probeStages.map { Network.Stage(label: $0.label, kind: $0.kind, isElementwise: $0.isElementwise, output: nan($0.output)) }
        return TrainingSnapshot(epoch: s.epoch, step: s.step, networkName: s.networkName, layers: layers,
                                probeIndex: s.probeIndex, probeLabel: s.probeLabel, probeInput: nan(s.probeInput),
                                probeStages: stages, probeProbabilities: Array(repeating: .nan, count: 10), confusion: nil)
    }

    @Test("NaN everywhere (a diverged run) draws without crashing, in every size and mode")
    func nanValues() {
        let snapshot = Self.nanSnapshot
        for (width, height) in Self.sizes {
            for capabilities in [Self.colour, .plain] {
                Self.expectDrawsInside("filters", width: width, height: height, capabilities: capabilities) {
                    TrainingFiltersView(snapshot: snapshot, showGradients: true).render(in: $0, into: &$1, capabilities: capabilities)
                }
                Self.expectDrawsInside("probe", width: width, height: height, capabilities: capabilities) {
                    TrainingProbeView(snapshot: snapshot).render(in: $0, into: &$1, capabilities: capabilities)
                }
            }
        }
        let probe = Self.render({ TrainingProbeView(snapshot: snapshot).render(in: $0, into: &$1, capabilities: Self.colour) },
                                width: 100, height: 30)
        #expect(probe.line(0).contains("(nan, "))
    }

    // MARK: Every size, ASCII

    @Test("each view draws only inside its area at every size from 0x0 to 200x60, in colour, monochrome and ASCII")
    func sizes() {
        let views: [(String, (Rect, inout CellBuffer, TerminalCapabilities) -> Void)] = [
            ("filters", { TrainingFiltersView(snapshot: Self.run.stepSnapshot, showGradients: false).render(in: $0, into: &$1, capabilities: $2) }),
            ("gradients", { TrainingFiltersView(snapshot: Self.run.stepSnapshot, showGradients: true).render(in: $0, into: &$1, capabilities: $2) }),
            ("probe", { TrainingProbeView(snapshot: Self.run.epochSnapshot).render(in: $0, into: &$1, capabilities: $2) }),
            ("confusion", { TrainingConfusionView(report: Self.run.report).render(in: $0, into: &$1, capabilities: $2) }),
        ]
        let capabilities = [Self.colour, TerminalCapabilities(colors: .monochrome, glyphs: .unicode), .plain]
        for (name, draw) in views {
            for (width, height) in Self.sizes {
                for capability in capabilities {
                    Self.expectDrawsInside(name, width: width, height: height, capabilities: capability) {
                        draw($0, &$1, capability)
                    }
                }
            }
        }
    }

    @Test("in ASCII every view writes ASCII only, and keeps its labels")
    func ascii() {
        let filters = Self.render({ TrainingFiltersView(snapshot: Self.run.stepSnapshot, showGradients: false)
            .render(in: $0, into: &$1, capabilities: .plain) }, width: 120, height: 60)
        let probe = Self.render({ TrainingProbeView(snapshot: Self.run.epochSnapshot)
            .render(in: $0, into: &$1, capabilities: .plain) }, width: 120, height: 60)
        let confusion = Self.render({ TrainingConfusionView(report: Self.run.report)
            .render(in: $0, into: &$1, capabilities: .plain) }, width: 200, height: 60)
        for buffer in [filters, probe, confusion] {
            let text = buffer.lines.joined(separator: "\n")
            #expect(text.unicodeScalars.allSatisfy { $0.isASCII }, "non-ASCII in\n\(text)")
        }
        #expect(filters.lines.joined().contains("conv1 weights: 6 filters 5x5"))
        let pool2 = Self.run.epochSnapshot.probeStages[5].output.shape
        #expect(probe.lines.joined().contains("pool2: 16 maps \(pool2[2])x\(pool2[3])"))
        #expect(confusion.lines.joined().contains("misclassified (true -> predicted)"))
    }
}
