import Testing
import TerminalUI

/// Renders `canvas` into a buffer of its own size and returns the text lines.
private func lines(of canvas: BrailleCanvas, colors: ColorMode = .palette256) -> [String] {
    var buffer = CellBuffer(width: canvas.width, height: canvas.height)
    canvas.render(in: buffer.area, into: &buffer, colors: colors)
    return buffer.lines
}

/// `chart` rendered into a `width` x `height` buffer.
private func rendered(_ chart: LineChart, width: Int, height: Int,
                      capabilities: TerminalCapabilities = .full) -> (buffer: CellBuffer, plot: Rect) {
    var buffer = CellBuffer(width: width, height: height)
    let plot = chart.render(in: buffer.area, into: &buffer, capabilities: capabilities)
    return (buffer, plot)
}

/// The text of the plot's cells in row `row` of the plot.
private func plotRow(_ buffer: CellBuffer, _ plot: Rect, _ row: Int) -> String {
    String((0..<plot.width).map { buffer[plot.x + $0, plot.y + row].character })
}

/// The y labels from top to bottom: the text before each tick mark on the y axis.
private func yLabels(_ buffer: CellBuffer, _ plot: Rect) -> [String] {
    (plot.y..<plot.maxY).compactMap { row in
        let tick = buffer[plot.x - 1, row].character
        guard tick == "┤" || tick == "+" else { return nil }
        return trimmed(String((0..<(plot.x - 1)).map { buffer[$0, row].character }))
    }
}

private func trimmed(_ text: String) -> String {
    String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
}

private func containsBraille(_ text: String) -> Bool {
    text.unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) }
}

private func expectClose(_ actual: [Double], _ expected: [Double], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(actual) vs \(expected)", sourceLocation: sourceLocation)
    for (a, e) in zip(actual, expected) {
        #expect(abs(a - e) <= 1e-9 * Swift.max(1, abs(e)), "\(actual) vs \(expected)", sourceLocation: sourceLocation)
    }
}

@Suite("Braille canvas")
struct BrailleCanvasTests {
    @Test("each dot sets its own Braille bit: 1, 2, 3, 7 down the left column, 4, 5, 6, 8 down the right")
    func dotBits() {
        let expected: [(x: Int, y: Int, character: String)] = [
            (0, 0, "\u{2801}"), (0, 1, "\u{2802}"), (0, 2, "\u{2804}"), (0, 3, "\u{2840}"),
            (1, 0, "\u{2808}"), (1, 1, "\u{2810}"), (1, 2, "\u{2820}"), (1, 3, "\u{2880}"),
        ]
        var all = BrailleCanvas(width: 1, height: 1, glyphs: .unicode)
        for dot in expected {
            var canvas = BrailleCanvas(width: 1, height: 1, glyphs: .unicode)
            canvas.set(x: dot.x, y: dot.y)
            #expect(lines(of: canvas) == [dot.character], "dot (\(dot.x), \(dot.y))")
            #expect(canvas.isSet(x: dot.x, y: dot.y))
            all.set(x: dot.x, y: dot.y)
        }
        #expect(lines(of: all) == ["⣿"])
        #expect(all.dotWidth == 2 && all.dotHeight == 4)
        // Cells are laid out left to right, top to bottom: dot (2, 4) is the top-left dot of the second row's second cell.
        var grid = BrailleCanvas(width: 2, height: 2, glyphs: .unicode)
        grid.set(x: 2, y: 4)
        grid.set(x: 3, y: 7)
        #expect(lines(of: grid) == ["", " ⢁"])
        #expect(grid.character(column: 1, row: 1) == "⢁" && grid.character(column: 0, row: 0) == nil)
    }

    @Test("dots outside the canvas are ignored")
    func outsideDots() {
        var canvas = BrailleCanvas(width: 2, height: 1, glyphs: .unicode)
        for (x, y) in [(-1, 0), (4, 0), (0, -1), (0, 4), (Int.min, Int.max)] { canvas.set(x: x, y: y) }
        #expect(lines(of: canvas) == [""])
        #expect(!canvas.isSet(x: -1, y: 0) && canvas.character(column: 5, row: 0) == nil)
    }

