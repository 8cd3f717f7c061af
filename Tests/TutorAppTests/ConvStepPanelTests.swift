import ConvKernels
import Lessons
import Testing
import TerminalUI
@testable import TutorApp

/// Lessons and traces the player tests share.
enum PlayerFixtures {
    /// The classic 5x5 example: with this kernel and no padding the output is
    /// [[12, 12, 17], [10, 17, 19], [9, 6, 14]].
    static let input: [[Float]] = [
        [3, 3, 2, 1, 0],
        [0, 0, 1, 3, 1],
        [3, 1, 2, 2, 3],
        [2, 0, 0, 2, 2],
        [2, 0, 0, 0, 1],
    ]
    static let kernel: [[Float]] = [[0, 1, 2], [2, 2, 0], [0, 1, 2]]

    static func convSpec(padding: Int = 0, predict: Bool = false, stride: Pair = 1) -> ConvSpec {
        ConvSpec(input: GridStack(input), kernels: [GridStack(kernel)], stride: stride,
                 padding: .explicit(rows: padding, columns: padding), predict: predict)
    }

    static func convTrace(padding: Int = 0, predict: Bool = false) throws -> ConvTrace {
        try ConvTrace(spec: convSpec(padding: padding, predict: predict))
    }

    static func poolSpec(predict: Bool = false) -> PoolSpec {
        PoolSpec(input: GridStack([
            [1, 3, 2, 1],
            [4, 2, 0, 1],
            [5, 1, 3, 3],
            [0, 2, 4, 6],
        ]), kind: .max, size: 2, predict: predict)
    }

    /// Every window's shown value, in window order, as a learner would type it.
    static func typedValues(_ trace: ConvTrace) -> [String] {
        trace.windows.map { LessonNumber.format(trace.output.channels[$0.outputChannel][$0.outputRow][$0.outputColumn]) }
    }

    static func type(_ text: String, into panel: any StepPanel) {
        for character in text { _ = panel.handle(.character(character)) }
        _ = panel.handle(.enter)
    }

    static func render(_ panel: any StepPanel, width: Int = 60, height: Int = 24,
                       capabilities: TerminalCapabilities = .full) -> CellBuffer {
        var buffer = CellBuffer(width: width, height: height)
        panel.render(into: &buffer, area: buffer.area, capabilities: capabilities)
        return buffer
    }

    static func text(_ buffer: CellBuffer) -> String { buffer.lines.joined(separator: "\n") }
}

