/// The xterm 256-colour palette, readable text on coloured cells, and the precomputed colours of
/// each scale that heatmaps draw from.
extension TerminalColor {
    /// The levels of each channel in the palette's 6x6x6 colour cube (entries 16 to 231).
    public static let paletteCubeLevels: [UInt8] = [0, 95, 135, 175, 215, 255]

    /// The xterm palette entry nearest to a colour by squared RGB distance, among the colour cube
    /// (16-231) and the grey ramp (232-255, grey 8 + 10k). The first 16 entries are never chosen:
    /// terminal themes redefine them. On a tie the cube wins.
    ///
    /// Pure red (255, 0, 0) -> 196, white -> 231, black -> 16, mid grey (128, 128, 128) -> 244.
    public static func nearestPaletteIndex(red: UInt8, green: UInt8, blue: UInt8) -> UInt8 {
        let r = Int(red), g = Int(green), b = Int(blue)
        let cr = nearestCubeStep(r), cg = nearestCubeStep(g), cb = nearestCubeStep(b)
        let cubeDistance = square(r - cubeLevel(cr)) + square(g - cubeLevel(cg)) + square(b - cubeLevel(cb))
        // The grey nearest to a colour is the one nearest to its mean (the distance is a parabola in
        // the grey level with its minimum at the mean).
        // That is step k = round((sum / 3 - 8) / 10) = round((sum - 24) / 30).
        let step = min(23, max(0, (r + g + b - 24 + 15) / 30))
        let grey = 8 + 10 * step
        let greyDistance = square(r - grey) + square(g - grey) + square(b - grey)
        if greyDistance < cubeDistance { return UInt8(232 + step) }
        return UInt8(16 + 36 * cr + 6 * cg + cb)
    }

    /// The colour of palette entry `index` as xterm draws it by default (entries 0-15 vary with the
    /// terminal's theme; these are xterm's own).
    public static func paletteRGB(_ index: UInt8) -> (red: UInt8, green: UInt8, blue: UInt8) {
        switch index {
        case 0..<16:
            return basicColors[Int(index)]
        case 16..<232:
            let cube = Int(index) - 16
            return (paletteCubeLevels[cube / 36], paletteCubeLevels[cube / 6 % 6], paletteCubeLevels[cube % 6])
        default:
            let level = UInt8(8 + 10 * (Int(index) - 232))
            return (level, level, level)
        }
    }

    /// The colour as RGB (a palette entry as xterm draws it); nil for the terminal's default,
    /// which the program cannot know.
    public var approximateRGB: (red: UInt8, green: UInt8, blue: UInt8)? {
        switch self {
        case .terminalDefault: return nil
        case .indexed(let index): return TerminalColor.paletteRGB(index)
        case .rgb(let red, let green, let blue): return (red, green, blue)
        }
    }

    /// Black or white, whichever reads better on `background`: black when the background's
    /// relative luminance (sRGB weights on channels linearised with gamma 2, close to the exact
    /// curve) is above 0.18, where black and white give equal contrast. The result is of the same
    /// kind as the background (`.rgb` black/white on `.rgb`, palette 16/231 on `.indexed`, which
    /// themes leave alone); on the terminal's default background, the terminal's default foreground.
    public static func readableForeground(on background: TerminalColor) -> TerminalColor {
        guard let (red, green, blue) = background.approximateRGB else { return .terminalDefault }
        let luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
        let dark = luminance > 0.18
        if case .rgb = background { return dark ? .rgb(0, 0, 0) : .rgb(255, 255, 255) }
        return dark ? .indexed(16) : .indexed(231)
    }

    private static func linear(_ channel: UInt8) -> Double {
        let unit = Double(channel) / 255
        return unit * unit
    }

    /// 0-5: the cube step nearest to a channel value (a tie goes to the lower level).
    private static func nearestCubeStep(_ channel: Int) -> Int {
        var step = 0
        for candidate in 1..<6 where square(channel - cubeLevel(candidate)) < square(channel - cubeLevel(step)) {
            step = candidate
        }
        return step
    }

    private static func cubeLevel(_ step: Int) -> Int { Int(paletteCubeLevels[step]) }
    private static func square(_ x: Int) -> Int { x * x }

    private static let basicColors: [(red: UInt8, green: UInt8, blue: UInt8)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]
}

/// A scale's colours at 257 evenly spaced positions (0, 1/256, ..., 1: the middle one is exactly
/// 0.5, so zero on the diverging scale is exactly white), for each colour mode. Heatmaps look
/// colours up here instead of interpolating per cell.
struct ColorScaleTable: Sendable {
    static let steps = 256

    let direct: [TerminalColor]
    let palette: [TerminalColor]

    init(_ scale: ColorScale) {
        var direct: [TerminalColor] = []
        var palette: [TerminalColor] = []
        direct.reserveCapacity(ColorScaleTable.steps + 1)
        palette.reserveCapacity(ColorScaleTable.steps + 1)
        for step in 0...ColorScaleTable.steps {
            let (red, green, blue) = scale.rgb(at: Double(step) / Double(ColorScaleTable.steps))
            direct.append(.rgb(red, green, blue))
            palette.append(.indexed(TerminalColor.nearestPaletteIndex(red: red, green: green, blue: blue)))
        }
        self.direct = direct
        self.palette = palette
    }

    /// The colours for `mode`; monochrome has none (empty).
    func colors(for mode: ColorMode) -> [TerminalColor] {
        switch mode {
        case .direct: return direct
        case .palette256: return palette
        case .monochrome: return []
        }
    }

    static let sequential = ColorScaleTable(.sequential)
    static let diverging = ColorScaleTable(.diverging)
    static let greyscale = ColorScaleTable(.greyscale)
}

extension ColorScale {
    var table: ColorScaleTable {
        switch self {
        case .sequential: return .sequential
        case .diverging: return .diverging
        case .greyscale: return .greyscale
        }
    }
}
