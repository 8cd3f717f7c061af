import Testing
import TerminalUI

@Suite("Widgets: number grid")
struct WidgetNumberGridTests {
    /// A 2x2 input padded by one on every side, the 2x2 kernel window at the top-left.
    static func paddedInput() -> NumberGrid {
        var grid = NumberGrid([[0, 0, 0, 0], [0, 3, 1, 0], [0, 2, 5, 0], [0, 0, 0, 0]])
        grid.highlight(rows: 0..<4, columns: 0..<4, .padding)
        for row in 1...2 { for column in 1...2 { grid.setHighlight(row: row, column: column, []) } }
        grid.highlight(rows: 0..<2, columns: 0..<2, .window)
        return grid
    }

    @Test("numbers format with fixed decimals, rounding half away from zero, without a negative zero")
    func format() {
        #expect(NumberGrid.format(2.345, decimals: 1) == "2.3")
        #expect(NumberGrid.format(2.25, decimals: 1) == "2.3")
        #expect(NumberGrid.format(-2.25, decimals: 1) == "-2.3")
        #expect(NumberGrid.format(-0.001, decimals: 2) == "0.00")
        #expect(NumberGrid.format(0.05, decimals: 3) == "0.050")
        #expect(NumberGrid.format(1234.5, decimals: 0) == "1235")
        #expect(NumberGrid.format(-7, decimals: 0) == "-7")
        #expect(NumberGrid.format(.nan, decimals: 2) == "nan")
        #expect(NumberGrid.format(-.infinity, decimals: 2) == "-inf")
    }

    @Test("padding cells carry a marker; columns are right-aligned to a common width; labels optional")
    func padding() {
        var grid = Self.paddedInput()
        grid.rowLabels = NumberGrid.indexLabels(4, from: -1)
        grid.columnLabels = NumberGrid.indexLabels(4, from: -1)
        #expect(grid.size() == (width: 14, height: 5))
        let unicode = WidgetRender.buffer(14, 5) { area, buffer in
            grid.render(in: area, into: &buffer, capabilities: WidgetRender.unicode)
        }
        #expect(unicode.lines == [
            "   -1  0  1  2",
            "-1 ·0 ·0 ·0 ·0",
            " 0 ·0  3  1 ·0",
            " 1 ·0  2  5 ·0",
            " 2 ·0 ·0 ·0 ·0",
        ])
        let ascii = WidgetRender.buffer(14, 5) { area, buffer in
            grid.render(in: area, into: &buffer, capabilities: WidgetRender.ascii)
        }
        #expect(ascii.lines == [
            "   -1  0  1  2",
            "-1 _0 _0 _0 _0",
            " 0 _0  3  1 _0",
            " 1 _0  2  5 _0",
            " 2 _0 _0 _0 _0",
        ])
    }

    @Test("the window is one block (gaps included), padding under it stays marked and dim, in colour and in monochrome")
    func windowStyles() {
        let grid = Self.paddedInput()
        let colour = WidgetRender.buffer(11, 4) { area, buffer in
            grid.render(in: area, into: &buffer, capabilities: WidgetRender.unicode)
        }
        #expect(colour.lines[1] == "·0  3  1 ·0")
        // (4, 1) is the "3" under the window; (2, 1) the gap between the window's columns.
        #expect(colour[4, 1].style == Style(foreground: .brightWhite, background: .blue))
        #expect(colour[2, 1].style == Style(foreground: .brightWhite, background: .blue))
        #expect(colour[1, 1].style == Style(foreground: .white, background: .blue))  // padding under the window
        #expect(colour[7, 1].style == .plain)  // the "1" outside the window
        #expect(colour[5, 1].style == .plain)  // the gap after the window
        #expect(colour[10, 1].style == Style(foreground: .brightBlack))  // padding outside the window

        let mono = WidgetRender.buffer(11, 4) { area, buffer in
            grid.render(in: area, into: &buffer, capabilities: WidgetRender.ascii)
        }
        #expect(mono.lines[1] == "_0  3  1 _0")
        #expect(mono[4, 1].style == .reverse)
        #expect(mono[0, 1] == Cell("_", style: Style(attributes: [.dim, .reverse])))
        #expect(mono[10, 1] == Cell("0", style: .dim))
        #expect(mono[7, 1].style == .plain)
    }

    @Test("output cells: done shows the value, pending hides it, the current cell is highlighted")
    func outputCells() {
        var grid = NumberGrid([[1.5, -0.25], [2.0, 0.125]], decimals: 2)
        grid.highlight(row: 0, column: 0, .done)
        grid.highlight(row: 0, column: 1, [.done, .current])
        grid.highlight(rows: 1..<2, columns: 0..<2, .pending)
        let colour = WidgetRender.buffer(11, 2) { area, buffer in
            grid.render(in: area, into: &buffer, capabilities: WidgetRender.unicode)
        }
        #expect(colour.lines == [" 1.50 -0.25", "    ·     ·"])
        #expect(colour[6, 0].style == Style(foreground: .black, background: .yellow, attributes: .bold))
        #expect(colour[1, 0].style == .plain)
        #expect(colour[4, 1].style == Style(foreground: .brightBlack))
        let ascii = WidgetRender.buffer(11, 2) { area, buffer in
            grid.render(in: area, into: &buffer, capabilities: WidgetRender.ascii)
        }
        #expect(ascii.lines == [" 1.50 -0.25", "    ?     ?"])
        #expect(ascii[10, 0].style == Style(attributes: [.reverse, .bold, .underline]))
        #expect(ascii[4, 1].style == .dim)
    }

    @Test("whole numbers are shown without decimals; Float rows are accepted")
    func wholeNumbers() {
        let whole = NumberGrid([[1.0, -2.0], [10.0, 0.0]] as [[Float]], decimals: 3)
        #expect(whole.shownDecimals == 0)
        #expect(WidgetRender.buffer(5, 2) { area, buffer in
            whole.render(in: area, into: &buffer, capabilities: WidgetRender.unicode)
        }.lines == [" 1 -2", "10  0"])
        let fractional = NumberGrid([[1.0, 0.5]] as [[Float]], decimals: 1)
        #expect(fractional.cellText(row: 0, column: 0) == "1.0")
        #expect(fractional.size() == (width: 7, height: 1))
    }

    @Test("the grid is clipped to its area and never crashes at tiny sizes")
    func tiny() {
        var grid = Self.paddedInput()
        grid.rowLabels = NumberGrid.indexLabels(4)
        grid.columnLabels = NumberGrid.indexLabels(4)
        grid.highlight(row: 3, column: 3, [.current, .pending])
        #expect(!WidgetRender.drawsOutside { area, buffer in
            grid.render(in: area, into: &buffer, capabilities: WidgetRender.unicode)
        })
        let clipped = WidgetRender.buffer(6, 2) { area, buffer in
            grid.render(in: Rect(x: 0, y: 0, width: 5, height: 2), into: &buffer, capabilities: WidgetRender.unicode)
        }
        #expect(clipped.lines == ["   0", "0 ·0"])
        let empty = NumberGrid([[Double]]())
        #expect(empty.size() == (width: 0, height: 0))
        #expect(WidgetRender.buffer(3, 1) { area, buffer in
            empty.render(in: area, into: &buffer, capabilities: WidgetRender.unicode)
        }.lines == [""])
    }
}

