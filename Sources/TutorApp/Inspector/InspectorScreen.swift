import Inspection
import Datasets
import ConvKernels
import Imaging
import Lessons
import TerminalUI

/// What every layer of a network (LeNet-5, resnet-mini, any checkpoint of grey digits) makes of
/// one image: the original in colour, the preprocessed input, the prediction with the softmax
/// probabilities as bars, and the chosen layer's feature maps as heatmaps (a vector's values, a
/// fully connected layer's or global pooling's, as a strip of bars with the chosen unit's value).
/// The layers are the network's top-level layers, as many as it has (`ImageInspection.layers`).
///
/// Views, each left with Esc: the overview; a zoomed map with its numbers and a cursor whose cell's
/// receptive field is lit on the input (Enter); the preprocessing steps (`p`); a kernel applied to
/// the whole colour image at the panel's resolution (`k` cycles the presets, `t` types a kernel).
/// `o` opens another image through the file prompt and comes back here with it.
public final class InspectorScreen: Screen {
    /// The views Esc leaves for the overview.
    enum View: Equatable {
        case overview, zoom, preprocessing, kernel
    }

    /// The kernel the kernel view applies: one of the presets, or one typed in.
    enum KernelChoice: Equatable {
        case preset(Int)
        case typed([[Float]])
    }

    public private(set) var inspection: ImageInspection
    /// The checkpoint the inspection was made with (nil: the pretrained model), for `o`.
    public let modelPath: String?
    public let kernelPresets: [KernelPreset]
    private let load: (String) throws -> ImageInspection

    private(set) var view = View.overview
    /// The chosen layer (an index into `inspection.layers`) and map (or unit, for a vector layer).
    private(set) var layerIndex = 0
    private(set) var mapIndex = 0
    /// The zoomed map's cursor.
    private(set) var cursorRow = 0
    private(set) var cursorColumn = 0
    private(set) var kernel = KernelChoice.preset(0)
    /// The kernel being typed after `t` (nil when not typing).
    private(set) var kernelText: String?
    /// The last thing a key did that needs saying (a typed kernel's error, a bad key).
    private(set) var status: String?

    /// The pictures the last frame drew, with their size labels (see `drawTitledPicture`).
    var drawnPictures: [DrawnPicture] = []
    /// The preprocessing steps' scroll offset and the layout the last frame found (the steps
    /// are laid out by width, and scroll with [ and ] when taller than the screen).
    var stepsScroll = 0
    var stepsLayout = OverflowScroll()

    /// Drawing caches: the original resized to a panel, and a kernel's result, by size and kernel.
    var originalCache: (width: Int, height: Int, image: RGBImage)?
    var kernelCache: (width: Int, height: Int, kernel: [[Float]], result: Result<RGBImage, KernelFailure>)?
    /// The original as colour (converted once), at most `pictureSide` pixels either way: more than
    /// any terminal shows, and a 40-megapixel photo does not cost a 640 MB colour copy.
    private(set) lazy var originalRGB: RGBImage = inspection.original.rgb(maximumSide: Self.pictureSide)
    static let pictureSide = 1024

    /// A kernel that could not be applied, with the message shown in its place.
    struct KernelFailure: Error, Equatable { let message: String }

    /// - Parameters: `modelPath`, the checkpoint `inspection` came from (nil: the pretrained model),
    ///   is used again when `o` opens another image; `kernelPresets` are what `k` cycles through.
    public convenience init(inspection: ImageInspection, modelPath: String? = nil,
                            kernelPresets: [KernelPreset] = KernelPreset.allCases) {
        self.init(inspection: inspection, modelPath: modelPath, kernelPresets: kernelPresets) { path in
            try ImageInspection.load(imagePath: path, modelPath: modelPath)
        }
    }

    /// With `load` opening the images `o` asks for (tests give their own).
    init(inspection: ImageInspection, modelPath: String?, kernelPresets: [KernelPreset],
         load: @escaping (String) throws -> ImageInspection) {
        self.inspection = inspection
        self.modelPath = modelPath
        self.kernelPresets = kernelPresets.isEmpty ? [.sobelX] : kernelPresets
        self.load = load
        layerIndex = Self.firstConvolution(in: inspection)
        if let sobel = self.kernelPresets.firstIndex(of: .sobelX) { kernel = .preset(sobel) }
    }

