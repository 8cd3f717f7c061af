/// A surface of dots laid over a rectangle of cells, for line charts. With Unicode glyphs each cell
/// holds 2x4 dots drawn as one Braille character (U+2800 plus a bit per dot); with ASCII glyphs each
/// cell is one dot, drawn as the marker character of the pen that set it (lower resolution, still
/// readable).
///
/// Dot coordinates run from (0, 0) at the top-left to (`dotWidth` - 1, `dotHeight` - 1); dots
/// outside are ignored and lines are clipped to the canvas, so any coordinates are safe. Each cell
/// remembers the pen that last set one of its dots: that pen's colour (and, in ASCII, its marker)
/// is the cell's, so the series drawn last is on top.
///
///     var canvas = BrailleCanvas(width: 2, height: 1, glyphs: .unicode)
///     canvas.line(from: (0, 0), to: (3, 3))   // cells "⠑⢄"
public struct BrailleCanvas: Equatable, Sendable {
    /// How dots are drawn: the cell colour and attributes, the ASCII marker, and the on/off
    /// pattern of lines.
    public struct Pen: Hashable, Sendable {
        public var color: TerminalColor
        public var attributes: TextAttributes
        /// The character of a cell in ASCII mode.
        public var marker: Character
        /// Which dots along a line are drawn (dashes and dots tell lines apart without colour).
        public var pattern: LinePattern

        public init(color: TerminalColor = .terminalDefault, attributes: TextAttributes = [],
                    marker: Character = "*", pattern: LinePattern = .solid) {
            self.color = color
            self.attributes = attributes
            self.marker = marker
            self.pattern = pattern
        }

        public static let plain = Pen()
    }

    /// An on/off pattern repeated along a line, one entry per dot the line passes through.
    public struct LinePattern: Hashable, Sendable {
        /// On (drawn) or off, dot by dot; never empty.
        public let steps: [Bool]

        /// A pattern of `steps`; an empty list means solid.
        public init(_ steps: [Bool]) {
            self.steps = steps.isEmpty ? [true] : steps
        }

        /// Every dot.
        public static let solid = LinePattern([true])
        /// Every other dot.
        public static let dotted = LinePattern([true, false])
        /// Four dots on, two off (three cells per dash and gap on a flat Braille line).
        public static let dashed = LinePattern([true, true, true, true, false, false])

        public var isSolid: Bool { !steps.contains(false) }
    }

    /// The size in cells.
    public let width: Int
    public let height: Int
    public let glyphs: GlyphSet

    /// The pen that `set`, `line(to:)` and `line(from:to:)` draw with.
    public var pen: Pen {
        didSet { selectPen() }
    }

    /// Braille dot bits per cell (in ASCII mode 1 for a set cell).
    private var bits: [UInt8]
    /// Per cell, the index in `pens` of the pen that last set a dot there.
    private var owners: [UInt16]
    private var pens: [Pen] = [.plain]
    private var penIndex: UInt16 = 0
    /// Where the next `line(to:)` starts, whether that point still has to be drawn, and how far
    /// along the pen's pattern the current line is.
    private var cursorX = 0
    private var cursorY = 0
    private var startPending = true
    private var patternPhase = 0

