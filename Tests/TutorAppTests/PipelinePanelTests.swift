import ConvKernels
import Lessons
import Testing
import TerminalUI
@testable import TutorApp

@Suite("Pipeline panel")
struct PipelinePanelTests {
    static let input = GridStack([
        [1, 2, 0, 3, 1, 0],
        [0, 1, 3, 1, 0, 2],
        [2, 0, 1, 2, 3, 1],
        [1, 3, 0, 0, 2, 1],
        [0, 1, 2, 1, 0, 3],
        [2, 0, 1, 3, 1, 0],
    ])

    /// input 6x6 -> conv sobel-x 4x4 -> relu 4x4 -> max pool 2x2.
    static let spec = PipelineSpec(input: input, stages: [
        .conv(ConvSpec(input: input, kernels: [KernelPreset.sobelX.stack()])),
        .activation(.elementwise(.relu)),
        .pool(PoolSpec(input: input, kind: .max, size: 2)),
    ])

    /// The same with padding 1 on the conv, so that the window runs over padding cells.
    static let paddedSpec = PipelineSpec(input: input, stages: [
        .conv(ConvSpec(input: input, kernels: [KernelPreset.laplacian.stack()], bias: [1],
                       padding: .explicit(rows: 1, columns: 1))),
        .pool(PoolSpec(input: input, kind: .average, size: 3)),
    ])

    static func conv(_ trace: PipelineTrace, _ stage: Int) throws -> ConvTrace {
        guard case .conv(let conv) = trace.stages[stage] else { throw StageMismatch() }
        return conv
    }

    static func pool(_ trace: PipelineTrace, _ stage: Int) throws -> PoolTrace {
        guard case .pool(let pool) = trace.stages[stage] else { throw StageMismatch() }
        return pool
    }

    struct StageMismatch: Error {}

