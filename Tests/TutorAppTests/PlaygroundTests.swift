import ConvKernels
import Lessons
import Testing
import TerminalUI
@testable import TutorApp

@Suite("Playground panel and screen")
struct PlaygroundTests {
    static let asciiMono = TerminalCapabilities(colors: .monochrome, glyphs: .ascii)

    static func panel(_ keys: [KeyEvent] = [], spec: PlaygroundSpec = PlaygroundScreen.defaultSpec) -> PlaygroundPanel {
        let panel = PlaygroundPanel(spec: spec)
        for key in keys { _ = panel.handle(key) }
        return panel
    }

    /// The keys of `text`, one character each.
    static func keys(_ text: String) -> [KeyEvent] { text.map { KeyEvent.character($0) } }

    static func frame(_ panel: PlaygroundPanel, width: Int = 100, height: Int = 28,
                      capabilities: TerminalCapabilities = .full) -> [String] {
        var buffer = CellBuffer(width: width, height: height)
        panel.render(into: &buffer, area: buffer.area, capabilities: capabilities)
        return buffer.lines
    }

    /// The convolution of `spec` straight from `Conv2d.forward` (zero padding given to the kernel,
    /// one filter), then the activation: the reference the panel's output must equal.
    static func kernelOutput(_ spec: ConvSpec) throws -> [[Float]] {
        let kernel = spec.kernels[0]
        let weight = Tensor(shape: [1, kernel.channelCount, kernel.height, kernel.width],
                            data: kernel.channels.flatMap { $0.flatMap { $0 } })
        guard case .explicit(let rows, let columns) = spec.padding, spec.paddingMode == .zero else {
            Issue.record("kernelOutput takes explicit zero padding")
            return []
        }
        var output = try Conv2d.forward(input: spec.input.tensor, weight: weight,
                                        bias: Tensor(shape: [1], data: [spec.bias[0]]),
                                        options: Conv2dOptions(stride: spec.stride, padding: Pair(rows, columns),
                                                               dilation: spec.dilation))
        if case .elementwise(let activation) = spec.activation { output = activation.forward(output) }
        return output.grid(batch: 0, channel: 0)
    }

    /// The panel's output must be what the stepper and the kernel compute for its current spec.
    static func expectOutputMatchesKernels(_ panel: PlaygroundPanel, sourceLocation: SourceLocation = #_sourceLocation) throws {
        guard case .valid(let conv, let pool) = panel.outcome else {
            Issue.record("expected a valid outcome, got \(panel.errorMessage ?? "?")", sourceLocation: sourceLocation)
            return
        }
        let traced = try ConvTrace(spec: panel.spec.start)
        #expect(conv.output == traced.output, sourceLocation: sourceLocation)
        #expect(conv.sizeFormula == traced.sizeFormula, sourceLocation: sourceLocation)
        if let kind = panel.spec.pool {
            let pooled = try PoolTrace(spec: PoolSpec(input: traced.output, kind: kind, size: panel.spec.poolSize))
            #expect(pool?.output == pooled.output, sourceLocation: sourceLocation)
            #expect(panel.finalOutput == pooled.output, sourceLocation: sourceLocation)
        } else {
            #expect(pool == nil, sourceLocation: sourceLocation)
            #expect(panel.finalOutput == traced.output, sourceLocation: sourceLocation)
        }
    }

    // MARK: Editing

    @Test("the default: a 6x6 square of 5s under Sobel x, worked cells 15 and -15, equal to Conv2d.forward")
    func defaultOutput() throws {
        let panel = Self.panel()
        #expect(panel.focus == .input)
        let output = try #require(panel.finalOutput)
        #expect(output.height == 4 && output.width == 4)
        // Window at (0, 0): the square's left edge under the right column, 2x5 + 1x5.
        #expect(output.channels[0][0][0] == 15)
        // Window at (0, 2): the right edge under the left column, -(2x5) - 5.
        #expect(output.channels[0][0][2] == -15)
        #expect(output.channels[0] == (try Self.kernelOutput(panel.spec.start)))
        try Self.expectOutputMatchesKernels(panel)
    }

