/// The characters widgets draw with, for one `GlyphSet`: box drawing, bar blocks, markers and
/// the ellipsis. Every widget takes its characters from here, so `--ascii` degrades all of them
/// the same way.
public struct Glyphs: Hashable, Sendable {
    public let set: GlyphSet

    public let topLeft: Character
    public let topRight: Character
    public let bottomLeft: Character
    public let bottomRight: Character
    public let horizontal: Character
    public let vertical: Character
    /// `├`: a horizontal rule meeting a left edge.
    public let teeRight: Character
    /// `┤`: a horizontal rule meeting a right edge.
    public let teeLeft: Character

    /// A whole cell of bar.
    public let fullBlock: Character
    /// The empty part of a progress bar's track.
    public let track: Character
    /// A light shade (`░`), for "nothing here but the area".
    public let lightShade: Character
    /// Marks an output cell whose value is not revealed yet.
    public let pending: Character
    /// Stands for a zero that does not matter (the empty cells of a confusion matrix).
    public let zero: Character
    /// Drawn just before the value of a padding cell, so padding is told apart without colour.
    public let paddingMarker: Character
    /// Shown where text was cut short.
    public let ellipsis: String
    public let arrowUp: Character
    public let arrowDown: Character
    public let arrowLeft: Character
    public let arrowRight: Character

    /// Left-aligned partial blocks from one eighth to seven eighths of a cell (`▏▎▍▌▋▊▉`); empty in ASCII.
    public let horizontalEighths: [Character]
    /// Bottom-aligned partial blocks from one eighth to seven eighths of a cell (`▁▂▃▄▅▆▇`); empty in ASCII.
    public let verticalEighths: [Character]

    public init(_ set: GlyphSet) {
        self.set = set
        switch set {
        case .unicode:
            (topLeft, topRight, bottomLeft, bottomRight) = ("┌", "┐", "└", "┘")
            (horizontal, vertical, teeRight, teeLeft) = ("─", "│", "├", "┤")
            (fullBlock, track, lightShade) = ("█", "░", "░")
            (pending, zero, paddingMarker, ellipsis) = ("·", "·", "·", "…")
            (arrowUp, arrowDown, arrowLeft, arrowRight) = ("↑", "↓", "←", "→")
            horizontalEighths = ["▏", "▎", "▍", "▌", "▋", "▊", "▉"]
            verticalEighths = ["▁", "▂", "▃", "▄", "▅", "▆", "▇"]
        case .ascii:
            (topLeft, topRight, bottomLeft, bottomRight) = ("+", "+", "+", "+")
            (horizontal, vertical, teeRight, teeLeft) = ("-", "|", "+", "+")
            (fullBlock, track, lightShade) = ("#", "-", ".")
            // "." would read as a decimal point next to a number, so padding gets "_" and pending "?".
            (pending, zero, paddingMarker, ellipsis) = ("?", ".", "_", "...")
            (arrowUp, arrowDown, arrowLeft, arrowRight) = ("^", "v", "<", ">")
            horizontalEighths = []
            verticalEighths = []
        }
    }

    public static let unicode = Glyphs(.unicode)
    public static let ascii = Glyphs(.ascii)

