import Inspection
import Datasets
import ConvKernels
import Foundation
import Imaging
import Lessons
import Networks
import Testing
import TerminalUI
@testable import TutorApp

/// The file prompt (completion, samples, errors in place) and the inspector screen (its views,
/// keys, receptive field and kernels), on the in-memory terminal.
@Suite("Inspector screen and the image prompt")
struct InspectorScreenTests {
    static let asciiMono = TerminalCapabilities(colors: .monochrome, glyphs: .ascii)
    static let direct = TerminalCapabilities(colors: .direct, glyphs: .unicode)

    /// A folder of files for completion: two digits, a folder, a hidden file.
    static func scratchFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("inspector-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/dir/inner", withIntermediateDirectories: true)
        for name in ["digit-1.png", "digit-2.pgm", ".hidden.png", "dir/inner.jpg", "notes.txt"] {
            try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/" + name))
        }
        return folder
    }

    // MARK: Completion

    @Test("Tab completes a unique name (a folder gets its slash), extends to the common prefix, then lists the matches")
    func completion() throws {
        let folder = try Self.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        typealias C = ImagePromptScreen.Completion
        #expect(C.complete("n", currentFolder: folder).text == "notes.txt")
        #expect(C.complete("dir", currentFolder: folder).text == "dir/")
        #expect(C.complete("dir/i", currentFolder: folder).text == "dir/inner", "two names start with inner: their common part")
        let both = C.complete("dir/inner", currentFolder: folder)
        #expect(both.text == "dir/inner" && both.candidates == ["inner/", "inner.jpg"])
        #expect(C.complete("dig", currentFolder: folder).text == "digit-")
        let digits = C.complete("digit-", currentFolder: folder)
        #expect(digits.text == "digit-" && digits.candidates == ["digit-1.png", "digit-2.pgm"])
        #expect(C.complete("digit-2", currentFolder: folder).text == "digit-2.pgm")
        #expect(C.complete("", currentFolder: folder).candidates == ["digit-1.png", "digit-2.pgm", "dir/", "notes.txt"],
                "hidden files are not offered unless the typed part starts with a dot")
        #expect(C.complete(".h", currentFolder: folder).text == ".hidden.png")
        #expect(C.complete(folder + "/no", currentFolder: "/").text == folder + "/notes.txt", "absolute paths")
        #expect(C.complete("~/dir", currentFolder: "/", home: folder).text == "~/dir/", "~ is the home folder, kept in the text")
        #expect(C.complete("zzz", currentFolder: folder).note == "nothing here starts with zzz")
        #expect(C.complete("missing/x", currentFolder: folder).note == "no folder missing/")
    }

    @Test("the samples of a folder: image files only, in natural order, relative to the current folder")
    func samplesOfAFolder() throws {
        let folder = try Self.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for name in ["digit-10.png", "scene.PPM"] { try Data().write(to: URL(fileURLWithPath: folder + "/" + name)) }
        let samples = ImagePromptScreen.samples(inFolder: folder, currentFolder: folder + "/..")
        let base = URL(fileURLWithPath: folder).lastPathComponent
        #expect(samples.map(\.name) == ["digit-1.png", "digit-2.pgm", "digit-10.png", "scene.PPM"])
        #expect(samples.first?.path == base + "/digit-1.png")
        #expect(ImagePromptScreen.samples(inFolder: folder + "/none").isEmpty)
    }

    // MARK: The prompt

    static let fixedSamples = [
        ImagePromptScreen.Sample(path: "sample-images/digit-0-dark-on-white.png", name: "digit-0-dark-on-white.png",
                                 summary: "dark ink on white paper"),
        ImagePromptScreen.Sample(path: "sample-images/digit-1-light-on-dark.pgm", name: "digit-1-light-on-dark.pgm",
                                 summary: "white ink on black"),
        ImagePromptScreen.Sample(path: "sample-images/pattern-checkerboard.png", name: "pattern-checkerboard.png"),
    ]

    @Test("typing, editing keys, Up/Down through the samples, Enter opens or shows the error in place, Esc goes back")
    func promptKeys() throws {
        let folder = try Self.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var opened: [String] = []
        let prompt = ImagePromptScreen(samples: Self.fixedSamples, sampleFolder: folder + "/sample-images",
                                       currentFolder: folder) { path in
            opened.append(path)
            if path.hasSuffix("good.png") { return .pop }
            throw ImageError("\(path): not found")
        }
        for character in "dig" { _ = prompt.handle(.character(character)) }
        _ = prompt.handle(.tab)
        #expect(prompt.text == "digit-" && prompt.cursor == 6)
        _ = prompt.handle(.tab)
        #expect(prompt.candidates == ["digit-1.png", "digit-2.pgm"])
        let frame = render(prompt)
        #expect(frame.lines.contains { $0.contains("digit-1.png  digit-2.pgm") })
        _ = prompt.handle(.character("1"))
        #expect(prompt.candidates.isEmpty, "editing clears the list")
        _ = prompt.handle(.tab)
        #expect(prompt.text == "digit-1.png")
        // Enter: the opener's error stays under the field and the prompt stays.
        guard case .none = prompt.handle(.enter) else { Issue.record("Enter on a bad file must not leave"); return }
        #expect(opened == [folder + "/digit-1.png"], "a relative path is opened from the prompt's folder")
        #expect(prompt.error == "\(folder)/digit-1.png: not found")
        #expect(render(prompt).lines.contains { $0.contains("digit-1.png: not found") })
        // Editing keys.
        _ = prompt.handle(.home)
        _ = prompt.handle(.delete)
        #expect(prompt.text == "igit-1.png" && prompt.error == nil)
        _ = prompt.handle(.end)
        _ = prompt.handle(.backspace)
        #expect(prompt.text == "igit-1.pn")
        _ = prompt.handle(.control("w"))
        #expect(prompt.text == "")
        for character in "a/b/c" { _ = prompt.handle(.character(character)) }
        _ = prompt.handle(.control("w"))
        #expect(prompt.text == "a/b/")
        _ = prompt.handle(.left)
        _ = prompt.handle(.character("x"))
        #expect(prompt.text == "a/bx/" && prompt.cursor == 4)
        _ = prompt.handle(.control("u"))
        #expect(prompt.text == "" && prompt.cursor == 0)
        // Enter on nothing says what to do.
        _ = prompt.handle(.enter)
        #expect(prompt.error?.hasPrefix("Type the path of an image file") == true)
        // Up and Down choose samples and put their path in the field.
        _ = prompt.handle(.down)
        #expect(prompt.selectedSample == 0 && prompt.text == Self.fixedSamples[0].path)
        _ = prompt.handle(.down)
        _ = prompt.handle(.down)
        _ = prompt.handle(.down)
        #expect(prompt.selectedSample == 2, "the list does not wrap")
        _ = prompt.handle(.up)
        #expect(prompt.text == Self.fixedSamples[1].path)
        // An opener's action is returned.
        _ = prompt.handle(.control("u"))
        for character in "/tmp/good.png" { _ = prompt.handle(.character(character)) }
        guard case .pop = prompt.handle(.enter) else { Issue.record("a good file opens"); return }
        guard case .pop = prompt.handle(.escape) else { Issue.record("Esc goes back"); return }
        #expect(prompt.handle(.character("q")).isNone, "q is typed, not back")
        #expect(prompt.text.hasSuffix("q"))
    }

    @Test("snapshots of the prompt with an error, 100x30 and 80x24, colour and ASCII",
          arguments: [(100, 30), (80, 24)], [false, true])
    func promptSnapshots(size: (Int, Int), ascii: Bool) throws {
        let prompt = ImagePromptScreen(samples: Self.fixedSamples, sampleFolder: "/work/sample-images",
                                       currentFolder: "/work") { path in
            throw ImageError("\(path): not a PNG, JPEG, PGM or PPM file (it starts with \"hell\")")
        }
        _ = prompt.handle(.down)
        _ = prompt.handle(.down)
        _ = prompt.handle(.enter)
        let frame = render(prompt, width: size.0, height: size.1, capabilities: ascii ? Self.asciiMono : .full)
        try Snapshot.expect(frame, named: "inspector-prompt-\(size.0)x\(size.1)-\(ascii ? "ascii" : "colour")")
    }

    @Test("the home menu's Inspect an image opens the prompt with the repository's sample images")
    func homeEntry() throws {
        let backend = InMemoryBackend(width: 100, height: 30, capabilities: .full)
        let app = TutorApp(root: HomeScreen(), backend: backend)
        app.handle(.character("i"))
        let prompt = try #require(app.topScreen as? ImagePromptScreen)
        #expect(prompt.title == "Inspect an image")
        #expect(prompt.samples.contains { $0.name.hasPrefix("digit-3") }, "\(prompt.samples.map(\.name))")
        app.handle(.escape)
        #expect(app.stack.count == 1)
    }

    // MARK: The inspector

    /// The pretrained model on a sample digit (4, small, in blue ink: a colour image).
    static let inspection: ImageInspection = {
        do {
            let sample = try #require(SampleImageSet.make().first { $0.fileName.hasPrefix("digit-4") })
            return try ImageInspection.inspect(sample.image, name: "sample-images/" + sample.fileName,
                                               model: InspectedModel.load(path: nil))
        } catch {
            preconditionFailure("the test inspection could not be made: \(error)")
        }
    }()

    static func screen(load: @escaping (String) throws -> ImageInspection = { _ in inspection }) -> InspectorScreen {
        InspectorScreen(inspection: inspection, modelPath: nil, kernelPresets: KernelPreset.allCases, load: load)
    }

    /// A built-in architecture (seed 1, MNIST's normalisation) on the same sample: resnet-mini's
    /// blocks, vgg-mini's many layers, inception-mini's branches.
    static func inspection(architecture: String) throws -> ImageInspection {
        let spec = try #require(BuiltInArchitecture.named(architecture)).spec
        let model = InspectedModel(network: try Network(spec: spec, seed: 1), name: "\(architecture).safetensors (\(architecture))",
                                   mean: 0.1307, standardDeviation: 0.3081)
        return try ImageInspection.inspect(inspection.original, name: inspection.imageName, model: model)
    }

    /// The inspector on `model`: "pretrained" or a built-in architecture's name.
    static func screen(model: String) throws -> InspectorScreen {
        let shown = model == "pretrained" ? inspection : try inspection(architecture: model)
        return InspectorScreen(inspection: shown, modelPath: nil, kernelPresets: KernelPreset.allCases, load: { _ in shown })
    }

    @Test("snapshots of every view, 100x30 and 80x24, colour and ASCII",
          arguments: [(100, 30), (80, 24)], [false, true])
    func snapshots(size: (Int, Int), ascii: Bool) throws {
        let capabilities = ascii ? Self.asciiMono : .full
        let suffix = "\(size.0)x\(size.1)-\(ascii ? "ascii" : "colour")"
        let screen = Self.screen()
        #expect(Self.inspection.prediction == 4)
        try Snapshot.expect(render(screen, width: size.0, height: size.1, capabilities: capabilities),
                            named: "inspector-\(suffix)")
        // conv2, map 3, zoomed, the cursor moved.
        for key: KeyEvent in [.tab, .tab, .right, .right, .enter, .down, .down, .right] { _ = screen.handle(key) }
        try Snapshot.expect(render(screen, width: size.0, height: size.1, capabilities: capabilities),
                            named: "inspector-zoom-\(suffix)")
        _ = screen.handle(.escape)
        _ = screen.handle(.character("p"))
        try Snapshot.expect(render(screen, width: size.0, height: size.1, capabilities: capabilities),
                            named: "inspector-steps-\(suffix)")
        _ = screen.handle(.character("k"))
        try Snapshot.expect(render(screen, width: size.0, height: size.1, capabilities: capabilities),
                            named: "inspector-kernel-\(suffix)")
        // A vector layer: fc2 ("10 linear", three past conv2), its third unit.
        _ = screen.handle(.escape)
        for _ in 0..<3 { _ = screen.handle(.tab) }
        try Snapshot.expect(render(screen, width: size.0, height: size.1, capabilities: capabilities),
                            named: "inspector-fc2-\(suffix)")
    }

    @Test("Tab and arrows choose layers and maps; Enter zooms only maps; the cursor stays on the map")
    func layersAndMaps() {
        let screen = Self.screen()
        let names = Self.inspection.layers.map(\.name)
        #expect(names == ["input", "1 conv", "3 maxpool", "4 conv", "6 maxpool", "8 linear", "10 linear", "12 linear"])
        #expect(screen.layerIndex == 1, "the overview starts at the first convolution")
        _ = screen.handle(.backTab)
        _ = screen.handle(.backTab)
        #expect(screen.layerIndex == 7, "Shift-Tab wraps to the output")
        _ = screen.handle(.enter)
        #expect(screen.view == .overview && screen.status?.contains("Enter zooms a layer of maps") == true)
        _ = screen.handle(.left)
        #expect(screen.mapIndex == 9, "Left wraps to the last digit")
        _ = screen.handle(.down)
        #expect(screen.layerIndex == 0 && screen.mapIndex == 0, "Down is the next layer; the choice is clamped to its maps")
        _ = screen.handle(.down)
        _ = screen.handle(.left)
        #expect(screen.layerIndex == 1 && screen.mapIndex == 5)
        _ = screen.handle(.enter)
        #expect(screen.view == .zoom)
        for _ in 0..<40 { _ = screen.handle(.right) }
        for _ in 0..<3 { _ = screen.handle(.down) }
        #expect(screen.cursorColumn == 27 && screen.cursorRow == 3, "conv1's maps are 28x28")
        _ = screen.handle(.character("]"))
        #expect(screen.mapIndex == 0, "] is the next map when the arrows move the cursor")
        _ = screen.handle(.tab)
        #expect(screen.layerIndex == 2 && screen.view == .zoom && screen.cursorColumn == 13, "pool1 is 14x14: clamped")
        guard case .none = screen.handle(.escape) else { Issue.record("Esc leaves the zoom first"); return }
        #expect(screen.view == .overview)
        guard case .pop = screen.handle(.escape) else { Issue.record("Esc on the overview goes back"); return }
    }

    @Test("the zoomed cell's receptive field is lit on the input, exactly the rows and columns of the layer's windows")
    func receptiveFieldIsLit() throws {
        let screen = Self.screen()
        // conv2 ("4 conv", index 3), map 1, cell (2, 4): conv2 reads pool1's rows 2-6, which read conv1's 4-13, which read the input's 2-15.
        for key: KeyEvent in [.tab, .tab, .enter, .down, .down, .right, .right, .right, .right] { _ = screen.handle(key) }
        let field = Self.inspection.receptiveField(layer: 3, row: 2, column: 4)
        #expect(field.rows == 2...15 && field.columns == 6...19)
        let frame = render(screen, width: 100, height: 30, capabilities: Self.direct)
        // Shown counting from 1, as people read rows and columns everywhere in the tutor.
        #expect(frame.lines.contains { $0.contains("row 3, column 5 = ") })
        #expect(frame.lines.contains { $0.contains("input rows 3-16, columns 7-20 (14x14)") })
        // The input picture: the block under "input, field lit", one pixel per column, two per row.
        let titleRow = try #require((0..<frame.height).first { frame.line($0).contains("input 28x28, field lit") })
        let titleX = frame.line(titleRow).distance(from: frame.line(titleRow).startIndex,
                                                  to: try #require(frame.line(titleRow).range(of: "input 28x28, field lit")).lowerBound)
        let grey = ColorMapping(scale: .greyscale, range: ValueRange(lower: 0, upper: 1))
        let lit = ColorMapping(scale: .sequential, range: ValueRange(lower: 0, upper: 1))
        let centred = Self.inspection.preprocessing.centred
        for (row, column) in [(2, 6), (15, 19), (1, 6), (16, 19), (2, 5), (2, 20), (8, 12)] {
            let cell = frame[titleX + column, titleRow + 1 + row / 2]
            #expect(cell.character == "▀")
            let colour = row % 2 == 0 ? cell.style.foreground : cell.style.background
            let inside = field.rows.contains(row) && field.columns.contains(column)
            let expected = (inside ? lit : grey).color(for: centred[row, column], mode: .direct)
            #expect(colour == expected, "input (\(row), \(column)) is \(inside ? "lit" : "grey")")
        }
    }

    @Test("k applies the presets in turn (K goes back), t types a kernel, a bad one says why and keeps the last")
    func kernels() throws {
        let screen = Self.screen()
        _ = screen.handle(.character("k"))
        #expect(screen.view == .kernel && screen.currentKernel.name == "sobel-x", "k opens the kernel view on Sobel x")
        _ = screen.handle(.character("k"))
        #expect(screen.currentKernel.name == "sobel-y")
        _ = screen.handle(.character("K"))
        _ = screen.handle(.character("K"))
        #expect(screen.currentKernel.name == "identity")
        let frame = render(screen, width: 100, height: 30, capabilities: Self.direct)
        #expect(frame.lines.contains { $0.contains("kernel identity: copies the input") })
        // Identity shows the original: the two pictures' cells are the same.
        let row = try #require((0..<frame.height).first { frame.line($0).contains("original 160x160") })
        let text = frame.line(row)
        let left = text.distance(from: text.startIndex, to: try #require(text.range(of: "original 160x160")).lowerBound)
        let right = text.distance(from: text.startIndex, to: try #require(text.range(of: "identity →")).lowerBound)
        for offset in 0..<10 { #expect(frame[left + offset, row + 5] == frame[right + offset, row + 5]) }
        _ = screen.handle(.character("t"))
        for character in "1 2; 3" { _ = screen.handle(.character(character)) }
        _ = screen.handle(.enter)
        #expect(screen.kernelText != nil && screen.status == "row 2 of the kernel has 1 numbers and row 1 has 2; every row needs the same number")
        _ = screen.handle(.control("u"))
        for character in "0 -1 0; -1 4 -1; 0 -1 0" { _ = screen.handle(.character(character)) }
        _ = screen.handle(.enter)
        #expect(screen.kernelText == nil && screen.kernel == .typed([[0, -1, 0], [-1, 4, -1], [0, -1, 0]]))
        #expect(render(screen, width: 100, height: 30).lines.contains { $0.contains("kernel typed 3x3: your own kernel") })
        _ = screen.handle(.character("t"))
        for character in "1 x" { _ = screen.handle(.character(character)) }
        _ = screen.handle(.enter)
        #expect(screen.status == "\"x\" in row 1 of the kernel is not a number")
        _ = screen.handle(.escape)
        #expect(screen.kernelText == nil && screen.kernel == .typed([[0, -1, 0], [-1, 4, -1], [0, -1, 0]]))
        // A kernel ImageKernel refuses: its message in the picture's place.
        _ = screen.handle(.character("t"))
        for character in (0..<16).map({ _ in "1 " }).joined() { _ = screen.handle(.character(character)) }
        _ = screen.handle(.enter)
        #expect(render(screen, width: 100, height: 30).lines.joined().contains("15"))
    }

    @Test("o opens the prompt; an image opened there replaces this one and the prompt goes back")
    func openAnother() throws {
        var asked: [String] = []
        let screen = Self.screen { path in
            asked.append(path)
            guard path == "other.png" else { throw ImageError("\(path): not found") }
            let renamed = Self.inspection
            return ImageInspection(imageName: "other.png", original: renamed.original, preprocessing: renamed.preprocessing,
                                   input: renamed.input, modelName: renamed.modelName, spec: renamed.spec, mean: renamed.mean,
                                   standardDeviation: renamed.standardDeviation, layers: renamed.layers,
                                   probabilities: renamed.probabilities)
        }
        guard case .push(let pushed) = screen.handle(.character("o")), let prompt = pushed as? ImagePromptScreen else {
            Issue.record("o pushes the prompt")
            return
        }
        for character in "nope.png" { _ = prompt.handle(.character(character)) }
        #expect(prompt.handle(.enter).isNone)
        #expect(prompt.error == "nope.png: not found")
        _ = prompt.handle(.control("u"))
        for character in "other.png" { _ = prompt.handle(.character(character)) }
        guard case .pop = prompt.handle(.enter) else { Issue.record("the prompt goes back to the inspector"); return }
        #expect(screen.title == "Inspect: other.png")
        #expect(asked == ["nope.png", "other.png"])
    }

    @Test("every view draws at any size, 0x0 included, in every colour mode and glyph set, inside its area")
    func anySize() {
        let screen = Self.screen()
        let keysPerView: [[KeyEvent]] = [[], [.enter], [.escape, .character("p")], [.character("k")],
                                         [.escape, .tab, .tab, .tab, .tab, .tab]]
        for keys in keysPerView {
            for key in keys { _ = screen.handle(key) }
            for (width, height) in [(0, 0), (1, 1), (3, 2), (12, 5), (40, 12), (80, 24), (100, 30), (160, 50)] {
                for capabilities in [TerminalCapabilities.full, Self.direct, Self.asciiMono,
                                     TerminalCapabilities(colors: .palette256, glyphs: .ascii)] {
                    var buffer = CellBuffer(width: width + 4, height: height + 4, filling: Cell("#"))
                    let area = Rect(x: 2, y: 2, width: width, height: height)
                    screen.render(into: &buffer, area: area, capabilities: capabilities)
                    for y in 0..<buffer.height {
                        for x in 0..<buffer.width where !area.contains(x: x, y: y) {
                            #expect(buffer[x, y] == Cell("#"), "drew outside \(area) at (\(x), \(y))")
                        }
                    }
                }
            }
        }
    }

    @Test("pictures: fitting keeps the aspect; half blocks carry the upper pixel on the lower; ASCII and monochrome degrade")
    func pictures() {
        #expect(InspectorPicture.fitted(width: 64, height: 64, roomWidth: 30, roomHeight: 26) == (26, 26))
        #expect(InspectorPicture.fitted(width: 160, height: 120, roomWidth: 40, roomHeight: 60) == (40, 30))
        #expect(InspectorPicture.fitted(width: 10, height: 1000, roomWidth: 40, roomHeight: 20) == (1, 20))
        let image = RGBImage(width: 2, height: 3, pixels: [SIMD3(1, 0, 0), SIMD3(0, 0, 1), SIMD3(0, 1, 0),
                                                           SIMD3(1, 1, 1), SIMD3(0, 0, 0), SIMD3(0.5, 0.5, 0.5)])
        var buffer = CellBuffer(width: 4, height: 3)
        InspectorPicture.draw(image, in: buffer.area, into: &buffer, capabilities: Self.direct)
        #expect(buffer[0, 0] == Cell("▀", style: Style(foreground: .rgb(255, 0, 0), background: .rgb(0, 255, 0))))
        #expect(buffer[1, 0] == Cell("▀", style: Style(foreground: .rgb(0, 0, 255), background: .rgb(255, 255, 255))))
        #expect(buffer[0, 1] == Cell("▀", style: Style(foreground: .rgb(0, 0, 0), background: .terminalDefault)),
                "an odd last row is on the terminal's background")
        #expect(buffer[2, 0] == .blank && buffer[0, 2] == .blank, "nothing outside the picture")
        InspectorPicture.draw(image, in: buffer.area, into: &buffer, capabilities: TerminalCapabilities(colors: .palette256, glyphs: .ascii))
        #expect(buffer[0, 0] == Cell(" ", style: Style(background: .indexed(TerminalColor.nearestPaletteIndex(red: 128, green: 128, blue: 0)))),
                "without Unicode: the two pixels' mean as the background")
        InspectorPicture.draw(image, in: buffer.area, into: &buffer, capabilities: Self.asciiMono)
        #expect(buffer.lines[0] == "=+", "monochrome: the mean's shade (luma 0.44 and 0.56)")
        #expect(buffer.lines[1] == " +")
    }

    @Test("a typed kernel: rows by ; or /, numbers by spaces or commas; empty, ragged or non-numbers are refused")
    func parsingKernels() throws {
        #expect(try InspectorScreen.parseKernel("1 0 -1; 2,0,-2 / 1 0 -1") == [[1, 0, -1], [2, 0, -2], [1, 0, -1]])
        #expect(try InspectorScreen.parseKernel(" 0.5 ") == [[0.5]])
        #expect(throws: KernelError.self) { try InspectorScreen.parseKernel(" ; ") }
        #expect(throws: KernelError.self) { try InspectorScreen.parseKernel("1 2; 3") }
        #expect(throws: KernelError.self) { try InspectorScreen.parseKernel("1 inf") }
    }

    // MARK: Other networks

    @Test("resnet-mini: every stage in turn, a residual block zoomed with its field lit; snapshots at 80x24",
          arguments: [false, true])
    func resNetMini(ascii: Bool) throws {
        let screen = try Self.screen(model: "resnet-mini")
        let names = screen.inspection.layers.map(\.name)
        #expect(names == ["input", "1 conv", "4 residual", "6 residual", "8 residual", "10 gap", "11 linear"])
        #expect(screen.layerIndex == 1, "the overview starts at the stem's convolution")
        let capabilities = ascii ? Self.asciiMono : .full
        let suffix = "80x24-\(ascii ? "ascii" : "colour")"
        try Snapshot.expect(render(screen, width: 80, height: 24, capabilities: capabilities),
                            named: "inspector-resnet-\(suffix)")
        // Every layer's title is on screen when it is chosen; the tabs name every layer.
        for index in 0..<names.count {
            let lines = render(screen, width: 80, height: 24, capabilities: capabilities).lines
            let layer = screen.inspection.layers[screen.layerIndex]
            // In full, or its maps' shape shortened to 16@28x28 when the line is too long.
            let heading = String(layer.title.prefix { $0 != ":" })
            #expect(lines.contains { $0.contains(heading + ": ") }, "\(layer.name) at step \(index)")
            let tabs = try #require(lines.first { $0.contains("layer ") && $0.contains(" input ") })
            for tab in screen.inspection.layers.map(InspectorScreen.tabName) { #expect(tabs.contains(" \(tab) "), "\(tab): \(tabs)") }
            _ = screen.handle(.tab)
        }
        // The second block (index 3, 32 maps of 14x14) zoomed, cell (5, 5): its field is rows and
        // columns 4...16 of the input (see ImageInspectionTests), shown from 1.
        for key: KeyEvent in [.tab, .tab, .enter] { _ = screen.handle(key) }
        #expect(screen.layerIndex == 3 && screen.view == .zoom)
        for key: KeyEvent in [.down, .down, .down, .down, .down, .right, .right, .right, .right, .right] { _ = screen.handle(key) }
        let zoom = render(screen, width: 80, height: 24, capabilities: capabilities).lines
        #expect(zoom.contains { $0.contains("6 residual map 1 of 32 (14x14)") && $0.contains("row 6, column 6") })
        #expect(zoom.contains { $0.contains("input rows 5-17, columns 5-17 (13x13)") }, "\(zoom.joined(separator: "\n"))")
        try Snapshot.expect(render(screen, width: 80, height: 24, capabilities: capabilities),
                            named: "inspector-resnet-zoom-\(suffix)")
        // Global pooling is a vector: Enter says so rather than zooming.
        for key: KeyEvent in [.escape, .tab, .tab, .enter] { _ = screen.handle(key) }
        #expect(screen.layerIndex == 5 && screen.view == .overview && screen.status?.contains("Enter zooms a layer of maps") == true)
    }

    @Test("more layers than the tab row holds: the chosen one is always shown, the hidden ones counted either side",
          arguments: [80, 100, 120])
    func tabsScroll(width: Int) throws {
        let screen = try Self.screen(model: "vgg-mini")
        let layers = screen.inspection.layers
        #expect(layers.count == 12, "\(layers.map(\.name))")
        var hiddenSeen = false
        for _ in 0..<layers.count {
            let lines = render(screen, width: width, height: 30, capabilities: Self.asciiMono).lines
            let tabs = try #require(lines.first { $0.hasPrefix("| layer ") })
            let chosen = InspectorScreen.tabName(layers[screen.layerIndex])
            #expect(tabs.contains(" \(chosen) "), "\(chosen) not in \(tabs)")
            let shown = layers.map(InspectorScreen.tabName).filter { tabs.contains(" \($0) ") }.count
            // "<3 " before and " 5>" after count what is not shown.
            let before = tabs.firstMatch(of: #/layer <(\d+) /#).map { Int($0.1)! } ?? 0
            let after = tabs.firstMatch(of: #/ (\d+)>/#).map { Int($0.1)! } ?? 0
            #expect(before + shown + after == layers.count, "\(tabs)")
            hiddenSeen = hiddenSeen || before + after > 0
            _ = screen.handle(.tab)
        }
        if width == 80 { #expect(hiddenSeen, "vgg-mini's 13 layers fit 80 columns: the test tests nothing") }
    }

    @Test("the tab window: all when they fit, else around the chosen one with room for the counts")
    func tabWindow() {
        #expect(InspectorScreen.tabWindow(widths: [5, 5, 5], chosen: 1, room: 15) == 0...2)
        // Room for 20: the chosen one and its right neighbour, then the left, with the counts' room.
        #expect(InspectorScreen.tabWindow(widths: [5, 5, 5, 5, 5, 5], chosen: 0, room: 20) == 0...2)
        #expect(InspectorScreen.tabWindow(widths: [5, 5, 5, 5, 5, 5], chosen: 5, room: 20) == 3...5)
        // From the middle: right first (3...4, then 3...5 once the right count is gone), the left never fits.
        #expect(InspectorScreen.tabWindow(widths: [5, 5, 5, 5, 5, 5], chosen: 3, room: 20) == 3...5)
        // Too narrow for even one: the chosen one alone (the row clips it).
        #expect(InspectorScreen.tabWindow(widths: [5, 9, 5], chosen: 1, room: 4) == 1...1)
    }

    // MARK: Helpers

    func render(_ screen: any Screen, width: Int = 100, height: Int = 30,
                capabilities: TerminalCapabilities = .full) -> CellBuffer {
        var buffer = CellBuffer(width: width, height: height)
        screen.render(into: &buffer, area: buffer.area, capabilities: capabilities)
        return buffer
    }
}

extension ScreenAction {
    var isNone: Bool {
        if case .none = self { return true }
        return false
    }
}