    @Test("Bresenham lines: a diagonal, a steep line, a horizontal line")
    func bresenhamLines() {
        var diagonal = BrailleCanvas(width: 2, height: 1, glyphs: .unicode)
        diagonal.line(from: (0, 0), to: (3, 3))
        // (0,0) and (1,1) in the first cell: bits 0x01 | 0x10; (2,2) and (3,3) in the second: 0x04 | 0x80.
        #expect(lines(of: diagonal) == ["⠑⢄"])

        var backwards = BrailleCanvas(width: 2, height: 1, glyphs: .unicode)
        backwards.line(from: (3, 3), to: (0, 0))
        #expect(lines(of: backwards) == ["⠑⢄"])

        // Steep: x 0 for y 0...3, then x 1 for y 4...7.
        var steep = BrailleCanvas(width: 1, height: 2, glyphs: .unicode)
        steep.line(from: (0, 0), to: (1, 7))
        #expect(lines(of: steep) == ["⡇", "⢸"])

        var flat = BrailleCanvas(width: 3, height: 1, glyphs: .unicode)
        flat.line(from: (0, 2), to: (5, 2))
        #expect(lines(of: flat) == ["⠤⠤⠤"])
    }

    @Test("lines are clipped to the canvas, however far away their ends are")
    func clipping() {
        var through = BrailleCanvas(width: 2, height: 1, glyphs: .unicode)
        through.line(from: (-4, -4), to: (7, 7))
        #expect(lines(of: through) == ["⠑⢄"])

        var far = BrailleCanvas(width: 2, height: 1, glyphs: .unicode)
        far.line(from: (0, 2), to: (Int.max / 2, 2))
        far.line(from: (Int.min / 2, -5), to: (Int.max / 2, -5))  // entirely above
        #expect(lines(of: far) == ["⠤⠤"])

        // Leaving and coming back: the pen follows the points outside, the dots only the inside.
        var zigzag = BrailleCanvas(width: 2, height: 1, glyphs: .unicode)
        zigzag.move(to: (0, 0))
        zigzag.line(to: (0, -100))
        zigzag.line(to: (3, -100))
        zigzag.line(to: (3, 3))
        #expect(lines(of: zigzag) == ["⠁⢸"])

        var empty = BrailleCanvas(width: 0, height: 0, glyphs: .unicode)
        empty.line(from: (0, 0), to: (10, 10))
        empty.set(x: 0, y: 0)
        #expect(lines(of: empty).isEmpty)
    }

    @Test("patterns leave dots out along a line, and run on across the corners of a polyline")
    func patterns() {
        var dotted = BrailleCanvas(width: 3, height: 1, glyphs: .unicode, pen: .init(pattern: .dotted))
        dotted.line(from: (0, 1), to: (5, 1))
        #expect(lines(of: dotted) == ["⠂⠂⠂"])

        var polyline = BrailleCanvas(width: 3, height: 1, glyphs: .unicode, pen: .init(pattern: .dotted))
        polyline.move(to: (0, 1))
        polyline.line(to: (2, 1))
        polyline.line(to: (5, 1))
        #expect(lines(of: polyline) == ["⠂⠂⠂"])

        var dashed = BrailleCanvas(width: 6, height: 1, glyphs: .unicode, pen: .init(pattern: .dashed))
        dashed.line(from: (0, 1), to: (11, 1))
        #expect(lines(of: dashed) == ["⠒⠒ ⠒⠒"])
        #expect(BrailleCanvas.LinePattern([]) == .solid && BrailleCanvas.LinePattern.dashed.isSolid == false)
    }

    @Test("in ASCII each cell is one dot, drawn as the marker of the pen that set it last")
    func ascii() {
        var canvas = BrailleCanvas(width: 3, height: 2, glyphs: .ascii, pen: .init(marker: "+"))
        #expect(canvas.dotWidth == 3 && canvas.dotHeight == 2)
        canvas.line(from: (0, 0), to: (2, 1))
        #expect(lines(of: canvas) == ["+", " ++"])
        canvas.pen = .init(marker: "o")
        canvas.set(x: 2, y: 1)
        #expect(lines(of: canvas) == ["+", " +o"])
    }

