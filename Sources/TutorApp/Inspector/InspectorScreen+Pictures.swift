import Inspection
import Datasets
import Imaging
import TerminalUI

/// A picture a frame drew: its title, its true size and the size it was drawn at (width x
/// height, in pixels or values), the cells it took and the size note under it, if any. The
/// screen keeps the last frame's, so that tests can hold every label to what was drawn.
struct DrawnPicture: Equatable {
    let title: String
    let width: Int
    let height: Int
    let shownWidth: Int
    let shownHeight: Int
    let cells: Rect
    let note: String?
}

/// Pictures drawn two pixels to a cell, so that pixels stay square: with colour and Unicode the
/// upper half block `▀` in the upper pixel's colour on the lower one's; with colour but ASCII a
/// blank on the two pixels' mean colour; in monochrome the mean's shade character.
enum InspectorPicture {
    /// The largest size, in pixels, that an image of `width x height` takes in room for
    /// `roomWidth x roomHeight` pixels keeping its aspect (up or down); at least 1x1.
    static func fitted(width: Int, height: Int, roomWidth: Int, roomHeight: Int) -> (width: Int, height: Int) {
        guard width > 0, height > 0, roomWidth > 0, roomHeight > 0 else { return (1, 1) }
        if width * roomHeight >= height * roomWidth {
            return (roomWidth, max(1, min(roomHeight, (height * roomWidth + width / 2) / width)))
        }
        return (max(1, min(roomWidth, (width * roomHeight + height / 2) / height)), roomHeight)
    }

    /// The size, in pixels, an image of `width x height` is drawn at in room for `roomWidth x
    /// roomHeight` pixels: its true size enlarged by the largest whole factor that fits, or, when
    /// it does not fit, shrunk keeping its aspect (`fitted`), a size the picture's label then states.
    static func shown(width: Int, height: Int, roomWidth: Int, roomHeight: Int) -> (width: Int, height: Int) {
        guard width > 0, height > 0, roomWidth > 0, roomHeight > 0 else { return (0, 0) }
        if width <= roomWidth && height <= roomHeight {
            let factor = max(1, min(roomWidth / width, roomHeight / height))
            return (width * factor, height * factor)
        }
        return fitted(width: width, height: height, roomWidth: roomWidth, roomHeight: roomHeight)
    }

    /// The room for pixels in `area`: its columns, and two pixels per row.
    static func pixelRoom(_ area: Rect) -> (width: Int, height: Int) { (area.width, area.height * 2) }

    /// The colour of a pixel (0...1 per channel, clamped) in `mode`.
    static func color(_ pixel: SIMD3<Float>, mode: ColorMode) -> TerminalColor {
        let (red, green, blue) = (byte(pixel.x), byte(pixel.y), byte(pixel.z))
        switch mode {
        case .direct: return .rgb(red, green, blue)
        case .palette256: return .indexed(TerminalColor.nearestPaletteIndex(red: red, green: green, blue: blue))
        case .monochrome: return .terminalDefault
        }
    }

    static func byte(_ unit: Float) -> UInt8 {
        guard unit.isFinite else { return 0 }
        return UInt8(min(255, max(0, unit * 255 + 0.5)))
    }

    /// The shade character of a grey level (0 black, 1 white) for monochrome.
    static func shade(_ level: Float, glyphs: GlyphSet) -> Character {
        ColorMapping(scale: .greyscale, range: ValueRange(lower: 0, upper: 1)).shade(for: min(1, max(0, level)), glyphs: glyphs)
    }

    /// Draws `image` pixel for pixel from the top-left of `area` (two pixel rows per cell), clipped to it.
    static func draw(_ image: RGBImage, in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        let visible = area.intersection(buffer.area)
        guard !visible.isEmpty else { return }
        let halfBlocks = capabilities.colors != .monochrome && capabilities.glyphs == .unicode
        for cellRow in 0..<min(area.height, (image.height + 1) / 2) {
            let y = area.y + cellRow
            guard y >= visible.y && y < visible.maxY else { continue }
            for column in 0..<min(area.width, image.width) {
                let x = area.x + column
                guard x >= visible.x && x < visible.maxX else { continue }
                let top = image[2 * cellRow, column]
                let bottom: SIMD3<Float>? = 2 * cellRow + 1 < image.height ? image[2 * cellRow + 1, column] : nil
                if halfBlocks {
                    let below = bottom.map { color($0, mode: capabilities.colors) } ?? .terminalDefault
                    buffer[x, y] = Cell("\u{2580}", style: Style(foreground: color(top, mode: capabilities.colors),
                                                                 background: below))
                } else {
                    let mean = bottom.map { (top + $0) / 2 } ?? top
                    if capabilities.colors == .monochrome {
                        buffer[x, y] = Cell(shade((mean * SIMD3(0.299, 0.587, 0.114)).sum(), glyphs: capabilities.glyphs))
                    } else {
                        buffer[x, y] = Cell(" ", style: Style(background: color(mean, mode: capabilities.colors)))
                    }
                }
            }
        }
    }
}

