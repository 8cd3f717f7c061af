import ConvKernels
import Lessons
import TerminalUI

// What the convolution and pooling panels draw the same way: the key hints, the status line, the
// output cells' highlights, and the text under the grids (the prompt for a prediction, the verdict,
// the current window's arithmetic and the output-size formula).

extension WindowStepper {
    /// The keys that work now.
    var keyHelp: [KeyHint] {
        if awaitsAnswer {
            return [KeyHint("0-9 - .", "type the value"), KeyHint("Enter", "check"), KeyHint("←", "back")]
        }
        var hints = [KeyHint("→", "next window"), KeyHint("←", "back")]
        // On the last window of a complete step, Enter is the host's (the next step).
        if !(isComplete && current == count - 1 && !isPlaying) { hints.append(KeyHint("Enter", "to the end")) }
        if !predict || isComplete { hints.append(KeyHint("a", isPlaying ? "pause" : "autoplay")) }
        return hints
    }

    /// The highlight of the output cell that window `index` writes.
    func outputHighlight(window index: Int) -> GridHighlight {
        var highlight: GridHighlight = isRevealed(index) ? .done : .pending
        if index == current { highlight.insert(.current) }
        return highlight
    }

    /// `[channel][row][column]`: which window wrote that output cell (-1 for none), given the
    /// output's shape and each window's output cell in stepping order.
    static func windowIndex(channels: Int, height: Int, width: Int,
                            cells: [(channel: Int, row: Int, column: Int)]) -> [[[Int]]] {
        var index = Array(repeating: Array(repeating: Array(repeating: -1, count: width), count: height), count: channels)
        for (position, cell) in cells.enumerated()
        where index.indices.contains(cell.channel) && index[cell.channel].indices.contains(cell.row)
            && index[cell.channel][cell.row].indices.contains(cell.column) {
            index[cell.channel][cell.row][cell.column] = position
        }
        return index
    }

    /// One output channel's grid, each cell done, current or pending by the window that writes it.
    func outputGrid(_ rows: [[Float]], decimals: Int, windowIndex: [[Int]]) -> NumberGrid {
        var grid = NumberGrid(rows, decimals: decimals)
        for (row, indices) in windowIndex.enumerated() {
            for (column, index) in indices.enumerated() {
                grid.setHighlight(row: row, column: column, index < 0 ? .pending : outputHighlight(window: index))
            }
        }
        return grid
    }

    /// Writes the status line (see `statusLine`) on the first row of `area`.
    func renderStatus(places: [String], in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        let status = statusLine(places: places, width: area.width, glyphs: capabilities.glyphs)
        buffer.write(capabilities.glyphs.glyphs.truncated(status, toWidth: area.width),
                     x: area.x, y: area.y, style: .bold, clip: area)
    }

    /// "Window 7 of 25 · output row 2, column 2" and whether autoplay runs, or a shorter form
    /// ("7/25 · row 2, col 2") when that does not fit in `width`.
    ///
    /// - Parameter places: the current output cell in words, longest first.
    func statusLine(places: [String], width: Int, glyphs: GlyphSet) -> String {
        guard count > 0 else { return "Nothing to step through." }
        let separator = glyphs == .unicode ? " · " : " - "
        let playing = isPlaying ? separator + "playing" : ""
        var candidates: [String] = []
        for place in places { candidates.append("Window \(current + 1) of \(count)" + separator + place + playing) }
        for place in places { candidates.append("\(current + 1)/\(count)" + separator + place + playing) }
        return candidates.first { $0.count <= width } ?? candidates.last ?? ""
    }