    @Test("typing a number into an input cell changes the spec, and the output is the kernel's for it")
    func editInputCell() throws {
        let panel = Self.panel([.right, .right, .down] + Self.keys("9"))
        #expect(panel.typedText == "9")
        #expect(panel.spec.start.input.channels[0][1][2] == 5, "nothing changes before Enter")
        #expect(panel.handle(.enter))
        #expect(panel.typedText == nil)
        #expect(panel.spec.start.input.channels[0][1][2] == 9)
        #expect(panel.inputCursor == PlaygroundPanel.Cursor(row: 1, column: 2))
        #expect(panel.finalOutput?.channels[0] == (try Self.kernelOutput(panel.spec.start)))
        try Self.expectOutputMatchesKernels(panel)
        #expect(panel.finalOutput?.channels[0][0][0] == Float(15 + 2 * 4), "the changed cell is under the window's right column")
    }

    @Test("typing: decimals, the sign, Backspace, moving commits, an unreadable number leaves the cell")
    func typing() throws {
        let panel = Self.panel(Self.keys("2.5-"))
        #expect(panel.typedText == "-2.5", "- while typing flips the sign")
        _ = panel.handle(.right)
        #expect(panel.spec.start.input.channels[0][0][0] == -2.5, "moving commits")
        #expect(panel.inputCursor.column == 1)
        _ = panel.handle(.backspace)
        #expect(panel.typedText == "", "Backspace on a 0 edits it: nothing left")
        _ = panel.handle(.enter)
        #expect(panel.spec.start.input.channels[0][0][1] == 0, "an empty text leaves the cell")
        _ = panel.handle(.down)  // (1, 1) holds 5
        _ = panel.handle(.backspace)
        #expect(panel.typedText == "")
        for key in Self.keys("12.") { _ = panel.handle(key) }
        _ = panel.handle(.backspace)
        #expect(panel.typedText == "12")
        _ = panel.handle(.enter)
        #expect(panel.spec.start.input.channels[0][1][1] == 12)
        for key in Self.keys("..") { _ = panel.handle(key) }
        #expect(panel.typedText == ".", "a second point is ignored")
        _ = panel.handle(.enter)
        #expect(panel.spec.start.input.channels[0][1][1] == 12)
        #expect(panel.message?.contains("not a number") == true)
        try Self.expectOutputMatchesKernels(panel)
    }

    @Test("+ and - nudge by 1, n negates, Delete clears, u undoes, x resets")
    func nudgeUndoReset() throws {
        let panel = Self.panel([.down, .right] + Self.keys("++"))
        #expect(panel.spec.start.input.channels[0][1][1] == 7)
        _ = panel.handle(.character("-"))
        #expect(panel.spec.start.input.channels[0][1][1] == 6)
        _ = panel.handle(.character("n"))
        #expect(panel.spec.start.input.channels[0][1][1] == -6)
        _ = panel.handle(.delete)
        #expect(panel.spec.start.input.channels[0][1][1] == 0)
        try Self.expectOutputMatchesKernels(panel)
        for expected: Float in [-6, 6, 7, 6] {
            _ = panel.handle(.character("u"))
            #expect(panel.spec.start.input.channels[0][1][1] == expected)
        }
        _ = panel.handle(.character("s"))
        _ = panel.handle(.character("x"))
        #expect(panel.spec == PlaygroundScreen.defaultSpec)
        _ = panel.handle(.character("u"))
        #expect(panel.spec.start.stride == 2, "a reset can be undone")
    }

    @Test("f cycles the focus input, kernel, controls (F back); arrows wrap in the kernel; kernel edits make it custom")
    func kernelEditing() throws {
        let panel = Self.panel()
        _ = panel.handle(.character("f"))
        #expect(panel.focus == .kernel)
        _ = panel.handle(.up)
        #expect(panel.kernelCursor == PlaygroundPanel.Cursor(row: 2, column: 0), "up from the top row wraps to the bottom")
        for key in Self.keys("3") + [KeyEvent.enter] { _ = panel.handle(key) }
        #expect(panel.spec.start.kernels[0].channels[0][2][0] == 3)
        #expect(panel.spec.start.kernels[0].presetName == nil)
        #expect(panel.headerText == "Kernel: your own 3x3")
        #expect(panel.finalOutput?.channels[0] == (try Self.kernelOutput(panel.spec.start)))
        try Self.expectOutputMatchesKernels(panel)
        _ = panel.handle(.character("f"))
        #expect(panel.focus == .controls)
        _ = panel.handle(.character("f"))
        #expect(panel.focus == .input)
        _ = panel.handle(.character("F"))
        #expect(panel.focus == .controls)
    }

