import TerminalUI

/// Finds content cut at the right edge of an area: what `OverflowScroll` does for rows below the
/// bottom, for columns past the side. The content is drawn at its width and again much wider; a
/// row the narrow drawing shows exactly as the wide one's beginning, while the wide one goes on, was
/// cut, unless what goes on is elsewhere in the narrow drawing: the next row starts with it (text
/// wrapped) or it was moved (a layout that stacks what does not fit side by side).
enum SideClipping {
    /// The rows of `draw`'s content cut at `width` columns, each with what the wide drawing goes on with.
    static func cutRows(width: Int, height: Int, extra: Int = 80,
                        draw: (inout CellBuffer, Rect) -> Void) -> [(row: Int, continuation: String)] {
        var narrow = CellBuffer(width: width, height: height)
        draw(&narrow, narrow.area)
        var wide = CellBuffer(width: width + extra, height: height)
        draw(&wide, wide.area)
        let narrowLines = (0..<height).map { narrow.line($0) }
        let narrowText = narrowLines.joined(separator: "\n")
        // What the wide drawing has past the narrow one's side, row by row (an arrow leading into
        // it belongs to the row it continues).
        let continuations = (0..<height).map { y in
            var continuation = String(wide.line(y).dropFirst(width)).trimmingSpaces
            for arrow in ["→", "->"] where continuation.hasPrefix(arrow) {
                continuation = String(continuation.dropFirst(arrow.count)).trimmingSpaces
            }
            return continuation
        }
        func isMoved(_ continuation: String) -> Bool {
            narrowText.contains(continuation.components(separatedBy: "  ")[0])
        }
        var cut: [(row: Int, continuation: String)] = []
        for y in 0..<height where !continuations[y].isEmpty {
            guard (0..<width).allSatisfy({ narrow[$0, y] == wide[$0, y] }) else { continue }
            // A marker at the edge says the row goes on.
            let shown = narrowLines[y].trimmingSpaces
            if shown.hasSuffix("…") || shown.hasSuffix("...") { continue }
            let firstWord = String(continuations[y].prefix { $0 != " " })
            if y + 1 < height, narrowLines[y + 1].trimmingSpaces.hasPrefix(firstWord) { continue }
            if isMoved(continuations[y]) { continue }
            // A heading over content that was moved (its next row that goes on is in the narrow drawing).
            if let next = ((y + 1)..<height).first(where: { !continuations[$0].isEmpty }), isMoved(continuations[next]) { continue }
            cut.append((y, continuations[y]))
        }
        return cut
    }
}

private extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
