/// A screen's worth of cells, drawn into by widgets and compared with the previous frame so that
/// only the cells that changed are sent to the terminal.
public struct CellBuffer: Hashable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int, filling cell: Cell = .blank) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: cell, count: self.width * self.height)
    }

    public var area: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    /// The cell at column `x`, row `y`; reading outside gives a blank, writing outside does nothing
    /// (widgets clip by construction, and a too-small terminal must never crash a screen).
    public subscript(x: Int, y: Int) -> Cell {
        get { (x >= 0 && x < width && y >= 0 && y < height) ? cells[y * width + x] : .blank }
        set { if x >= 0 && x < width && y >= 0 && y < height { cells[y * width + x] = newValue } }
    }

    /// Writes `text` from (`x`, `y`) rightwards, clipped to `clip` (the whole buffer by default);
    /// returns the column after the last character written. Control characters are drawn as spaces.
    @discardableResult
    public mutating func write(_ text: String, x: Int, y: Int, style: Style = .plain, clip: Rect? = nil) -> Int {
        let bounds = (clip ?? area).intersection(area)
        guard y >= bounds.y && y < bounds.maxY else { return x + text.count }
        var column = x
        for character in text {
            if column >= bounds.maxX { break }
            if column >= bounds.x {
                let printable = character.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F }
                self[column, y] = Cell(printable ? character : " ", style: style)
            }
            column += 1
        }
        return column
    }

    /// Fills `rect` (clipped to the buffer) with `cell`.
    public mutating func fill(_ rect: Rect, with cell: Cell = .blank) {
        let bounds = rect.intersection(area)
        guard !bounds.isEmpty else { return }
        for y in bounds.y..<bounds.maxY {
            for x in bounds.x..<bounds.maxX { cells[y * width + x] = cell }
        }
    }

    /// Changes the style of every cell in `rect` with `change`, keeping the characters.
    public mutating func restyle(_ rect: Rect, _ change: (inout Style) -> Void) {
        let bounds = rect.intersection(area)
        guard !bounds.isEmpty else { return }
        for y in bounds.y..<bounds.maxY {
            for x in bounds.x..<bounds.maxX { change(&cells[y * width + x].style) }
        }
    }

    /// Row `y` as text (trailing spaces kept), for tests and `--plain` output.
    public func line(_ y: Int) -> String {
        guard y >= 0 && y < height else { return "" }
        return String(cells[(y * width)..<((y + 1) * width)].map(\.character))
    }

    /// Every row as text, trailing spaces trimmed.
    public var lines: [String] {
        (0..<height).map { y in
            var text = line(y)
            while text.last == " " { text.removeLast() }
            return text
        }
    }

    /// The cells of this buffer that differ from `previous`, row by row; every cell when the sizes differ.
    public func changes(since previous: CellBuffer?) -> [CellChange] {
        var result: [CellChange] = []
        guard let previous, previous.width == width, previous.height == height else {
            result.reserveCapacity(cells.count)
            for (index, cell) in cells.enumerated() { result.append(CellChange(x: index % width, y: index / width, cell: cell)) }
            return result
        }
        cells.withUnsafeBufferPointer { now in
            previous.cells.withUnsafeBufferPointer { before in
                // Counting first and reserving exactly: growing the array was most of a frame's diff.
                var changed = 0
                for index in 0..<now.count where now[index] != before[index] { changed += 1 }
                result.reserveCapacity(changed)
                for index in 0..<now.count where now[index] != before[index] {
                    result.append(CellChange(x: index % width, y: index / width, cell: now[index]))
                }
            }
        }
        return result
    }
}

/// One cell to redraw.
public struct CellChange: Hashable, Sendable {
    public let x: Int
    public let y: Int
    public let cell: Cell

    public init(x: Int, y: Int, cell: Cell) {
        self.x = x
        self.y = y
        self.cell = cell
    }
}
