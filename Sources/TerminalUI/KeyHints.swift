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
/// colour, bold and reversed in monochrome; descriptions plain.
///
/// How to get help and how to leave are always shown: when the line is too narrow, the hints for
/// `essentialKeys` stay, the others are kept in order while they fit, and an ellipsis stands where
/// the first was dropped (the help overlay lists every key). Only when even the essential ones do
/// not fit are hints dropped from the end, whole; a first hint wider than the area is cut off at
/// its edge.
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

    /// The keys whose hints a footer never drops: help, quit and back.
    public static let essentialKeys: Set<String> = ["?", "q", "Esc", "Ctrl-C"]

    /// What a line of `width` columns shows: the indices of the hints kept, in order, and where
    /// the ellipsis for dropped ones goes (before the kept hint at that position), if any.
    public func shown(width: Int, glyphs: GlyphSet = .unicode) -> (hints: [Int], ellipsisBefore: Int?) {
        guard self.width(glyphs: glyphs) > width else { return (Array(hints.indices), nil) }
        let essential = hints.indices.filter { Self.essentialKeys.contains(hints[$0].key) }
        let ellipsis = glyphs.glyphs.ellipsis.count
        func lineWidth(_ kept: [Int]) -> Int {
            kept.reduce(0) { $0 + hintWidth(hints[$1], glyphs: glyphs.glyphs) } + max(0, kept.count) * spacing + ellipsis
        }
        guard !essential.isEmpty, lineWidth(essential) <= width else {
            return (Array(hints.indices.prefix(max(1, fittingCount(width: width, glyphs: glyphs)))), nil)
        }
        var kept = essential
        var firstDropped: Int?
        for index in hints.indices where !Self.essentialKeys.contains(hints[index].key) {
            let candidate = (kept + [index]).sorted()
            if firstDropped == nil && lineWidth(candidate) <= width {
                kept = candidate
            } else {
                firstDropped = firstDropped ?? index
            }
        }
        let ellipsisBefore = firstDropped.map { dropped in kept.firstIndex { $0 > dropped } ?? kept.count }
        return (kept, ellipsisBefore)
    }

    /// Draws on the first row of `area`, clipped to it.
    public func render(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        guard !area.isEmpty else { return }
        let glyphs = capabilities.glyphs.glyphs
        let (kept, ellipsisBefore) = shown(width: area.width, glyphs: capabilities.glyphs)
        var x = area.x
        for (position, index) in kept.enumerated() {
            if position == ellipsisBefore {
                if position > 0 { x += spacing }
                x = buffer.write(glyphs.ellipsis, x: x, y: area.y, style: .dim, clip: area)
            }
            if position > 0 || ellipsisBefore == 0 { x += spacing }
            let hint = hints[index]
            x = buffer.write(glyphs.text(hint.key), x: x, y: area.y,
                             style: KeyHints.keyStyle(colors: capabilities.colors), clip: area)
            if !hint.description.isEmpty {
                x = buffer.write(" " + glyphs.text(hint.description), x: x, y: area.y, clip: area)
            }
        }
        if ellipsisBefore == kept.count {
            x += spacing
            buffer.write(glyphs.ellipsis, x: x, y: area.y, style: .dim, clip: area)
        }
    }

    private func hintWidth(_ hint: KeyHint, glyphs: Glyphs) -> Int {
        glyphs.text(hint.key).count + (hint.description.isEmpty ? 0 : 1 + glyphs.text(hint.description).count)
    }
}