    /// The first layer of maps after the input (LeNet-5's first convolution), else the first
    /// layer after the input, or 0.
    static func firstConvolution(in inspection: ImageInspection) -> Int {
        inspection.layers.indices.dropFirst().first { inspection.layers[$0].isMap }
            ?? (inspection.layers.count > 1 ? 1 : 0)
    }

    /// Shows another image, keeping the chosen layer and view where they still make sense.
    public func show(_ newInspection: ImageInspection) {
        inspection = newInspection
        originalRGB = newInspection.original.rgb(maximumSide: Self.pictureSide)
        originalCache = nil
        kernelCache = nil
        layerIndex = min(layerIndex, max(0, newInspection.layers.count - 1))
        clampSelection()
        if view == .zoom { view = .overview }
        status = "opened \(newInspection.imageName)"
    }

    // MARK: The layers

    /// A layer's values as maps: (channels, height, width); a vector layer is (1, 1, features).
    static func mapShape(of layer: InspectedLayer) -> (channels: Int, height: Int, width: Int) {
        (layer.channels, layer.height, layer.width)
    }

    /// Map `index` of a layer, row by row, flattened.
    static func map(_ index: Int, of layer: InspectedLayer) -> [Float] {
        guard index >= 0, index < layer.channels else { return [] }
        let size = layer.height * layer.width
        return Array(layer.values.data[(index * size)..<((index + 1) * size)])
    }

    var layer: InspectedLayer? {
        inspection.layers.indices.contains(layerIndex) ? inspection.layers[layerIndex] : nil
    }

    /// How many maps (or units, for a vector layer) the chosen layer has.
    var choiceCount: Int {
        guard let layer else { return 0 }
        let shape = Self.mapShape(of: layer)
        return layer.isMap ? shape.channels : shape.channels * shape.height * shape.width
    }

    private func clampSelection() {
        mapIndex = min(max(0, mapIndex), max(0, choiceCount - 1))
        if let layer, layer.isMap {
            let shape = Self.mapShape(of: layer)
            cursorRow = min(max(0, cursorRow), max(0, shape.height - 1))
            cursorColumn = min(max(0, cursorColumn), max(0, shape.width - 1))
        }
    }

    /// The kernel the kernel view applies, its name and what it does.
    var currentKernel: (grid: [[Float]], name: String, summary: String) {
        switch kernel {
        case .preset(let index):
            let preset = kernelPresets[min(max(0, index), kernelPresets.count - 1)]
            return (preset.grid, preset.rawValue, preset.summary)
        case .typed(let grid):
            return (grid, "typed \(grid.count)x\(grid.first?.count ?? 0)", "your own kernel")
        }
    }

    // MARK: Screen

    public var title: String { "Inspect: " + inspection.imageName }

    public var keyHelp: [KeyHint] {
        [KeyHint("Tab ↑↓", "choose a layer (Shift-Tab back)"), KeyHint("←→", "choose a map or unit"),
         KeyHint("Enter", "zoom the map: its numbers and a cursor"), KeyHint("←↑↓→", "zoomed: move the cursor"),
         KeyHint("p", "the preprocessing steps"), KeyHint("k K", "apply the next / previous kernel to the image"),
         KeyHint("[ ] PgUp PgDn", "the steps: scroll when taller than the screen"),
         KeyHint("t", "type a kernel (rows split by ;)"), KeyHint("o", "open another image"),
         KeyHint("Esc", "back to the overview, then out"), KeyHint("q", "back"), KeyHint("?", "this help")]
    }