@Suite("Convolution and pooling step panels")
struct ConvStepPanelTests {
    @Test("Right and Space step through the trace's windows in order; Left goes back; Enter jumps to the end")
    func stepping() throws {
        let trace = try PlayerFixtures.convTrace()
        #expect(trace.output.channels[0] == [[12, 12, 17], [10, 17, 19], [9, 6, 14]])
        let panel = ConvStepPanel(trace: trace)
        var seen = [try #require(panel.currentWindow)]
        for index in 1..<trace.windows.count {
            #expect(!panel.isComplete, "not complete before the last window")
            #expect(panel.handle(index.isMultiple(of: 2) ? .right : .character(" ")))
            seen.append(try #require(panel.currentWindow))
        }
        #expect(seen == trace.windows)
        #expect(panel.isComplete)
        #expect(panel.handle(.right), "Right at the end is still the panel's key")
        #expect(panel.currentIndex == trace.windows.count - 1)
        #expect(panel.handle(.left) && panel.handle(.left))
        #expect(panel.currentWindow == trace.windows[trace.windows.count - 3])
        #expect(panel.isComplete, "going back does not undo having seen the end")

        let jumping = ConvStepPanel(trace: trace)
        #expect(jumping.handle(.left) && jumping.currentIndex == 0, "Left at the start stays")
        #expect(jumping.handle(.enter))
        #expect(jumping.currentWindow == trace.windows.last)
        #expect(jumping.isComplete)
        #expect(!jumping.handle(.enter), "Enter on the last window of a complete step is the player's (next step)")
        #expect(!jumping.keyHelp.contains { $0.key == "Enter" })
        #expect(jumping.handle(.left) && jumping.keyHelp.contains(KeyHint("Enter", "to the end")))
        #expect(jumping.handle(.enter) && jumping.currentWindow == trace.windows.last, "looking back, Enter is to the end")
        #expect(!jumping.handle(.character("x")) && !jumping.handle(.tab) && !jumping.handle(.pageDown),
                "other keys are left to the player")
        #expect(!jumping.handle(.character("5")), "digits are not the panel's without predict mode")
    }

    @Test("the output grid is sized by all its final values: the layout stays put while one- and two-digit values come in")
    func outputSizedByEveryValue() throws {
        // Dilation 2 with padding 2 (lesson 7): the first output cells are one digit, later ones two.
        let input: [[Float]] = [[1, 2, 0, 1, 3, 0, 2], [0, 1, 2, 3, 0, 1, 1], [2, 0, 1, 0, 2, 1, 0], [1, 3, 0, 2, 1, 0, 2],
                                [0, 1, 2, 0, 1, 3, 1], [2, 0, 1, 1, 0, 2, 0], [1, 2, 0, 3, 1, 0, 1]]
        let spec = ConvSpec(input: GridStack(input), kernels: [GridStack([[1, 1, 1], [1, 1, 1], [1, 1, 1]])],
                            padding: .explicit(rows: 2, columns: 2), dilation: 2)
        let trace = try ConvTrace(spec: spec)
        let values = trace.output.channels[0].joined()
        #expect(values.contains { $0 < 10 } && values.contains { $0 >= 10 })
        let panel = ConvStepPanel(trace: trace)
        /// Where the output's title and its first row are drawn, and how wide that row is.
        func outputPlace() throws -> [Int] {
            let lines = PlayerFixtures.render(panel, width: 56, height: 25).lines
            let y = try #require(lines.firstIndex { $0.contains("Output") && !$0.contains("Output size") })
            let x = try #require(lines[y].range(of: "Output")).lowerBound.utf16Offset(in: lines[y])
            var row = String(lines[y + 1].dropFirst(x))
            while row.last == " " { row.removeLast() }
            return [y, x, row.count]
        }
        let first = try outputPlace()
        for _ in trace.windows.dropFirst() {
            _ = panel.handle(.right)
            #expect(try outputPlace() == first, "window \(panel.currentIndex + 1)")
        }
        #expect(first[1] > 0, "the output sits beside the input, under the kernel")
        // At the player's size at 100x30 the arithmetic and the output-size formula show.
        let text = PlayerFixtures.text(PlayerFixtures.render(panel, width: 56, height: 25))
        #expect(text.contains("= \(LessonNumber.format(trace.windows.last!.value))"))
        #expect(text.contains("Output size") && text.contains("height: floor("))
    }

    @Test("GridFlow: a block that does not fit beside the last one stacks under it when columns stack, else starts a row")
    func stacking() {
        let wide = NumberGrid([[Float]](repeating: [1, 2, 3, 4, 5, 6, 7, 8], count: 6), decimals: 0)  // 15 x 6
        let small = NumberGrid([[1, 1], [1, 1]])  // 3 x 2
        let blocks = [GridFlow.Block(title: "A", grid: wide), GridFlow.Block(title: "B", grid: small),
                      GridFlow.Block(title: "C", grid: wide)]
        for stacks in [false, true] {
            var buffer = CellBuffer(width: 34, height: 20)
            let rows = GridFlow(blocks: blocks, stacksInColumns: stacks).render(in: buffer.area, into: &buffer,
                                                                                 capabilities: .full)
            let lines = buffer.lines
            if stacks {
                #expect(lines[0].hasPrefix("A") && lines[0].dropFirst(17).hasPrefix("B"))
                #expect(lines[4].dropFirst(17).hasPrefix("C"), "C under B: \(lines)")
                #expect(rows == 11)
            } else {
                #expect(lines[8].hasPrefix("C"), "C on a row of its own: \(lines)")
                #expect(rows == 15)
            }
        }
    }

    @Test("the legend names the padding mode: '·0 padding' for zeros, '· padding (reflect)' and the others when the padding copies values")
    func paddingLegend() throws {
        for mode in Pad2d.Mode.allCases {
            let spec = ConvSpec(input: GridStack(PlayerFixtures.input), kernels: [GridStack(PlayerFixtures.kernel)],
                                padding: .explicit(rows: 1, columns: 1), paddingMode: mode)
            let panel = ConvStepPanel(trace: try ConvTrace(spec: spec))
            let text = PlayerFixtures.text(PlayerFixtures.render(panel, width: 80, height: 40))
            let ascii = PlayerFixtures.text(PlayerFixtures.render(panel, width: 80, height: 40, capabilities: .plain))
            if mode == .zero {
                #expect(text.contains("·0 padding") && ascii.contains("_0 padding"))
            } else {
                #expect(text.contains("· padding (\(mode.rawValue))") && !text.contains("·0 padding"), "\(mode)")
                #expect(ascii.contains("_ padding (\(mode.rawValue))"), "\(mode)")
            }
        }
    }

    @Test("GridFlow: a grid sized by every value is as wide hidden as shown")
    func sizedByEveryValue() {
        var grid = NumberGrid([[1, 12], [3, 104]], decimals: 0)
        let shown = grid.size()
        grid.setHighlight(row: 0, column: 1, .pending)
        grid.setHighlight(row: 1, column: 1, .pending)
        #expect(grid.size().width < shown.width)
        #expect(GridFlow.sizedByEveryValue(grid, glyphs: .unicode).size() == shown)
        #expect(GridFlow.sizedByEveryValue(grid, glyphs: .ascii).size(glyphs: .ascii) == shown)
    }

    @Test("the output fills in cell by cell: done, current, pending")
    func outputHighlights() throws {
        let trace = try PlayerFixtures.convTrace()
        let panel = ConvStepPanel(trace: trace)
        _ = panel.handle(.right)
        _ = panel.handle(.right)
        #expect(panel.stepper.outputHighlight(window: 0) == .done)
        #expect(panel.stepper.outputHighlight(window: 2) == [.done, .current])
        #expect(panel.stepper.outputHighlight(window: 3) == .pending)
        let text = PlayerFixtures.text(PlayerFixtures.render(panel))
        #expect(text.contains("12 12 17"), "three cells revealed in the first row")
        #expect(text.contains(" ·  ·  ·"), "the second row is still pending")
        #expect(text.contains("Window 3 of 9 · output row 1, column 3"))
    }

    @Test("the current window is highlighted on the input, padding is marked, and the arithmetic is the trace's")
    func windowAndArithmetic() throws {
        let trace = try PlayerFixtures.convTrace(padding: 1)
        let panel = ConvStepPanel(trace: trace)
        for _ in 0..<6 { _ = panel.handle(.right) }
        let window = try #require(panel.currentWindow)
        #expect(window.outputRow == 1 && window.outputColumn == 1)
        let buffer = PlayerFixtures.render(panel, width: 70, height: 26)
        let lines = buffer.lines
        let expected = WindowArithmetic.lines(for: window, bias: 0, activation: nil, output: window.value, ascii: false)
        for line in expected {
            #expect(lines.contains { $0.hasPrefix(line) }, "arithmetic line \(line)")
        }
        #expect(lines.contains { $0.hasPrefix("height: floor((5 + 1 + 1 - 3) / 1) + 1 = 5") })
        // The input's first row is padding: "·0" cells in grey.
        let inputRow = try #require(lines.firstIndex { $0.hasPrefix("Input") }) + 1
        #expect(lines[inputRow].hasPrefix("·0 ·0 ·0 ·0 ·0 ·0 ·0"))
        #expect(buffer[0, inputRow].style.foreground == .brightBlack)
        // Window rows 1...3, columns 1...3 of the padded input: blue background.
        let windowRow = inputRow + 1
        let cellX = 3 * 3 + 1  // column 1, right-aligned in cells two wide plus a space
        #expect(buffer[cellX, windowRow].style.background == .blue)
        #expect(buffer[cellX, inputRow].style.background != .blue, "row 0 is above the window")
        #expect(buffer[0, windowRow].style.background != .blue, "column 0 is left of the window")
    }

    @Test("autoplay moves about two windows a second, stops at the end, and any stepping key stops it")
    func autoplay() throws {
        let trace = try PlayerFixtures.convTrace()
        let panel = ConvStepPanel(trace: trace)
        #expect(!panel.isAnimating)
        #expect(panel.handle(.character("a")))
        #expect(panel.isAnimating)
        panel.tick(time: 10)
        panel.tick(time: 10.3)
        #expect(panel.currentIndex == 0)
        panel.tick(time: 10.5)
        #expect(panel.currentIndex == 1)
        panel.tick(time: 11.0)
        #expect(panel.currentIndex == 2)
        #expect(panel.handle(.left))
        #expect(!panel.isAnimating && panel.currentIndex == 1, "Left stops autoplay and steps back")
        panel.tick(time: 20)
        #expect(panel.currentIndex == 1)

        #expect(panel.handle(.character("a")))
        var time = 30.0
        for _ in 0..<40 {
            panel.tick(time: time)
            time += 0.5
        }
        #expect(panel.currentIndex == trace.windows.count - 1)
        #expect(!panel.isAnimating, "stops by itself at the last window")
        #expect(panel.isComplete)
        #expect(panel.handle(.character("a")) && panel.currentIndex == 0 && panel.isAnimating, "at the end, a replays")
        #expect(panel.handle(.character("a")) && !panel.isAnimating, "a again pauses")
        #expect(panel.handle(.character("a")) && panel.handle(.enter) && !panel.isAnimating)
    }

    @Test("predict mode: a right answer reveals the cell; the arithmetic is hidden until then")
    func predictRight() throws {
        let trace = try PlayerFixtures.convTrace(predict: true)
        let panel = ConvStepPanel(trace: trace)
        #expect(!panel.isComplete)
        #expect(panel.stepper.outputHighlight(window: 0) == [.pending, .current])
        var text = PlayerFixtures.text(PlayerFixtures.render(panel))
        #expect(text.contains("Predict output row 1, column 1: _"))
        #expect(!text.contains("= 12"), "no arithmetic before the answer")
        #expect(panel.handle(.character("1")) && panel.handle(.character("3")) && panel.handle(.backspace))
        #expect(panel.handle(.character("2")))
        #expect(PlayerFixtures.text(PlayerFixtures.render(panel)).contains("Predict output row 1, column 1: 12_"))
        #expect(panel.handle(.enter))
        #expect(panel.stepper.outcomes[0] == .right(misses: 0))
        #expect(panel.stepper.isRevealed(0))
        text = PlayerFixtures.text(PlayerFixtures.render(panel))
        #expect(text.contains("✓ 12 is right."))
        #expect(text.contains("= 12"), "the arithmetic shows once answered")
        #expect(panel.handle(.right) && panel.currentIndex == 1)
        #expect(panel.stepper.awaitsAnswer)
        #expect(!panel.isComplete)
    }

    @Test("predict mode: a miss asks again with a hint; a second miss reveals the value and its arithmetic")
    func predictWrong() throws {
        let trace = try PlayerFixtures.convTrace(predict: true)
        let panel = ConvStepPanel(trace: trace)
        PlayerFixtures.type("11", into: panel)
        #expect(panel.stepper.outcomes[0] == nil && panel.stepper.misses == 1)
        var text = PlayerFixtures.text(PlayerFixtures.render(panel))
        #expect(text.contains("✗ 11 is not it. Try again."))
        #expect(text.contains("Hint: multiply each input"))
        #expect(!text.contains("= 12"))
        PlayerFixtures.type("13", into: panel)
        #expect(panel.stepper.outcomes[0] == .revealed)
        text = PlayerFixtures.text(PlayerFixtures.render(panel))
        #expect(text.contains("✗ 13 is not it either. Here is how it is worked out:"))
        let window = trace.windows[0]
        let arithmetic = WindowArithmetic.lines(for: window, bias: 0, activation: nil, output: 12, ascii: false)
        #expect(arithmetic.allSatisfy { text.contains($0) })

        // Wrong then right counts as right at the second try.
        #expect(panel.handle(.enter) && panel.currentIndex == 1, "Enter moves on to the next cell to predict")
        PlayerFixtures.type("1", into: panel)
        PlayerFixtures.type("12", into: panel)
        #expect(panel.stepper.outcomes[1] == .right(misses: 1))
    }

    @Test("predict mode: unreadable text is not a miss, Right waits for an answer, autoplay waits, Left looks back")
    func predictGuards() throws {
        let trace = try PlayerFixtures.convTrace(predict: true)
        let panel = ConvStepPanel(trace: trace)
        PlayerFixtures.type("-", into: panel)
        #expect(panel.stepper.misses == 0 && panel.stepper.feedback == .unreadable(typed: "-"))
        #expect(panel.handle(.enter) && panel.stepper.feedback == .typeFirst)
        #expect(panel.handle(.right) && panel.currentIndex == 0, "Right waits for the answer")
        #expect(panel.handle(.character("a")) && !panel.isAnimating)
        #expect(panel.stepper.feedback == .noAutoplay)
        #expect(!panel.handle(.character("x")))
        PlayerFixtures.type("12", into: panel)
        _ = panel.handle(.right)
        #expect(panel.handle(.left) && panel.currentIndex == 0, "answered cells can be looked at again")
        #expect(panel.handle(.right) && panel.currentIndex == 1)
        #expect(panel.handle(.right) && panel.currentIndex == 1, "not past the cell to predict")
        _ = panel.handle(.left)
        #expect(panel.handle(.character("1")) && panel.currentIndex == 1, "typing goes to the cell to predict")
    }

    @Test("predict mode is complete when every cell is answered or revealed; decimals may be typed")
    func predictComplete() throws {
        let trace = try PlayerFixtures.convTrace(predict: true)
        let panel = ConvStepPanel(trace: trace)
        let values = PlayerFixtures.typedValues(trace)
        for (index, value) in values.enumerated() {
            #expect(!panel.isComplete)
            if index == 4 {
                PlayerFixtures.type("0", into: panel)
                PlayerFixtures.type("0", into: panel)
            } else {
                PlayerFixtures.type(index == 2 ? value + ".0" : value, into: panel)
            }
            _ = panel.handle(.right)
        }
        #expect(panel.isComplete)
        #expect(panel.predictionScore == (right: 8, total: 9))
        #expect(panel.stepper.outcomes[4] == .revealed)
        #expect(PlayerFixtures.text(PlayerFixtures.render(panel)).contains("Every cell predicted: 8 of 9 right."))
        #expect(panel.handle(.character("a")) && panel.isAnimating, "autoplay once everything is predicted")
    }

    @Test("several filters: each filter's output is its own grid, and the kernel shown is the current filter's")
    func severalFilters() throws {
        let spec = ConvSpec(input: GridStack(PlayerFixtures.input),
                            kernels: [GridStack(PlayerFixtures.kernel), GridStack([[1, 0, 0], [0, 0, 0], [0, 0, -1]])],
                            bias: [0, 1])
        let panel = ConvStepPanel(trace: try ConvTrace(spec: spec))
        var text = PlayerFixtures.text(PlayerFixtures.render(panel, width: 70))
        #expect(text.contains("Output 1") && text.contains("Output 2"))
        #expect(text.contains("Filter 1") && !text.contains("Filter 2"))
        #expect(text.contains("filter 1 of 2"))
        _ = panel.handle(.enter)
        text = PlayerFixtures.text(PlayerFixtures.render(panel, width: 70))
        #expect(text.contains("Filter 2") && text.contains("filter 2 of 2"))
        #expect(text.contains("+ bias 1"), "the bias line of the arithmetic")
    }

    @Test("multi-channel input: each channel's grid, the window highlighted on each")
    func channels() throws {
        let second = PlayerFixtures.input.map { $0.map { $0 + 1 } }
        let spec = ConvSpec(input: GridStack(channels: [PlayerFixtures.input, second]),
                            kernels: [GridStack(channels: [PlayerFixtures.kernel, PlayerFixtures.kernel])])
        let panel = ConvStepPanel(trace: try ConvTrace(spec: spec))
        let buffer = PlayerFixtures.render(panel, width: 60)
        let lines = buffer.lines
        let titleRow = try #require(lines.firstIndex { $0.contains("Input ch 1") })
        #expect(lines[titleRow].contains("Input ch 2"))
        #expect(lines[titleRow].contains("Kernel ch 1") || lines.contains { $0.contains("Kernel ch 1") })
        let secondX = lines[titleRow].distance(from: lines[titleRow].startIndex,
                                               to: try #require(lines[titleRow].firstRange(of: "Input ch 2")).lowerBound)
        #expect(buffer[0, titleRow + 1].style.background == .blue, "window on channel 1")
        #expect(buffer[secondX, titleRow + 1].style.background == .blue, "window on channel 2")
        #expect(lines.contains { $0.hasPrefix("channel 1: ") } && lines.contains { $0.hasPrefix("total: ") })
    }

    @Test("pooling: windows in order, the winner marked, predict mode")
    func pooling() throws {
        let trace = try PoolTrace(spec: PlayerFixtures.poolSpec())
        let panel = PoolStepPanel(trace: trace)
        var seen = [try #require(panel.currentWindow)]
        while panel.currentIndex < trace.windows.count - 1 {
            _ = panel.handle(.right)
            seen.append(try #require(panel.currentWindow))
        }
        #expect(seen == trace.windows)
        #expect(panel.isComplete)
        let buffer = PlayerFixtures.render(panel)
        let text = PlayerFixtures.text(buffer)
        #expect(text.contains("max(3, 3, 4, 6) = 6"))
        #expect(text.contains("Output (max)"))

        let predicting = PoolStepPanel(trace: try PoolTrace(spec: PlayerFixtures.poolSpec(predict: true)))
        PlayerFixtures.type("4", into: predicting)
        #expect(predicting.stepper.outcomes[0] == .right(misses: 0))
        _ = predicting.handle(.right)
        PlayerFixtures.type("1", into: predicting)
        PlayerFixtures.type("3", into: predicting)
        #expect(predicting.stepper.outcomes[1] == .revealed)
        #expect(PlayerFixtures.text(PlayerFixtures.render(predicting)).contains("max(2, 1, 0, 1) = 2"))
    }

    @Test("panels draw at any size without crashing, and only inside their area")
    func sizes() throws {
        let panels: [any StepPanel] = [
            ConvStepPanel(trace: try PlayerFixtures.convTrace(padding: 2, predict: true)),
            ConvStepPanel(trace: try PlayerFixtures.convTrace(padding: 1)),
            PoolStepPanel(trace: try PoolTrace(spec: PlayerFixtures.poolSpec())),
        ]
        for panel in panels {
            for (width, height) in [(0, 0), (1, 1), (3, 2), (10, 3), (30, 8), (200, 60)] {
                for capabilities in [TerminalCapabilities.full, .plain] {
                    var buffer = CellBuffer(width: width + 4, height: height + 4, filling: Cell("#"))
                    panel.render(into: &buffer, area: Rect(x: 2, y: 2, width: width, height: height),
                                 capabilities: capabilities)
                    for y in 0..<buffer.height {
                        for x in 0..<buffer.width where !(x >= 2 && x < 2 + width && y >= 2 && y < 2 + height) {
                            #expect(buffer[x, y].character == "#", "drew outside at (\(x), \(y)) for \(width)x\(height)")
                        }
                    }
                }
            }
        }
    }

    @Test("ASCII: padding, pending and arithmetic use ASCII characters only")
    func ascii() throws {
        let panel = ConvStepPanel(trace: try PlayerFixtures.convTrace(padding: 1))
        _ = panel.handle(.right)
        let text = PlayerFixtures.text(PlayerFixtures.render(panel, capabilities: .plain))
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(text.contains("_0 _0"))
        #expect(text.contains("?"))
        #expect(text.contains("0x0 + 0x1"))
    }
}