    @Test("a cell takes the colour and attributes of the pen that set a dot there last; none in monochrome")
    func cellColours() {
        var canvas = BrailleCanvas(width: 2, height: 1, glyphs: .unicode, pen: .init(color: .red))
        canvas.set(x: 0, y: 0)
        canvas.set(x: 2, y: 0)
        canvas.pen = .init(color: .blue, attributes: .dim)
        canvas.set(x: 1, y: 3)
        #expect(canvas.pen(column: 0, row: 0)?.color == .blue && canvas.pen(column: 1, row: 0)?.color == .red)

        var buffer = CellBuffer(width: 3, height: 1, filling: Cell("x", style: Style(background: .green)))
        canvas.render(in: Rect(x: 1, y: 0, width: 2, height: 1), into: &buffer, colors: .palette256)
        #expect(buffer.lines == ["x⢁⠁"])
        #expect(buffer[1, 0].style == Style(foreground: .blue, background: .green, attributes: .dim))
        #expect(buffer[2, 0].style == Style(foreground: .red, background: .green))
        #expect(buffer[0, 0] == Cell("x", style: Style(background: .green)))

        var monochrome = CellBuffer(width: 2, height: 1)
        canvas.render(in: monochrome.area, into: &monochrome, colors: .monochrome)
        #expect(monochrome[0, 0].style == Style(attributes: .dim) && monochrome[1, 0].style == .plain)
    }

    @Test("rendering clips to the area and leaves cells without dots alone")
    func renderClips() {
        var canvas = BrailleCanvas(width: 3, height: 2, glyphs: .unicode)
        canvas.line(from: (0, 0), to: (5, 7))
        var buffer = CellBuffer(width: 4, height: 3, filling: Cell("."))
        canvas.render(in: Rect(x: 2, y: 1, width: 1, height: 1), into: &buffer, colors: .palette256)
        // Only the first cell fits: dots (0,0), (1,1), (1,2) of the line, bits 0x01 | 0x10 | 0x20.
        #expect(buffer.lines == ["....", "..⠱.", "...."])
    }
}

@Suite("Line chart")
struct LineChartTests {
    /// A step: flat at 0 from x 0 to 2, up to 4, flat at 4 to x 4. Horizontal and vertical lines
    /// only, so the dots are easy to work out by hand.
    let step = LineChart.Series("loss", x: [0, 2, 2, 4], y: [0, 0, 4, 4])