    /// Draws the text under the grids from the top of `area`; returns the rows used.
    ///
    /// - Parameters:
    ///   - place: the current output cell in words ("output row 2, column 2").
    ///   - arithmetic: the current window's arithmetic lines (asked for only when they may be shown).
    ///   - hint: how the value is worked out, shown after a first miss.
    ///   - currentLabel: what the current-cell highlight marks, for the legend.
    ///   - paddingMode: how the padding cells were filled, for the legend.
    @discardableResult
    func renderDetails(place: String, arithmetic: () -> [String], hint: String, sizeFormula: [String],
                       currentLabel: String = "cell being computed", paddingMode: Pad2d.Mode = .zero, in area: Rect,
                       into buffer: inout CellBuffer, capabilities: TerminalCapabilities) -> Int {
        guard !area.isEmpty, count > 0 else { return 0 }
        var lines: [(text: String, style: Style)] = []
        let unicode = capabilities.glyphs == .unicode
        let mono = capabilities.colors == .monochrome
        let good = mono ? Style.bold : Style(foreground: .green, attributes: .bold)
        let bad = mono ? Style.bold : Style(foreground: .red, attributes: .bold)
        let note = mono ? Style.plain : Style(foreground: .yellow)
        let tick = unicode ? "✓ " : "", cross = unicode ? "✗ " : ""

        if awaitsAnswer {
            lines.append(("Predict \(place): " + typed + "_", .bold))
            switch feedback {
            case .tryAgain(let answer)?:
                lines.append((cross + "\(answer) is not it. Try again.", bad))
                lines.append(("Hint: " + hint, note))
            case .unreadable(let answer)?:
                lines.append(("'\(answer)' is not a number: type one such as 12, -3 or 0.5.", note))
            case .typeFirst?:
                lines.append(("Type the value, then press Enter.", note))
            case .noAutoplay?:
                lines.append(("Autoplay starts once every cell is predicted.", note))
            default:
                if misses > 0 { lines.append(("Hint: " + hint, note)) }
            }
        } else {
            switch feedback {
            case .right(let answer)?:
                lines.append((tick + "\(answer) is right.", good))
            case .revealed(let answer)?:
                lines.append((cross + "\(answer) is not it either. Here is how it is worked out:", bad))
            default:
                break
            }
            for line in arithmetic() { lines.append((line, .plain)) }
            if !predict && current == count - 1 && count > 1 && !isPlaying {
                lines.append(("All \(count) windows done: ← looks back, a plays them again.", .dim))
            } else if predict && frontier == count && current == count - 1 {
                let second = rightAtSecondTry
                lines.append(("Every cell predicted: \(rightCount) of \(count) right"
                    + (second > 0 ? " at the first try (\(second) more at the second)." : "."), good))
            }
        }
        if !sizeFormula.isEmpty {
            lines.append(("", .plain))
            lines.append(("Output size", .bold))
            for line in sizeFormula { lines.append((line, .plain)) }
        }

        var y = area.y
        for line in lines where y < area.maxY {
            let text = StyledText(Self.escapedMarkup(line.text))
            let height = max(1, text.wrapped(width: area.width, glyphs: capabilities.glyphs).count)
            let rows = Rect(x: area.x, y: y, width: area.width, height: min(height, area.maxY - y))
            text.render(in: rows, into: &buffer, capabilities: capabilities, style: line.style)
            y += height
        }
        if y + 1 < area.maxY {
            y += 1 + renderLegend(at: y + 1, currentLabel: currentLabel, paddingMode: paddingMode, in: area,
                                  into: &buffer, capabilities: capabilities)
        }
        return min(area.height, y - area.y)
    }

    /// What the highlights mean, each name drawn in its own highlight; names that do not fit on
    /// the row go on to the next one (never dropped). Returns the rows used.
    @discardableResult
    func renderLegend(at y: Int, currentLabel: String, paddingMode: Pad2d.Mode = .zero, in area: Rect,
                      into buffer: inout CellBuffer, capabilities: TerminalCapabilities) -> Int {
        let glyphs = capabilities.glyphs.glyphs
        let items: [(String, GridHighlight)] = [
            ("window", .window), (currentLabel, .current), (Self.paddingLegend(paddingMode, glyphs: capabilities.glyphs), .padding),
            ("\(glyphs.pending) not yet shown", .pending),
        ]
        var row = y, x = area.x
        for item in items {
            if x > area.x {
                if x + 2 + item.0.count > area.maxX { row += 1; x = area.x } else { x += 2 }
            }
            x = buffer.write(item.0, x: x, y: row, style: NumberGrid.style(for: item.1, colors: capabilities.colors),
                             clip: Rect(x: area.x, y: row, width: area.width, height: 1).intersection(area))
        }
        return row - y + 1
    }

    /// The legend's name for padding cells, with the marker they are drawn with: "·0 padding" for
    /// zeros, "· padding (reflect)" when the padding copies input values (they show beside the marker).
    static func paddingLegend(_ mode: Pad2d.Mode, glyphs: GlyphSet) -> String {
        let marker = glyphs.glyphs.paddingMarker
        return mode == .zero ? "\(marker)0 padding" : "\(marker) padding (\(mode.rawValue))"
    }

    /// `text` with StyledText's markup characters escaped, so it is drawn as written.
    static func escapedMarkup(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "\\" || character == "*" || character == "`" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