    public var helpText: String {
        "The image is read as a digit: turned grey, inverted when its background is light (MNIST has white ink "
            + "on black), cropped to the ink, scaled to fit 20x20 and centred by mass in 28x28, as MNIST was made "
            + "(`p` shows each step). The network's answer is the largest of the **softmax** probabilities.\n\n"
            + "Each convolution layer's **feature maps** show where its filters found what they look for; pooling "
            + "halves them: every layer's maps are drawn at one scale, so the halving is what you see, and the "
            + "legend under the layer's line gives the colours of its values. A picture not drawn at its true "
            + "size (or a whole multiple of it) says the size it is drawn at. "
            + "Choose a layer with **Tab**, a map with the arrows, and **Enter** to see its numbers: "
            + "the cursor's cell depends only on the lit part of the input, its **receptive field**.\n\n"
            + "Each layer is one of the network's own (`convtutor model --arch NAME` lists them), numbered as "
            + "there; an activation, batch norm or dropout is shown with the layer it follows: **1 conv 6@5x5 + "
            + "2 relu** is the convolution's maps after the ReLU. A residual block or an Inception module's "
            + "branches is one layer: its output.\n\n"
            + "A frame along the edges of the first convolution's maps is its zero padding: the network sees the image "
            + "normalised, where MNIST's black background is about -0.42 ((0 - 0.1307) / 0.3081), so the padded "
            + "zeros are brighter than the background and the filters answer to that step as to an edge.\n\n"
            + "`k` applies a classic kernel (Sobel, blur, sharpen...) to the whole image in colour, each channel on "
            + "its own, with the same convolution the network uses; `t` lets you type one, such as `1 0 -1; 2 0 -2; "
            + "1 0 -1`."
    }

    var footerHints: [KeyHint] {
        if kernelText != nil {
            // ? is typed while typing; help is one Esc away.
            return [KeyHint("Enter", "apply"), KeyHint("Esc", "cancel"), KeyHint("; ", "next row"),
                    KeyHint("Esc ?", "help")]
        }
        switch view {
        case .overview:
            return [KeyHint("Tab", "layer"), KeyHint("←→", "map"), KeyHint("Enter", "zoom"), KeyHint("p", "steps"),
                    KeyHint("k", "kernel"), KeyHint("o", "open"), KeyHint("?", "help"), KeyHint("Esc", "back")]
        case .zoom:
            return [KeyHint("←↑↓→", "cell"), KeyHint("Tab", "layer"), KeyHint("[ ]", "map"), KeyHint("Esc", "overview"),
                    KeyHint("?", "help")]
        case .preprocessing:
            let scroll = stepsLayout.overflows ? [KeyHint("[ ]", "scroll")] : []
            return scroll + [KeyHint("Esc", "overview"), KeyHint("k", "kernel"), KeyHint("o", "open"), KeyHint("?", "help")]
        case .kernel:
            return [KeyHint("k K", "next/previous"), KeyHint("t", "type one"), KeyHint("Esc", "overview"),
                    KeyHint("o", "open"), KeyHint("?", "help")]
        }
    }

    // MARK: Keys

    public func handle(_ event: KeyEvent) -> ScreenAction {
        if kernelText != nil { return handleKernelTyping(event) }
        status = nil
        switch event {
        case .escape:
            if view == .overview { return .pop }
            view = .overview
        case .character("q"):
            return .pop
        case .character("o"):
            return .push(anotherImagePrompt())
        case .character("p"):
            view = view == .preprocessing ? .overview : .preprocessing
        case .character("k"):
            nextKernel(by: view == .kernel ? 1 : 0)
        case .character("K"):
            nextKernel(by: -1)
        case .character("t"):
            view = .kernel
            kernelText = ""
        case .tab:
            chooseLayer(by: 1)
        case .backTab:
            chooseLayer(by: -1)
        case .enter:
            if view == .zoom {
                view = .overview
            } else if layer?.isMap == true {
                view = .zoom
            } else {
                status = "Enter zooms a layer of maps; choose one with Tab"
            }
        case .character("["), .character("]"), .pageUp, .pageDown:
            let forward = event == .character("]") || event == .pageDown
            if view == .preprocessing {
                // Half a screen at a time, as the lesson player's panel scrolls.
                let page = max(1, stepsLayout.visibleHeight / 2)
                stepsScroll = max(0, min(stepsLayout.maximumOffset, stepsScroll + (forward ? page : -page)))
            } else if event == .character("[") || event == .character("]") {
                chooseMap(by: forward ? 1 : -1)
            }
        case .up, .down, .left, .right:
            arrow(event)
        case .home:
            mapIndex = 0
        case .end:
            mapIndex = max(0, choiceCount - 1)
        default:
            break
        }
        return .none
    }

