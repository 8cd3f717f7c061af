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

    @Test("the image and each kernel's output side by side at their true size, titled, with the kernel values and a legend")
    func renders() throws {
        let panel = try Self.panel()
        let trace = panel.trace
        let lines = StepsPanelChecks.frame(panel, width: 130).lines
        let size = "\(trace.image.height)x\(trace.image.width)"
        #expect(lines[0].hasPrefix("house \(size)"))
        for name in ["sobel-x →", "sobel-y →", "gaussian →"] { #expect(lines[0].contains(name)) }
        let text = lines.joined(separator: "\n")
        #expect(text.contains("kernel sobel-x") && text.contains("-1  0  1") && text.contains("-2  0  2"), "Sobel x's values")
        #expect(text.contains("0.063 0.125 0.063"), "the Gaussian's values")
        #expect(!text.contains("drawn at"), "28x28 maps in 31-column tiles are drawn at their true size")
        #expect(text.contains("sobel-x: vertical edges (left-to-right change); padding same, stride 1"))
        // Half blocks in colour: the upper half block with both colours set.
        let frame = StepsPanelChecks.frame(panel, width: 130)
        #expect(frame[0, 1].character == "▀" && frame[0, 1].style.foreground != .terminalDefault)
    }

    @Test("the image and its outputs share one colour scale: diverging over the largest magnitude when any output is signed, else sequential from 0")
    func scales() throws {
        let panel = try Self.panel()
        let largest = ([panel.trace.image] + panel.trace.outputs).flatMap { $0.channels[0].joined() }.map(abs).max() ?? 0
        let maps = [panel.imageHeatmap()] + (0..<3).map { panel.outputHeatmap($0, capabilities: .full) }
        for map in maps {
            #expect(map.scale == .diverging)
            #expect(map.range == ValueRange(lower: -largest, upper: largest))
        }
        // Every legend reads the same range.
        let lines = StepsPanelChecks.frame(panel, width: 130).lines
        let legendRow = try #require(lines.firstIndex { $0.contains(" 0 ") })
        #expect(lines[legendRow].components(separatedBy: "2.95").count == 9, "\(lines[legendRow])")
        // A blur alone: sequential from 0, the image's 0...1 widened to what the output reaches.
        let blur = try Self.panel(ImageSpec(image: "house", kernels: [KernelPreset.gaussian.stack()]))
        let upper = max(1, blur.trace.outputs[0].channels[0].joined().max() ?? 1)
        for map in [blur.imageHeatmap(), blur.outputHeatmap(0, capabilities: .full)] {
            #expect(map.scale == .sequential && map.range == ValueRange(lower: 0, upper: upper))
        }
    }

    @Test("a map shrunk to fit says the size it is drawn at; one at its true size does not")
    func shrunkMapsSayTheirSize() throws {
        let panel = try Self.panel()
        // 60 columns: the image and one output in 29-column tiles, 28x28 at its true size.
        #expect(!StepsPanelChecks.frame(panel, width: 60, height: 30).lines.joined().contains("drawn at"))
        // 40 columns: 19-column tiles, so the 28x28 maps are shrunk and say so.
        let narrow = StepsPanelChecks.frame(panel, width: 40, height: 30).lines
        #expect(narrow.filter { $0.contains("drawn at 19x19") }.count == 1, "\(narrow.joined(separator: "\n"))")
    }

    @Test("Left/Right choose the output; when the maps do not fit, the chosen one is drawn large and named")
    func choosing() throws {
        let panel = try Self.panel()
        #expect(panel.shownOutputs(width: 130) == [0, 1, 2])
        #expect(panel.shownOutputs(width: 100) == [0], "four 23-column tiles would shrink the 28x28 maps")
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
        #expect(text.contains("#") && text.contains("="), "both signs of the Sobel output on the shared signed ramp")
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
