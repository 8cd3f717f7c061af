/// What the user did: a key (with the few modifiers terminals report), a mouse click, or a resize.
public enum KeyEvent: Hashable, Sendable {
    /// A printable character, as typed (`q`, `Q`, `?`, `+`).
    case character(Character)
    /// Ctrl with a letter (`ctrl("c")` is Ctrl-C, which raw mode delivers as a key).
    case control(Character)
    case up, down, left, right
    case home, end, pageUp, pageDown
    case enter, escape, tab, backTab, backspace, delete
    /// F1 to F12.
    case function(Int)
    /// A mouse button pressed at column `x`, row `y`.
    case click(x: Int, y: Int)
    /// The terminal changed size; read the new size from the backend.
    case resize
}

/// What a terminal can show, from the most to the least.
public enum ColorMode: Hashable, Sendable, CaseIterable {
    /// 24-bit colour.
    case direct
    /// The xterm 256-colour palette.
    case palette256
    /// No colour: shades and attributes only (NO_COLOR, --no-color, or a terminal without colours).
    case monochrome
}

/// Which characters a screen may use.
public enum GlyphSet: Hashable, Sendable {
    /// Unicode: box drawing, shades, half blocks, Braille.
    case unicode
    /// Printable ASCII only (`--ascii`, or a terminal without UTF-8).
    case ascii
}

/// The capabilities a screen draws for.
public struct TerminalCapabilities: Hashable, Sendable {
    public var colors: ColorMode
    public var glyphs: GlyphSet

    public init(colors: ColorMode, glyphs: GlyphSet) {
        self.colors = colors
        self.glyphs = glyphs
    }

    public static let full = TerminalCapabilities(colors: .palette256, glyphs: .unicode)
    public static let plain = TerminalCapabilities(colors: .monochrome, glyphs: .ascii)
}