    private func arrow(_ event: KeyEvent) {
        if view == .zoom, let layer {
            let shape = Self.mapShape(of: layer)
            switch event {
            case .up: cursorRow = max(0, cursorRow - 1)
            case .down: cursorRow = min(shape.height - 1, cursorRow + 1)
            case .left: cursorColumn = max(0, cursorColumn - 1)
            case .right: cursorColumn = min(shape.width - 1, cursorColumn + 1)
            default: break
            }
            return
        }
        switch event {
        case .up: chooseLayer(by: -1)
        case .down: chooseLayer(by: 1)
        case .left: chooseMap(by: -1)
        case .right: chooseMap(by: 1)
        default: break
        }
    }

    private func chooseLayer(by offset: Int) {
        let count = inspection.layers.count
        guard count > 0 else { return }
        layerIndex = (layerIndex + offset % count + count) % count
        if view == .zoom && layer?.isMap != true { view = .overview }
        if view != .zoom && view != .overview { view = .overview }
        clampSelection()
    }

    private func chooseMap(by offset: Int) {
        let count = choiceCount
        guard count > 0 else { return }
        mapIndex = (mapIndex + offset % count + count) % count
    }

    private func nextKernel(by offset: Int) {
        view = .kernel
        switch kernel {
        case .preset(let index):
            let count = kernelPresets.count
            kernel = .preset(((index + offset) % count + count) % count)
        case .typed:
            kernel = .preset(offset < 0 ? kernelPresets.count - 1 : 0)
        }
    }

    private func handleKernelTyping(_ event: KeyEvent) -> ScreenAction {
        guard var text = kernelText else { return .none }
        switch event {
        case .escape:
            kernelText = nil
            status = nil
        case .enter:
            do {
                kernel = .typed(try Self.parseKernel(text))
                kernelText = nil
                status = nil
            } catch {
                status = error.message
            }
        case .backspace:
            if !text.isEmpty { text.removeLast() }
            kernelText = text
        case .control("u"):
            kernelText = ""
        case .character(let character):
            kernelText = text + String(character)
        default:
            break
        }
        return .none
    }

    /// A kernel typed as rows of numbers split by `;` (or `/`): "1 0 -1; 2 0 -2; 1 0 -1". Numbers are
    /// split by spaces or commas; every row needs as many (`ImageKernel` checks the size).
    static func parseKernel(_ text: String) throws(KernelError) -> [[Float]] {
        let rows = text.split(whereSeparator: { $0 == ";" || $0 == "/" })
            .map { $0.split(whereSeparator: { $0 == " " || $0 == "," }) }
            .filter { !$0.isEmpty }
        guard !rows.isEmpty else {
            throw KernelError("the kernel is empty; type rows of numbers split by ;, such as 1 0 -1; 2 0 -2; 1 0 -1")
        }
        var grid: [[Float]] = []
        for (rowNumber, row) in rows.enumerated() {
            var values: [Float] = []
            for word in row {
                guard let value = Float(word), value.isFinite else {
                    throw KernelError("\"\(word)\" in row \(rowNumber + 1) of the kernel is not a number")
                }
                values.append(value)
            }
            grid.append(values)
        }
        let width = grid[0].count
        if let uneven = grid.firstIndex(where: { $0.count != width }) {
            throw KernelError("row \(uneven + 1) of the kernel has \(grid[uneven].count) numbers and row 1 has \(width); "
                + "every row needs the same number")
        }
        return grid
    }

    /// The file prompt that `o` opens: an image opened there replaces this one, and the prompt goes
    /// back here.
    func anotherImagePrompt() -> ImagePromptScreen {
        let (samples, folder) = ImagePromptScreen.defaultSamples()
        return ImagePromptScreen(samples: samples, sampleFolder: folder) { [weak self] path in
            guard let self else { return .pop }
            self.show(try self.load(path))
            return .pop
        }
    }
}

extension ImagePromptScreen {
    /// The prompt of the home menu's "Inspect an image": an image opened there opens an
    /// `InspectorScreen` (with the checkpoint at `modelPath`, nil for the pretrained model) on top of it.
    public static func inspecting(modelPath: String? = nil) -> ImagePromptScreen {
        let (samples, folder) = defaultSamples()
        return ImagePromptScreen(samples: samples, sampleFolder: folder) { path in
            .push(InspectorScreen(inspection: try ImageInspection.load(imagePath: path, modelPath: modelPath),
                                  modelPath: modelPath))
        }
    }
}
