import Testing
import TerminalUI

@Suite("Heatmap and legend")
struct HeatmapTests {
    static let monoUnicode = TerminalCapabilities(colors: .monochrome, glyphs: .unicode)
    static let monoASCII = TerminalCapabilities.plain
    static let palette = TerminalCapabilities.full
    static let direct = TerminalCapabilities(colors: .direct, glyphs: .unicode)

    /// Rows 0 1 2 3 and 4 5 6 7.
    static let ramp: [[Float]] = [[0, 1, 2, 3], [4, 5, 6, 7]]

    func render(_ map: Heatmap, width: Int, height: Int, area: Rect? = nil,
                _ capabilities: TerminalCapabilities) -> CellBuffer {
        var buffer = CellBuffer(width: width, height: height)
        map.render(in: area ?? buffer.area, into: &buffer, capabilities: capabilities)
        return buffer
    }

    @Test("blocks in monochrome: a 2x4 grid of 0...7 as shade characters")
    func monochromeBlocks() {
        // Steps of 0...7 are round(256 v / 7) = 0 37 73 110 146 183 219 256; the ramp character is
        // step * count / 256 (clamped): ASCII (10) 0 1 2 4 5 7 8 9, Unicode (5) 0 0 1 2 2 3 4 4.
        let map = Heatmap(HeatmapTests.ramp)
        #expect(render(map, width: 6, height: 3, HeatmapTests.monoASCII).lines == [" .:=", "+#%@", ""])
        #expect(render(map, width: 6, height: 3, HeatmapTests.monoUnicode).lines == ["  ░▒", "▒▓██", ""])
        // Half blocks need colour: in monochrome they fall back to one value per two cells across,
        // so that the picture keeps its shape (a cell is about twice as tall as wide).
        var halves = map
        halves.mode = .halfBlocks
        #expect(render(halves, width: 9, height: 3, HeatmapTests.monoASCII).lines == ["  ..::==", "++##%%@@", ""])
        #expect(halves.effectiveMode(for: HeatmapTests.monoUnicode) == .blocks)
        #expect(halves.size(capabilities: HeatmapTests.monoUnicode) == (width: 8, height: 2))
        #expect(halves.size(capabilities: HeatmapTests.palette) == (width: 4, height: 1))
        // Fitted into 5 columns, two values across fit: the 2x4 grid is drawn at 1x2, and says so.
        halves.scaling = .fit
        #expect(halves.shownSize(in: Rect(x: 0, y: 0, width: 5, height: 3), capabilities: HeatmapTests.monoASCII).columns == 2)
        #expect(halves.sizeLabel(in: Rect(x: 0, y: 0, width: 5, height: 3), capabilities: HeatmapTests.monoASCII) == "drawn at 1x2")
    }

    @Test("blocks in colour: a blank on each value's colour; NaN is magenta")
    func colourBlocks() {
        let map = Heatmap(rows: 1, columns: 3, values: [0, 1, .nan], range: ValueRange(lower: 0, upper: 1))
        let buffer = render(map, width: 3, height: 1, HeatmapTests.palette)
        #expect(buffer.lines == [""])
        #expect(buffer[0, 0].style.background == .indexed(53))
        #expect(buffer[1, 0].style.background == .indexed(220))
        #expect(buffer[2, 0].style.background == .indexed(201))
        let direct = render(map, width: 3, height: 1, HeatmapTests.direct)
        #expect(direct[0, 0].style.background == .rgb(68, 1, 84))
        #expect(direct[1, 0].style.background == .rgb(253, 231, 37))
        // In monochrome NaN is a question mark.
        #expect(render(map, width: 3, height: 1, HeatmapTests.monoASCII).lines == [" @?"])
    }