    @Test("a small chart in Unicode: legend, y labels and ticks, the Braille line, x axis and labels")
    func unicodeSnapshot() {
        let (buffer, plot) = rendered(LineChart(series: [step]), width: 20, height: 9)
        // Plot 17x6 cells = 34x24 dots; x 0...4 maps to dots 0...33 (x 2 is dot 16.5, rounded to
        // 17: the right half of cell 8), y 0...4 to dots 23...0. Ticks: y 0, 2, 4 (3 fit in 6 rows),
        // x 0 to 4 (dots 0, 8, 17, 25, 33: cells 0, 4, 8, 12, 16).
        #expect(plot == Rect(x: 3, y: 1, width: 17, height: 6))
        #expect(buffer.lines == [
            "             ── loss",
            "4 ┤        ⢸⠉⠉⠉⠉⠉⠉⠉⠉",
            "  │        ⢸",
            "  │        ⢸",
            "2 ┤        ⢸",
            "  │        ⢸",
            "0 ┤⣀⣀⣀⣀⣀⣀⣀⣀⣸",
            "  └┬───┬───┬───┬───┬",
            "   0   1   2   3   4",
        ])
    }

    @Test("the same chart in ASCII with a title and an x-axis title: one marker per cell")
    func asciiSnapshot() {
        let chart = LineChart(series: [step], title: "Loss", xTitle: "step")
        let (buffer, plot) = rendered(chart, width: 24, height: 9, capabilities: .plain)
        // Plot 18x6 cells, one dot each: x 0...4 to columns 0...17 (x 2 is 8.5, rounded to 9),
        // y 0...4 to rows 5...0. The gutter is as wide as "step" plus a space.
        #expect(plot == Rect(x: 6, y: 1, width: 18, height: 6))
        #expect(buffer.lines == [
            "Loss              * loss",
            "   4 +         *********",
            "     |         *",
            "     |         *",
            "   2 +         *",
            "     |         *",
            "   0 +**********",
            "     ++---+----+---+---+",
            "step  0   1    2   3   4",
        ])
        #expect(buffer[0, 0].style == .bold)
    }

    @Test("series are coloured by their own colour or the palette; where they share a cell the later one shows")
    func seriesColours() {
        let chart = LineChart(series: [
            .init("low", values: [0, 0], color: .red),
            .init("high", values: [1, 1]),
            .init("same as high", values: [1, 1], color: .brightWhite),
        ], yAxis: .init(bounds: .fixed(0...1)), legend: .above)
        let (buffer, plot) = rendered(chart, width: 40, height: 8)
        let bottom = plot.maxY - 1, top = plot.y
        for x in plot.x..<plot.maxX {
            #expect(buffer[x, bottom].character == "⣀" && buffer[x, bottom].style.foreground == .red)
            #expect(buffer[x, top].character == "⠉" && buffer[x, top].style.foreground == .brightWhite)
        }
        // The legend: samples in the series' colours (the second from the palette), names plain.
        let legend = buffer.line(0)
        #expect(legend.hasSuffix("── low  ── high  ── same as high"))
        let start = 40 - "── low  ── high  ── same as high".count
        #expect(buffer[start, 0].style.foreground == .red)
        #expect(buffer[start + 8, 0].style.foreground == LineChart.palette[1])
        #expect(buffer[start + 3, 0].style == .plain)
    }

    @Test("a legend wider than the chart goes on to more rows; with no row left for the rest it ends in a marker")
    func legendWraps() {
        let chart = LineChart(series: [
            .init("plain train", values: [0, 1]), .init("plain val", values: [0, 1]),
            .init("reg. train", values: [1, 0]), .init("reg. val", values: [1, 0]),
        ], yAxis: .init(bounds: .fixed(0...1)), legend: .above)
        let (tall, tallPlot) = rendered(chart, width: 30, height: 10)
        #expect(trimmed(tall.line(0)) == "── plain train  ── plain val")
        #expect(trimmed(tall.line(1)) == "── reg. train  ── reg. val")
        #expect(tallPlot.y == 2)
        // Four rows: the plot keeps its two, the legend gets one row and says more is left out.
        let (short, shortPlot) = rendered(chart, width: 30, height: 5)
        #expect(shortPlot.height == 2)
        #expect(trimmed(short.line(0)) == "── plain train  ── plain val …", "\(short.lines)")
    }

    @Test("without colour: no colours, dotted and dashed lines for the second and third series, dim after three")
    func monochrome() {
        let chart = LineChart(series: (0..<4).map { index in
            LineChart.Series("s\(index)", values: [Double(index), Double(index)], color: .red)
        }, yAxis: .init(bounds: .fixed(0...3)))
        let (buffer, plot) = rendered(chart, width: 30, height: 12,
                                      capabilities: TerminalCapabilities(colors: .monochrome, glyphs: .unicode))
        #expect(buffer.line(0).hasSuffix("── s0  ┈┈ s1  ╌╌ s2  ── s3"))
        for y in 0..<buffer.height {
            for x in 0..<buffer.width { #expect(buffer[x, y].style.foreground == .terminalDefault) }
        }
        // 9 rows = 36 dots for 0...3: y 3 on dot 0 (row 0), 2 on dot 12 (row 3), 1 on dot 23 (row 5,
        // bottom dots), 0 on dot 35 (row 8, bottom dots). Series 1 is dotted (every other dot: the
        // left one of each cell), series 2 dashed (4 dots on, 2 off), series 3 solid and dim.
        #expect(plotRow(buffer, plot, 5) == String(repeating: "⡀", count: plot.width))
        #expect(plotRow(buffer, plot, 3).hasPrefix("⠉⠉ ⠉⠉ ⠉⠉ "))
        #expect(plotRow(buffer, plot, 8) == String(repeating: "⣀", count: plot.width))
        #expect(plotRow(buffer, plot, 0) == String(repeating: "⠉", count: plot.width))
        #expect(buffer[plot.x, plot.y].style.attributes == .dim && buffer[plot.x, plot.y + 8].style.attributes == [])

        let ascii = rendered(chart, width: 30, height: 12, capabilities: .plain).buffer
        #expect(ascii.line(0).hasSuffix("* s0  + s1  o s2  x s3"))
    }

    @Test("non-finite points are skipped and break the line, as if the pieces were separate series")
    func nonFinitePoints() {
        let broken = LineChart.Series("loss", points: [
            .init(x: 0, y: 1), .init(x: 1, y: 3), .init(x: 2, y: .nan), .init(x: 3, y: 2), .init(x: 4, y: .infinity),
            .init(x: 5, y: 4), .init(x: .nan, y: 0), .init(x: 6, y: 2), .init(x: 7, y: -.infinity),
        ], color: .green)
        let pieces = [[LineChart.Point(x: 0, y: 1), .init(x: 1, y: 3)], [.init(x: 3, y: 2)], [.init(x: 5, y: 4)], [.init(x: 6, y: 2)]]
        for capabilities in [TerminalCapabilities.full, .plain] {
            let withGaps = rendered(LineChart(series: [broken], legend: .hidden), width: 30, height: 10,
                                    capabilities: capabilities).buffer
            let separate = rendered(LineChart(series: pieces.map { LineChart.Series("loss", points: $0, color: .green, marker: "*") },
                                              legend: .hidden), width: 30, height: 10, capabilities: capabilities).buffer
            #expect(withGaps == separate)
            #expect(withGaps.lines.joined().contains { $0 == "*" || containsBraille(String($0)) })
        }
        // A diverged run (everything after a point NaN) and a series of nothing but NaN draw without trouble.
        let diverged = LineChart.Series("diverged", values: [2.3, 1.9, .nan, .nan, .nan])
        let nothing = LineChart.Series("nan", values: [.nan, .infinity])
        let (buffer, _) = rendered(LineChart(series: [diverged, nothing]), width: 30, height: 10)
        #expect(buffer.lines.contains { $0.contains("┤") })
        // Nothing drawable: the default 0...1 axes and no dots.
        let (empty, emptyPlot) = rendered(LineChart(series: [nothing]), width: 30, height: 10)
        #expect(yLabels(empty, emptyPlot) == ["1", "0.5", "0"])
        #expect(!containsBraille(empty.lines.joined()))
    }

    @Test("many points per dot column draw exactly the dots of every segment")
    func downSampling() {
        // Fixed ranges make the mapping exact: x in dots, y in dots counted from the bottom.
        var state: UInt64 = 7
        func random() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        let width = 20, height = 6
        let dotWidth = width * 2, dotHeight = height * 4
        // x in sixteenths of a dot (so some points sit exactly half way), y a noisy walk in eighths.
        var walk = 12.0
        let sorted = (0..<((dotWidth - 1) * 16 + 1)).map { index -> LineChart.Point in
            walk = Swift.min(Double(dotHeight - 1), Swift.max(0, walk + (random() - 0.5) * 3))
            return LineChart.Point(x: Double(index) / 16, y: (walk * 8).rounded() / 8)
        }
        // The same points shuffled in x a little: runs start and stop in any order.
        let unsorted = sorted.enumerated().map { index, point in
            LineChart.Point(x: index % 7 == 3 ? (Double(dotWidth - 1) - point.x) : point.x, y: point.y)
        }
        for points in [sorted, unsorted] {
            let chart = LineChart(series: [.init("walk", points: points)],
                                  xAxis: .init(bounds: .fixed(0...Double(dotWidth - 1))),
                                  yAxis: .init(bounds: .fixed(0...Double(dotHeight - 1))), legend: .hidden)
            var buffer = CellBuffer(width: width + 4, height: height + 2)
            let plot = chart.render(in: buffer.area, into: &buffer, capabilities: .full)
            #expect(plot.width == width && plot.height == height)

            var reference = BrailleCanvas(width: width, height: height, glyphs: .unicode)
            func dot(_ point: LineChart.Point) -> (x: Int, y: Int) {
                (Int((point.x + 0.5).rounded(.down)), Int((Double(dotHeight - 1) - point.y + 0.5).rounded(.down)))
            }
            reference.move(to: dot(points[0]))
            for point in points { reference.line(to: dot(point)) }
            var expected = CellBuffer(width: width, height: height)
            reference.render(in: expected.area, into: &expected, colors: .palette256)
            for row in 0..<height {
                let drawn = String((0..<width).map { buffer[plot.x + $0, plot.y + row].character })
                #expect(drawn == expected.line(row), "row \(row)")
            }
        }
    }

    @Test("empty series, no series and tiny areas draw without crashing and never outside the area")
    func tinyAreas() {
        let charts = [
            LineChart(series: []),
            LineChart(series: [.init("empty", points: [])], title: "Title", xTitle: "step"),
            LineChart(series: [.init("one", values: [5])]),
            LineChart(series: [step], title: "Loss", xTitle: "epoch", legend: .insideTopRight),
            LineChart(series: [.init("log", values: [0.1, 0, -1, 10])], yAxis: .init(scale: .logarithmic)),
        ]
        let areas = [
            Rect(x: 0, y: 0, width: 0, height: 0), Rect(x: 2, y: 2, width: 1, height: 1), Rect(x: 1, y: 1, width: 2, height: 2),
            Rect(x: 0, y: 0, width: 3, height: 3), Rect(x: 1, y: 0, width: 5, height: 4), Rect(x: 0, y: 1, width: 1, height: 6),
            Rect(x: 0, y: 3, width: 12, height: 1), Rect(x: 1, y: 1, width: 7, height: 5), Rect(x: 4, y: 2, width: 20, height: 10),
        ]
        for capabilities in [TerminalCapabilities.full, .plain] {
            for chart in charts {
                for area in areas {
                    var buffer = CellBuffer(width: 14, height: 8, filling: Cell("#"))
                    chart.render(in: area, into: &buffer, capabilities: capabilities)
                    for y in 0..<buffer.height {
                        for x in 0..<buffer.width where !area.contains(x: x, y: y) {
                            #expect(buffer[x, y] == Cell("#"), "\(area): cell (\(x), \(y)) drawn over")
                        }
                    }
                }
            }
        }
        // A single value gets a range around it; the axes are drawn.
        let (one, _) = rendered(LineChart(series: [.init("one", values: [5])]), width: 20, height: 8)
        #expect(one.lines.contains { $0.hasPrefix("5.5 ┤") })
        // A 3x2 area is too small for axes: only the line, over the whole area.
        let (small, smallPlot) = rendered(LineChart(series: [.init("a", values: [0, 1])]), width: 3, height: 2)
        #expect(smallPlot == small.area)
        #expect(!small.lines.joined().contains("┤") && containsBraille(small.lines[0]) && containsBraille(small.lines[1]))
    }

    @Test("in ASCII, titles and names are shown with ASCII look-alikes and markers must be ASCII")
    func asciiText() {
        let chart = LineChart(series: [.init("train → val", values: [0, 1], marker: "•"), .init("b", values: [1, 0], marker: "x")],
                              title: "Loss — smoothed", xTitle: "épochs")
        let (buffer, plot) = rendered(chart, width: 40, height: 8, capabilities: .plain)
        #expect(buffer.lines[0] == "Loss -- smoothed      * train > val  x b")
        #expect(buffer.lines.last?.hasPrefix("?pochs ") == true)
        let text = buffer.lines.joined()
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(plotRow(buffer, plot, 0).hasPrefix("x") && plotRow(buffer, plot, 0).hasSuffix("*"))
    }

    @Test("the legend can sit inside the plot's top-right corner, over the lines")
    func legendInside() {
        let chart = LineChart(series: [.init("a", values: [1, 1], color: .red), .init("bb", values: [0, 0])],
                              yAxis: .init(bounds: .fixed(0...1)), legend: .insideTopRight)
        let (buffer, plot) = rendered(chart, width: 20, height: 6)
        // The entries right-aligned in a blank box one cell wider than the widest, over the top line.
        #expect(plot == Rect(x: 3, y: 0, width: 17, height: 4))
        #expect(Array(buffer.lines.prefix(2)) == ["1 ┤⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉ ── a", "  │            ── bb"])
        #expect(buffer[15, 0].style.foreground == .red && buffer[15, 1].style.foreground == LineChart.palette[1])
    }

    @Test("fixed ranges: accuracy as percentages, a zoomed range, points outside it clipped")
    func fixedRanges() {
        let accuracy = LineChart.Series("val", values: [0.5, 0.93, 0.97, 0.99, 1.2])
        let chart = LineChart(series: [accuracy], yAxis: .init(bounds: .fixed(0.9...1.0), format: .percent), legend: .hidden)
        let (buffer, plot) = rendered(chart, width: 30, height: 10)
        #expect(yLabels(buffer, plot) == ["100%", "95%", "90%"])
        // 0.5 is below the range and 1.2 above it: the line leaves through the bottom and the top.
        #expect(containsBraille(plotRow(buffer, plot, 0)) && containsBraille(plotRow(buffer, plot, plot.height - 1)))
        let full = LineChart(series: [accuracy], yAxis: .init(bounds: .fixed(0...1), format: .percent), legend: .hidden)
        let (fullBuffer, _) = rendered(full, width: 30, height: 10)
        #expect(fullBuffer.lines[0].hasPrefix("100% ┤") && fullBuffer.lines[7].hasPrefix("  0% ┤"))
    }

    @Test("a logarithmic y axis has ticks at powers of ten")
    func logarithmicAxis() {
        let loss = LineChart.Series("loss", values: [2.3, 0.9, 0.3, 0.11, 0.05, 0.03])
        let chart = LineChart(series: [loss], yAxis: .init(scale: .logarithmic), legend: .hidden)
        let (buffer, plot) = rendered(chart, width: 30, height: 12)
        #expect(yLabels(buffer, plot) == ["10", "1", "0.1", "0.01"])
        // 2.3 is log10 0.36 of the way from 1 to 10: row 2 of the 10 (10 at row 0, 1 at row 3).
        #expect(containsBraille(String(plotRow(buffer, plot, 2).prefix(1))))
    }
}