    @Test("the shapes left to right: 6x6 → 4x4 → 4x4 → 2x2, each stage titled")
    func shapes() throws {
        let panel = PipelinePanel(trace: try PipelineTrace(spec: Self.spec))
        let lines = StepsPanelChecks.frame(panel).lines
        #expect(lines[0] == "6x6 → 4x4 → 4x4 → 2x2")
        #expect(StepsPanelChecks.frame(panel, capabilities: StepsPanelChecks.asciiMono).lines[0] == "6x6 -> 4x4 -> 4x4 -> 2x2")
        let titles = lines[2]
        for title in ["input", "conv sobel-x", "relu", "max pool 2x2"] { #expect(titles.contains(title)) }
    }

    @Test("Down/Up step the chosen stage's windows; the arithmetic is WindowArithmetic's for the trace's window")
    func windowNavigation() throws {
        let trace = try PipelineTrace(spec: Self.spec)
        let panel = PipelinePanel(trace: trace)
        let conv = try Self.conv(trace, 0)
        #expect(panel.selectedStage == 0 && panel.currentConvWindow == conv.windows[0])
        for _ in 0..<5 { #expect(panel.handle(.down)) }
        let window = conv.windows[5]
        #expect(panel.currentConvWindow == window)
        let expected = WindowArithmetic.lines(for: window, bias: 0, activation: nil,
                                              output: conv.output.channels[0][window.outputRow][window.outputColumn],
                                              ascii: false)
        #expect(panel.arithmeticLines(ascii: false) == expected)
        #expect(panel.positionText == "window 6 of 16: output row 2, column 2")
        let text = StepsPanelChecks.text(panel)
        #expect(text.contains("window 6 of 16: output row 2, column 2"))
        // On screen the sum is wrapped to the panel's width: every product and the total are there.
        let pieces = expected.joined(separator: " ").split(whereSeparator: { $0 == "+" || $0 == "=" })
            .map { $0.trimmingCharacters(in: .whitespaces) }
        for piece in pieces where !piece.isEmpty { #expect(text.contains(piece), "\(piece)") }
        #expect(panel.handle(.up))
        #expect(panel.currentConvWindow == conv.windows[4])
        #expect(panel.handle(.character(" ")) && panel.currentConvWindow == conv.windows[5], "Space is the next window too")
        #expect(panel.handle(.up))
        #expect(panel.handle(.end))
        #expect(panel.currentConvWindow == conv.windows[15])
        #expect(panel.handle(.down) && panel.currentConvWindow == conv.windows[15], "Down at the last window stays")
        #expect(panel.handle(.home) && panel.currentConvWindow == conv.windows[0])
    }

    @Test("Left/Right choose a stage; each stage keeps its own window; activation stages step cell by cell")
    func stageNavigation() throws {
        let trace = try PipelineTrace(spec: Self.spec)
        let panel = PipelinePanel(trace: trace)
        #expect(panel.handle(.down) && panel.handle(.down))
        #expect(panel.handle(.right))
        #expect(panel.selectedStage == 1)
        guard case .activation(_, let reluInput, let reluOutput) = trace.stages[1] else { throw StageMismatch() }
        #expect(panel.handle(.down))
        let x = reluInput.channels[0][0][1], y = reluOutput.channels[0][0][1]
        #expect(panel.arithmeticLines(ascii: true) == ["relu(\(LessonNumber.format(x))) = \(LessonNumber.format(y))"])
        #expect(panel.positionText == "cell 2 of 16: row 1, column 2")
        #expect(panel.keyHelp.contains(KeyHint("↑↓", "cell")))

        #expect(panel.handle(.right))
        let pool = try Self.pool(trace, 2)
        #expect(panel.currentPoolWindow == pool.windows[0])
        #expect(panel.handle(.down) && panel.handle(.down) && panel.handle(.down))
        #expect(panel.currentPoolWindow == pool.windows[3])
        #expect(panel.arithmeticLines(ascii: true) == WindowArithmetic.lines(for: pool.windows[3], kind: .max, ascii: true))
        #expect(StepsPanelChecks.text(panel, capabilities: StepsPanelChecks.asciiMono)
            .contains(WindowArithmetic.lines(for: pool.windows[3], kind: .max, ascii: true)[0]))
        #expect(panel.handle(.right) && panel.selectedStage == 2, "Right at the last stage stays")

        #expect(panel.handle(.left) && panel.handle(.left))
        let conv = try Self.conv(trace, 0)
        #expect(panel.selectedStage == 0 && panel.currentConvWindow == conv.windows[2], "the conv stage kept its window")
    }

    @Test("the window is highlighted on the stage's input and the output cell on its output")
    func highlights() throws {
        let trace = try PipelineTrace(spec: Self.spec)
        let panel = PipelinePanel(trace: trace)
        for _ in 0..<5 { _ = panel.handle(.down) }  // output row 2, column 2: input rows 2-4, columns 2-4 (1-based)
        let frame = StepsPanelChecks.frame(panel)
        let gridTop = 4  // shapes, blank, titles, shapes, then the grids
        let inputWindowRows = (0..<6).filter { row in (0..<20).contains { frame[$0, gridTop + row].style.background == .blue } }
        #expect(inputWindowRows == [1, 2, 3])
        let blueColumns = (0..<20).filter { frame[$0, gridTop + 1].style.background == .blue }
        // Each input cell is one character plus a space: columns 1-3 are x 2...6.
        #expect(blueColumns.first == 2 && blueColumns.last == 6)
        let current = (0..<frame.width).flatMap { x in (gridTop..<(gridTop + 4)).map { (x, $0) } }
            .filter { frame[$0.0, $0.1].style.background == .yellow }
        #expect(!current.isEmpty && Set(current.map(\.1)) == [gridTop + 1], "the output cell of row 2")
    }

    @Test("a later stage's window shows its receptive field: the input cells that feed it, through the stages between")
    func receptiveField() throws {
        let ones = GridStack([[1, 1, 1], [1, 1, 1], [1, 1, 1]])
        let input = GridStack((0..<7).map { row in (0..<7).map { Float(($0 + row) % 4) } })
        let twoLayers = PipelineSpec(input: input, stages: [.conv(ConvSpec(input: input, kernels: [ones])),
                                                            .conv(ConvSpec(input: input, kernels: [ones]))])
        let panel = PipelinePanel(trace: try PipelineTrace(spec: twoLayers))
        #expect(panel.receptiveField().isEmpty && panel.receptiveFieldText == nil, "the first stage's window is on the input")
        #expect(panel.handle(.right))
        var field = try #require(panel.receptiveField()[0])
        #expect(field == Set((0..<5).flatMap { row in (0..<5).map { PipelinePanel.GridCell(0, row, $0) } }))
        #expect(panel.receptiveFieldText == "it sees a 5x5 patch of the input (rows 1-5, columns 1-5)")
        #expect(panel.handle(.end))
        field = try #require(panel.receptiveField()[0])
        #expect(field.count == 25 && field.contains(PipelinePanel.GridCell(0, 6, 6)) && !field.contains(PipelinePanel.GridCell(0, 1, 1)))
        let frame = StepsPanelChecks.frame(panel)
        #expect(frame.lines.contains("it sees a 5x5 patch of the input (rows 3-7, columns 3-7)"))
        let inputRows = (4..<11).filter { y in (0..<13).contains { frame[$0, y].style.background == .blue } }
        #expect(inputRows == Array(6..<11), "the input's last five rows are highlighted")

        // Through relu and 2x2 max pooling: a pooled cell sees 2x2 conv cells, a 4x4 input patch.
        let pooled = PipelinePanel(trace: try PipelineTrace(spec: Self.spec))
        #expect(pooled.handle(.right) && pooled.handle(.right) && pooled.handle(.down))
        #expect(pooled.receptiveFieldText == "it sees a 4x4 patch of the input (rows 1-4, columns 3-6)")
        #expect(pooled.receptiveField()[1]?.count == 4, "the conv cells under the relu cells")
    }

    @Test("a padded conv stage shows its input padded, padding marked, and the bias in the arithmetic")
    func padding() throws {
        let trace = try PipelineTrace(spec: Self.paddedSpec)
        let panel = PipelinePanel(trace: trace)
        let lines = StepsPanelChecks.frame(panel).lines
        #expect(lines[0] == "6x6 → 6x6 → 2x2")
        #expect(lines[2].contains("input (padded)") && lines[3].hasPrefix("8x8"))
        #expect(lines[4].hasPrefix("·0 ·0 ·0"))
        let conv = try Self.conv(trace, 0)
        #expect(panel.arithmeticLines(ascii: false) == WindowArithmetic.lines(
            for: conv.windows[0], bias: 1, activation: nil, output: conv.output.channels[0][0][0], ascii: false))
        #expect(panel.arithmeticLines(ascii: false).contains { $0.contains("bias") })
        let ascii = StepsPanelChecks.frame(panel, capabilities: StepsPanelChecks.asciiMono).lines
        #expect(ascii[4].hasPrefix("_0 _0 _0"))
    }