    @Test("half blocks: the upper value in the foreground of ▀, the lower in the background")
    func halfBlocks() {
        let map = Heatmap([[0, 1], [1, 0], [0.5, 0.5]], mode: .halfBlocks)
        let buffer = render(map, width: 3, height: 3, HeatmapTests.palette)
        #expect(buffer.lines == ["▀▀", "▀▀", ""])
        #expect(buffer[0, 0].style == Style(foreground: .indexed(53), background: .indexed(220)))
        #expect(buffer[1, 0].style == Style(foreground: .indexed(220), background: .indexed(53)))
        // The odd last row: upper half in 0.5's colour, lower half the terminal's background.
        let middle = map.mapping.color(for: 0.5, mode: .palette256)
        #expect(buffer[0, 1].style == Style(foreground: middle, background: .terminalDefault))
        #expect(buffer[2, 0] == .blank)
        let direct = render(map, width: 3, height: 3, HeatmapTests.direct)
        #expect(direct[0, 0].style == Style(foreground: .rgb(68, 1, 84), background: .rgb(253, 231, 37)))
        #expect(direct[0, 1].style.foreground == .rgb(33, 144, 140))
        // Colour without Unicode: one value per two blanks on its colour.
        let ascii = render(map, width: 5, height: 3, TerminalCapabilities(colors: .palette256, glyphs: .ascii))
        #expect(ascii.lines == ["", "", ""])
        #expect(ascii[0, 1].style.background == .indexed(220) && ascii[1, 1].style.background == .indexed(220))
        #expect(ascii[2, 1].style.background == .indexed(53) && ascii[0, 2].style.background == middle)
        #expect(ascii[4, 0].style.background == .terminalDefault)
    }

    @Test("numbers: fixed-width cells, right-aligned, readable text on each value's colour")
    func numbers() {
        // Diverging over -1...1 (the largest magnitude is 1). The longest text is "-0.50": cells of 6.
        let map = Heatmap([[-0.5, 0.25], [1, .nan]], scale: .diverging, mode: .numbers(decimals: 2))
        #expect(map.size(capabilities: HeatmapTests.palette) == (width: 12, height: 2))
        let buffer = render(map, width: 14, height: 2, HeatmapTests.palette)
        #expect(buffer.lines == [" -0.50  0.25", "  1.00   nan"])
        // -0.5 sits at a quarter of the scale: (141, 176, 254) -> palette (135, 175, 255) = 111, black text.
        #expect(buffer[0, 0].style == Style(foreground: .indexed(16), background: .indexed(111)))
        #expect(buffer[1, 0].style == Style(foreground: .indexed(16), background: .indexed(111)))
        // 1 is the red end (180, 4, 38) -> (175, 0, 0) = 124: white text.
        #expect(buffer[5, 1].style == Style(foreground: .indexed(231), background: .indexed(124)))
        #expect(buffer[11, 1].style.background == .indexed(201))
        #expect(buffer[12, 0] == .blank)
        // Monochrome: the plain numbers.
        let mono = render(map, width: 14, height: 2, HeatmapTests.monoASCII)
        #expect(mono.lines == [" -0.50  0.25", "  1.00   nan"])
        #expect(mono[1, 0].style == .plain)
        // Whole numbers, and a minus sign only where the rounded value is not zero.
        let whole = Heatmap([[3, -0.004, 12]], mode: .numbers(decimals: 0))
        #expect(render(whole, width: 12, height: 1, HeatmapTests.monoASCII).lines == ["  3  0 12"])
    }

