import ConvKernels
import Lessons
import Testing
import TerminalUI
@testable import TutorApp

@Suite("Image panel")
struct ImagePanelTests {
    static let edges = ImageSpec(image: "house", kernels: [KernelPreset.sobelX.stack(), KernelPreset.sobelY.stack(),
                                                           KernelPreset.gaussian.stack()])

    static func panel(_ spec: ImageSpec = edges) throws -> ImagePanel {
        ImagePanel(trace: try ImageTrace(spec: spec, lessonFolder: nil))
    }

    @Test("the image and each kernel's output side by side, titled, with the kernel values and a legend")
    func renders() throws {
        let panel = try Self.panel()
        let trace = panel.trace
        let lines = StepsPanelChecks.frame(panel).lines
        let size = "\(trace.image.height)x\(trace.image.width)"
        #expect(lines[0].hasPrefix("house \(size)"))
        for name in ["sobel-x →", "sobel-y →", "gaussian →"] { #expect(lines[0].contains(name)) }
        let text = lines.joined(separator: "\n")
        #expect(text.contains("kernel sobel-x") && text.contains("-1  0  1") && text.contains("-2  0  2"), "Sobel x's values")
        #expect(text.contains("0.063 0.125 0.063"), "the Gaussian's values")
        #expect(text.contains("0 ") && text.contains(" 1"), "the image legend runs 0 to 1")
        #expect(text.contains("sobel-x: vertical edges (left-to-right change); padding same, stride 1"))
        // Half blocks in colour: the upper half block with both colours set.
        let frame = StepsPanelChecks.frame(panel)
        #expect(frame[0, 1].character == "▀" && frame[0, 1].style.foreground != .terminalDefault)
    }

    @Test("signed outputs use the diverging scale (zero white), the image and unsigned outputs the sequential one")
    func scales() throws {
        let panel = try Self.panel()
        #expect(panel.outputHeatmap(0, capabilities: .full).scale == .diverging)
        #expect(panel.outputHeatmap(1, capabilities: .full).scale == .diverging)
        #expect(panel.outputHeatmap(2, capabilities: .full).scale == .sequential)
        #expect(panel.imageHeatmap().scale == .sequential)
        let legendRow = try #require(StepsPanelChecks.frame(panel).lines.firstIndex { $0.contains(" 0 ") })
        #expect(StepsPanelChecks.frame(panel).lines[legendRow].hasPrefix("0 "))
    }

    @Test("Left/Right choose the output; when the maps do not fit, the chosen one is drawn large and named")
    func choosing() throws {
        let panel = try Self.panel()
        #expect(panel.shownOutputs(width: 100) == [0, 1, 2])
        #expect(panel.shownOutputs(width: 50) == [0])
        #expect(panel.handle(.right) && panel.selected == 1)
        #expect(panel.shownOutputs(width: 50) == [1])
        let narrow = StepsPanelChecks.frame(panel, width: 50, height: 24).lines
        #expect(narrow[0] == "kernels:  sobel-x  [sobel-y]  gaussian")
        #expect(narrow[2].contains("sobel-y →") && !narrow[2].contains("sobel-x"))
        #expect(narrow.contains { $0.contains("sobel-y: horizontal edges") })
        #expect(panel.handle(.right) && panel.handle(.right) && panel.selected == 2, "Right stops at the last")
        #expect(panel.handle(.home) && panel.selected == 0)
        #expect(panel.keyHelp == [KeyHint("←→", "choose a kernel")])
        let single = try Self.panel(ImageSpec(image: "checkerboard", kernels: [KernelPreset.laplacian.stack()]))
        #expect(!single.handle(.right) && single.keyHelp.isEmpty)
    }

    @Test("monochrome ASCII draws shades and the signed ramp instead of colours")
    func monochrome() throws {
        let panel = try Self.panel()
        let text = StepsPanelChecks.text(panel, capabilities: StepsPanelChecks.asciiMono)
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(text.contains("@") || text.contains("%"), "bright pixels as the densest shades")
        #expect(text.contains("#") && text.contains("="), "both signs of the Sobel output")
    }

    @Test("snapshots at 100x30, colour and ASCII", arguments: [false, true])
    func snapshots(ascii: Bool) throws {
        let capabilities = ascii ? StepsPanelChecks.asciiMono : .full
        let suffix = "100x30-\(ascii ? "ascii" : "colour")"
        let panel = try Self.panel()
        _ = panel.handle(.right)
        try Snapshot.expect(StepsPanelChecks.frame(panel, capabilities: capabilities), named: "step-image-\(suffix)")
    }

    @Test("every size from 0x0 draws only inside the area, in ASCII only ASCII")
    func sizes() throws {
        #expect(StepsPanelChecks.cellsOutside(try Self.panel()) == [])
        let strided = try Self.panel(ImageSpec(image: "circle", kernels: [KernelPreset.sharpen.stack()],
                                               padding: .valid, stride: 2, activation: .elementwise(.relu)))
        #expect(StepsPanelChecks.cellsOutside(strided) == [])
    }
}
