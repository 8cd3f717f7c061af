import TerminalUI
import Training
import Networks
import Datasets

extension TrainingScreen {
    // MARK: Text

    /// "anneal (cosine to a tenth over epoch 1, then to 0)", "step x0.5 every 3 epochs", with the warm-up.
    static func scheduleText(_ configuration: TrainingConfiguration) -> String {
        var text: String
        switch configuration.schedule {
        case .anneal: text = "anneal"
        case .perEpoch(let schedule):
            switch schedule {
            case .constant: text = "constant"
            case .step(let every, let factor): text = "step x\(scaleText(factor)) every \(every) epoch\(every == 1 ? "" : "s")"
            case .exponential(let factor): text = "exponential x\(scaleText(factor))/epoch"
            case .cosine(let epochs, let minimum):
                text = "cosine to \(scaleText(minimum)) over \(epochs) epoch\(epochs == 1 ? "" : "s")"
            }
        }
        if configuration.warmupSteps > 0 { text += ", \(configuration.warmupSteps) warm-up steps" }
        return text
    }

    /// "lenet5 · 61,706 parameters · MNIST 55,000 train / 5,000 val / 10,000 test".
    func modelLine(_ index: Int, withDataset: Bool = true) -> String {
        let run = runs[index]
        var options: [String] = []
        let configuration = run.trainer.configuration
        if configuration.dropout > 0 { options.append("dropout \(Self.scaleText(configuration.dropout))") }
        if configuration.batchNorm { options.append("batch norm") }
        if configuration.augmentation != nil { options.append("augmented") }
        let variant = configuration.architecture.name
            + (options.isEmpty ? "" : " (" + options.joined(separator: ", ") + ")")
        let parameters = ProgressBar.groupedCount(run.trainer.network.parameterCount) + " parameters"
        return ([variant, parameters] + (withDataset ? [run.dataset] : [])).joined(separator: " · ")
    }

    /// "adam · lr 0.003 anneal, 100 warm-up steps · batch 32 · 2 threads".
    func recipeLine(_ index: Int) -> String {
        let configuration = runs[index].trainer.configuration
        var rate = "lr \(Self.scaleText(configuration.baseLearningRate)) \(Self.scheduleText(configuration))"
        if learningRateScale != 1 { rate += " (x\(Self.scaleText(learningRateScale)) by +/-)" }
        return [configuration.optimizer.rawValue, rate, "batch \(configuration.batchSize)",
                "\(configuration.threads) thread\(configuration.threads == 1 ? "" : "s")"].joined(separator: " · ")
    }

    /// The header's lines: model and recipe for one run; for two, one line per run and the data.
    var headerLines: [String] {
        guard !runs.isEmpty else { return ["no run to show"] }
        if runs.count == 1 { return [modelLine(0), recipeLine(0)] }
        // One line per run with what sets it apart, then the data when the runs share it.
        let sameData = Set(runs.map(\.dataset)).count == 1
        var lines = runs.indices.map { index in
            "\(runs[index].label): " + modelLine(index, withDataset: !sameData) + " · " + recipeLine(index)
        }
        if sameData { lines.append("both on " + runs[0].dataset) }
        return lines
    }

    /// The line under the progress: the confirmation, the divergence, how the run ended, or the last key's effect.
    var bannerLine: (text: String, isAlarm: Bool)? {
        if confirmingStop {
            let single = runs.count == 1 ? runs[0].savePath : nil
            return (pendingSaves.isEmpty
                        ? (single.map { "Stop and write \($0)? y writes it, n does not (Esc keeps training)" }
                           ?? "Save a checkpoint before stopping? y/n (Esc keeps training)")
                        : "A checkpoint is being saved; stop after it? y saves the rest too, n stops after it", true)
        }
        for run in dashboard.runs {
            if let divergence = run.divergence {
                let who = runs.count > 1 ? "\(run.label): " : ""
                return ("\(who)the loss diverged at step \(ProgressBar.groupedCount(divergence.step)); the curves stop "
                    + "there. Try a learning rate below \(Self.scaleText(divergence.suggestedLearningRate))"
                    + (canRestart ? " (r restarts with a new seed)" : ""), true)
            }
        }
        if let status {
            // A pause stays on screen whatever else the last key said.
            if paused && !runHasEnded && !status.contains("paused") {
                return (status + " · paused: s steps once, p resumes", false)
            }
            return (status, false)
        }
        if dashboard.isFinished, let outcome = dashboard.runs.first?.outcome {
            return (runs.count > 1 ? "both runs ended" : outcome.message, false)
        }
        if paused { return ("paused: s steps once, p resumes", false) }
        return nil
    }

