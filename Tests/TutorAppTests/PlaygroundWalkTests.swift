import Testing
import TerminalUI
@testable import TutorApp

/// Walks the playground's states at 80x24, 100x30 and 120x40, in colour and ASCII, inside the app
/// (so the help overlay is the real one): the footer says how to get help and go back, no text
/// reaches the frame's edge without a marker, content cut at the bottom says so and PgDn reaches
/// its end, and every "drawn at" label matches the map drawn.
@Suite("Playground walk: every state fits or says what is hidden")
struct PlaygroundWalkTests {
    static let states: [(name: String, keys: [KeyEvent])] = [
        ("default grid", []), ("controls focused", [.character("f"), .character("f")]),
        ("a typed value", [.character("f"), .character("7")]), ("sample image", [.character("i")]),
        ("pooling", [.character("d"), .character("o"), .character("r")]), ("image pooled", [.character("i"), .character("o")]),
        ("invalid settings", Array("}}}}".map { KeyEvent.character($0) })), ("help", [.character("?")]),
    ]

    @Test("every state at 80x24, 100x30 and 120x40, colour and ASCII: footer, edges, labels, scrolling")
    func everyStateFits() {
        var problems: [String] = []
        var scrolled = 0
        for size in ScreenWalk.sizes {
            for (capabilityName, capabilities) in ScreenWalk.capabilitySets {
                for state in Self.states {
                    let place = "\(state.name) at \(size.0)x\(size.1) \(capabilityName)"
                    let (app, screen) = Self.app(state.keys, width: size.0, height: size.1, capabilities: capabilities)
                    let wide = Self.app(state.keys, width: size.0 + ScreenWalk.widening, height: size.1,
                                        capabilities: capabilities).app.frame()
                    var frame = app.frame()
                    problems += ScreenWalk.problems(in: frame, wide: wide, place: place)
                    problems += Self.labelProblems(screen, frame, capabilities: capabilities, place: place)
                    guard screen.panelLayout.overflows, state.name != "help" else { continue }
                    scrolled += 1
                    if !frame.lines.contains(where: { $0.contains("more row") && $0.contains("PgDn scrolls") }) {
                        problems.append("\(place): cut without a marker")
                    }
                    for _ in 0..<100 where screen.panelLayout.rowsBelow > 0 {
                        app.handle(.pageDown)
                        frame = app.frame()
                    }
                    if screen.panelLayout.rowsBelow > 0 { problems.append("\(place): the last rows cannot be reached") }
                    // The status line (what is typed, the last message) stays in view while scrolled.
                    let status = screen.panel.statusLine(capabilities: capabilities).text
                    if !frame.lines[size.1 - 3].contains(String(status.prefix(20))) {
                        problems.append("\(place): the status line is not in view: \(frame.lines[size.1 - 3])")
                    }
                    if !frame.lines.contains(where: { $0.contains("PgUp back") }) { problems.append("\(place): no way back up") }
                }
            }
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        // At 80x24 something needs scrolling, or the scrolling was not tested.
        #expect(scrolled > 0)
    }

    /// The playground in the app after `keys`.
    static func app(_ keys: [KeyEvent], width: Int, height: Int,
                    capabilities: TerminalCapabilities) -> (app: TutorApp, screen: PlaygroundScreen) {
        let app = TutorApp(root: HomeScreen(), backend: InMemoryBackend(width: width, height: height, capabilities: capabilities))
        let screen = PlaygroundScreen()
        app.push(screen)
        for key in keys { app.handle(key) }
        return (app, screen)
    }

    /// A "drawn at RxC" under a map says the size it was drawn at: the map's cells above the legend.
    static func labelProblems(_ screen: PlaygroundScreen, _ frame: CellBuffer, capabilities: TerminalCapabilities,
                              place: String) -> [String] {
        var found: [String] = []
        for (heatmap, box) in screen.panel.drawnHeatmaps {
            let note = heatmap.sizeLabel(in: box, capabilities: capabilities)
            let shown = heatmap.shownSize(in: box, capabilities: capabilities)
            if shown.cellWidth > box.width || shown.cellHeight > box.height {
                found.append("\(place): a \(heatmap.rows)x\(heatmap.columns) map drawn past its box")
            }
            // The note is the second row under the map (under the legend), when that row is on screen.
            let noteRow = box.maxY + 1 - screen.panelScroll
            // Rows above the frame's bottom border, and above the pinned status line when scrolling.
            let visibleEnd = frame.height - 2 - (screen.panelLayout.overflows ? 1 : 0)
            if let note, noteRow < visibleEnd, !frame.lines.contains(where: { $0.contains(note) }) {
                found.append("\(place): \"\(note)\" is not on screen")
            }
        }
        return found
    }
}