@Suite("Line chart ticks and labels")
struct LineChartTicksTests {
    @Test("automatic ranges end on a nice tick when that costs at most a tenth, else are padded")
    func automaticTicks() {
        var ticks = LineChart.Ticks.automatic(covering: 0...1400, maxCount: 5)
        expectClose(ticks.values, [0, 500, 1000, 1500])
        #expect(ticks.lower == 0 && ticks.upper == 1500 && ticks.step == 500)

        ticks = .automatic(covering: 0...19_999, maxCount: 5)
        expectClose(ticks.values, [0, 5000, 10_000, 15_000, 20_000])
        #expect(ticks.upper == 20_000)

        // A loss from 2.3 down to 0.05: the top is padded by 3% of the span (2.5 would cost 8.9%
        // and 6 ticks), the bottom goes to 0 rather than below it.
        ticks = .automatic(covering: 0.05...2.3, maxCount: 5)
        expectClose(ticks.values, [0, 0.5, 1, 1.5, 2])
        expectClose([ticks.lower, ticks.upper], [0, 2.3675])

        ticks = .automatic(covering: 0.1...0.98, maxCount: 5)
        expectClose(ticks.values, [0.2, 0.4, 0.6, 0.8, 1])
        expectClose([ticks.lower, ticks.upper], [0.0736, 1])

        // 0, 0.5, 1 rather than 0, 0.25, 0.5, 0.75, 1: same range, shorter labels.
        expectClose(LineChart.Ticks.automatic(covering: 0...1, maxCount: 5).values, [0, 0.5, 1])
        // Around zero: -3 and 3 padded (-4 and 4 would cost a sixth); 0 stays a tick.
        expectClose(LineChart.Ticks.automatic(covering: -3...3, maxCount: 5).values, [-2, 0, 2])
        expectClose(LineChart.Ticks.automatic(covering: 0...4, maxCount: 3).values, [0, 2, 4])
        // A single value: 10% either side; zero: 0...1.
        expectClose(LineChart.Ticks.automatic(covering: 2...2, maxCount: 5).values, [1.8, 1.9, 2, 2.1, 2.2])
        expectClose(LineChart.Ticks.automatic(covering: 0...0, maxCount: 5).values, [0, 0.5, 1])
        // Nonsense in, something drawable out.
        expectClose(LineChart.Ticks.automatic(covering: -.infinity...Double.infinity, maxCount: 5).values, [0, 0.5, 1])
        #expect(LineChart.Ticks.automatic(covering: 0...1, maxCount: 0).values.count >= 2)
    }