    /// "epoch 2/10", "batch 812/1,719" with their details, for run `index`.
    func progressBars(_ index: Int) -> [ProgressBar] {
        let run = dashboard.runs[index]
        let prefix = runs.count > 1 ? run.label + " " : ""
        let epochs = max(1, run.epochCount)
        let elapsed = ProgressBar.durationText(seconds: run.elapsed(at: now)) + (run.isPaused && !run.isFinished ? " paused" : "")
        let eta = run.estimatedSecondsLeft.map { ProgressBar.durationText(seconds: $0) } ?? "-:--"
        let epochBar = ProgressBar(label: prefix + "epoch \(run.currentEpoch)/\(epochs)", fraction: run.runFraction,
                                   detail: "elapsed \(elapsed)  ETA \(eta)")
        let rate = run.imagesPerSecond > 0 ? ProgressBar.rateText(run.imagesPerSecond, unit: "img/s") : "- img/s"
        let batchBar = ProgressBar(label: prefix + "batch " + ProgressBar.groupedCount(run.batchesDone) + "/"
                                       + ProgressBar.groupedCount(run.stepsPerEpoch),
                                   fraction: run.epochFraction, detail: rate)
        return [epochBar, batchBar]
    }

    /// "test accuracy: epoch 1 97.8%  epoch 2 98.4%" (per run when comparing).
    var testAccuracyLines: [String] {
        dashboard.runs.map { run in
            let prefix = runs.count > 1 ? "\(run.label) test:" : "test accuracy:"
            guard !run.epochs.isEmpty else { return prefix + " after the first epoch" }
            return prefix + run.epochs.map { " epoch \($0.epoch) " + OverfittingPanel.percent($0.testAccuracy) }
                .joined(separator: " ")
        }
    }

    // MARK: Charts

    /// Each run's (train, validation) colours: bright ones, readable on a dark background as on a
    /// light one (the validation curve was dark blue, nearly invisible on black).
    static let runColours: [(TerminalColor, TerminalColor)] = [(.cyan, .indexed(13)), (.yellow, .indexed(9))]  // 13 bright magenta, 9 bright red

    /// Training loss over steps: raw (dim) and smoothed for one run; each run's smoothed loss when comparing.
    var lossChart: LineChart {
        var series: [LineChart.Series] = []
        for (index, run) in dashboard.runs.enumerated() {
            let colours = Self.runColours[index % Self.runColours.count]
            if runs.count == 1 {
                series.append(LineChart.Series("raw", x: run.loss.steps, y: run.loss.values, color: .brightBlack,
                                               marker: "."))
                series.append(LineChart.Series("smoothed", x: run.smoothedLoss.steps, y: run.smoothedLoss.values,
                                               color: colours.0, marker: "*"))
            } else {
                series.append(LineChart.Series(run.label, x: run.smoothedLoss.steps, y: run.smoothedLoss.values,
                                               color: colours.0, marker: index == 0 ? "*" : "o"))
            }
        }
        return LineChart(series: series, xAxis: stepAxis, yAxis: LineChart.Axis(scale: lossScale), xTitle: "step")
    }

    /// Linear, or logarithmic when the highest loss is more than 1,000 times the median (a loss
    /// blowing up before it diverges would otherwise flatten everything before it). A batch
    /// learned almost perfectly (a loss of 1e-5) is no reason for a log axis: the median, not
    /// the lowest, is the measure.
    var lossScale: LineChart.Axis.Scale {
        let values = dashboard.runs.flatMap(\.loss.values).filter { $0.isFinite && $0 > 0 }.sorted()
        guard let highest = values.last else { return .linear }
        let median = values[values.count / 2]
        return highest / median > 1_000 ? .logarithmic : .linear
    }

