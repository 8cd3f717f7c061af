import Testing
import TerminalUI
@testable import Training
@testable import TutorApp

/// Issue 14's layouts: 80x24 made for its size, 120x40 (the README's size) with every panel's
/// main content, the footer's stop and help keys always, and a marker where something is cut.
@Suite("TrainingScreen layout")
struct TrainingScreenLayoutTests {
    static func text(_ screen: TrainingScreen, _ width: Int, _ height: Int,
                     capabilities: TerminalCapabilities = .full) -> String {
        Snapshot.text(of: TrainingScreenTests.render(screen, width: width, height: height, capabilities: capabilities))
    }

    @Test func at80x24TheCurvesTheProgressAndTheKeys() {
        let (screen, _) = TrainingScreenTests.screen()
        #expect(TrainingScreen.layout(width: 80, height: 18) == .small)
        let buffer = TrainingScreenTests.render(screen, width: 80, height: 24)
        let lines = buffer.lines
        #expect(lines[0].hasPrefix("Training lenet5 · 61,706 parameters"))
        #expect(lines[2].hasPrefix("epoch 3/3") && lines[3].hasPrefix("batch 10/25"))
        // Loss and accuracy side by side, tall enough to read: at least 10 plot rows each.
        let titles = lines.firstIndex { $0.contains("┌ Loss") }
        #expect(titles != nil && lines[titles!].contains("┌ Accuracy"))
        let plotRows = lines.filter { $0.hasPrefix("│     │") || $0.contains(" ┤") }.count
        #expect(plotRows >= 10, "\(lines.joined(separator: "\n"))")
        // The loss axis is fitted to the data: ticks between 1 and 2 for losses between 0.9 and 2.4.
        #expect(lines.contains { $0.hasPrefix("│   2 ┤") } && lines.contains { $0.hasPrefix("│   1 ┤") })
        #expect(!lines.joined().contains("100k") && !lines.joined().contains("e-"))
        // The panels without room are named on one line, the focused one marked once Tab reaches it.
        #expect(lines[22].hasPrefix("Tab, Enter: filters · probe #398: 2 → 7 · confusion 71.0% (epoch 2) · grad norms"))
        _ = screen.handle(.tab)
        _ = screen.handle(.tab)
        #expect(Self.text(screen, 80, 24).contains("Tab, Enter: [filters] · probe"))
        _ = screen.handle(.enter)
        #expect(Self.text(screen, 80, 24).contains("conv1 weights: 6 filters"))
        // The footer: cut with a marker, ending with stop and help.
        #expect(lines[23].hasSuffix("…  q stop  ? keys"), "\(lines[23])")
    }

    @Test func theFooterAlwaysShowsStopAndHelp() {
        let (screen, _) = TrainingScreenTests.screen()
        for width in stride(from: 24, through: 200, by: 4) {
            for capabilities in [TerminalCapabilities.full, TrainingScreenTests.asciiMono] {
                let footer = TrainingScreenTests.render(screen, width: width, height: 24, capabilities: capabilities).line(23)
                #expect(footer.contains("q stop") && footer.contains("? keys"), "\(width): \(footer)")
                let hints = screen.footerHints(width: width, glyphs: capabilities.glyphs)
                let cut = hints.filter { $0.key != "…" }.count < screen.footerHints.count
                #expect(cut == hints.contains { $0.key == "…" }, "\(width): a cut footer says so")
            }
        }
        let wide = screen.footerHints(width: 200)
        #expect(wide.map(\.key) == screen.footerHints.map(\.key))
    }

