import TerminalUI

/// The colours a terminal shows as curses drives it, and how a `TerminalColor` becomes a curses
/// colour number there.
public enum CursesColorDepth: Hashable, Sendable {
    /// No colour (the terminal has none, or `--no-color` / `NO_COLOR`).
    case monochrome
    /// The first 8 or 16 basic colours.
    case basic(count: Int)
    /// The xterm 256-colour palette.
    case palette256
    /// 24-bit colour: curses colour numbers are `0xRRGGBB`.
    case direct

    /// The `ColorMode` screens draw for at this depth. A terminal with 8 or 16 colours gets
    /// palette colours, which are mapped to the nearest basic colour when drawn.
    public var colorMode: ColorMode {
        switch self {
        case .monochrome: .monochrome
        case .basic, .palette256: .palette256
        case .direct: .direct
        }
    }

    /// The curses colour number for `color`; `defaultColor` for the terminal's default colour (-1
    /// when the terminal supports default colours).
    public func cursesColor(_ color: TerminalColor, defaultColor: Int32) -> Int32 {
        switch (self, color) {
        case (.monochrome, _), (_, .terminalDefault):
            return defaultColor

        case (.palette256, .indexed(let index)):
            return Int32(index)
        case (.palette256, .rgb(let red, let green, let blue)):
            return Int32(TerminalColor.nearestPaletteIndex(red: red, green: green, blue: blue))

        case (.basic(let count), .indexed(let index)):
            if Int(index) < count { return Int32(index) }
            // Bright colours on an 8-colour terminal: the normal version of the same colour.
            if index < 16 { return Int32(index - 8) }
            let rgb = TerminalColor.paletteRGB(index)
            return Int32(Self.nearestBasicColor(red: rgb.red, green: rgb.green, blue: rgb.blue, count: count))
        case (.basic(let count), .rgb(let red, let green, let blue)):
            return Int32(Self.nearestBasicColor(red: red, green: green, blue: blue, count: count))

        case (.direct, .indexed(let index)):
            // The eight basic colours stay themable; a direct-colour terminal sends numbers below 8
            // as the basic colours anyway.
            if index < 8 { return Int32(index) }
            let rgb = TerminalColor.paletteRGB(index)
            return Self.directNumber(red: rgb.red, green: rgb.green, blue: rgb.blue)
        case (.direct, .rgb(let red, let green, let blue)):
            return Self.directNumber(red: red, green: green, blue: blue)
        }
    }

    /// The basic colour (0 to `count` - 1, `count` 8 or 16) nearest to a colour by squared RGB
    /// distance, the basic colours taken as xterm draws them by default; on a tie the lower index.
    /// A grey (channels within 24 of each other) only goes to black, white, and on 16 colours
    /// bright black and bright white: the other basic colours are so saturated that mid greys
    /// would come out yellow, magenta or cyan.
    static func nearestBasicColor(red: UInt8, green: UInt8, blue: UInt8, count: Int) -> UInt8 {
        precondition(count >= 1 && count <= 16, "a basic palette has 1 to 16 colours, not \(count)")
        let isGrey = max(red, green, blue) - min(red, green, blue) <= 24
        var best: UInt8 = 0
        var bestDistance = Int.max
        for index in 0..<UInt8(count) where !isGrey || Self.neutralBasicColors.contains(index) {
            let color = TerminalColor.paletteRGB(index)
            let dr = Int(red) - Int(color.red), dg = Int(green) - Int(color.green), db = Int(blue) - Int(color.blue)
            let distance = dr * dr + dg * dg + db * db
            if distance < bestDistance {
                best = index
                bestDistance = distance
            }
        }
        return best
    }

    /// Black, white, bright black, bright white.
    private static let neutralBasicColors: Set<UInt8> = [0, 7, 8, 15]

    /// `0xRRGGBB`, except that the numbers 0-7 (pure black to nearly black blue), which a
    /// direct-colour terminal would show as basic colours, become 8: blue 8 of 255 looks the same.
    static func directNumber(red: UInt8, green: UInt8, blue: UInt8) -> Int32 {
        max(8, Int32(red) << 16 | Int32(green) << 8 | Int32(blue))
    }
}