/// A grid of values (a feature map, the 28x28 input, a preprocessing step) drawn on a colour scale
/// two values to a cell like `InspectorPicture`, fitted to its area (enlarged by a whole factor, or
/// shrunk by nearest-neighbour sampling, keeping its aspect), with some values highlighted: a
/// `region` (a receptive field) is drawn on another scale, a `mark` (the cursor) in a colour of
/// its own; in monochrome both are reversed.
struct InspectorGrid {
    enum Highlight { case none, region, mark }

    let rows: Int
    let columns: Int
    /// Row by row.
    let values: [Float]
    let mapping: ColorMapping
    /// The scale of the region's values (the same range as `mapping`).
    var regionScale = ColorScale.sequential
    var highlight: (_ row: Int, _ column: Int) -> Highlight = { _, _ in .none }
    /// The size in values to draw at whatever the area (maps of several layers drawn at one
    /// scale); nil to fit the area.
    var fixedSize: (rows: Int, columns: Int)?

    /// The colour of the mark: the heatmaps' marker magenta is kept for NaN, so the mark is red.
    static let markRGB = SIMD3<Float>(1, 0.15, 0.1)

    /// The size the grid is drawn at in `area`, in values (before two to a cell).
    func shownSize(in area: Rect) -> (rows: Int, columns: Int) {
        if let fixedSize { return fixedSize }
        guard rows > 0, columns > 0, !area.isEmpty else { return (0, 0) }
        let room = InspectorPicture.pixelRoom(area)
        let shown = InspectorPicture.shown(width: columns, height: rows, roomWidth: room.width, roomHeight: room.height)
        return (shown.height, shown.width)
    }

    /// The cells the grid takes in `area` (width, height).
    func drawnSize(in area: Rect) -> (width: Int, height: Int) {
        let shown = shownSize(in: area)
        return (shown.columns, (shown.rows + 1) / 2)
    }

    /// Draws from the top-left of `area`, clipped to it; returns the cells drawn.
    @discardableResult
    func render(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) -> Rect {
        let shown = shownSize(in: area)
        guard shown.rows > 0, shown.columns > 0 else { return Rect(x: area.x, y: area.y, width: 0, height: 0) }
        let drawn = Rect(x: area.x, y: area.y, width: shown.columns, height: (shown.rows + 1) / 2).intersection(area)
        let regionMapping = ColorMapping(scale: regionScale, range: mapping.range)
        let mode = capabilities.colors
        let halfBlocks = mode != .monochrome && capabilities.glyphs == .unicode
        func source(_ index: Int, shownCount: Int, count: Int) -> Int { (2 * index + 1) * count / (2 * shownCount) }
        func valueAt(_ shownRow: Int, _ shownColumn: Int) -> (value: Float, highlight: Highlight) {
            let row = source(shownRow, shownCount: shown.rows, count: rows)
            let column = source(shownColumn, shownCount: shown.columns, count: columns)
            return (values[row * columns + column], highlight(row, column))
        }
        func colour(_ value: Float, _ highlight: Highlight) -> TerminalColor {
            switch highlight {
            case .none: return mapping.color(for: value, mode: mode)
            case .region: return regionMapping.color(for: value, mode: mode)
            case .mark: return InspectorPicture.color(Self.markRGB, mode: mode)
            }
        }
        for y in drawn.y..<drawn.maxY {
            let topRow = (y - area.y) * 2
            let hasBottom = topRow + 1 < shown.rows
            for x in drawn.x..<drawn.maxX {
                let top = valueAt(topRow, x - area.x)
                let bottom = hasBottom ? valueAt(topRow + 1, x - area.x) : nil
                if halfBlocks {
                    let below = bottom.map { colour($0.value, $0.highlight) } ?? .terminalDefault
                    buffer[x, y] = Cell("\u{2580}", style: Style(foreground: colour(top.value, top.highlight), background: below))
                    continue
                }
                // One cell for both values: their mean, highlighted when either is (the mark first).
                let mean = bottom.map { (top.value + $0.value) / 2 } ?? top.value
                let highlights = [top.highlight, bottom?.highlight ?? .none]
                let strongest: Highlight = highlights.contains { if case .mark = $0 { true } else { false } } ? .mark
                    : highlights.contains { if case .region = $0 { true } else { false } } ? .region : .none
                if mode == .monochrome {
                    var cell = Cell(mapping.shade(for: mean, glyphs: capabilities.glyphs))
                    switch strongest {
                    case .none: break
                    case .region: cell.style = .reverse
                    case .mark: cell = Cell(capabilities.glyphs == .unicode ? "◆" : "X", style: Style(attributes: [.bold, .reverse]))
                    }
                    buffer[x, y] = cell
                } else {
                    buffer[x, y] = Cell(" ", style: Style(background: colour(mean, strongest)))
                }
            }
        }
        return drawn
    }
}
