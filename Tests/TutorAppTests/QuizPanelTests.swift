import Lessons
import Testing
import TerminalUI
@testable import TutorApp

/// Shared checks for the step panels of this helper (quiz, activation, pipeline, image).
enum StepsPanelChecks {
    static let asciiMono = TerminalCapabilities(colors: .monochrome, glyphs: .ascii)

    /// The panel drawn into a `width x height` buffer filling it.
    static func frame(_ panel: any StepPanel, width: Int = 100, height: Int = 30,
                      capabilities: TerminalCapabilities = .full) -> CellBuffer {
        var buffer = CellBuffer(width: width, height: height)
        panel.render(into: &buffer, area: buffer.area, capabilities: capabilities)
        return buffer
    }

    /// The frame's text, one string.
    static func text(_ panel: any StepPanel, width: Int = 100, height: Int = 30,
                     capabilities: TerminalCapabilities = .full) -> String {
        frame(panel, width: width, height: height, capabilities: capabilities).lines.joined(separator: "\n")
    }

    /// Draws the panel into areas from 0x0 up inside a buffer filled with `#`, in every mode, and
    /// returns the cells written outside the area (none expected).
    static func cellsOutside(_ panel: any StepPanel) -> [String] {
        var problems: [String] = []
        let sizes = [(0, 0), (1, 1), (2, 1), (1, 5), (5, 3), (12, 4), (20, 10), (40, 12), (60, 20), (100, 30), (160, 50)]
        for (width, height) in sizes {
            for capabilities in [TerminalCapabilities.full, asciiMono, TerminalCapabilities(colors: .direct, glyphs: .unicode),
                                 TerminalCapabilities(colors: .monochrome, glyphs: .unicode)] {
                var buffer = CellBuffer(width: width + 6, height: height + 4, filling: Cell("#"))
                let area = Rect(x: 3, y: 2, width: width, height: height)
                panel.render(into: &buffer, area: area, capabilities: capabilities)
                for y in 0..<buffer.height {
                    for x in 0..<buffer.width where !area.contains(x: x, y: y) && buffer[x, y] != Cell("#") {
                        problems.append("\(width)x\(height): (\(x), \(y))")
                    }
                }
                if capabilities.glyphs == .ascii {
                    for line in buffer.lines where !line.unicodeScalars.allSatisfy({ $0.isASCII }) {
                        problems.append("\(width)x\(height) ASCII: non-ASCII in \(line)")
                    }
                }
            }
        }
        return problems
    }

    /// Types `text` as character keys.
    static func type(_ text: String, into panel: any StepPanel) {
        for character in text { _ = panel.handle(.character(character)) }
    }
}

@Suite("Quiz panel")
struct QuizPanelTests {
    static let numberQuiz = QuizSpec(
        question: "What does a 3x3 kernel of ones give on a window of ones plus a **bias** of 3?",
        answer: .number(12, tolerance: 0.01), hint: "Nine products of 1, then the bias.",
        explanation: "9 x 1 = 9, and 9 + 3 = 12.")
    static let shapeQuiz = QuizSpec(question: "Output size of a 3x3 kernel on a 5x5 input?", answer: .shape([3, 3]),
                                    hint: "5 - 3 + 1.", explanation: "Three positions fit along each axis.")
    static let choiceQuiz = QuizSpec(question: "Which pooling keeps the largest value?", answer: .choice(1),
                                     choices: ["average", "max", "sum"], hint: "Its name says so.",
                                     explanation: "Max pooling keeps the winner of each window.")
    static let cellQuiz = QuizSpec(question: "Which cell does max pooling pick?", answer: .cell(row: 1, column: 2),
                                   grid: GridStack([[1, 2, 3], [4, 5, 9], [7, 8, 6]]), hint: "Find the 9.",
                                   explanation: "9 is the largest value.")

    static func typeAndSubmit(_ text: String, _ panel: QuizPanel) {
        StepsPanelChecks.type(text, into: panel)
        #expect(panel.handle(.enter))
    }