@Suite("Widgets: labelled matrix")
struct WidgetLabelledMatrixTests {
    static let counts = [[97, 0, 3], [0, 88, 12], [1, 0, 99]]

    @Test("rows and columns labelled, zeros off the diagonal as a dot, titles on the first line")
    func layout() {
        let matrix = LabelledMatrix(Self.counts)
        #expect(matrix.size() == (width: 21, height: 5))
        let unicode = WidgetRender.buffer(21, 5) { area, buffer in
            matrix.render(in: area, into: &buffer, capabilities: WidgetRender.unicode)
        }
        #expect(unicode.lines == [
            "actual ↓  predicted →",
            "   0  1  2",
            "0 97  ·  3",
            "1  · 88 12",
            "2  1  · 99",
        ])
        let ascii = WidgetRender.buffer(21, 5) { area, buffer in
            matrix.render(in: area, into: &buffer, capabilities: WidgetRender.ascii)
        }
        #expect(ascii.lines == [
            "actual v  predicted >",
            "   0  1  2",
            "0 97  .  3",
            "1  . 88 12",
            "2  1  . 99",
        ])
    }

    @Test("the diagonal is highlighted, off-diagonal counts emphasised by size, zeros dimmed")
    func styles() {
        let matrix = LabelledMatrix(Self.counts, rowTitle: "", columnTitle: "")
        let colour = WidgetRender.buffer(10, 4) { area, buffer in
            matrix.render(in: area, into: &buffer, capabilities: WidgetRender.unicode)
        }
        #expect(colour.lines[1] == "0 97  ·  3")
        #expect(colour[3, 1].style == Style(foreground: .green, attributes: .bold))  // 97
        #expect(colour[6, 1].style == .dim)  // zero
        #expect(colour[9, 1].style == Style(foreground: .yellow))  // 3: small next to 12
        #expect(colour[9, 2].style == Style(foreground: .red, attributes: .bold))  // 12: the largest mistake
        let mono = WidgetRender.buffer(10, 4) { area, buffer in
            matrix.render(in: area, into: &buffer, capabilities: WidgetRender.mono)
        }
        #expect(mono[3, 1] == Cell("7", style: .reverse))
        #expect(mono[9, 2] == Cell("2", style: .bold))
        #expect(mono[9, 1] == Cell("3", style: .plain))
        #expect(mono[6, 1] == Cell("·", style: .dim))
    }

    @Test("a 10x10 matrix of three-digit counts fits in 41 columns; four-digit counts drop the gaps to fit")
    func tenByTen() {
        var counts = (0..<10).map { row in (0..<10).map { column in row == column ? 900 + row : (row + column) % 4 } }
        let small = LabelledMatrix(counts)
        #expect(small.size() == (width: 41, height: 12))
        counts[3][3] = 1010
        let large = LabelledMatrix(counts)
        #expect(large.size().width == 51)
        #expect(large.size(compact: true).width == 42)
        let buffer = WidgetRender.buffer(45, 12) { area, buffer in
            large.render(in: area, into: &buffer, capabilities: WidgetRender.unicode)
        }
        #expect(buffer.lines[1] == "     0   1   2   3   4   5   6   7   8   9")
        // Row 3: 3, 0, 1, then the diagonal's 1010 straight after the 1 (the diagonal's highlight tells them apart).
        #expect(buffer.lines[5] == "3    3   ·   11010   3   ·   1   2   3   ·")
        #expect(buffer[14, 5].style == Style(foreground: .green, attributes: .bold))
    }

    @Test("a zero on the diagonal is shown as 0; tiny areas never crash or draw outside")
    func edges() {
        let matrix = LabelledMatrix([[0, 2], [1, 5]])
        #expect(matrix.cellText(row: 0, column: 0) == "0")
        #expect(matrix.cellText(row: 1, column: 0) == "1")
        #expect(!WidgetRender.drawsOutside { area, buffer in
            matrix.render(in: area, into: &buffer, capabilities: WidgetRender.unicode)
        })
        #expect(LabelledMatrix([]).size() == (width: 21, height: 2))
    }
}
