import Inspection
import Testing
import TerminalUI
@testable import TutorApp

/// What every screen frame of the inspector and the playground must hold, at the sizes people use:
///
/// - the footer (the last row) says how to get help (`?`) and how to go back (`Esc`);
/// - nothing is cut at the frame's right edge without a marker: a row whose text reaches the
///   last column inside the frame (the column before the padding and the border) ends with the
///   truncation marker (`…`, `...` in ASCII), or its last word is whole: the same state drawn
///   40 columns wider shows that word with a blank or a border on both sides (so "chann" cut
///   from "channel" fails). Picture, bar and legend cells at the edge are not text;
/// - content cut at the bottom says so: the caller checks its own scroll marker.
enum ScreenWalk {
    static let sizes = [(80, 24), (100, 30), (120, 40)]
    static let capabilitySets: [(name: String, capabilities: TerminalCapabilities)] = [
        ("colour", .full), ("ascii", TerminalCapabilities(colors: .monochrome, glyphs: .ascii)),
    ]
    /// How much wider the frame is drawn to tell a whole last word from a cut one.
    static let widening = 40

    /// The characters a picture, a bar or a legend leaves at an edge.
    static let drawingCharacters = Set("▀█▁▂▃▄▅▆▇▏▎▍▌▋▊▉▐░▒▓@%#*+=-:")

    /// The problems of one frame (empty when it passes); `wide` is the same state drawn
    /// `widening` columns wider; `pictures` are cells drawn as pictures.
    static func problems(in buffer: CellBuffer, wide: CellBuffer, pictures: [Rect] = [], place: String) -> [String] {
        var found: [String] = []
        let lines = buffer.lines
        let footer = lines[buffer.height - 1]
        if !(footer.contains("? ") && footer.contains("Esc")) { found.append("\(place): the footer lacks ? or Esc: \(footer)") }
        // The frame's last content column: the border is at width-1, a blank padding column inside it.
        let edge = buffer.width - 3
        for y in 1..<(buffer.height - 2) {
            let cell = buffer[edge, y]
            guard cell.character != " " else { continue }
            if pictures.contains(where: { $0.contains(x: edge, y: y) }) || drawingCharacters.contains(cell.character) {
                continue
            }
            let line = lines[y]
            let content = String(line.dropFirst(2).dropLast(2))
            if content.hasSuffix("…") || content.hasSuffix("...") { continue }
            let word = String(content.split(separator: " ").last ?? "")
            if !wide.lines.contains(where: { containsWhole(word, in: $0) }) {
                found.append("\(place): row \(y) reaches the edge, \"\(word)\" cut without a marker: \(line)")
            }
        }
        return found
    }

    /// Whether `word` occurs in `line` with a blank, a border or the line's end on both sides.
    static func containsWhole(_ word: String, in line: String) -> Bool {
        let ends: Set<Character> = [" ", "│", "|"]
        var searchStart = line.startIndex
        while let range = line.range(of: word, range: searchStart..<line.endIndex) {
            let before = range.lowerBound == line.startIndex || ends.contains(line[line.index(before: range.lowerBound)])
            let after = range.upperBound == line.endIndex || ends.contains(line[range.upperBound])
            if before && after { return true }
            searchStart = line.index(after: range.lowerBound)
        }
        return false
    }
}

/// Walks the inspector's views at 80x24, 100x30 and 120x40, in colour and ASCII: the footer, the
/// right edge, the steps' scrolling, and every picture's size label against what was drawn.
@Suite("Inspector walk: every view fits or says what is hidden")
struct InspectorWalkTests {
    static func frame(_ screen: InspectorScreen, size: (Int, Int), capabilities: TerminalCapabilities) -> CellBuffer {
        var buffer = CellBuffer(width: size.0, height: size.1)
        screen.render(into: &buffer, area: buffer.area, capabilities: capabilities)
        return buffer
    }

