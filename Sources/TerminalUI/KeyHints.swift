/// One key and what it does, for a footer or the help overlay.
public struct KeyHint: Hashable, Sendable {
    /// The key as shown ("←→", "Enter", "?"); arrows become `<` `>` `^` `v` in ASCII.
    public var key: String
    public var description: String

    public init(_ key: String, _ description: String) {
        self.key = key
        self.description = description
    }
}

/// A footer line of key hints: "←→ move  Enter open  ? help  q quit". Keys are bold and cyan in
/// colour, bold and reversed in monochrome; descriptions plain. Hints that do not fit are dropped
/// from the end, whole; a first hint wider than the area is cut off at its edge.
public struct KeyHints: Hashable, Sendable {
    public var hints: [KeyHint]
    /// Spaces between one hint and the next.
    public var spacing: Int

    public init(_ hints: [KeyHint], spacing: Int = 2) {
        self.hints = hints
        self.spacing = spacing
    }

    /// The style of a key.
    public static func keyStyle(colors: ColorMode) -> Style {
        colors == .monochrome ? Style(attributes: [.bold, .reverse]) : Style(foreground: .cyan, attributes: .bold)
    }

    /// How many hints fit in `width` columns.
    public func fittingCount(width: Int, glyphs: GlyphSet = .unicode) -> Int {
        var used = 0
        for (index, hint) in hints.enumerated() {
            let next = (index > 0 ? spacing : 0) + hintWidth(hint, glyphs: glyphs.glyphs)
            if used + next > width { return index }
            used += next
        }
        return hints.count
    }

    /// The columns the whole line takes.
    public func width(glyphs: GlyphSet = .unicode) -> Int {
        hints.reduce(0) { $0 + hintWidth($1, glyphs: glyphs.glyphs) } + max(0, hints.count - 1) * spacing
    }

    /// Draws on the first row of `area`, clipped to it.
    public func render(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        guard !area.isEmpty else { return }
        let glyphs = capabilities.glyphs.glyphs
        let shown = max(1, fittingCount(width: area.width, glyphs: capabilities.glyphs))
        var x = area.x
        for (index, hint) in hints.prefix(shown).enumerated() {
            if index > 0 { x += spacing }
            x = buffer.write(glyphs.text(hint.key), x: x, y: area.y,
                             style: KeyHints.keyStyle(colors: capabilities.colors), clip: area)
            if !hint.description.isEmpty {
                x = buffer.write(" " + glyphs.text(hint.description), x: x, y: area.y, clip: area)
            }
        }
    }

    private func hintWidth(_ hint: KeyHint, glyphs: Glyphs) -> Int {
        glyphs.text(hint.key).count + (hint.description.isEmpty ? 0 : 1 + glyphs.text(hint.description).count)
    }
}