    /// An empty canvas of `width` x `height` cells (negative sizes count as 0).
    public init(width: Int, height: Int, glyphs: GlyphSet, pen: Pen = .plain) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.glyphs = glyphs
        self.pen = pen
        bits = Array(repeating: 0, count: self.width * self.height)
        owners = Array(repeating: 0, count: self.width * self.height)
        selectPen()
    }

    /// Dots per cell across: 2 in Braille, 1 in ASCII.
    public var dotsPerColumn: Int { glyphs == .unicode ? 2 : 1 }
    /// Dots per cell down: 4 in Braille, 1 in ASCII.
    public var dotsPerRow: Int { glyphs == .unicode ? 4 : 1 }
    /// The size in dots.
    public var dotWidth: Int { width * dotsPerColumn }
    public var dotHeight: Int { height * dotsPerRow }

    /// Removes every dot (the pen stays).
    public mutating func clear() {
        for index in bits.indices { bits[index] = 0 }
        startPending = true
        patternPhase = 0
    }

    // MARK: Dots

    /// Sets the dot at (`x`, `y`) with the current pen (patterns apply to lines only); a dot outside
    /// the canvas is ignored.
    public mutating func set(x: Int, y: Int) {
        guard x >= 0 && x < dotWidth && y >= 0 && y < dotHeight else { return }
        plot(x, y)
    }

    /// Whether the dot at (`x`, `y`) is set (false outside the canvas).
    public func isSet(x: Int, y: Int) -> Bool {
        guard x >= 0 && x < dotWidth && y >= 0 && y < dotHeight else { return false }
        if glyphs == .ascii { return bits[y * width + x] != 0 }
        return bits[(y >> 2) * width + (x >> 1)] & BrailleCanvas.dotBits[(y & 3) * 2 + (x & 1)] != 0
    }

    private mutating func plot(_ x: Int, _ y: Int) {
        let cell: Int
        let bit: UInt8
        if glyphs == .ascii {
            cell = y * width + x
            bit = 1
        } else {
            cell = (y >> 2) * width + (x >> 1)
            bit = BrailleCanvas.dotBits[(y & 3) * 2 + (x & 1)]
        }
        bits[cell] |= bit
        owners[cell] = penIndex
    }

    /// The bit of each dot of a Braille cell, by row (0-3) then column (0-1): dots 1, 2, 3, 7 down
    /// the left column and 4, 5, 6, 8 down the right, as Unicode numbers them.
    private static let dotBits: [UInt8] = [0x01, 0x08, 0x02, 0x10, 0x04, 0x20, 0x40, 0x80]

    // MARK: Lines

    /// Lifts the pen to (`x`, `y`): the next `line(to:)` starts there (and draws that dot), and the
    /// pattern starts over.
    public mutating func move(to point: (x: Int, y: Int)) {
        cursorX = point.x
        cursorY = point.y
        startPending = true
        patternPhase = 0
    }

    /// Draws a line from the pen's position to (`x`, `y`) with Bresenham's algorithm, clipped to
    /// the canvas, and leaves the pen there. Consecutive calls draw a polyline whose shared points
    /// are drawn once, so a dash pattern runs on across the corners.
    public mutating func line(to point: (x: Int, y: Int)) {
        var x0 = cursorX, y0 = cursorY
        var x1 = point.x, y1 = point.y
        cursorX = x1
        cursorY = y1
        var drawStart = startPending
        startPending = false
        let maxX = dotWidth - 1, maxY = dotHeight - 1
        guard maxX >= 0 && maxY >= 0 else { return }
        if x0 < 0 || x0 > maxX || y0 < 0 || y0 > maxY || x1 < 0 || x1 > maxX || y1 < 0 || y1 > maxY {
            guard let clipped = BrailleCanvas.clip(x0, y0, x1, y1, maxX: maxX, maxY: maxY) else { return }
            // Entering the canvas from outside: the entry point is new, so it is drawn.
            if clipped.x0 != x0 || clipped.y0 != y0 { drawStart = true }
            (x0, y0, x1, y1) = (clipped.x0, clipped.y0, clipped.x1, clipped.y1)
        }
        let steps = pen.pattern.steps
        let solid = steps.count == 1 && steps[0]
        if drawStart { patterned(x0, y0, steps: steps, solid: solid) }
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let stepX = x0 < x1 ? 1 : -1, stepY = y0 < y1 ? 1 : -1
        var error = dx + dy
        while x0 != x1 || y0 != y1 {
            let doubled = 2 * error
            if doubled >= dy { error += dy; x0 += stepX }
            if doubled <= dx { error += dx; y0 += stepY }
            patterned(x0, y0, steps: steps, solid: solid)
        }
    }

    /// Draws a line from `start` to `end` (both included), starting the pattern afresh.
    public mutating func line(from start: (x: Int, y: Int), to end: (x: Int, y: Int)) {
        move(to: start)
        line(to: end)
    }

    private mutating func patterned(_ x: Int, _ y: Int, steps: [Bool], solid: Bool) {
        if solid {
            plot(x, y)
            return
        }
        if steps[patternPhase % steps.count] { plot(x, y) }
        patternPhase &+= 1
    }

    /// The part of the segment inside [0, maxX] x [0, maxY] (Liang-Barsky), rounded to dots; nil
    /// when the segment misses the canvas.
    private static func clip(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, maxX: Int, maxY: Int)
        -> (x0: Int, y0: Int, x1: Int, y1: Int)? {
        let startX = Double(x0), startY = Double(y0)
        let dx = Double(x1) - startX, dy = Double(y1) - startY
        var enter = 0.0, leave = 1.0
        // Each edge as p * t <= q.
        func edge(_ p: Double, _ q: Double) -> Bool {
            if p == 0 { return q >= 0 }
            let t = q / p
            if p < 0 {
                if t > leave { return false }
                if t > enter { enter = t }
            } else {
                if t < enter { return false }
                if t < leave { leave = t }
            }
            return true
        }
        guard edge(-dx, startX), edge(dx, Double(maxX) - startX),
              edge(-dy, startY), edge(dy, Double(maxY) - startY) else { return nil }
        func dot(_ value: Double, _ limit: Int) -> Int { min(limit, max(0, Int(value.rounded()))) }
        return (dot(startX + enter * dx, maxX), dot(startY + enter * dy, maxY),
                dot(startX + leave * dx, maxX), dot(startY + leave * dy, maxY))
    }

    // MARK: Cells

    /// The character of cell (`column`, `row`): a Braille pattern, or the marker of its pen in
    /// ASCII; nil when no dot of the cell is set or the cell is outside.
    public func character(column: Int, row: Int) -> Character? {
        guard column >= 0 && column < width && row >= 0 && row < height else { return nil }
        let cell = row * width + column
        guard bits[cell] != 0 else { return nil }
        return glyphs == .ascii ? pens[Int(owners[cell])].marker : BrailleCanvas.brailleCharacters[Int(bits[cell])]
    }

    /// The pen that last set a dot of cell (`column`, `row`); nil when none is set.
    public func pen(column: Int, row: Int) -> Pen? {
        guard column >= 0 && column < width && row >= 0 && row < height else { return nil }
        let cell = row * width + column
        return bits[cell] == 0 ? nil : pens[Int(owners[cell])]
    }

    /// Draws the cells that have dots into `area` (from its top-left; cells beyond the area are
    /// clipped), in their pen's colour (none in monochrome) and attributes, keeping the background
    /// already there. Cells without dots are left as they are.
    public func render(in area: Rect, into buffer: inout CellBuffer, colors: ColorMode) {
        let rows = min(height, area.height), columns = min(width, area.width)
        guard rows > 0 && columns > 0 else { return }
        for row in 0..<rows {
            for column in 0..<columns {
                let cell = row * width + column
                guard bits[cell] != 0 else { continue }
                let owner = pens[Int(owners[cell])]
                let x = area.x + column, y = area.y + row
                var style = buffer[x, y].style
                style.foreground = colors == .monochrome ? .terminalDefault : owner.color
                style.attributes = owner.attributes
                let character = glyphs == .ascii ? owner.marker : BrailleCanvas.brailleCharacters[Int(bits[cell])]
                buffer[x, y] = Cell(character, style: style)
            }
        }
    }

    /// U+2800 to U+28FF, indexed by dot bits.
    private static let brailleCharacters: [Character] = (0..<256).map { bits in
        Unicode.Scalar(0x2800 + UInt32(bits)).map { Character($0) } ?? " "
    }

    private mutating func selectPen() {
        if let index = pens.firstIndex(of: pen) {
            penIndex = UInt16(index)
        } else if pens.count <= Int(UInt16.max) {
            pens.append(pen)
            penIndex = UInt16(pens.count - 1)
        } else {
            // 65,536 distinct pens on one canvas: the last slot is reused (its earlier cells take the new pen).
            pens[pens.count - 1] = pen
            penIndex = UInt16(pens.count - 1)
        }
    }
}
