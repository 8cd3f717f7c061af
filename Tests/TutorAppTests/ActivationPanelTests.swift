import ConvKernels
import Lessons
import Testing
import TerminalUI
@testable import TutorApp

@Suite("Activation panel")
struct ActivationPanelTests {
    static let reluSpec = ActivationSpec(function: .elementwise(.relu), input: GridStack([[-2, -1, 0], [1, 2.5, 3]]))
    static let sigmoidSpec = ActivationSpec(function: .elementwise(.sigmoid), input: GridStack([[-1, 0, 2]]),
                                            plotRange: -6...6)
    static let softmaxSpec = ActivationSpec(function: .softmax, input: GridStack([[1, 2, 3, 0.5]]))

    static func panel(_ spec: ActivationSpec) throws -> ActivationPanel {
        ActivationPanel(trace: try ActivationTrace(spec: spec))
    }

    @Test("Left/Right step a highlighted cell across the input and spell it out: relu(−2) = 0, relu'(−2) = 0")
    func reluStepping() throws {
        let panel = try Self.panel(Self.reluSpec)
        #expect(panel.cellDescription(ascii: false) == "relu(−2) = 0, relu'(−2) = 0")
        #expect(panel.cellDescription(ascii: true) == "relu(-2) = 0, relu'(-2) = 0")
        #expect(!panel.handle(.left) || panel.selected == 0)
        #expect(panel.selected == 0, "Left at the first cell stays")
        #expect(panel.handle(.right) && panel.handle(.right))
        #expect(panel.cellDescription(ascii: true) == "relu(0) = 0, relu'(0) = 0", "PyTorch's relu'(0) is 0")
        #expect(panel.handle(.right))
        #expect(panel.cellDescription(ascii: true) == "relu(1) = 1, relu'(1) = 1")
        #expect(panel.handle(.right))
        #expect(panel.cellDescription(ascii: true) == "relu(2.5) = 2.5, relu'(2.5) = 1")
        #expect(panel.handle(.up))
        #expect(panel.cellDescription(ascii: true) == "relu(-1) = 0, relu'(-1) = 0", "Up moves a row")
        #expect(panel.handle(.end))
        #expect(panel.cellDescription(ascii: true) == "relu(3) = 3, relu'(3) = 1")
        #expect(panel.handle(.right) && panel.selected == 5, "Right at the last cell stays")
        #expect(!panel.handle(.character("x")))
        #expect(panel.isComplete && !panel.keyHelp.isEmpty)
        let text = StepsPanelChecks.text(panel)
        #expect(text.contains("relu(3) = 3, relu'(3) = 1"))
        #expect(text.contains("input x") && text.contains("relu(x)") && text.contains("relu'(x)"))
    }

    @Test("the grids show the input, the output and the derivative side by side, the cell highlighted in each")
    func grids() throws {
        let panel = try Self.panel(Self.reluSpec)
        _ = panel.handle(.right)
        let frame = StepsPanelChecks.frame(panel)
        let titleRow = try #require(frame.lines.firstIndex { $0.contains("input x") })
        #expect(frame.lines[titleRow + 1].hasPrefix("-2.0 -1.0  0.0  "), "one decimal, as 2.5 needs")
        let row = frame.line(titleRow + 1)
        let highlighted = (0..<frame.width).filter { frame[$0, titleRow + 1].style.background == .yellow }
        #expect(highlighted.count >= 3, "one highlighted cell in each of the three grids")
        #expect(row.contains("0.0") && frame.lines[titleRow + 2].contains(" 2.5 "))
    }

    @Test("the plot has both curves, axes with ticks, a legend and the highlighted cell's x")
    func plot() throws {
        let panel = try Self.panel(Self.sigmoidSpec)
        let text = StepsPanelChecks.text(panel)
        #expect(text.contains("sigmoid(x) and sigmoid'(x)"))
        #expect(text.contains("── sigmoid(x)") && text.contains("── sigmoid'(x)") && text.contains("── x = −1"))
        #expect(text.contains("┤") && text.contains("┬") && text.contains("└"))
        #expect(text.contains("sigmoid(−1) = 0.269, sigmoid'(−1) = 0.197"))
        let ascii = StepsPanelChecks.text(panel, capabilities: StepsPanelChecks.asciiMono)
        #expect(ascii.contains("sigmoid(-1) = 0.269, sigmoid'(-1) = 0.197"))
        #expect(ascii.unicodeScalars.allSatisfy { $0.isASCII })
    }

    @Test("softmax: each score, exp(x − max), the sum and the probabilities as bars; the cell's division spelled out")
    func softmax() throws {
        let panel = try Self.panel(Self.softmaxSpec)
        let lines = StepsPanelChecks.frame(panel, capabilities: StepsPanelChecks.asciiMono).lines
        let header = try #require(lines.firstIndex { $0.contains("score x") })
        #expect(lines[header].contains("exp(x - 3)") && lines[header].contains("probability"))
        #expect(lines[header + 1].hasPrefix(">       1        0.135"))
        #expect(lines[header + 3].hasPrefix("        3            1"))
        #expect(lines[header + 3].hasSuffix("0.631"), "the largest probability")
        #expect(lines[header + 5].hasPrefix("      sum        1.585") && lines[header + 5].hasSuffix(" 1"))
        #expect(lines.contains("p = exp(1 - 3) / 1.585 = 0.085"))
        #expect(panel.handle(.right) && panel.handle(.right))
        #expect(panel.cellDescription(ascii: false) == "p = exp(3 − 3) / 1.585 = 0.631")
        let text = StepsPanelChecks.text(panel)
        #expect(text.contains("softmax of the scores [x, 0]: p(x) and p'(x)"), "the plot: two scores, x against 0")
        #expect(text.contains("▶       3            1"))
    }

    @Test("a step without a grid is a plot alone, with no keys")
    func plotAlone() throws {
        let panel = try Self.panel(ActivationSpec(function: .elementwise(.tanh)))
        #expect(panel.keyHelp.isEmpty && !panel.handle(.right))
        #expect(panel.cellDescription(ascii: true) == nil)
        #expect(StepsPanelChecks.text(panel).contains("tanh(x) and tanh'(x)"))
    }

    @Test("snapshots at 100x30, colour and ASCII: leaky ReLU on a grid, softmax", arguments: [false, true])
    func snapshots(ascii: Bool) throws {
        let capabilities = ascii ? StepsPanelChecks.asciiMono : .full
        let suffix = "100x30-\(ascii ? "ascii" : "colour")"
        let leaky = try Self.panel(ActivationSpec(function: .elementwise(.leakyRelu(slope: 0.1)),
                                                  input: GridStack([[-3, -1, 0, 2], [1, -0.5, 4, -2]])))
        _ = leaky.handle(.right)
        try Snapshot.expect(StepsPanelChecks.frame(leaky, capabilities: capabilities), named: "step-activation-leaky-\(suffix)")
        let softmax = try Self.panel(Self.softmaxSpec)
        _ = softmax.handle(.end)
        try Snapshot.expect(StepsPanelChecks.frame(softmax, capabilities: capabilities), named: "step-activation-softmax-\(suffix)")
    }

    @Test("every size from 0x0 draws only inside the area, in ASCII only ASCII")
    func sizes() throws {
        for spec in [Self.reluSpec, Self.sigmoidSpec, Self.softmaxSpec, ActivationSpec(function: .elementwise(.tanh))] {
            #expect(StepsPanelChecks.cellsOutside(try Self.panel(spec)) == [])
        }
    }
}