    /// Each picture's label agrees with the cells it took, and the note is on screen.
    static func pictureProblems(_ screen: InspectorScreen, _ buffer: CellBuffer, place: String) -> [String] {
        var found: [String] = []
        let text = buffer.lines.joined(separator: "\n")
        for picture in screen.drawnPictures {
            let name = "\(place), \(picture.title)"
            // Drawn one value across per cell and two down.
            if picture.cells.width != picture.shownWidth || picture.cells.height != (picture.shownHeight + 1) / 2 {
                found.append("\(name): drawn in \(picture.cells.width)x\(picture.cells.height) cells, "
                             + "not \(picture.shownWidth)x\(picture.shownHeight) values")
            }
            let expected = DrawnSize.note(shown: (picture.shownWidth, picture.shownHeight), of: (picture.width, picture.height))
            if picture.note != nil && !(picture.note ?? "").hasSuffix(expected ?? "\(picture.width)x\(picture.height)") {
                found.append("\(name): labelled \(picture.note ?? "") but drawn at \(picture.shownWidth)x\(picture.shownHeight)")
            }
            if picture.note == nil && expected != nil { found.append("\(name): \(expected!) and not labelled") }
            if let expected, !text.contains(expected) { found.append("\(name): \"\(expected)\" is not on screen") }
            if let note = picture.note, !text.contains(note) { found.append("\(name): \"\(note)\" is not on screen") }
        }
        return found
    }

    @Test("every view at 80x24, 100x30 and 120x40, colour and ASCII: footer, edges, pictures' sizes, scrolling",
          arguments: ["pretrained", "resnet-mini", "vgg-mini", "inception-mini"])
    func everyViewFits(model: String) throws {
        var problems: [String] = []
        var labelled = 0, scrolled = 0
        for size in ScreenWalk.sizes {
            for (capabilityName, capabilities) in ScreenWalk.capabilitySets {
                let screen = try InspectorScreenTests.screen(model: model)
                // Every layer in the overview, the first convolution zoomed, the steps, two kernels,
                // a typed kernel. The overview starts at the first convolution; Tabs go round to the input.
                let layers = screen.inspection.layers
                var states: [(String, [KeyEvent])] = (0..<layers.count).map { index in
                    ("overview \(layers[(index + 1) % layers.count].name)", index == 0 ? [] : [.tab])
                }
                states += [("zoom first conv", [.tab, .enter]), ("zoom moved", [.down, .right, .right]),
                           ("steps", [.escape, .character("p")]), ("kernel", [.character("k")]),
                           ("next kernel", [.character("k")]), ("typing", Array("t1 0 -1; 2 0 -2".map { KeyEvent.character($0) }))]
                for (name, keys) in states {
                    for key in keys { _ = screen.handle(key) }
                    let place = "\(model): \(name) at \(size.0)x\(size.1) \(capabilityName)"
                    let wide = Self.frame(screen, size: (size.0 + ScreenWalk.widening, size.1), capabilities: capabilities)
                    var buffer = Self.frame(screen, size: size, capabilities: capabilities)
                    problems += ScreenWalk.problems(in: buffer, wide: wide, pictures: screen.drawnPictures.map(\.cells),
                                                    place: place)
                    problems += Self.pictureProblems(screen, buffer, place: place)
                    labelled += screen.drawnPictures.filter { $0.note != nil }.count
                    // The first convolution's 28 columns of numbers do not fit 80 columns: the part shown is named.
                    if name == "zoom first conv" && size.0 == 80
                        && !buffer.lines.contains(where: { $0.contains("of 28x28: they follow the cursor") }) {
                        problems.append("\(place): the numbers' window is not named")
                    }
                    guard screen.view == .preprocessing else { continue }
                    if screen.stepsLayout.overflows {
                        scrolled += 1
                        if !buffer.lines.contains(where: { $0.contains("more row") && $0.contains("] scrolls") }) {
                            problems.append("\(place): the steps are cut without a marker")
                        }
                        for _ in 0..<100 where screen.stepsLayout.rowsBelow > 0 {
                            _ = screen.handle(.character("]"))
                            buffer = Self.frame(screen, size: size, capabilities: capabilities)
                            problems += Self.pictureProblems(screen, buffer, place: place + " scrolled")
                        }
                        if screen.stepsLayout.rowsBelow > 0 { problems.append("\(place): the last steps cannot be reached") }
                        if !buffer.lines.contains(where: { $0.contains("[ back") }) { problems.append("\(place): no way back up") }
                        for _ in 0..<100 where screen.stepsScroll > 0 { _ = screen.handle(.character("[")) }
                    }
                }
                _ = screen.handle(.escape)
            }
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        // The walk met shrunk pictures and steps that scroll, or it tested nothing.
        #expect(labelled > 0 && scrolled > 0)
    }

    @Test("? shows the inspector's help over it at 80x24 and 100x30: how to close it, and a marker when it is cut",
          arguments: [(80, 24), (100, 30)])
    func helpOverlay(size: (Int, Int)) {
        let app = TutorApp(root: HomeScreen(), backend: InMemoryBackend(width: size.0, height: size.1, capabilities: .full))
        app.push(InspectorScreenTests.screen())
        app.handle(.character("?"))
        let lines = app.frame().lines
        #expect(lines.contains { $0.contains("Esc or ? to close") }, "\(lines.joined(separator: "\n"))")
        #expect(lines.contains { $0.contains("one scale") } || lines.contains { $0.contains("↓") },
                "the help's text is shown, or marked as going on below")
        app.handle(.escape)
        #expect(app.topScreen is InspectorScreen, "Esc closes the help, not the inspector")
    }

