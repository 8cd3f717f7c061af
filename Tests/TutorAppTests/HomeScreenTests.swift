import Testing
import TerminalUI
@testable import TutorApp

@Suite("Home screen and the app shell")
struct HomeScreenTests {
    static let asciiMono = TerminalCapabilities(colors: .monochrome, glyphs: .ascii)

    static func app(width: Int = 80, height: Int = 24, capabilities: TerminalCapabilities = .full,
                    keys: [KeyEvent] = []) -> (TutorApp, InMemoryBackend) {
        let backend = InMemoryBackend(width: width, height: height, capabilities: capabilities)
        let app = TutorApp(root: HomeScreen(), backend: backend)
        for key in keys { app.handle(key) }
        return (app, backend)
    }

    @Test("snapshots of the home screen and its help overlay, 80x24 and 120x40, colour and ASCII",
          arguments: [(80, 24), (120, 40)], [false, true])
    func snapshots(size: (Int, Int), ascii: Bool) throws {
        let capabilities = ascii ? Self.asciiMono : .full
        let suffix = "\(size.0)x\(size.1)-\(ascii ? "ascii" : "colour")"
        let (app, _) = Self.app(width: size.0, height: size.1, capabilities: capabilities)
        try Snapshot.expect(app.frame(), named: "home-\(suffix)")
        app.handle(.character("?"))
        #expect(app.showingHelp)
        try Snapshot.expect(app.frame(), named: "home-help-\(suffix)")
    }

    @Test("the selected entry is drawn reversed and each entry's letter underlined")
    func menuStyles() throws {
        let (app, _) = Self.app(keys: [.down])
        let frame = app.frame()
        let row = try #require((0..<frame.height).first { frame.line($0).contains("Playground") })
        let column = try #require(frame.line(row).firstRange(of: "Playground")).lowerBound
        let x = frame.line(row).distance(from: frame.line(row).startIndex, to: column)
        #expect(frame[x, row].style.attributes.contains(.reverse))
        #expect(frame[x, row].style.attributes.contains(.underline), "P of Playground is underlined")
        #expect(!frame[x + 1, row].style.attributes.contains(.underline))
        let lessonsRow = try #require((0..<frame.height).first { frame.line($0).contains("Lessons") })
        #expect(!frame.line(lessonsRow).contains(">") && !frame.line(lessonsRow).contains("▶"))
    }

    @Test("arrows and Enter, or the letter, open a screen; Esc comes back; q on the home screen quits")
    func navigation() {
        let (app, _) = Self.app()
        #expect(app.handle(.down) && app.handle(.down) && app.handle(.enter))
        #expect(app.topScreen.title == "Train LeNet-5")
        #expect(app.handle(.escape))
        #expect(app.stack.count == 1)
        #expect(app.handle(.character("i")))
        #expect(app.topScreen.title == "Inspect an image")
        #expect(app.handle(.escape))
        for letter in ["l", "p", "h"] {
            #expect(app.handle(.character(Character(letter))))
            #expect(app.stack.count == 2)
            #expect(app.handle(.escape))
        }
        #expect(app.handle(.character("x")), "a key the screen does not use changes nothing")
        #expect(app.handle(.escape), "Esc on the home screen does not quit")
        #expect(app.stack.count == 1)
        #expect(!app.handle(.character("q")), "q on the home screen quits")
    }

    @Test("Quit in the menu and Ctrl-C anywhere end the program")
    func quitting() {
        #expect(!Self.app().0.handle(.character("Q")))
        let (app, _) = Self.app(keys: [.character("t")])
        #expect(!app.handle(.control("c")))
    }

    @Test("? opens the help of the screen on top, and Esc closes it without leaving the screen")
    func helpOverlay() {
        let (app, _) = Self.app(keys: [.character("t"), .character("?")])
        #expect(app.showingHelp)
        #expect(app.frame().lines.contains { $0.contains("Train LeNet-5: keys") })
        app.handle(.escape)
        #expect(!app.showingHelp && app.topScreen.title == "Train LeNet-5")
    }

    @Test("a terminal below 80x24 shows its size and the size needed, centred; the screen returns when enlarged")
    func tooSmall() throws {
        let (app, backend) = Self.app(width: 60, height: 20)
        app.drawFrame()
        let lines = backend.screen.lines
        let row = try #require(lines.firstIndex { $0.contains("This terminal is 60x20.") })
        #expect(lines[row + 1].contains("ConvTutor needs at least 80x24."))
        #expect(row >= 8 && row <= 9, "centred vertically")
        #expect(app.handle(.down), "keys other than q are ignored while too small")
        backend.resize(width: 100, height: 30)
        app.handle(.resize)
        app.drawFrame()
        #expect(backend.screen.lines.contains { $0.contains("Train LeNet-5") })
        #expect(!backend.screen.lines.contains { $0.contains("This terminal is") })
    }

    @Test("sizes from 0x0 and 1x1 to 400x150 draw without crashing")
    func extremeSizes() {
        for (width, height) in [(0, 0), (1, 1), (2, 1), (80, 1), (1, 40), (79, 24), (80, 24), (400, 150)] {
            let (app, backend) = Self.app(width: width, height: height)
            app.drawFrame()
            app.handle(.character("?"))
            app.drawFrame()
            #expect(backend.drawCount == 2)
        }
    }

    @Test("only changed cells are sent: moving the selection redraws a few rows, not the screen")
    func diffing() {
        let (app, backend) = Self.app()
        app.drawFrame()
        #expect(backend.lastChangeCount == 80 * 24)
        app.handle(.down)
        app.drawFrame()
        #expect(backend.lastChangeCount > 0 && backend.lastChangeCount < 80 * 3)
        app.drawFrame()
        #expect(backend.lastChangeCount == 0)
    }

    @Test("the loop ends when the input closes, and waits for keys (no ticking) while nothing moves")
    func loopEndsOnClosedInput() {
        let (app, backend) = Self.app()
        backend.pendingEvents = [.down, .down, .enter, .escape]
        app.run()
        #expect(backend.drawCount == 5, "one frame at the start and one per key")
    }
}