    /// Train accuracy (averaged over batches) and validation accuracy at each epoch's end, over steps.
    var accuracyChart: LineChart {
        var series: [LineChart.Series] = []
        for (index, run) in dashboard.runs.enumerated() {
            let colours = Self.runColours[index % Self.runColours.count]
            let prefix = runs.count > 1 ? run.label + " " : ""
            series.append(LineChart.Series(prefix + "train", x: run.trainAccuracy.steps, y: run.trainAccuracy.values,
                                           color: colours.0, marker: index == 0 ? "*" : "o"))
            series.append(LineChart.Series(prefix + "val", x: run.validationAccuracy.steps,
                                           y: run.validationAccuracy.values, color: colours.1,
                                           marker: index == 0 ? "+" : "x"))
        }
        return LineChart(series: series, xAxis: stepAxis,
                         yAxis: LineChart.Axis(bounds: .fixed(accuracyLowerBound...1), format: .percent), xTitle: "step")
    }

    /// The accuracy axis starts at 0 until the accuracies worth reading (every validation point
    /// and the later half of the train curve) are all high; then it starts at 50%, 80% or 90%,
    /// at least 5 points below the lowest of them, so 98% and 99% are told apart. The first
    /// steps' low values then run off the bottom.
    var accuracyLowerBound: Double {
        var recent: [Double] = []
        for run in dashboard.runs {
            recent += run.validationAccuracy.values
            recent += run.trainAccuracy.values.suffix(run.trainAccuracy.values.count / 2)
        }
        guard let lowest = recent.min(), lowest.isFinite else { return 0 }
        // Round numbers only, so the axis's lowest tick is labelled.
        return [0.9, 0.8, 0.5].first { lowest - 0.05 >= $0 } ?? 0
    }

    /// Where each run's validation points fall in the accuracy chart's `plot` area, in cells: the
    /// chart's own mapping (its axes are fixed, so the same arithmetic), points off the axis left out.
    func validationPointCells(plot: Rect, capabilities: TerminalCapabilities) -> [[(x: Int, y: Int)]] {
        guard !plot.isEmpty else { return dashboard.runs.map { _ in [] } }
        let unicode = capabilities.glyphs == .unicode
        let (dotsAcross, dotsDown) = unicode ? (plot.width * 2, plot.height * 4) : (plot.width, plot.height)
        let xUpper: Double
        if case .fixed(let range) = stepAxis.bounds { xUpper = range.upperBound } else { xUpper = 10 }
        let yLower = accuracyLowerBound
        return dashboard.runs.map { run in
            zip(run.validationAccuracy.steps, run.validationAccuracy.values).compactMap { step, value in
                guard value.isFinite, value >= yLower, value <= 1, step >= 0, step <= xUpper else { return nil }
                let xDot = Int((step / xUpper * Double(dotsAcross - 1)).rounded())
                let yDot = Int(((1 - value) / (1 - yLower) * Double(dotsDown - 1)).rounded())
                return (plot.x + xDot / (unicode ? 2 : 1), plot.y + yDot / (unicode ? 4 : 1))
            }
        }
    }

    /// A large dot (`●`, or the series' marker in ASCII) on each validation point: one point an
    /// epoch is too few for a Braille line to be seen.
    func drawValidationPoints(in plot: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        for (index, cells) in validationPointCells(plot: plot, capabilities: capabilities).enumerated() {
            let colour = Self.runColours[index % Self.runColours.count].1
            let style = capabilities.colors == .monochrome ? Style(attributes: .bold)
                : Style(foreground: colour, attributes: .bold)
            let mark = capabilities.glyphs == .unicode ? "●" : (index == 0 ? "+" : "x")
            for cell in cells where plot.contains(x: cell.x, y: cell.y) {
                buffer.write(mark, x: cell.x, y: cell.y, style: style, clip: plot)
            }
        }
    }

    /// Steps from 0 to the furthest run's (at least 10, so early ticks are whole steps).
    var stepAxis: LineChart.Axis {
        let furthest = dashboard.runs.map(\.stepsTaken).max() ?? 0
        return LineChart.Axis(bounds: .fixed(0...Double(max(10, furthest))))
    }

    // MARK: Drawing