    @Test("everything is clipped to the area and the buffer; 0x0 and 1x1 areas are fine")
    func clipping() {
        let map = Heatmap(HeatmapTests.ramp)
        // A 1x1 area shows the first value only.
        let tiny = render(map, width: 4, height: 3, area: Rect(x: 1, y: 1, width: 1, height: 1), HeatmapTests.monoASCII)
        #expect(tiny.lines == ["", "", ""])
        let tinyFull = render(Heatmap([[7, 0], [0, 0]]), width: 4, height: 3, area: Rect(x: 1, y: 1, width: 1, height: 1),
                              HeatmapTests.monoASCII)
        #expect(tinyFull.lines == ["", " @", ""])
        // 0x0, and areas outside the buffer, draw nothing.
        for area in [Rect(x: 1, y: 1, width: 0, height: 0), Rect(x: 10, y: 0, width: 5, height: 5),
                     Rect(x: 0, y: -5, width: 4, height: 5)] {
            for capabilities in [HeatmapTests.monoASCII, HeatmapTests.palette] {
                for mode in [Heatmap.Mode.blocks, .halfBlocks, .numbers(decimals: 1)] {
                    var moded = map
                    moded.mode = mode
                    #expect(render(moded, width: 4, height: 3, area: area, capabilities) == CellBuffer(width: 4, height: 3))
                }
            }
        }
        // An area hanging off the left edge: the columns that land inside are drawn in place.
        let shifted = render(map, width: 3, height: 2, area: Rect(x: -2, y: 0, width: 6, height: 2), HeatmapTests.monoASCII)
        #expect(shifted.lines == [":=", "%@"])
        // A narrow area cuts a number cell.
        let numbers = Heatmap([[-0.5, 0.25], [1, .nan]], scale: .diverging, mode: .numbers(decimals: 2))
        let cut = render(numbers, width: 14, height: 2, area: Rect(x: 0, y: 0, width: 9, height: 1), HeatmapTests.palette)
        #expect(cut.lines == [" -0.50  0", ""])
        #expect(cut[9, 0] == .blank)
        // An empty grid draws nothing.
        #expect(render(Heatmap(rows: 0, columns: 0, values: []), width: 2, height: 2, HeatmapTests.palette)
                == CellBuffer(width: 2, height: 2))
    }

    @Test("fit: nearest-neighbour shrinking keeps the aspect; small grids grow by whole factors")
    func scaling() {
        // 4x4 of 0...15 into 2x2: centre samples rows and columns 1 and 3 -> 5 7 / 13 15, which on
        // 0...15 are steps 85 119 222 256 -> "-=" "%@".
        let big = Heatmap(rows: 4, columns: 4, values: (0..<16).map(Float.init), scaling: .fit)
        #expect(render(big, width: 2, height: 2, HeatmapTests.monoASCII).lines == ["-=", "%@"])
        // Unscaled, the same grid is clipped to its top-left corner: 0 1 / 4 5, steps 0 17 / 68 85.
        var clipped = big
        clipped.scaling = .none
        #expect(render(clipped, width: 2, height: 2, HeatmapTests.monoASCII).lines == ["", ":-"])
        // A tall 8x4 grid of 0...31 in a 4x2 area: the rows overflow four times, the columns twice,
        // so 2 rows of 1 column: rows 2 and 6, column 2 -> 10 and 26, steps 83 and 215 -> "-" "%".
        let tall = Heatmap(rows: 8, columns: 4, values: (0..<32).map(Float.init), scaling: .fit)
        #expect(render(tall, width: 4, height: 2, HeatmapTests.monoASCII).lines == ["-", "%"])
        // 2x2 into 6x4: fits twice (not three times down), each value a 2x2 square.
        let small = Heatmap([[0, 1], [1, 0]], scaling: .fit)
        #expect(render(small, width: 6, height: 4, HeatmapTests.monoASCII).lines == ["  @@", "  @@", "@@", "@@"])
        // Half blocks: two values per cell down, so 2x2 into 4x2 cells grows twice: 4x4 values.
        var halves = small
        halves.mode = .halfBlocks
        let halfBuffer = render(halves, width: 4, height: 2, HeatmapTests.palette)
        #expect(halfBuffer.lines == ["▀▀▀▀", "▀▀▀▀"])
        #expect(halfBuffer[1, 0].style == Style(foreground: .indexed(53), background: .indexed(53)))
        #expect(halfBuffer[2, 0].style == Style(foreground: .indexed(220), background: .indexed(220)))
        #expect(halfBuffer[0, 1].style == Style(foreground: .indexed(220), background: .indexed(220)))
    }

    @Test("a shared range makes maps comparable; the [[Float]] and flat initialisers agree")
    func sharedRange() {
        let shared = ValueRange(lower: 0, upper: 10)
        let low = Heatmap([[5]], scale: .greyscale, range: shared)
        let high = Heatmap([[10]], scale: .greyscale, range: shared)
        #expect(render(low, width: 1, height: 1, HeatmapTests.direct)[0, 0].style.background == .rgb(128, 128, 128))
        #expect(render(high, width: 1, height: 1, HeatmapTests.direct)[0, 0].style.background == .rgb(255, 255, 255))
        // Each on its own range, both are constant: the start of the scale.
        #expect(Heatmap([[5]], scale: .greyscale).mapping.color(for: 5, mode: .direct) == .rgb(0, 0, 0))
        #expect(Heatmap(HeatmapTests.ramp) == Heatmap(rows: 2, columns: 4, values: (0..<8).map(Float.init)))
        let map = Heatmap(rows: 3, columns: 5, values: (0..<15).map(Float.init))
        #expect(map.size(capabilities: HeatmapTests.palette) == (width: 5, height: 3))
        var halves = map
        halves.mode = .halfBlocks
        #expect(halves.size(capabilities: HeatmapTests.palette) == (width: 5, height: 2))
        #expect(halves.size(capabilities: HeatmapTests.monoUnicode) == (width: 10, height: 3))
        var numbers = map
        numbers.mode = .numbers(decimals: 1)
        #expect(numbers.size(capabilities: HeatmapTests.palette) == (width: 25, height: 3))
    }

    @Test("legend: the range's ends labelled around the colour bar, zero marked on a diverging one")
    func legend() {
        var buffer = CellBuffer(width: 20, height: 2)
        let diverging = Legend(scale: .diverging, range: ValueRange(lower: -0.3, upper: 0.52))
        diverging.render(in: buffer.area, into: &buffer, capabilities: HeatmapTests.palette)
        // Labels -0.52 and 0.52 (symmetric), " 0 " in the middle: 20 - 14 = 6 cells of bar.
        #expect(buffer.lines == ["-0.52     0     0.52", ""])
        #expect(buffer[6, 0].style.background == .indexed(61))    // (59, 76, 192) -> (95, 95, 175)
        #expect(buffer[14, 0].style.background == .indexed(124))  // (180, 4, 38) -> (175, 0, 0)
        #expect(buffer[5, 0].style == .plain && buffer[9, 0].style == .plain)

        var ascii = CellBuffer(width: 16, height: 1)
        Legend(scale: .diverging, range: ValueRange(lower: -1, upper: 1))
            .render(in: ascii.area, into: &ascii, capabilities: HeatmapTests.monoASCII)
        #expect(ascii.lines == ["-1 ==-- 0 ++## 1"])

        var sequential = CellBuffer(width: 14, height: 1)
        Legend(scale: .sequential, range: ValueRange(lower: 0, upper: 1))
            .render(in: sequential.area, into: &sequential, capabilities: HeatmapTests.monoASCII)
        #expect(sequential.lines == ["0  .:-=+*#%@ 1"])

        var unicode = CellBuffer(width: 11, height: 1)
        Legend(for: Heatmap(rows: 1, columns: 2, values: [0, 255], scale: .greyscale))
            .render(in: unicode.area, into: &unicode, capabilities: HeatmapTests.monoUnicode)
        #expect(unicode.lines == ["0  ░▒▓█ 255"])

        var direct = CellBuffer(width: 12, height: 1)
        Legend(scale: .sequential, range: ValueRange(lower: 0, upper: 1))
            .render(in: direct.area, into: &direct, capabilities: HeatmapTests.direct)
        #expect(direct[2, 0].style.background == .rgb(68, 1, 84))
        #expect(direct[9, 0].style.background == .rgb(253, 231, 37))
    }

    @Test("legend: too narrow for labels shows the bar alone; 0x0 draws nothing")
    func narrowLegend() {
        var buffer = CellBuffer(width: 5, height: 1)
        let legend = Legend(scale: .sequential, range: ValueRange(lower: 0, upper: 1))
        legend.render(in: Rect(x: 0, y: 0, width: 3, height: 1), into: &buffer, capabilities: HeatmapTests.monoASCII)
        #expect(buffer.lines == [" +@"])
        var untouched = CellBuffer(width: 5, height: 1)
        legend.render(in: Rect(x: 2, y: 0, width: 0, height: 0), into: &untouched, capabilities: HeatmapTests.palette)
        legend.render(in: Rect(x: 7, y: 3, width: 4, height: 1), into: &untouched, capabilities: HeatmapTests.palette)
        #expect(untouched == CellBuffer(width: 5, height: 1))
        var one = CellBuffer(width: 1, height: 1)
        legend.render(in: one.area, into: &one, capabilities: HeatmapTests.monoASCII)
        #expect(one.lines == ["+"])
    }

    @Test("legend labels: three significant digits, or fixed decimals when asked")
    func labels() {
        let legend = Legend(scale: .sequential, range: ValueRange(lower: 0, upper: 1))
        #expect(legend.label(-0.52) == "-0.52")
        #expect(legend.label(1) == "1")
        #expect(legend.label(0) == "0")
        #expect(legend.label(255) == "255")
        #expect(legend.label(12.345) == "12.3")
        #expect(legend.label(1234.5) == "1235")
        #expect(legend.label(9.996) == "10")
        #expect(legend.label(0.000123) == "1.23e-4")
        #expect(legend.label(-2_000_000) == "-2e6")
        #expect(legend.label(.nan) == "nan")
        let fixed = Legend(scale: .sequential, range: ValueRange(lower: 0, upper: 1), decimals: 3)
        #expect(fixed.label(0.5) == "0.500")
        #expect(fixed.label(-0.0004) == "0.000")
    }
}