    @Test("fixed ranges get the nice ticks inside them")
    func fixedTicks() {
        expectClose(LineChart.Ticks.within(0.9...1.0, maxCount: 5).values, [0.9, 0.95, 1])
        expectClose(LineChart.Ticks.within(0...1, maxCount: 5).values, [0, 0.5, 1])
        expectClose(LineChart.Ticks.within(0...5000, maxCount: 6).values, [0, 1000, 2000, 3000, 4000, 5000])
        expectClose(LineChart.Ticks.within(0...1234, maxCount: 5).values, [0, 500, 1000])
        let zoomed = LineChart.Ticks.within(0.91...0.93, maxCount: 2)
        #expect(zoomed.lower == 0.91 && zoomed.upper == 0.93 && !zoomed.values.isEmpty)
    }

    @Test("logarithmic ticks are powers of ten (thinned, or 1-2-5 within one decade)")
    func logarithmicTicks() {
        let loss = LineChart.Ticks.logarithmic(covering: 0.03...2.5, maxCount: 5)
        expectClose(loss.values, [0.01, 0.1, 1, 10])
        #expect(loss.isLogarithmic && loss.labels(.number) == ["0.01", "0.1", "1", "10"])
        expectClose(LineChart.Ticks.logarithmic(covering: 2...7, maxCount: 5).values, [1, 2, 5, 10])
        let wide = LineChart.Ticks.logarithmic(covering: 1e-6...1e3, maxCount: 4)
        expectClose(wide.values, [1e-6, 1e-3, 1, 1e3])
        #expect(wide.labels(.number) == ["1e-6", "0.001", "1", "1k"])
        expectClose(LineChart.Ticks.logarithmic(within: 0.001...10, maxCount: 5).values, [0.001, 0.01, 0.1, 1, 10])
        expectClose(LineChart.Ticks.logarithmic(within: 2...40, maxCount: 5).values, [2, 5, 10, 20])
    }