    /// Draws the whole screen (`render` calls it when something changed since the last frame).
    /// No outer frame: every row goes to the training. The title leads the header; the footer
    /// always ends with how to stop and get help.
    ///
    /// Three layouts by size: small (80x24: the curves side by side, the progress, a line naming
    /// the panels Tab and Enter show, the keys), medium (100x30: the curves over the gradient
    /// norms on the left, the filters, probe and confusion panels on the right) and large (120x40,
    /// the README's size: loss, accuracy and the confusion matrix across the top, the probe and
    /// the filters over the gradient norms across the bottom, each panel's main content without
    /// zooming).
    func draw(into buffer: inout CellBuffer, area: Rect, capabilities: TerminalCapabilities) {
        buffer.fill(area)
        guard area.width > 0, area.height > 0 else { return }
        let glyphs = capabilities.glyphs.glyphs
        let (body, footer) = area.splitBottom(area.height >= 3 ? 1 : 0)
        var content = body
        if !footer.isEmpty {
            // KeyHints keeps q and ? whatever the width, with … where others were left out.
            KeyHints(footerHints).render(in: footer, into: &buffer, capabilities: capabilities)
        }
        guard !content.isEmpty else { return }

        func line(_ text: String, style: Style = .plain) {
            guard content.height > 0 else { return }
            let (row, rest) = content.splitTop(1)
            buffer.write(glyphs.truncated(text, toWidth: row.width), x: row.x, y: row.y, style: style, clip: row)
            content = rest
        }
        let mono = capabilities.colors == .monochrome
        let header = runs.count == 1 ? ["Training " + (headerLines.first ?? "")] + headerLines.dropFirst()
            : [title] + headerLines
        for text in header { line(text, style: .bold) }
        // Each run's epoch and batch bars: side by side on one row when wide (a row more for the panels).
        let barsSideBySide = content.width >= 110
        for index in dashboard.runs.indices {
            let bars = progressBars(index)
            if barsSideBySide, content.height > 0, bars.count == 2 {
                let (row, rest) = content.splitTop(1)
                let (left, right) = row.splitLeft(row.width / 2)
                bars[0].render(in: Rect(x: left.x, y: left.y, width: max(0, left.width - 2), height: 1), into: &buffer,
                               capabilities: capabilities)
                bars[1].render(in: right, into: &buffer, capabilities: capabilities)
                content = rest
                continue
            }
            for bar in bars where content.height > 0 {
                let (row, rest) = content.splitTop(1)
                bar.render(in: row, into: &buffer, capabilities: capabilities)
                content = rest
            }
        }
        if let banner = bannerLine {
            let alarm = mono ? Style(attributes: [.bold, .reverse]) : Style(foreground: .red, attributes: .bold)
            // An alarm may take two lines rather than lose its advice, and a checkpoint's message
            // rather than lose the end of its path (cut anywhere: a path has no spaces).
            let width = max(1, content.width)
            if banner.text.hasPrefix("checkpoint ") && banner.text.count > width {
                line(String(banner.text.prefix(width)), style: .dim)
                line(String(banner.text.dropFirst(width)), style: .dim)
            } else {
                let lines = OverfittingPanel.wrapWords(banner.text, width: width)
                for text in lines.prefix(banner.isAlarm ? 2 : 1) { line(text, style: banner.isAlarm ? alarm : .dim) }
            }
        } else {
            line("")
        }
        guard !content.isEmpty else { return }
        if zoomed {
            drawSection(focus, in: content, into: &buffer, capabilities: capabilities)
            return
        }
        switch Self.layout(width: content.width, height: content.height, runs: runs.count) {
        case .large:
            // Loss, accuracy and the confusion matrix across the top (the matrix as wide as one of
            // three-digit counts, MNIST's 5,000 validation images, with its precision/recall table
            // beside it); the probe and the filters across the bottom, the probe as wide as the
            // filters leave (its digit and maps need the room), the filters as wide as LeNet-5's
            // conv1 six, the gradient norms under them as tall as their layers (up to half).
            let (top, bottom) = content.splitTop(max(15, content.height * 3 / 7))
            let (curves, confusion) = top.splitLeft(top.width - 58)
            let (loss, accuracy) = curves.splitLeft(curves.width / 2)
            drawSection(.loss, in: loss, into: &buffer, capabilities: capabilities)
            drawSection(.accuracy, in: accuracy, into: &buffer, capabilities: capabilities)
            drawSection(.confusion, in: confusion, into: &buffer, capabilities: capabilities)
            let (probe, right) = bottom.splitLeft(bottom.width - 39)
            drawSection(.probe, in: probe, into: &buffer, capabilities: capabilities)
            // The filters keep the rows conv1's filters need (in ASCII each value takes two cells:
            // they need more), the gradient norms the rest, as many as their layers want.
            var gradientHeight = gradientPanelHeight(in: right.height)
            if let snapshot = dashboard.runs.first?.snapshot {
                let filtersNeed = 2 + TrainingFiltersView(snapshot: snapshot, showGradients: false)
                    .conv1Rows(width: right.width - 2, capabilities: capabilities)
                if filtersNeed <= right.height - 4 {
                    gradientHeight = min(2 + gradientsView(zoomHint: nil).wantedRows, right.height - filtersNeed)
                }
            }
            let (filters, gradients) = right.splitBottom(gradientHeight)
            drawSection(.filters, in: filters, into: &buffer, capabilities: capabilities)
            drawSection(.gradients, in: gradients, into: &buffer, capabilities: capabilities)
        case .medium:
            // Curves on the left (side by side: each keeps its height over the gradient norms),
            // over the gradient norms; the network's other panels on the right.
            let (left, right) = content.splitLeft(content.width * 3 / 5)
            let (curves, gradients) = left.splitBottom(gradientPanelHeight(in: left.height))
            if curves.width >= 56 {
                let (loss, accuracy) = curves.splitLeft(curves.width / 2)
                drawSection(.loss, in: loss, into: &buffer, capabilities: capabilities)
                drawSection(.accuracy, in: accuracy, into: &buffer, capabilities: capabilities)
            } else {
                drawCurves(in: curves, into: &buffer, capabilities: capabilities)
            }
            drawSection(.gradients, in: gradients, into: &buffer, capabilities: capabilities)
            drawViews(in: right, into: &buffer, capabilities: capabilities, vertical: true)
        case .small:
            // The curves side by side (stacked when narrow), a line for the panels that Tab and
            // Enter show.
            let (curves, rest) = content.splitTop(max(0, content.height - 1))
            if curves.width >= 60 {
                let (loss, accuracy) = curves.splitLeft(curves.width / 2)
                drawSection(.loss, in: loss, into: &buffer, capabilities: capabilities)
                drawSection(.accuracy, in: accuracy, into: &buffer, capabilities: capabilities)
            } else {
                drawCurves(in: curves, into: &buffer, capabilities: capabilities)
            }
            drawPanelsLine(in: rest, into: &buffer, capabilities: capabilities)
        }
    }

