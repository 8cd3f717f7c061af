import Testing
import TerminalUI
@testable import Training
@testable import TutorApp

/// Issue 14's targets walked through every state of the training screen at 80x24, 100x30 and
/// 120x40, in colour and in ASCII:
///
/// - the footer shows how to stop (`q`) and how to get help (`?`);
/// - nothing is cut at a panel's edge without a marker: in the network panels (filters, probe,
///   confusion) and the header, no word runs into the right edge (a letter in the last cell means
///   a word was cut: a cut line ends with `…` or `...` instead; numbers may end there, as tables
///   sized to fit do), and a panel whose content does not all fit says so ("no room", "more",
///   "cut");
/// - every picture is drawn at the size its label states: the true size, or the "drawn at" size.
///
/// Picture sizes are measured in colour, where a picture's cells can be told from the rest: `▀`
/// with half blocks, a coloured background with ASCII (the same layout as monochrome ASCII, which
/// draws one value per cell two cells wide too, but whose lowest shade is a blank).
@Suite("TrainingScreen walk")
struct TrainingScreenWalkTests {
    static let asciiColour = TerminalCapabilities(colors: .palette256, glyphs: .ascii)
    static let sizes = [(80, 24), (100, 30), (120, 40)]
    static let capabilities = [TerminalCapabilities.full, TrainingScreenTests.asciiMono, asciiColour]

    /// A state of the screen, drawn at a size (through the app for the help overlay).
    struct State: CustomStringConvertible, Sendable {
        let description: String
        let frame: @Sendable (Int, Int, TerminalCapabilities) -> CellBuffer
        /// False before the first snapshot (after `r`): the panels say they are waiting.
        var hasSnapshot = true
    }

    static func state(_ name: String, labels: [String] = ["modern"], throughStep step: Int = 60,
                      networks: [String] = [],
                      keys: [KeyEvent] = [], then: (@Sendable (TrainingScreen, RecordedSources) -> Void)? = nil) -> State {
        State(description: name, frame: { width, height, capabilities in
            // LeNet-5's recorded run, or short runs of other built-in networks.
            let (screen, sources) = networks.isEmpty ? TrainingScreenTests.screen(labels: labels, throughStep: step)
                : NetworkRecording.screen(networks.map { $0 == "plain-mini" ? NetworkRecording.plain : NetworkRecording.resnet })
            for key in keys { _ = screen.handle(key) }
            then?(screen, sources)
            return TrainingScreenTests.render(screen, width: width, height: height, capabilities: capabilities)
        })
    }

    static var states: [State] {
        let diverged = TrainingOutcome(reason: .diverged(step: 31, suggestedLearningRate: 0.0003), epochsCompleted: 1,
                                       steps: 30, lastEpoch: nil, seconds: 12)
        let completed = TrainingOutcome(reason: .completed, epochsCompleted: 3, steps: 75, lastEpoch: nil, seconds: 90)
        var states = [
            state("running"),
            state("paused", keys: [.character("p")]),
            state("ended", then: { screen, sources in sources[0].feed([.finished(completed)]); screen.tick(time: 95) }),
            state("diverged", throughStep: 30, then: { screen, sources in sources[0].feed([.finished(diverged)]); screen.tick(time: 95) }),
            state("gradients", keys: [.character("g")]),
            state("compare", labels: ["classic", "modern"]),
            state("compare, probe zoomed", labels: ["classic", "modern"], keys: [.tab, .tab, .tab, .enter]),
            state("gradients, filters zoomed", keys: [.character("g"), .tab, .tab, .enter]),
            state("gradient norms scrolled", keys: Array(repeating: KeyEvent.tab, count: 5) + [.down, .down]),
            state("resnet-mini", networks: ["resnet-mini"]),
            state("resnet-mini, gradients", networks: ["resnet-mini"], keys: [.character("g")]),
            state("resnet-mini, gradient norms scrolled", networks: ["resnet-mini"],
                  keys: Array(repeating: KeyEvent.tab, count: 5) + [.down, .down, .down]),
            state("plain-mini vs resnet-mini", networks: ["plain-mini", "resnet-mini"]),
        ]
        for (offset, section) in TrainingScreen.Section.allCases.enumerated() {
            states.append(state("resnet-mini, \(section.title) zoomed", networks: ["resnet-mini"],
                                keys: Array(repeating: KeyEvent.tab, count: offset) + [.enter]))
            states.append(state("plain-mini vs resnet-mini, \(section.title) zoomed", networks: ["plain-mini", "resnet-mini"],
                                keys: Array(repeating: KeyEvent.tab, count: offset) + [.enter]))
        }
        var restarted = state("after r", keys: [.character("r")])
        restarted.hasSnapshot = false
        states.append(restarted)
        for (offset, section) in TrainingScreen.Section.allCases.enumerated() {
            states.append(state("\(section.title) zoomed", keys: Array(repeating: KeyEvent.tab, count: offset) + [.enter]))
        }
        states.append(State(description: "help", frame: { width, height, capabilities in
            let (screen, _) = TrainingScreenTests.screen()
            let app = TutorApp(root: screen, backend: InMemoryBackend(width: width, height: height, capabilities: capabilities))
            _ = app.handle(.character("?"))
            return app.frame()
        }))
        return states
    }