    @Test("a number answered right: a tick and the explanation; the step is complete and keys go back to the host")
    func numberRight() {
        let panel = QuizPanel(spec: Self.numberQuiz)
        #expect(!panel.isComplete)
        #expect(StepsPanelChecks.text(panel).contains("Your answer:    a number, then Enter"))
        StepsPanelChecks.type("12", into: panel)
        #expect(StepsPanelChecks.text(panel).contains("Your answer: 12"))
        #expect(panel.handle(.enter))
        #expect(panel.isComplete && panel.state == .right)
        let text = StepsPanelChecks.text(panel)
        #expect(text.contains("✓ Right!"))
        #expect(text.contains("9 x 1 = 9, and 9 + 3 = 12."))
        #expect(!text.contains("Hint"))
        #expect(!panel.handle(.enter) && !panel.handle(.character("1")), "answered: the host gets the keys")
        #expect(panel.keyHelp.isEmpty)
        let ascii = StepsPanelChecks.text(panel, capabilities: StepsPanelChecks.asciiMono)
        #expect(ascii.contains("[right] Right!"))
    }

    @Test("a fraction can be typed: 24/2 is read as 12")
    func fractionTyped() {
        let panel = QuizPanel(spec: Self.numberQuiz)
        Self.typeAndSubmit("24/2", panel)
        #expect(panel.isComplete && panel.state == .right)
    }

    @Test("a wrong number says so and shows the hint; the second miss offers s; s shows the answer and explains")
    func numberWrongThenShow() {
        let panel = QuizPanel(spec: Self.numberQuiz)
        #expect(!panel.handle(.character("s")), "s is not offered before two misses")
        Self.typeAndSubmit("14", panel)
        #expect(panel.misses == 1 && !panel.isComplete)
        var text = StepsPanelChecks.text(panel)
        #expect(text.contains("✗ Not quite: 14 is not it."))
        #expect(text.contains("Hint: Nine products of 1, then the bias."))
        #expect(!text.contains("press s") && !text.contains("Press s"))
        #expect(StepsPanelChecks.text(panel, capabilities: StepsPanelChecks.asciiMono).contains("[wrong] Not quite: 14 is not it."))
        #expect(panel.typed.isEmpty, "a wrong answer is cleared for the next try")
        #expect(!panel.handle(.character("s")))

        Self.typeAndSubmit("10", panel)
        #expect(panel.misses == 2 && panel.offersAnswer)
        text = StepsPanelChecks.text(panel)
        #expect(text.contains("✗ Not quite: 10 is not it."))
        #expect(text.contains("Press s to see the answer."))
        #expect(panel.keyHelp.contains(KeyHint("s", "show the answer")))

        #expect(panel.handle(.character("s")))
        #expect(panel.isComplete && panel.state == .revealed)
        text = StepsPanelChecks.text(panel)
        #expect(text.contains("The answer: 12"))
        #expect(text.contains("9 x 1 = 9, and 9 + 3 = 12."))
        #expect(!text.contains("Not quite"))
    }

    @Test("unreadable input gets the checker's message and is not a miss; only answer characters are typed")
    func unreadable() {
        let panel = QuizPanel(spec: Self.numberQuiz)
        #expect(!panel.handle(.character("a")), "letters other than x are not part of an answer")
        #expect(panel.handle(.enter), "Enter on nothing asks for an answer")
        #expect(StepsPanelChecks.text(panel).contains("Type your answer first, then press Enter."))
        Self.typeAndSubmit("1x2", panel)
        #expect(panel.misses == 0 && !panel.isComplete)
        #expect(StepsPanelChecks.text(panel).contains("Type a number such as 12 or -0.5."))
        #expect(panel.typed == "1x2", "unreadable text stays for editing")
        #expect(panel.handle(.backspace) && panel.handle(.backspace) && panel.handle(.backspace))
        #expect(panel.typed.isEmpty)
        StepsPanelChecks.type("(-1.5, 2)", into: panel)
        #expect(panel.typed == "(-1.5, 2)", "digits, x, spaces, commas, parentheses, - and . are typed")
        #expect(!panel.handle(.left) && !panel.handle(.up), "arrows go to the host in a typed quiz")
    }

    @Test("the key help lists what the answer is written with: - . / for a number, x , ( ) for a shape")
    func keyHelpMatchesTheAnswer() {
        #expect(QuizPanel(spec: Self.numberQuiz).keyHelp.first == KeyHint("0-9 - . /", "type"))
        #expect(QuizPanel(spec: Self.shapeQuiz).keyHelp.first == KeyHint("0-9 x , ( )", "type"))
        let panel = QuizPanel(spec: Self.numberQuiz)
        Self.typeAndSubmit("-0.5", panel)
        #expect(StepsPanelChecks.text(panel).contains("✗ Not quite: -0.5 is not it."), "no 'too low': which side is no help")
    }