    /// The rows the gradient norms panel takes in a column `height` rows tall: its frame, axis and
    /// one row per layer (a heading per run when comparing), at most half the column.
    func gradientPanelHeight(in height: Int) -> Int {
        max(0, min(2 + gradientsView(zoomHint: nil).wantedRows, height / 2))
    }

    /// The gradient norms of every run (the last step's: a snapshot taken at an epoch's end or for
    /// another probe carries the step's before it), each in its run's colour.
    func gradientsView(zoomHint: String?) -> TrainingGradientsView {
        let views = dashboard.runs.enumerated().compactMap { index, run -> TrainingGradientsView.Run? in
            guard let snapshot = run.gradientSnapshot ?? run.snapshot else { return nil }
            return TrainingGradientsView.Run(label: runs.count > 1 ? run.label : nil, snapshot: snapshot,
                                             color: Self.runColours[index % Self.runColours.count].0)
        }
        return TrainingGradientsView(runs: views, scroll: gradientScroll, zoomHint: zoomHint)
    }

    /// The rows the gradient list has at its longest (the runs one after the other): how far ↓ goes.
    var gradientLayerCount: Int { gradientsView(zoomHint: nil).columnRows(sideBySide: false).first?.count ?? 0 }

    enum Layout: Equatable { case small, medium, large }

    /// Which layout the space under the header and progress takes. Two runs compared need the
    /// accuracy chart wider for their four series' legend: the large layout from 150 columns.
    static func layout(width: Int, height: Int, runs: Int = 1) -> Layout {
        if width >= (runs > 1 ? 150 : 110) && height >= 32 { return .large }
        if width >= 90 && height >= 22 { return .medium }
        return .small
    }