    @Test("labels are compact: decimals from the step, k and M, percentages, tiny steps in e notation")
    func labels() {
        let number = LineChart.LabelFormat.number
        #expect(number.label(for: 0.25, step: 0.25) == "0.25")
        #expect(number.label(for: 1, step: 0.5) == "1")
        #expect(number.label(for: 0.1 * 3, step: 0.1) == "0.3")
        #expect(number.label(for: -0.5, step: 0.5) == "-0.5")
        #expect(number.label(for: 1e-17, step: 0.5) == "0")
        #expect(number.label(for: 1500, step: 500) == "1500")
        #expect(number.label(for: 15_000, step: 5000) == "15k")
        #expect(number.label(for: 2500, step: 2500) == "2.5k")
        #expect(number.label(for: 1_500_000, step: 500_000) == "1.5M")
        #expect(number.label(for: 2.5e-5, step: 2.5e-5) == "2.5e-5")
        #expect(number.label(for: 12_345.5, step: 0.5) == "12345.5")
        let percent = LineChart.LabelFormat.percent
        #expect(percent.label(for: 0.98, step: 0.01) == "98%")
        #expect(percent.label(for: 0.925, step: 0.025) == "92.5%")
        #expect(percent.label(for: 1, step: 0.5) == "100%")
        #expect(percent.label(for: 0, step: 0.5) == "0%")
        let custom = LineChart.LabelFormat.custom { "e\(Int($0))" }
        #expect(custom.label(for: 3, step: 1) == "e3")
    }
}