    /// `text` as this glyph set can show it: unchanged in Unicode; in ASCII, common symbols become
    /// ASCII look-alikes (`←` `<`, `…` `...`, `×` `x`, box drawing `+-|`) and anything else outside
    /// printable ASCII becomes `?`.
    public func text(_ text: String) -> String {
        guard set == .ascii else { return text }
        guard !text.unicodeScalars.allSatisfy({ $0.isASCII }) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            if character.isASCII {
                result.append(character)
            } else if let replacement = Glyphs.asciiReplacements[character] {
                result += replacement
            } else if let scalar = character.unicodeScalars.first, (0x2500...0x257F).contains(scalar.value) {
                result += Glyphs.asciiBoxDrawing(scalar)
            } else {
                result.append("?")
            }
        }
        return result
    }

    /// `text` shortened to at most `width` columns, ending in the ellipsis when something was cut.
    /// Applies `text(_:)` first, so the result is always drawable with this glyph set.
    public func truncated(_ text: String, toWidth width: Int) -> String {
        let shown = self.text(text)
        guard width > 0 else { return "" }
        guard shown.count > width else { return shown }
        guard width > ellipsis.count else { return String(shown.prefix(width)) }
        return String(shown.prefix(width - ellipsis.count)) + ellipsis
    }

    /// A horizontal bar `fraction` (0...1, clamped) of `width` cells long: whole blocks and, in
    /// Unicode, one partial block to the nearest eighth; in ASCII to the nearest whole cell. The
    /// result is at most `width` characters; the caller draws the empty track after it.
    public func horizontalBar(fraction: Double, width: Int) -> String {
        guard width > 0 else { return "" }
        let clamped = fraction.isNaN ? 0 : min(1, max(0, fraction))
        if horizontalEighths.isEmpty {
            return String(repeating: fullBlock, count: Int((clamped * Double(width)).rounded()))
        }
        let eighths = Int((clamped * Double(width) * 8).rounded())
        var bar = String(repeating: fullBlock, count: eighths / 8)
        if eighths % 8 > 0 { bar.append(horizontalEighths[eighths % 8 - 1]) }
        return bar
    }

    /// A vertical bar `fraction` (0...1, clamped) of `height` cells tall, as the character of each
    /// row from the top row down (blank rows are spaces): whole blocks and, in Unicode, one
    /// partial block to the nearest eighth on top; in ASCII to the nearest whole cell.
    public func verticalBar(fraction: Double, height: Int) -> [Character] {
        guard height > 0 else { return [] }
        let clamped = fraction.isNaN ? 0 : min(1, max(0, fraction))
        var column = [Character](repeating: " ", count: height)
        let eighths = verticalEighths.isEmpty
            ? Int((clamped * Double(height)).rounded()) * 8
            : Int((clamped * Double(height) * 8).rounded())
        let whole = eighths / 8
        for row in 0..<whole { column[height - 1 - row] = fullBlock }
        if eighths % 8 > 0 && whole < height { column[height - 1 - whole] = verticalEighths[eighths % 8 - 1] }
        return column
    }

    private static let asciiReplacements: [Character: String] = [
        "←": "<", "→": ">", "↑": "^", "↓": "v", "↔": "<>", "↕": "^v",
        "⇐": "<=", "⇒": "=>", "↵": "Enter", "⏎": "Enter",
        "…": "...", "·": ".", "•": "*", "∙": ".", "×": "x", "÷": "/", "∗": "*",
        "−": "-", "–": "-", "—": "--", "≤": "<=", "≥": ">=", "≠": "!=", "≈": "~", "±": "+/-",
        "‘": "'", "’": "'", "“": "\"", "”": "\"", "«": "<<", "»": ">>",
        "█": "#", "▓": "#", "▒": "+", "░": ".", "▏": "|", "▌": "#", "▐": "#", "▀": "^", "▄": "_",
        "✓": "v", "✔": "v", "✗": "x", "✘": "x", "▶": ">", "◀": "<", "▲": "^", "▼": "v",
        "Σ": "sum", "σ": "sigma", "∑": "sum", "√": "sqrt", "∞": "inf", "°": "deg", "²": "^2", "³": "^3",
        "\u{00A0}": " ",
    ]

    /// Box-drawing characters (U+2500 to U+257F) as `-`, `|` or `+`.
    private static func asciiBoxDrawing(_ scalar: Unicode.Scalar) -> String {
        switch scalar.value {
        case 0x2500, 0x2501, 0x2504, 0x2505, 0x2508, 0x2509, 0x254C, 0x254D, 0x2550, 0x2574, 0x2576, 0x2578, 0x257A:
            return "-"
        case 0x2502, 0x2503, 0x2506, 0x2507, 0x250A, 0x250B, 0x254E, 0x254F, 0x2551, 0x2575, 0x2577, 0x2579, 0x257B:
            return "|"
        default:
            return "+"
        }
    }
}

extension GlyphSet {
    /// The characters for this glyph set.
    public var glyphs: Glyphs { self == .unicode ? .unicode : .ascii }
}