    /// The small layout's last line: the panels it has no room for, the focused one marked, and
    /// how to see them: "Tab, Enter: [filters] · probe #398: 2 → 7 · confusion 71.0% (epoch 2) · grad norms".
    func drawPanelsLine(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        guard !area.isEmpty else { return }
        let glyphs = capabilities.glyphs.glyphs
        let arrow = TrainingViewDrawing.arrow(capabilities.glyphs)
        // Each panel's text, long and short: the short ones when the long ones would push the
        // last panel off the line.
        var parts: [(section: Section, long: String, short: String)] = [(.filters, "filters", "filters")]
        if let snapshot = dashboard.runs.first?.snapshot {
            let view = TrainingProbeView(snapshot: snapshot)
            let answer = "\(snapshot.probeLabel) \(arrow) \(view.prediction)"
            parts.append((.probe, "probe #\(snapshot.probeIndex): " + answer, "probe " + answer))
        } else {
            parts.append((.probe, "probe", "probe"))
        }
        if let report = dashboard.runs.first?.evaluation {
            let accuracy = "confusion " + NumberGrid.format(report.confusion.accuracy * 100, decimals: 1) + "%"
            parts.append((.confusion, accuracy + (report.onRequest ? " (step \(report.step))" : " (epoch \(report.epoch))"),
                          accuracy))
        } else {
            parts.append((.confusion, "confusion", "confusion"))
        }
        parts.append((.gradients, "grad norms", "grad norms"))
        func width(_ texts: [String]) -> Int {
            // The focused one's brackets too.
            glyphs.text("Tab, Enter: " + texts.joined(separator: " · ")).count + (parts.contains { $0.section == focus } ? 2 : 0)
        }
        let long = width(parts.map(\.long)) <= area.width
        var x = buffer.write(glyphs.truncated("Tab, Enter: ", toWidth: area.width), x: area.x, y: area.y, style: .dim, clip: area)
        for (index, part) in parts.enumerated() {
            let (section, text) = (part.section, long ? part.long : part.short)
            let focused = section == focus
            let shown = focused ? "[" + text + "]" : text
            let style: Style = focused ? Style(attributes: .bold) : .plain
            let separator = index > 0 ? " · " : ""
            let room = area.maxX - x
            guard room > 0 else { break }
            x = buffer.write(glyphs.truncated(separator + shown, toWidth: room), x: x, y: area.y, style: style, clip: area)
        }
    }

    /// The footer's keys shown at `width` (the help overlay lists them all), as `KeyHints` chooses
    /// them: stopping and help always, the others in order while they fit, and `…` where some were
    /// left out.
    func footerHints(width: Int, glyphs: GlyphSet = .unicode) -> [KeyHint] {
        let all = footerHints
        let (kept, ellipsisBefore) = KeyHints(all).shown(width: width, glyphs: glyphs)
        var hints = kept.map { all[$0] }
        if let position = ellipsisBefore { hints.insert(KeyHint("…", ""), at: position) }
        return hints
    }

    /// Every footer key, stopping and help last.
    var footerHints: [KeyHint] {
        var hints = [KeyHint("p", paused ? "resume" : "pause"), KeyHint("s", "step"), KeyHint("+-", "lr"),
                     KeyHint("w", "save"), KeyHint("Tab", "focus"), KeyHint("Enter", zoomed ? "unzoom" : "zoom"),
                     KeyHint("n", "probe"), KeyHint("c", "eval"), KeyHint("q", "stop"), KeyHint("?", "keys")]
        if canRestart { hints.insert(KeyHint("r", "restart"), at: 4) }
        return hints
    }

    static func clamped(_ rect: Rect) -> Rect {
        Rect(x: rect.x, y: rect.y, width: max(0, rect.width), height: max(0, rect.height))
    }

    private func drawCurves(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        guard !area.isEmpty else { return }
        let (top, bottom) = area.splitTop(area.height / 2)
        drawSection(.loss, in: top, into: &buffer, capabilities: capabilities)
        drawSection(.accuracy, in: bottom, into: &buffer, capabilities: capabilities)
    }