    @Test("the host's keys are left alone: Tab, Shift-Tab, Esc, q, and digits while the controls have the focus")
    func hostKeys() {
        let panel = Self.panel()
        for key in [KeyEvent.tab, .backTab, .escape, .character("q")] { #expect(!panel.handle(key)) }
        _ = panel.handle(.character("F"))
        #expect(panel.focus == .controls)
        #expect(!panel.handle(.character("3")))
        #expect(!panel.handle(.backspace))
    }

    // MARK: Presets and controls

    @Test("p steps through every preset (P back), each kernel the preset's grid, named with its summary")
    func presets() throws {
        let panel = Self.panel()
        let all = KernelPreset.allCases
        var index = try #require(all.firstIndex(of: .sobelX))
        for _ in all.indices {
            _ = panel.handle(.character("p"))
            index = (index + 1) % all.count
            let preset = all[index]
            #expect(panel.spec.start.kernels[0].channels[0] == preset.grid)
            #expect(panel.spec.start.kernels[0].presetName == preset.rawValue)
            #expect(panel.headerText == "Kernel: \(preset.rawValue), \(preset.summary)")
            #expect(panel.message?.contains(preset.summary) == true)
            try Self.expectOutputMatchesKernels(panel)
        }
        #expect(panel.spec.start.kernels[0].presetName == "sobel-x", "a full cycle comes back")
        _ = panel.handle(.character("P"))
        #expect(panel.spec.start.kernels[0].presetName == "identity")
        #expect(panel.spec.start.kernels[0].channels[0] == KernelPreset.identity.grid)
        // From a kernel of one's own, p starts at the first preset.
        for key in [KeyEvent.character("f")] + Self.keys("7") + [.enter, .character("p")] { _ = panel.handle(key) }
        #expect(panel.spec.start.kernels[0].presetName == all[0].rawValue)
    }

    @Test("stride: s makes 6x6 with 3x3 a 2x2 output, the formula updates, S goes back, it stops at 1")
    func stride() throws {
        let panel = Self.panel(Self.keys("s"))
        #expect(panel.spec.start.stride == 2)
        #expect(panel.finalOutput?.height == 2 && panel.finalOutput?.width == 2)
        #expect(panel.finalOutput?.channels[0] == (try Self.kernelOutput(panel.spec.start)))
        try Self.expectOutputMatchesKernels(panel)
        let lines = Self.frame(panel)
        #expect(lines.contains { $0.contains("Output size") && $0.contains("/ 2") }, "\(lines.joined(separator: "\n"))")
        _ = panel.handle(.character("S"))
        _ = panel.handle(.character("S"))
        #expect(panel.spec.start.stride == 1)
        #expect(panel.message?.contains("smallest") == true)
    }

    @Test("padding and its modes: zero padding equals Conv2d's own padding; reflect, replicate and circular trace the padded grid")
    func paddingAndModes() throws {
        let panel = Self.panel(Self.keys("d"))
        #expect(panel.spec.start.padding == .explicit(rows: 1, columns: 1))
        #expect(panel.finalOutput?.height == 6)
        #expect(panel.finalOutput?.channels[0] == (try Self.kernelOutput(panel.spec.start)))
        try Self.expectOutputMatchesKernels(panel)
        let lines = Self.frame(panel)
        #expect(lines.contains { $0.contains("Input 6x6, zero pad") })
        for mode in [Pad2d.Mode.reflect, .replicate, .circular] {
            _ = panel.handle(.character("m"))
            #expect(panel.spec.start.paddingMode == mode)
            try Self.expectOutputMatchesKernels(panel)
            guard case .valid(let trace, _) = panel.outcome else { continue }
            // The padded grid's corner is what the mode copies there.
            let input = panel.spec.start.input.channels[0]
            let corner = trace.paddedInput.channels[0][0][0]
            switch mode {
            case .reflect: #expect(corner == input[1][1])
            case .replicate: #expect(corner == input[0][0])
            case .circular: #expect(corner == input[5][5])
            case .zero: break
            }
        }
        _ = panel.handle(.character("m"))
        #expect(panel.spec.start.paddingMode == .zero, "the modes wrap around")
        for _ in 0..<10 { _ = panel.handle(.character("d")) }
        #expect(panel.spec.start.padding == .same, "after 6 comes same, and it stops there")
        #expect(panel.finalOutput?.height == 6 && panel.finalOutput?.width == 6)
    }

    @Test("dilation 2 spreads a 3x3 kernel over 5x5: a 2x2 output, equal to Conv2d.forward")
    func dilation() throws {
        let panel = Self.panel(Self.keys("l"))
        #expect(panel.spec.start.dilation == 2)
        #expect(panel.finalOutput?.height == 2)
        #expect(panel.finalOutput?.channels[0] == (try Self.kernelOutput(panel.spec.start)))
        try Self.expectOutputMatchesKernels(panel)
        #expect(Self.frame(panel).contains { $0.contains("Kernel 3x3, dilation 2") })
    }

    @Test("activation cycles none, relu, leaky-relu, sigmoid, tanh; bias adds to every cell before it")
    func activationAndBias() throws {
        let panel = Self.panel()
        let names = ["relu", "leaky-relu", "sigmoid", "tanh"]
        for name in names {
            _ = panel.handle(.character("r"))
            #expect(panel.spec.start.activation?.name == name)
            #expect(panel.finalOutput?.channels[0] == (try Self.kernelOutput(panel.spec.start)))
            try Self.expectOutputMatchesKernels(panel)
        }
        _ = panel.handle(.character("r"))
        #expect(panel.spec.start.activation == nil)
        _ = panel.handle(.character("r"))  // relu
        #expect(panel.finalOutput?.channels[0][0][2] == 0, "relu clips -15 to 0")
        _ = panel.handle(.character("B"))
        #expect(panel.spec.start.bias == [-1])
        #expect(panel.finalOutput?.channels[0][0][0] == 14)
        #expect(panel.finalOutput?.channels[0] == (try Self.kernelOutput(panel.spec.start)))
    }

    @Test("a sample image, its convolution and its pooling are shrunk by one factor, keep their relative sizes and say the size drawn")
    func picturesKeepTheirRelativeSizes() throws {
        let panel = Self.panel()
        _ = panel.handle(.character("i"))
        _ = panel.handle(.character("o"))  // max pooling, window 2
        let input = try #require(panel.sampleImage.flatMap(SampleImage.make))
        let pooled = try #require(panel.finalOutput)
        for (width, height) in [(80, 24), (100, 30)] {
            let lines = Self.frame(panel, width: width, height: height)
            // Every "drawn at NxN" label, read line by line and left to right: input, output, pool.
            let drawn = lines.joined(separator: "\n").matches(of: /drawn at (\d+)x\d+/).compactMap { Int($0.1) }
            #expect(drawn.count == 3, "\(width)x\(height):\n\(lines.joined(separator: "\n"))")
            guard drawn.count == 3 else { continue }
            let (inputSize, poolSize) = (drawn[0], drawn[2])
            let expected = Double(inputSize) * Double(pooled.height) / Double(input.height)
            #expect(abs(Double(poolSize) - expected) <= 1, "\(width)x\(height): input drawn \(inputSize), pool \(poolSize)")
        }
    }

    @Test("on the controls a value is typed: bias -20 in four keys, padding 2, a stride out of range refused with its range")
    func typedControlValues() throws {
        let panel = Self.panel([.character("f"), .character("f")])
        #expect(panel.focus == .controls)
        func select(_ control: PlaygroundPanel.Control) {
            while panel.selectedControl != control { _ = panel.handle(.down) }
        }
        select(.bias)
        for key in Self.keys("20-") + [.enter] { _ = panel.handle(key) }
        #expect(panel.spec.start.bias.allSatisfy { $0 == -20 })
        try Self.expectOutputMatchesKernels(panel)
        select(.padding)
        for key in Self.keys("3") + [.backspace] + Self.keys("2") + [.enter] { _ = panel.handle(key) }
        #expect(panel.spec.start.padding == .explicit(rows: 2, columns: 2))
        try Self.expectOutputMatchesKernels(panel)
        select(.stride)
        for key in Self.keys("9") + [.enter] { _ = panel.handle(key) }
        #expect(panel.spec.start.stride == Pair(1, 1))
        #expect(panel.message == "stride takes a whole number from 1 to 6; 9 is not one")
        // A control that only cycles takes no typed value; - still nudges when nothing is typed.
        select(.activation)
        #expect(!panel.handle(.character("5")) || panel.controlEntry == nil)
        select(.bias)
        _ = panel.handle(.character("-"))
        #expect(panel.spec.start.bias.allSatisfy { $0 == -21 })
    }

    @Test("pooling after the conv: o cycles none, max, average, sum; w sets its window; the pooled formula shows")
    func pooling() throws {
        let panel = Self.panel()
        for kind in [PoolSpec.Kind.max, .average, .sum] {
            _ = panel.handle(.character("o"))
            #expect(panel.spec.pool == kind)
            try Self.expectOutputMatchesKernels(panel)
            #expect(panel.finalOutput?.height == 2)
        }
        _ = panel.handle(.character("O"))
        _ = panel.handle(.character("O"))
        #expect(panel.spec.pool == .max)
        // The 4x4 conv output's top-left 2x2 is 15, 0 / 20, 0: max 20.
        #expect(panel.finalOutput?.channels[0][0][0] == 20)
        let lines = Self.frame(panel)
        #expect(lines.contains { $0.contains("Pooled size") })
        #expect(lines.contains { $0.contains("Max pool 2: 2x2") })
        _ = panel.handle(.character("w"))
        #expect(panel.spec.poolSize == 3)
        #expect(panel.finalOutput?.height == 1)
        try Self.expectOutputMatchesKernels(panel)
    }

    @Test("the controls list: arrows choose a control and change it, Enter steps it")
    func controlsFocus() throws {
        let panel = Self.panel(Self.keys("F"))
        #expect(panel.focus == .controls && panel.selectedControl == .preset)
        _ = panel.handle(.right)
        #expect(panel.spec.start.kernels[0].presetName == "sobel-y")
        _ = panel.handle(.down)
        _ = panel.handle(.down)
        #expect(panel.selectedControl == .stride)
        _ = panel.handle(.right)
        _ = panel.handle(.enter)
        #expect(panel.spec.start.stride == 3)
        _ = panel.handle(.left)
        #expect(panel.spec.start.stride == 2)
        _ = panel.handle(.up)
        _ = panel.handle(.up)
        _ = panel.handle(.up)
        #expect(panel.selectedControl == .kernelSize, "up from the first control wraps to the last")
        try Self.expectOutputMatchesKernels(panel)
        let lines = Self.frame(panel)
        #expect(lines.contains { $0.contains("kernel size") && $0.contains("3x3") })
    }

    @Test("grid sizes: ] and [ resize the input within 3...12 (new cells 0), } and { the kernel within 1...7")
    func gridSizes() throws {
        let panel = Self.panel(Self.keys("]"))
        #expect(panel.spec.start.input.height == 7 && panel.spec.start.input.width == 7)
        #expect(panel.spec.start.input.channels[0][6] == Array(repeating: 0, count: 7))
        #expect(panel.spec.start.input.channels[0][1][1] == 5)
        try Self.expectOutputMatchesKernels(panel)
        for _ in 0..<20 { _ = panel.handle(.character("]")) }
        #expect(panel.spec.start.input.height == 12)
        for _ in 0..<20 { _ = panel.handle(.character("[")) }
        #expect(panel.spec.start.input.height == 3 && panel.spec.start.input.width == 3)
        #expect(panel.finalOutput?.height == 1)
        _ = panel.handle(.character("{"))
        #expect(panel.spec.start.kernels[0].height == 2 && panel.spec.start.kernels[0].presetName == nil)
        try Self.expectOutputMatchesKernels(panel)
        for _ in 0..<10 { _ = panel.handle(.character("{")) }
        #expect(panel.spec.start.kernels[0].height == 1)
        #expect(panel.finalOutput?.channels[0] == (try Self.kernelOutput(panel.spec.start)))
    }

    // MARK: Invalid settings

    @Test("a kernel larger than the padded input shows the message instead of the output; padding brings it back")
    func kernelTooLarge() throws {
        let panel = Self.panel(Self.keys("}}}}"))
        #expect(panel.spec.start.kernels[0].height == 7)
        let message = try #require(panel.errorMessage)
        #expect(panel.finalOutput == nil)
        let lines = Self.frame(panel)
        let text = lines.joined(separator: "\n")
        #expect(text.contains("Invalid settings"))
        #expect(!text.contains("Output 4x4") && !text.contains("Output size"), "no stale output:\n\(text)")
        let firstWords = String(message.prefix(20))
        #expect(text.contains(firstWords), "the error's words are shown:\n\(text)")
        _ = panel.handle(.character("d"))
        #expect(panel.errorMessage == nil)
        #expect(panel.finalOutput?.height == 2)
        try Self.expectOutputMatchesKernels(panel)
        #expect(Self.frame(panel).contains { $0.contains("Output 2x2") })
    }

    @Test("CS231n's rule refuses a size that is not whole; a stride that divides brings the output back")
    func cs231n() throws {
        let panel = Self.panel(Self.keys("cc"))
        #expect(panel.spec.start.rule == .cs231n)
        try Self.expectOutputMatchesKernels(panel)
        _ = panel.handle(.character("s"))  // (6 - 3) / 2 + 1 = 2.5
        let message = try #require(panel.errorMessage)
        // The advice names the playground's key, not the lesson-file key.
        #expect(message.contains("the pytorch size rule (c cycles it)") && !message.contains("convention ="), "\(message)")
        #expect(panel.finalOutput == nil)
        _ = panel.handle(.character("s"))  // (6 - 3) / 3 + 1 = 2
        #expect(panel.errorMessage == nil)
        try Self.expectOutputMatchesKernels(panel)
    }

    @Test("reflect padding as wide as the input is refused with the stepper's message; a smaller one works")
    func reflectTooWide() throws {
        let panel = Self.panel(Self.keys("[[[m") + Self.keys("ddd"))
        #expect(panel.spec.start.input.height == 3 && panel.spec.start.paddingMode == .reflect)
        let message = try #require(panel.errorMessage)
        #expect(message.contains("reflect"))
        _ = panel.handle(.character("D"))
        #expect(panel.errorMessage == nil)
        try Self.expectOutputMatchesKernels(panel)
    }

    // MARK: Sample images

    @Test("i puts a sample image in the input (a heatmap), the output is the kernel's on it, I goes back to the edited grid")
    func sampleImage() throws {
        let panel = Self.panel(Self.keys("7") + [.enter])
        let name = try #require(SampleImage.names.first)
        _ = panel.handle(.character("i"))
        #expect(panel.sampleImage == name)
        #expect(panel.spec.start.input == SampleImage.make(name))
        #expect(panel.focus == .kernel, "the image cannot be edited, so the focus leaves it")
        try Self.expectOutputMatchesKernels(panel)
        #expect(panel.finalOutput?.channels[0] == (try Self.kernelOutput(panel.spec.start)))
        let lines = Self.frame(panel)
        #expect(lines.contains { $0.contains("Input: \(name)") })
        _ = panel.handle(.character("]"))
        #expect(panel.spec.start.input == SampleImage.make(name), "the image keeps its size")
        // Every image in turn, then back to the grid.
        for _ in SampleImage.names.dropFirst() {
            _ = panel.handle(.character("i"))
            try Self.expectOutputMatchesKernels(panel)
        }
        _ = panel.handle(.character("i"))
        #expect(panel.sampleImage == nil)
        #expect(panel.spec.start.input.channels[0][0][0] == 7, "the grid comes back as it was edited")
        _ = panel.handle(.character("I"))
        #expect(panel.sampleImage == SampleImage.names.last)
    }

    @Test("a lesson's start: two channels, a preset, max pooling; editing a kernel cell keeps the other channel")
    func lessonSpec() throws {
        let input = GridStack(channels: [
            [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]],
            [[0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1, 0]],
        ])
        let spec = PlaygroundSpec(start: ConvSpec(input: input, kernels: [KernelPreset.laplacian.stack()], padding: .same),
                                  pool: .max, poolSize: 2)
        let panel = PlaygroundPanel(spec: spec)
        #expect(panel.errorMessage == nil)
        #expect(panel.spec.start.kernels[0].channelCount == 2)
        try Self.expectOutputMatchesKernels(panel)
        #expect(panel.finalOutput?.height == 2)
        for key in [KeyEvent.character("f")] + Self.keys("9") + [.enter] { _ = panel.handle(key) }
        #expect(panel.spec.start.kernels[0].channels[0][0][0] == 9)
        #expect(panel.spec.start.kernels[0].channels[1] == KernelPreset.laplacian.grid)
        try Self.expectOutputMatchesKernels(panel)
        let lines = Self.frame(panel)
        #expect(lines.contains { $0.contains("Input 4x4 ch 1/2, zero pad") && $0.contains("Kernel 3x3 ch 1/2") },
                "\(lines.joined(separator: "\n"))")
        // A grayscale sample image: the kernel keeps one channel; back to the grid, two again.
        _ = panel.handle(.character("i"))
        try Self.expectOutputMatchesKernels(panel)
        _ = panel.handle(.character("I"))
        #expect(panel.spec.start.input == input)
        try Self.expectOutputMatchesKernels(panel)
    }

    @Test("depthwise: switching to a one-channel image keeps one filter and one bias per channel")
    func depthwiseSample() throws {
        let input = GridStack(channels: [Array(repeating: [1, 2, 3, 4, 5], count: 5), Array(repeating: [5, 4, 3, 2, 1], count: 5)])
        let kernel = KernelPreset.sobelX.stack()
        let spec = PlaygroundSpec(start: ConvSpec(input: input, kernels: [kernel, kernel], depthwise: true))
        let panel = PlaygroundPanel(spec: spec)
        try Self.expectOutputMatchesKernels(panel)
        _ = panel.handle(.character("i"))
        #expect(panel.spec.start.kernels.count == 1 && panel.spec.start.bias.count == 1)
        try Self.expectOutputMatchesKernels(panel)
        _ = panel.handle(.character("I"))
        #expect(panel.spec.start.kernels.count == 2 && panel.spec.start.bias.count == 2)
        try Self.expectOutputMatchesKernels(panel)
    }

    // MARK: Drawing

    @Test("snapshots of the playground screen at 100x30, colour and ASCII: default, a sample image, invalid settings",
          arguments: [false, true])
    func snapshots(ascii: Bool) throws {
        let capabilities = ascii ? Self.asciiMono : .full
        let suffix = "100x30-\(ascii ? "ascii" : "colour")"
        for (name, keys) in [("playground", [KeyEvent]()), ("playground-image", Self.keys("i")),
                             ("playground-invalid", Self.keys("}}}}")),
                             ("playground-pool", Self.keys("dorF"))] {
            let backend = InMemoryBackend(width: 100, height: 30, capabilities: capabilities)
            let app = TutorApp(root: HomeScreen(), backend: backend)
            app.push(PlaygroundScreen())
            for key in keys { app.handle(key) }
            try Snapshot.expect(app.frame(), named: "\(name)-\(suffix)")
        }
    }

    @Test("the screen: title Playground, Esc and q go back, ? shows every key of the panel")
    func screen() throws {
        let backend = InMemoryBackend(width: 100, height: 30)
        let app = TutorApp(root: HomeScreen(), backend: backend)
        let screen = PlaygroundScreen()
        app.push(screen)
        #expect(app.topScreen.title == "Playground")
        app.handle(.character("s"))
        #expect(screen.panel.spec.start.stride == 2, "keys reach the panel")
        app.handle(.character("?"))
        #expect(app.showingHelp)
        let help = app.frame().lines.joined(separator: "\n")
        #expect(help.contains("Playground: keys"))
        for hint in screen.panel.keyHelp.prefix(5) { #expect(help.contains(hint.description)) }
        app.handle(.escape)
        #expect(!app.showingHelp && app.stack.count == 2)
        app.handle(.escape)
        #expect(app.stack.count == 1)
        app.push(PlaygroundScreen())
        app.handle(.character("q"))
        #expect(app.stack.count == 1)
        #expect(Set(screen.keyHelp.map(\.key)).count == screen.keyHelp.count, "no key listed twice")
    }

    @Test("in the lesson player's room at 80x24 (44x16) the grids stay numbers and the formula is compacted")
    func narrowArea() {
        let lines = Self.frame(Self.panel(), width: 44, height: 16)
        let text = lines.joined(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("Input 6x6") && $0.contains("Output 4x4") }, "\(text)")
        #expect(lines.contains { $0.contains("15   0 -15 -15") }, "\(text)")
        #expect(lines.contains { $0 == "conv height: floor((6+0+0-3)/1)+1 = 4" }, "\(text)")
        #expect(lines[15].hasPrefix("input (1, 1) = 0"), "the status line is the last row")
        let invalid = Self.frame(Self.panel(Self.keys("}}}}")), width: 44, height: 16).joined(separator: "\n")
        #expect(invalid.contains("Invalid settings") && invalid.contains("smaller kernel or more padding"), "\(invalid)")
    }

    @Test("the cursor is drawn on the focused grid only, in the current-cell style")
    func cursorStyle() {
        let panel = Self.panel()
        let current = NumberGrid.style(for: .current, colors: .palette256)
        var buffer = CellBuffer(width: 100, height: 28)
        panel.render(into: &buffer, area: buffer.area, capabilities: .full)
        // Row 2 holds the titles; the input's first cell is at (0, 3), the kernel's "-1" at (14, 3).
        #expect(buffer.line(2).hasPrefix("Input 6x6     Kernel 3x3"))
        #expect(buffer[0, 3].style == current)
        #expect(buffer[15, 3].style != current)
        _ = panel.handle(.character("f"))
        buffer = CellBuffer(width: 100, height: 28)
        panel.render(into: &buffer, area: buffer.area, capabilities: .full)
        #expect(buffer[0, 3].style != current)
        #expect(buffer[14, 3].style == current && buffer[15, 3].style == current)
    }

    @Test("any size from 0x0 to 200x60 draws without crashing and only inside the area given")
    func sizes() {
        let states: [[KeyEvent]] = [[], Self.keys("i"), Self.keys("}}}}"), Self.keys("dorF"), Self.keys("12"),
                                    Self.keys("]]]]]]ddd")]
        let sizes = [(0, 0), (1, 1), (2, 1), (1, 5), (10, 3), (30, 8), (40, 12), (60, 20), (75, 24), (76, 24),
                     (80, 24), (100, 30), (140, 40), (200, 60)]
        for keys in states {
            let panel = Self.panel(keys)
            for (width, height) in sizes {
                for capabilities in [TerminalCapabilities.full, Self.asciiMono] {
                    var buffer = CellBuffer(width: 220, height: 70)
                    let area = Rect(x: 7, y: 4, width: width, height: height)
                    panel.render(into: &buffer, area: area, capabilities: capabilities)
                    for y in 0..<buffer.height {
                        for x in 0..<buffer.width where !area.contains(x: x, y: y) {
                            if buffer[x, y] != .blank {
                                Issue.record("drew outside \(area) at (\(x), \(y)) with keys \(keys)")
                                return
                            }
                        }
                    }
                }
            }
        }
        for (width, height) in [(0, 0), (1, 1), (80, 24), (200, 60)] {
            let backend = InMemoryBackend(width: width, height: height)
            let app = TutorApp(root: HomeScreen(), backend: backend)
            app.push(PlaygroundScreen())
            app.drawFrame()
            app.handle(.character("i"))
            app.drawFrame()
        }
    }
}