    @Test(arguments: states)
    func everyStateAtEverySize(state: State) {
        for (width, height) in Self.sizes {
            for capabilities in Self.capabilities {
                let frame = state.frame(width, height, capabilities)
                let place = "\(state) at \(width)x\(height) \(capabilities.glyphs) \(capabilities.colors)"
                Self.expectFooter(frame, place, help: state.description == "help")
                // The help overlay covers the panels: what it covers is not cut.
                guard state.description != "help" else { continue }
                Self.expectNothingCutSilently(frame, place, hasSnapshot: state.hasSnapshot)
                if capabilities.colors != .monochrome { Self.expectPicturesAtTheirStatedSize(frame, place) }
            }
        }
    }

    /// The rule itself: a frame cut without a marker, and a picture labelled with a size it is
    /// not drawn at, are caught.
    @Test func theChecksCatchWhatTheyLookFor() {
        let panel = Panel(title: "Probe")
        var cut = CellBuffer(width: 20, height: 4)
        let inner = panel.render(in: cut.area, into: &cut, capabilities: .full)
        cut.write("a-long-word-cut-at-the-edge", x: inner.x, y: inner.y, clip: inner)
        #expect(!Self.textCutAtPanelEdges(cut).isEmpty)
        var marked = CellBuffer(width: 20, height: 4)
        _ = panel.render(in: marked.area, into: &marked, capabilities: .full)
        marked.write(GlyphSet.unicode.glyphs.truncated("a-long-word-cut-at-the-edge", toWidth: inner.width), x: inner.x,
                     y: inner.y, clip: inner)
        #expect(Self.textCutAtPanelEdges(marked).isEmpty)

        var picture = CellBuffer(width: 40, height: 12)
        let wrongLabel = panel.render(in: picture.area, into: &picture, capabilities: .full)
        picture.write("conv1: 6 maps 28×28, drawn at 8×8", x: wrongLabel.x, y: wrongLabel.y, clip: wrongLabel)
        Heatmap(rows: 28, columns: 28, values: Array(repeating: 0.5, count: 784), mode: .halfBlocks, scaling: .fit)
            .render(in: Rect(x: wrongLabel.x, y: wrongLabel.y + 1, width: 10, height: 5), into: &picture, capabilities: .full)
        #expect(!Self.picturesNotAtTheirStatedSize(picture).isEmpty, "a 10x10 picture labelled 8x8")
        // At 120x40 every band of the probe and conv1's filters are measured (conv2's have no room
        // over the gradient norms: a line says so), in colour and ASCII.
        let (screen, _) = TrainingScreenTests.screen()
        #expect(Self.measurePictures(TrainingScreenTests.render(screen, width: 120, height: 40)).measured == 5)
        // resnet-mini's: the probe's three bands that fit and its first convolution's 3x3 filters.
        let (resnet, _) = NetworkRecording.screen([.resnet])
        #expect(Self.measurePictures(TrainingScreenTests.render(resnet, width: 120, height: 40)).measured == 4)
        #expect(Self.measurePictures(TrainingScreenTests.render(screen, width: 120, height: 40,
                                                                capabilities: Self.asciiColour)).measured >= 4)
    }

    // MARK: The footer

    /// The help overlay may cover the footer: then its own bottom edge says how to close it.
    static func expectFooter(_ frame: CellBuffer, _ place: String, help: Bool) {
        let footer = frame.line(frame.height - 1)
        let shown = footer.contains("q stop") && footer.contains("? keys")
        if help {
            #expect(frame.lines.joined().contains("Esc or ? to close"), "\(place): the help says how to close it")
            #expect(shown || frame.lines.suffix(2).joined().contains("? to close"), "\(place): \(footer)")
        } else {
            #expect(shown, "\(place): \(footer)")
        }
    }

    // MARK: Cuts

    /// A panel found on screen by its frame: its title and the cells inside the frame.
    struct FoundPanel {
        let title: String
        let inner: Rect
    }

    /// Every panel's frame: a top-left corner followed by " Title " and a line, up to the top-right
    /// corner, down to the bottom-left corner.
    static func panels(_ frame: CellBuffer) -> [FoundPanel] {
        var found: [FoundPanel] = []
        for y in 0..<frame.height {
            let row = Array(frame.line(y))
            for x in row.indices where (row[x] == "┌" || row[x] == "+") && x + 2 < row.count && row[x + 1] == " "
                && row[x + 2].isLetter {
                guard let titleEnd = (x + 2..<row.count).first(where: { row[$0] == " " && $0 + 1 < row.count
                    && (row[$0 + 1] == "─" || row[$0 + 1] == "-") }) else { continue }
                let corner: Character = row[x] == "┌" ? "┐" : "+"
                guard let right = (titleEnd..<row.count).first(where: { row[$0] == corner }),
                      let bottom = (y + 1..<frame.height).first(where: {
                          let character = frame[x, $0].character
                          return character == "└" || character == "+"
                      }) else { continue }
                found.append(FoundPanel(title: String(row[(x + 2)..<titleEnd]),
                                        inner: Rect(x: x + 1, y: y + 1, width: right - x - 1, height: bottom - y - 1)))
            }
        }
        return found
    }

    /// The network panels (whose lines are text and pictures; the charts draw their own axes).
    static func isNetworkPanel(_ panel: FoundPanel) -> Bool {
        ["Filters", "Probe", "Confusion", "Gradient norms"].contains { panel.title.hasPrefix($0) }
    }

    /// The lines, in the network panels and the header, whose text runs into the right edge.
    static func textCutAtPanelEdges(_ frame: CellBuffer) -> [String] {
        var cut: [String] = []
        for panel in panels(frame) where isNetworkPanel(panel) || panel.title == "Probe" {
            for y in panel.inner.y..<panel.inner.maxY where panel.inner.width > 0 {
                let last = frame[panel.inner.maxX - 1, y].character
                if last.isLetter { cut.append("\(panel.title): \(frame.line(y))") }
            }
        }
        let header = frame.line(0)
        if let last = header.last, last.isLetter { cut.append("header: \(header)") }
        return cut
    }

    static func expectNothingCutSilently(_ frame: CellBuffer, _ place: String, hasSnapshot: Bool) {
        #expect(textCutAtPanelEdges(frame).isEmpty, "\(place): cut without a marker: \(textCutAtPanelEdges(frame))")
        let found = panels(frame)
        func text(_ panel: FoundPanel) -> String {
            (panel.inner.y..<panel.inner.maxY).map { y in
                String(Array(frame.line(y))[panel.inner.x..<panel.inner.maxX])
            }.joined(separator: "\n")
        }
        let marker = ["no room", "more", "cut", "Enter"]
        for panel in found {
            let content = text(panel)
            if panel.title.hasPrefix("Probe") && hasSnapshot {
                // Every pictured stage, or a line saying the maps have no room, or one counting
                // those left out; every probability, or how many more.
                let stages = content.contains("conv1: ") ? content.split(separator: "\n").filter {
                    $0.firstMatch(of: /^[a-z]+\d+: \d+ maps|and [a-z]+\d+: \d+ maps/) != nil
                }.count : 0
                let counted = content.firstMatch(of: /\+(\d+) more: [a-z]+\d/).flatMap { Int($0.1) } ?? 0
                let layers = stages + counted >= 4 && (counted == 0 || content.contains("no room"))
                #expect(layers || content.contains("feature maps (no room"), "\(place): the probe's maps\n\(content)")
                let softmax = content.contains("softmax 0:") || (0..<10).allSatisfy { content.contains("\n\($0)") }
                #expect(softmax || content.contains("more:"), "\(place): the probe's probabilities\n\(content)")
            }
            if panel.title.hasPrefix("Gradient norms") && hasSnapshot {
                // A row per layer ("4.1 conv", "11 linear"), or a line saying how many more.
                let rows = content.split(separator: "\n").filter { $0.firstMatch(of: #/^[\d.a-z]+ (conv|linear) /#) != nil }
                let more = content.contains("more below") || content.contains("more above")
                #expect(rows.count >= 5 || more, "\(place): the gradient norms\n\(content)")
            }
            if panel.title.hasPrefix("Filters") && hasSnapshot {
                let both = content.contains("conv1") && content.contains("conv2")
                #expect(both || marker.contains { content.contains($0) }, "\(place): the filters\n\(content)")
            }
            if panel.title.hasPrefix("Confusion") && hasSnapshot {
                let rows = (0..<10).allSatisfy { digit in
                    content.split(separator: "\n").contains { $0.hasPrefix("\(digit) ") }
                }
                #expect(rows || content.contains("cut"), "\(place): the confusion matrix's rows\n\(content)")
            }
        }
    }

    // MARK: Picture sizes

    /// Whether the cell is part of a picture: a half block, or (in ASCII) a coloured background.
    static func isPicture(_ cell: Cell) -> Bool {
        cell.character == "▀" || (cell.character == " " && cell.style.background != .terminalDefault)
    }

    /// The sizes stated by the labels in the probe and filters panels that the pictures under
    /// them do not have: the pictures start on the label's column, on the next line (the second
    /// next for the filters, under their numbers or a second title line).
    static func picturesNotAtTheirStatedSize(_ frame: CellBuffer) -> [String] {
        measurePictures(frame).wrong
    }

    /// How many labelled pictures were measured, and those not at their stated size.
    static func measurePictures(_ frame: CellBuffer) -> (measured: Int, wrong: [String]) {
        var wrong: [String] = []
        var measured = 0
        let unicode = frame.lines.joined().contains("─")
        for panel in panels(frame) where panel.title.hasPrefix("Probe") || panel.title.hasPrefix("Filters")
            || panel.title.hasPrefix("Confusion") {
            for y in panel.inner.y..<panel.inner.maxY {
                func text(_ y: Int) -> String {
                    y < panel.inner.maxY ? String(Array(frame.line(y))[panel.inner.x..<panel.inner.maxX]) : ""
                }
                let line = text(y)
                guard let stated = statedSize(line, next: text(y + 1)) else { continue }
                measured += 1
                let top = y + stated.linesBelow
                // Measured from the first picture's top-left cell: across, then down.
                var width = 0
                while panel.inner.x + width < panel.inner.maxX, top < panel.inner.maxY,
                      isPicture(frame[panel.inner.x + stated.indent + width, top]) { width += 1 }
                var height = 0
                while top + height < panel.inner.maxY, isPicture(frame[panel.inner.x + stated.indent, top + height]) { height += 1 }
                var expected = unicode ? (stated.size, (stated.size + 1) / 2) : (stated.size * 2, stated.size)
                // conv2's 96 with half blocks: the channels' rows touch, one run down.
                if unicode { expected.1 *= stated.touchingDown }
                if (width, height) != expected {
                    wrong.append("\(line.trimmingCharacters(in: .whitespaces)): drawn \(width)x\(height) cells, "
                        + "expected \(expected.0)x\(expected.1)")
                }
            }
        }
        return (measured, wrong)
    }

    /// The size a label says its pictures are drawn at, and where they start: lines below and
    /// columns in. Nil for a line that is no picture's label (or whose pictures have no room).
    static func statedSize(_ line: String, next: String) -> (size: Int, linesBelow: Int, indent: Int, touchingDown: Int)? {
        guard !line.contains("no room") else { return nil }
        let size = /(\d+)[×x](\d+)/
        let drawn = /drawn at (\d+)[×x](\d+)/
        func stated() -> Int? {
            if let match = line.firstMatch(of: drawn) { return Int(match.1) }
            return line.firstMatch(of: size).flatMap { Int($0.1) }
        }
        let probeLabels = ["input ", "misclassified ("]
        if probeLabels.contains(where: { line.hasPrefix($0) }) || line.firstMatch(of: /^[a-z]+\d+: \d+ maps/) != nil,
           let value = stated() { return (value, 1, 0, 1) }
        // A filter's kernel size: the last "rows×columns" not part of "filters×rows×columns".
        let kernel = line.firstMatch(of: /(\d+)[×x](\d+)(?![×x\d])/).flatMap { Int($0.1) }
        // The filters: conv1's under their numbers; conv2's 96 under numbers, after a gutter; the
        // channel means under a second title line.
        // conv1's: under their numbers, or (short of a row) right under the title.
        guard let kernel else { return nil }
        if line.hasPrefix("conv1 weights") || line.hasPrefix("conv1 gradient") {
            if next.hasPrefix("1 ") { return (kernel, 2, 0, 1) }
            return next.firstMatch(of: /^\d+ filters/) != nil ? nil : (kernel, 1, 0, 1)
        }
        // The full layout: "16 filters (across) × 6 channels (down)", the rows of one filter touching.
        if line.hasPrefix("conv2 "), let down = line.firstMatch(of: /(\d+) (?:filters|channels?(?: each)?)(?: \(depthwise\))? \(down\)/) {
            return (kernel, 2, 3, Int(down.1) ?? 1)
        }
        let title = line + " " + next  // the channel means' title takes two lines
        if line.hasPrefix("conv2 "), title.contains("averaged") || title.contains("mean of") { return (kernel, 2, 0, 1) }
        return nil
    }

    static func expectPicturesAtTheirStatedSize(_ frame: CellBuffer, _ place: String) {
        let wrong = picturesNotAtTheirStatedSize(frame)
        #expect(wrong.isEmpty, "\(place): \(wrong)\n\(frame.lines.joined(separator: "\n"))")
    }
}