    @Test("every layer's maps are drawn at one scale: pool1's at half conv1's size, and the layer line says so",
          arguments: ScreenWalk.sizes)
    func oneScaleForEveryLayer(size: (Int, Int)) {
        let screen = InspectorScreenTests.screen()
        var widths: [String: Int] = [:]
        for _ in 0..<4 {
            let buffer = Self.frame(screen, size: size, capabilities: .full)
            if let map = screen.drawnPictures.first(where: { $0.title.hasSuffix(" map 1") }) {
                widths[String(map.title.dropLast(" map 1".count))] = map.shownWidth
                #expect(buffer.lines.contains { $0.contains("as every layer") }, "\(size)")
            }
            _ = screen.handle(.tab)
        }
        let conv1 = widths["1 conv"] ?? 0, pool1 = widths["3 maxpool"] ?? 0
        #expect(conv1 > 0 && abs(conv1 - 2 * pool1) <= 1, "\(size): conv1 \(conv1), pool1 \(pool1)")
    }

    @Test("the preprocessing steps that fit are drawn at one whole factor of their sizes, so they keep their relative sizes",
          arguments: ScreenWalk.sizes)
    func stepsShareAFactor(size: (Int, Int)) {
        let screen = InspectorScreenTests.screen()
        _ = screen.handle(.character("p"))
        var factors: [String: Int] = [:]
        for _ in 0..<100 {
            _ = Self.frame(screen, size: size, capabilities: .full)
            for picture in screen.drawnPictures where picture.note?.contains("drawn at") == false {
                #expect(picture.shownWidth % picture.width == 0, "\(picture.title) at \(size)")
                factors[picture.title] = picture.shownWidth / picture.width
            }
            guard screen.stepsLayout.rowsBelow > 0 else { break }
            _ = screen.handle(.character("]"))
        }
        // The 20x20 fit and the centred 28x28 are drawn whole at every size.
        #expect(factors.keys.contains { $0.hasPrefix("5.") } && factors.keys.contains { $0.hasPrefix("6.") }, "\(factors)")
        #expect(Set(factors.values).count == 1, "\(size): \(factors)")
    }

    @Test("conv1's maps say what their bright frame is, with a legend of the layer's colours; pool1's do not")
    func paddingCaptionAndLegend() {
        let screen = InspectorScreenTests.screen()
        let conv1 = Self.frame(screen, size: (100, 30), capabilities: .full).lines
        #expect(conv1.contains { $0.contains("bright frame: zero padding") })
        // The legend of conv1's shared scale: its bounds either side of the bar, on the caption's row.
        let layer = InspectorScreenTests.inspection.layers[1]
        let legend = Legend(mapping: InspectorScreen.mapping(for: layer))
        let row = conv1.first { $0.contains("bright frame") } ?? ""
        #expect(row.contains("│ \(legend.label(legend.mapping.range.lower)) ")
                && row.contains(" \(legend.label(legend.mapping.range.upper))  "), "\(row)")
        _ = screen.handle(.tab)
        #expect(!Self.frame(screen, size: (100, 30), capabilities: .full).lines.contains { $0.contains("bright frame") })
    }
}