    private func drawViews(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities,
                           vertical: Bool) {
        guard !area.isEmpty else { return }
        let sections: [Section] = [.filters, .probe, .confusion]
        var rest = area
        for (offset, section) in sections.enumerated() {
            let remaining = sections.count - offset
            var part = rest
            if vertical {
                (part, rest) = rest.splitTop(rest.height / remaining)
            } else {
                (part, rest) = rest.splitLeft(rest.width / remaining)
            }
            drawSection(section, in: part, into: &buffer, capabilities: capabilities)
        }
    }

    /// One panel: a titled frame (highlighted when focused) and what it shows inside.
    func drawSection(_ section: Section, in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        guard !area.isEmpty else { return }
        let glyphs = capabilities.glyphs.glyphs
        // Each network panel names its key (g, n, c), since the footer has no room for them all.
        var title = switch section {
        case .filters:
            if showGradients, let step = dashboard.runs.first?.gradientSnapshot?.step {
                "Filters: step \(ProgressBar.groupedCount(step)) gradients (g)"
            } else {
                showGradients ? "Filters: gradients (g)" : "Filters (g: gradients)"
            }
        case .probe: "Probe (n: next)"
        case .confusion: "Confusion (c: now)"
        case .gradients:
            // Compared runs each say their step above their bars.
            if runs.count == 1, let step = dashboard.runs.first?.gradientSnapshot?.step {
                "Gradient norms (log): step \(ProgressBar.groupedCount(step))"
            } else {
                "Gradient norms (log)"
            }
        default: section.title
        }
        // The network's panels show the first run when two are compared (the gradient norms both).
        if runs.count > 1, ![.loss, .accuracy, .gradients].contains(section), let first = runs.first {
            title += " (\(first.label))"
        }
        let inner = Self.clamped(Panel(title: title, focused: section == focus)
            .render(in: area, into: &buffer, capabilities: capabilities))
        guard !inner.isEmpty else { return }
        let snapshot = dashboard.runs.first?.snapshot
        func note(_ text: String) {
            buffer.write(glyphs.truncated(text, toWidth: inner.width), x: inner.x, y: inner.y, style: .dim, clip: inner)
        }
        switch section {
        case .loss:
            lossChart.render(in: inner, into: &buffer, capabilities: capabilities)
        case .accuracy:
            let lines = testAccuracyLines
            let (chartArea, testArea) = inner.splitBottom(inner.height > lines.count + 3 ? lines.count : 0)
            let plot = accuracyChart.render(in: chartArea, into: &buffer, capabilities: capabilities)
            drawValidationPoints(in: plot, into: &buffer, capabilities: capabilities)
            for (offset, text) in lines.enumerated() where offset < testArea.height {
                buffer.write(glyphs.truncated(text, toWidth: testArea.width), x: testArea.x, y: testArea.y + offset,
                             clip: testArea)
            }
        case .filters:
            guard let snapshot else { return note("waiting for the first snapshot") }
            // The gradients are the last step's: the snapshots taken at an epoch's end, after the
            // run or for another probe digit carry none.
            var shown = snapshot
            if showGradients {
                guard let gradients = dashboard.runs.first?.gradientSnapshot else {
                    return note("no gradients yet: no step has run")
                }
                shown = gradients
            }
            TrainingFiltersView(snapshot: shown, showGradients: showGradients, zoomHint: zoomed ? nil : "Enter zooms")
                .render(in: inner, into: &buffer, capabilities: capabilities)
        case .probe:
            guard let snapshot else { return note("waiting for the first snapshot") }
            TrainingProbeView(snapshot: snapshot, zoomHint: zoomed ? nil : "Enter zooms").render(in: inner, into: &buffer, capabilities: capabilities)
        case .confusion:
            guard let report = dashboard.runs.first?.evaluation else {
                return note("after the first epoch, or press c to evaluate now")
            }
            TrainingConfusionView(report: report).render(in: inner, into: &buffer, capabilities: capabilities)
        case .gradients:
            let view = gradientsView(zoomHint: zoomed ? nil : "Enter zooms")
            guard !view.runs.isEmpty else { return note("waiting for the first snapshot") }
            view.render(in: inner, into: &buffer, capabilities: capabilities)
        }
    }
}
