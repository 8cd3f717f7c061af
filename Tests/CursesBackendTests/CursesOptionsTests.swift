import Testing
@testable import CursesBackend

@Suite("Curses options")
struct CursesOptionsTests {
    @Test("NO_COLOR turns colour off only when set to something non-empty; --no-color always does")
    func noColor() {
        func options(noColor: Bool, variable: String?) -> CursesOptions {
            CursesOptions.fromFlags(noColor: noColor, ascii: false) { $0 == "NO_COLOR" ? variable : nil }
        }
        #expect(!options(noColor: false, variable: nil).forceMonochrome)
        #expect(!options(noColor: false, variable: "").forceMonochrome)
        #expect(options(noColor: false, variable: "1").forceMonochrome)
        #expect(options(noColor: false, variable: "0").forceMonochrome)  // any value counts
        #expect(options(noColor: true, variable: nil).forceMonochrome)
    }

    @Test("--ascii is passed through; Ctrl-Z suspends by default")
    func ascii() {
        let options = CursesOptions.fromFlags(noColor: false, ascii: true) { _ in nil }
        #expect(options.forceASCII)
        #expect(options.suspendsOnControlZ)
        #expect(!CursesOptions.fromFlags(noColor: false, ascii: false) { _ in nil }.forceASCII)
    }

    @Test("without a terminal on standard input and output, open refuses with a message and leaves it alone",
          .enabled(if: !CursesTerminal.isTerminal()))
    func refusesWithoutTerminal() {
        #expect {
            _ = try CursesTerminal.open(options: CursesOptions())
        } throws: { error in
            guard let error = error as? TerminalError else { return false }
            return error.message.contains("is not a terminal") && error.message.contains("convtutor --help")
        }
    }
}