    @Test func at120x40EveryPanelShowsItsMainContent() {
        let (screen, _) = TrainingScreenTests.screen()
        #expect(TrainingScreen.layout(width: 120, height: 34) == .large)
        let text = Self.text(screen, 120, 40)
        // conv1's six filters as pictures at true size; conv2's 96 have no room over the gradient
        // norms: a line says so, with their scale, and Enter zooms to see them.
        let filters = TrainingFiltersView(snapshot: screen.dashboard.runs[0].snapshot!, showGradients: false)
        #expect(text.contains("conv1 weights 6×5×5, ±" + TrainingViewDrawing.format(filters.conv1Range.upper)))
        #expect(text.contains("conv2 weights (no room: Enter zooms)")
            && text.contains("±" + TrainingViewDrawing.format(filters.conv2Range.upper) + ", mean |x|"))
        // Every weighted layer's gradient norm, with its value.
        let gradients = screen.gradientsView(zoomHint: nil)
        for entry in gradients.runs[0].entries {
            #expect(text.contains(entry.name + " ") && text.contains(gradients.valueText(entry.norm)), "\(entry.name)")
        }
        #expect(gradients.runs[0].entries.map(\.name) == ["1 conv", "4 conv", "8 linear", "10 linear", "12 linear"])
        // The probe: every probability, the digit and every layer's maps (no layer without room),
        // each band saying the size it is drawn at.
        #expect(text.contains("softmax 0:1% 1:7% 2*:17%"))
        for layer in ["input 28×28 and conv1: 6 maps 28×28, drawn at", "pool1: 6 maps 14×14, drawn at",
                      "conv2: 16 maps 10×10, drawn at", "pool2: 16 maps 5×5, drawn at"] {
            #expect(text.contains(layer), "\(layer)")
        }
        let probe = text.split(separator: "\n").map { String($0.prefix(81)) }.joined(separator: "\n")
        #expect(!probe.contains("no room"))
        // The whole confusion matrix, each digit's precision and recall on its row.
        let view = TrainingConfusionView(report: screen.dashboard.runs[0].evaluation!)
        let lines = text.split(separator: "\n").map(String.init).drop { !$0.contains("┌ Confusion") }
        for digit in 0..<10 {
            let row = lines.first { $0.contains("││\(digit) ") }
            #expect(row?.contains(view.precisionRecallLines[digit + 1]) == true, "digit \(digit): \(row ?? "missing")")
        }
        #expect(!text.contains(" cut"))
        // The curves, loss and accuracy, with the test accuracy.
        #expect(text.contains("┌ Loss") && text.contains("┌ Accuracy") && text.contains("test accuracy: epoch 1"))
        // In ASCII and monochrome (one value per cell, two cells wide: maps take four times the
        // cells) what has no room says so and how to see it.
        let ascii = Self.text(screen, 120, 40, capabilities: TrainingScreenTests.asciiMono)
        #expect(ascii.contains("conv1 weights 6x5x5"))
        #expect(ascii.contains("conv2: 16 maps 10x10, 0 to 5.17 (no room: Enter zooms)"), "\(ascii)")
        #expect(ascii.contains("conv2 weights (no room: Enter zooms)"))
        #expect(ascii.contains("9  1  .  .  .  2  .  .  .  . 10"))
    }

    @Test func whatIsCutSaysSo() {
        let (screen, _) = TrainingScreenTests.screen()
        // At 100x30 the confusion panel has room for two matrix rows: the third says the rest is cut.
        let medium = Self.text(screen, 100, 30)
        #expect(medium.contains("… rows 2-9 cut"), "\(medium)")
        // The probe's bars: three fit, the fourth row says seven are left out and names the likeliest.
        #expect(medium.contains("…+8 more: 7 28%  9 27%"), "\(medium)")
        // The maps with no room under the bars: a line says where they are.
        #expect(medium.contains("… feature maps (no room: Enter zooms)"), "\(medium)")
        // The most confused pairs without a row at 120x40: the first on the matrix's axis line, and how many more.
        let pairs = screen.dashboard.runs[0].evaluation!.confusion.mostConfused(limit: 5)
        let large = Self.text(screen, 120, 40)
        let shown = pairs.filter { large.contains("\($0.actual) → \($0.predicted)  ×\($0.count)") }.count
        #expect(shown >= 1 && shown < pairs.count)
        #expect(large.contains("×\(pairs[shown - 1].count) +\(pairs.count - shown) more"), "\(large)")
        // A header line too long for the width ends with an ellipsis.
        #expect(Self.text(screen, 80, 24).split(separator: "\n")[0].hasSuffix("…"))
    }
}