    @Test("shape quizzes: a wrong shape names the size that is off, the right one completes")
    func shape() {
        let panel = QuizPanel(spec: Self.shapeQuiz)
        #expect(panel.keyHelp.map(\.description).contains("check"))
        #expect(StepsPanelChecks.text(panel).contains("a shape: HxW, then Enter"))
        #expect(QuizPanel(spec: QuizSpec(question: "?", answer: .shape([6, 28, 28]))).answerPrompt == "a shape: CxHxW")
        Self.typeAndSubmit("(3, 4)", panel)
        #expect(panel.misses == 1)
        #expect(StepsPanelChecks.text(panel).contains("Not quite: the 2nd size is off."))
        #expect(StepsPanelChecks.text(panel).contains("Hint: 5 - 3 + 1."))
        Self.typeAndSubmit("3 x 3", panel)
        #expect(panel.isComplete && panel.state == .right)
        #expect(StepsPanelChecks.text(panel).contains("Your answer: 3 x 3"))
    }

    @Test("choice quizzes: choices numbered from 1, none selected at first; Up/Down or the digit selects, Enter checks; a wrong choice is marked")
    func choice() {
        let panel = QuizPanel(spec: Self.choiceQuiz)
        var lines = StepsPanelChecks.frame(panel).lines
        #expect(panel.selectedChoice == nil)
        #expect(lines.contains("  1. average"), "nothing selected at first")
        #expect(lines.contains("  2. max"))
        #expect(lines.contains("  3. sum"))
        #expect(panel.keyHelp.contains(KeyHint("1-3", "select")) && panel.keyHelp.contains(KeyHint("Enter", "check")))
        #expect(panel.handle(.enter), "Enter with nothing selected")
        #expect(panel.misses == 0 && !panel.isComplete, "is not a miss, and does not check choice 1")
        #expect(StepsPanelChecks.frame(panel).lines.contains("Choose one first (↑↓ or its number)."))
        #expect(StepsPanelChecks.frame(panel, capabilities: StepsPanelChecks.asciiMono).lines
            .contains("Choose one first (^v or its number)."))
        #expect(panel.handle(.up), "Up with nothing selected goes to the last")
        #expect(panel.selectedChoice == 2)
        #expect(!StepsPanelChecks.text(panel).contains("Choose one first"), "the note goes once one is selected")
        #expect(panel.handle(.enter))
        #expect(panel.misses == 1 && panel.wrongChoices == [2])
        lines = StepsPanelChecks.frame(panel).lines
        #expect(lines.contains("✗ Not quite: choice 3 is not the right one."))
        #expect(lines.contains("Hint: Its name says so."))
        #expect(StepsPanelChecks.frame(panel, capabilities: StepsPanelChecks.asciiMono).lines.contains("> 3. sum"))
        #expect(!panel.handle(.character("7")), "no choice 7")
        #expect(panel.handle(.character("1")))
        #expect(panel.selectedChoice == 0 && panel.misses == 1, "a digit selects without checking")
        #expect(StepsPanelChecks.frame(panel).lines.contains("▶ 1. average"))
        #expect(panel.handle(.enter))
        #expect(panel.misses == 2 && panel.offersAnswer)
        #expect(panel.handle(.down) && panel.handle(.enter))
        #expect(panel.isComplete && panel.state == .right)
        lines = StepsPanelChecks.frame(panel).lines
        #expect(lines.contains("✓ 2. max"))
        #expect(lines.contains("✗ 1. average") && lines.contains("✗ 3. sum"))
        #expect(lines.contains("✓ Right!"))
        #expect(lines.contains("Max pooling keeps the winner of each window."))
        #expect(!panel.handle(.enter), "answered: Enter goes to the host")
    }

    @Test("a digit then Enter is one check, not two; giving up shows the right choice")
    func choiceDigitAndGiveUp() {
        let panel = QuizPanel(spec: Self.choiceQuiz)
        #expect(panel.handle(.character("1")) && panel.handle(.enter))
        #expect(panel.misses == 1)
        #expect(panel.handle(.character("3")) && panel.handle(.character("3")) && panel.handle(.enter))
        #expect(panel.misses == 2)
        #expect(panel.handle(.character("s")))
        let text = StepsPanelChecks.text(panel)
        #expect(text.contains("The answer: 2. max"))
        #expect(text.contains("Max pooling keeps the winner of each window."))
    }

    @Test("a click selects a choice, a click on the selected one checks it")
    func choiceClicks() throws {
        let panel = QuizPanel(spec: Self.choiceQuiz)
        let row = try #require(StepsPanelChecks.frame(panel).lines.firstIndex(of: "  2. max"))
        #expect(panel.handle(.click(x: 4, y: row)))
        #expect(panel.selectedChoice == 1 && !panel.isComplete)
        #expect(panel.handle(.click(x: 4, y: row)))
        #expect(panel.isComplete && panel.misses == 0)
    }

    @Test("cell quizzes: the arrows move a cursor over the grid, Enter picks; misses, hint and the answer")
    func cell() throws {
        let panel = QuizPanel(spec: Self.cellQuiz)
        var frame = StepsPanelChecks.frame(panel)
        var text = frame.lines.joined(separator: "\n")
        #expect(text.contains("(row 1, column 1)"))
        // The grid has 1-based labels and the cursor on the top-left cell.
        let headerRow = try #require(frame.lines.firstIndex { $0.hasSuffix("1 2 3") })
        #expect(frame.lines[headerRow + 1] == "1 1 2 3")
        #expect(frame[2, headerRow + 1].style.background == .yellow, "the cursor cell")
        #expect(panel.handle(.right) && panel.handle(.right) && panel.handle(.right), "Right stops at the edge")
        #expect(panel.cursor == (0, 2))
        #expect(panel.handle(.enter))
        #expect(panel.misses == 1)
        text = StepsPanelChecks.text(panel)
        #expect(text.contains("Not quite: right column, wrong row."))
        #expect(text.contains("Hint: Find the 9."))
        #expect(panel.handle(.down) && panel.handle(.left) && panel.handle(.enter))
        #expect(panel.misses == 2)
        #expect(StepsPanelChecks.text(panel).contains("Not quite: right row, wrong column."))
        #expect(panel.handle(.right) && panel.handle(.enter))
        #expect(panel.isComplete && panel.state == .right)
        frame = StepsPanelChecks.frame(panel)
        #expect(frame.lines.joined(separator: "\n").contains("✓ Right!"))
        #expect(frame[6, headerRow + 2].style.background == .blue, "the answer cell is marked")
        #expect(!panel.handle(.left), "answered: the arrows go to the host")
    }

    @Test("a cell quiz given up on names the cell and its value")
    func cellGiveUp() {
        let panel = QuizPanel(spec: Self.cellQuiz)
        #expect(panel.handle(.enter) && panel.handle(.enter))
        #expect(panel.handle(.character("s")))
        #expect(StepsPanelChecks.text(panel).contains("The answer: row 2, column 3 (value 9)"))
    }

    @Test("snapshots at 100x30, colour and ASCII: a number quiz after a miss, a choice quiz, a cell quiz",
          arguments: [false, true])
    func snapshots(ascii: Bool) throws {
        let capabilities = ascii ? StepsPanelChecks.asciiMono : .full
        let suffix = "100x30-\(ascii ? "ascii" : "colour")"
        let number = QuizPanel(spec: Self.numberQuiz)
        Self.typeAndSubmit("14", number)
        StepsPanelChecks.type("1", into: number)
        try Snapshot.expect(StepsPanelChecks.frame(number, capabilities: capabilities), named: "step-quiz-number-\(suffix)")
        let choice = QuizPanel(spec: Self.choiceQuiz)
        _ = choice.handle(.character("3"))
        _ = choice.handle(.enter)
        try Snapshot.expect(StepsPanelChecks.frame(choice, capabilities: capabilities), named: "step-quiz-choice-\(suffix)")
        let cell = QuizPanel(spec: Self.cellQuiz)
        _ = cell.handle(.down)
        try Snapshot.expect(StepsPanelChecks.frame(cell, capabilities: capabilities), named: "step-quiz-cell-\(suffix)")
    }

    @Test("every size from 0x0 draws only inside the area, in ASCII only ASCII")
    func sizes() {
        for spec in [Self.numberQuiz, Self.shapeQuiz, Self.choiceQuiz, Self.cellQuiz] {
            let panel = QuizPanel(spec: spec)
            _ = panel.handle(.enter)
            StepsPanelChecks.type("1", into: panel)
            _ = panel.handle(.enter)
            _ = panel.handle(.enter)
            #expect(StepsPanelChecks.cellsOutside(panel) == [])
            _ = panel.handle(.character("s"))
            #expect(StepsPanelChecks.cellsOutside(panel) == [])
        }
    }
}