    @Test("snapshots at 100x30, colour and ASCII: a conv window, then the pooling stage", arguments: [false, true])
    func snapshots(ascii: Bool) throws {
        let capabilities = ascii ? StepsPanelChecks.asciiMono : .full
        let suffix = "100x30-\(ascii ? "ascii" : "colour")"
        let panel = PipelinePanel(trace: try PipelineTrace(spec: Self.spec))
        for _ in 0..<5 { _ = panel.handle(.down) }
        try Snapshot.expect(StepsPanelChecks.frame(panel, capabilities: capabilities), named: "step-pipeline-conv-\(suffix)")
        _ = panel.handle(.right)
        _ = panel.handle(.right)
        _ = panel.handle(.down)
        try Snapshot.expect(StepsPanelChecks.frame(panel, capabilities: capabilities), named: "step-pipeline-pool-\(suffix)")
    }

    @Test("every size from 0x0 draws only inside the area; a narrow area keeps the chosen stage's grids")
    func sizes() throws {
        let panel = PipelinePanel(trace: try PipelineTrace(spec: Self.paddedSpec))
        #expect(StepsPanelChecks.cellsOutside(panel) == [])
        _ = panel.handle(.right)
        #expect(StepsPanelChecks.cellsOutside(panel) == [])
        let wide = PipelinePanel(trace: try PipelineTrace(spec: Self.spec))
        _ = wide.handle(.right)
        _ = wide.handle(.right)
        let lines = StepsPanelChecks.frame(wide, width: 30, height: 24).lines
        #expect(lines[2].hasPrefix("relu") && lines[2].contains("max pool 2x2"), "\(lines.joined(separator: "\n"))")
    }
}
