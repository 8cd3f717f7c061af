import Testing
import TerminalUI

/// Renders a widget into a fresh `width x height` buffer covering the whole buffer.
enum WidgetRender {
    static let unicode = TerminalCapabilities(colors: .palette256, glyphs: .unicode)
    static let ascii = TerminalCapabilities(colors: .monochrome, glyphs: .ascii)
    static let mono = TerminalCapabilities(colors: .monochrome, glyphs: .unicode)

    static func buffer(_ width: Int, _ height: Int, _ draw: (Rect, inout CellBuffer) -> Void) -> CellBuffer {
        var buffer = CellBuffer(width: width, height: height)
        draw(buffer.area, &buffer)
        return buffer
    }

    /// Draws into every small size from 0x0 to 4x4, inside a larger buffer, and returns whether
    /// anything was written outside the area.
    static func drawsOutside(_ draw: (Rect, inout CellBuffer) -> Void) -> Bool {
        for width in 0...4 {
            for height in 0...4 {
                var buffer = CellBuffer(width: 8, height: 8, filling: Cell("~"))
                let area = Rect(x: 2, y: 2, width: width, height: height)
                draw(area, &buffer)
                for y in 0..<8 {
                    for x in 0..<8 where !area.contains(x: x, y: y) && buffer[x, y] != Cell("~") { return true }
                }
            }
        }
        return false
    }
}

@Suite("Widgets: glyphs")
struct WidgetGlyphTests {
    @Test("ASCII text replaces symbols with look-alikes and anything else outside ASCII with ?")
    func asciiText() {
        #expect(Glyphs.ascii.text("←→ move … 3×3 ≤ 1 ┌─┐ é") == "<> move ... 3x3 <= 1 +-+ ?")
        #expect(Glyphs.unicode.text("←→ …") == "←→ …")
        #expect(Glyphs.ascii.text("plain") == "plain")
    }

    @Test("truncation ends in the glyph set's ellipsis and never exceeds the width")
    func truncation() {
        #expect(Glyphs.unicode.truncated("convolution", toWidth: 6) == "convo…")
        #expect(Glyphs.ascii.truncated("convolution", toWidth: 6) == "con...")
        #expect(Glyphs.ascii.truncated("convolution", toWidth: 2) == "co")
        #expect(Glyphs.unicode.truncated("conv", toWidth: 4) == "conv")
        #expect(Glyphs.unicode.truncated("conv", toWidth: 0) == "")
        #expect(Glyphs.ascii.truncated("a→b", toWidth: 3) == "a>b")
    }

    @Test("bars are drawn to the nearest eighth in Unicode and the nearest cell in ASCII")
    func bars() {
        #expect(Glyphs.unicode.horizontalBar(fraction: 0.5, width: 4) == "██")
        // 17.6 eighths round to 18: two cells and a quarter.
        #expect(Glyphs.unicode.horizontalBar(fraction: 0.55, width: 4) == "██▎")
        #expect(Glyphs.unicode.horizontalBar(fraction: 1 / 32, width: 4) == "▏")
        #expect(Glyphs.unicode.horizontalBar(fraction: 2, width: 3) == "███")
        #expect(Glyphs.unicode.horizontalBar(fraction: -1, width: 3) == "")
        #expect(Glyphs.unicode.horizontalBar(fraction: .nan, width: 3) == "")
        #expect(Glyphs.ascii.horizontalBar(fraction: 0.55, width: 4) == "##")
        #expect(Glyphs.unicode.verticalBar(fraction: 0.5625, height: 2) == ["▁", "█"])
        #expect(Glyphs.ascii.verticalBar(fraction: 0.5625, height: 2) == [" ", "#"])
        #expect(Glyphs.unicode.verticalBar(fraction: 1, height: 0) == [])
    }
}

@Suite("Widgets: styled text")
struct WidgetStyledTextTests {
    @Test("bold and code spans are parsed; unmatched markers and escapes are literal")
    func markup() {
        #expect(StyledText("a **b** `c` d").runs == [
            StyledRun("a "), StyledRun("b", emphasis: .bold), StyledRun(" "), StyledRun("c", emphasis: .code), StyledRun(" d"),
        ])
        #expect(StyledText("2 ** 3 and `x").plainText == "2 ** 3 and `x")
        #expect(StyledText("`a**b` \\*\\*not bold\\*\\*").runs
            == [StyledRun("a**b", emphasis: .code), StyledRun(" **not bold**")])
        #expect(StyledText("**bold `code`**").runs
            == [StyledRun("bold ", emphasis: .bold), StyledRun("code", emphasis: [.bold, .code])])
        #expect(StyledText("**a `**` b**").plainText == "a ** b")
    }

    @Test("text wraps at spaces, keeps newlines and blank lines, and breaks words longer than the width")
    func wrapping() {
        let text = StyledText("The **kernel** slides over the input.\n\nA reallylongwordthatdoesnotfit ends.")
        #expect(text.wrapped(width: 12).map(\.text) == [
            "The kernel", "slides over", "the input.", "", "A", "reallylongwo", "rdthatdoesno", "tfit ends.",
        ])
        #expect(text.wrapped(width: 12)[0].runs == [StyledRun("The "), StyledRun("kernel", emphasis: .bold)])
        #expect(text.wrapped(width: 0).isEmpty)
        #expect(StyledText("").wrapped(width: 5).map(\.text) == [""])
        #expect(StyledText("ab\n").wrapped(width: 5).map(\.text) == ["ab", ""])
        #expect(StyledText("abcdef").wrapped(width: 1).map(\.text) == ["a", "b", "c", "d", "e", "f"])
    }

    @Test("spaces at a wrap point and at the end are dropped; an indent is kept; a word that fits exactly stays")
    func wrappingSpaces() {
        #expect(StyledText("abc   def  ").wrapped(width: 5).map(\.text) == ["abc", "def"])
        #expect(StyledText("  indented text").wrapped(width: 10).map(\.text) == ["  indented", "text"])
        #expect(StyledText("    longword").wrapped(width: 8).map(\.text) == ["longword"])
        #expect(StyledText("abcde fghij").wrapped(width: 5).map(\.text) == ["abcde", "fghij"])
        #expect(StyledText("a\tb").wrapped(width: 5).map(\.text) == ["a b"])
    }

    @Test("a code span's words wrap like any other and keep the code style")
    func codeWraps() {
        let lines = StyledText("see `conv2d(x, w)` here").wrapped(width: 12)
        #expect(lines.map(\.text) == ["see", "conv2d(x, w)", "here"])
        #expect(lines[1].runs == [StyledRun("conv2d(x, w)", emphasis: .code)])
    }

    @Test("rendering clears the area, draws from the scroll offset, clips, and styles bold and code")
    func render() {
        let text = StyledText("one **two** three `four` five")
        let buffer = WidgetRender.buffer(9, 3) { area, buffer in
            buffer.fill(area, with: Cell("x"))
            let count = text.render(in: area, into: &buffer, capabilities: WidgetRender.unicode, offset: 1)
            #expect(count == 3)
        }
        #expect(buffer.lines == ["three", "four five", ""])
        #expect(buffer[0, 1].style == Style(foreground: .cyan))
        #expect(buffer[4, 1].style == .plain)

        let mono = WidgetRender.buffer(9, 2) { area, buffer in
            text.render(in: area, into: &buffer, capabilities: WidgetRender.mono)
        }
        #expect(mono.lines == ["one two", "three"])
        #expect(mono[4, 0].style == .bold && mono[0, 0].style == .plain)
        #expect(StyledText.style(for: .code, colors: .monochrome) == .underline)
        #expect(StyledText.style(for: [.bold, .code], colors: .monochrome) == Style(attributes: [.bold, .underline]))
    }

    @Test("ASCII replaces symbols before wrapping, so lines are measured as drawn")
    func asciiWrap() {
        #expect(StyledText("a → b …").wrapped(width: 7, glyphs: .ascii).map(\.text) == ["a > b", "..."])
        let buffer = WidgetRender.buffer(8, 1) { area, buffer in
            StyledText("x × y").render(in: area, into: &buffer, capabilities: WidgetRender.ascii)
        }
        #expect(buffer.lines == ["x x y"])
    }

    @Test("tiny areas draw what fits and never outside")
    func tiny() {
        #expect(!WidgetRender.drawsOutside { area, buffer in
            StyledText("hello **world** `x`").render(in: area, into: &buffer, capabilities: WidgetRender.unicode, offset: 3)
        })
        let one = WidgetRender.buffer(1, 1) { area, buffer in
            StyledText("hi").render(in: area, into: &buffer, capabilities: WidgetRender.unicode)
        }
        #expect(one.lines == ["h"])
    }
}

@Suite("Widgets: panel")
struct WidgetPanelTests {
    @Test("a border with the title in its top edge and the footer in its bottom edge")
    func unicode() {
        var inner = Rect(x: 0, y: 0, width: 0, height: 0)
        let buffer = WidgetRender.buffer(14, 4) { area, buffer in
            inner = Panel(title: "Input", footer: "q").render(in: area, into: &buffer, capabilities: WidgetRender.unicode)
        }
        #expect(buffer.lines == [
            "┌ Input ─────┐",
            "│            │",
            "│            │",
            "└───────── q ┘",
        ])
        #expect(inner == Rect(x: 1, y: 1, width: 12, height: 2))
        #expect(buffer[2, 0].style == .bold)
        #expect(buffer[0, 0].style == .plain)
    }

    @Test("ASCII borders, and a long title truncated with an ellipsis")
    func asciiTruncated() {
        let buffer = WidgetRender.buffer(12, 3) { area, buffer in
            Panel(title: "Convolution lesson").render(in: area, into: &buffer, capabilities: WidgetRender.ascii)
        }
        #expect(buffer.lines == ["+ Convo... +", "|          |", "+----------+"])
        let unicode = WidgetRender.buffer(12, 3) { area, buffer in
            Panel(title: "Convolution lesson").render(in: area, into: &buffer, capabilities: WidgetRender.unicode)
        }
        #expect(unicode.lines[0] == "┌ Convolu… ┐")
    }

    @Test("a focused border is bold and cyan in colour, bold with a reversed title in monochrome")
    func focus() {
        let colour = WidgetRender.buffer(10, 3) { area, buffer in
            Panel(title: "A", focused: true).render(in: area, into: &buffer, capabilities: WidgetRender.unicode)
        }
        #expect(colour[0, 0].style == Style(foreground: .cyan, attributes: .bold))
        #expect(colour[2, 0] == Cell("A", style: Style(foreground: .cyan, attributes: .bold)))
        let mono = WidgetRender.buffer(10, 3) { area, buffer in
            Panel(title: "A", focused: true).render(in: area, into: &buffer, capabilities: WidgetRender.ascii)
        }
        #expect(mono[9, 2] == Cell("+", style: .bold))
        #expect(mono[2, 0] == Cell("A", style: Style(attributes: [.bold, .reverse])))
    }

    @Test("small panels draw what fits: corners at 2x2, the top edge in one row, the left edge in one column")
    func small() {
        let draw = { (width: Int, height: Int) in
            WidgetRender.buffer(width, height) { area, buffer in
                Panel(title: "Title").render(in: area, into: &buffer, capabilities: WidgetRender.unicode)
            }.lines
        }
        #expect(draw(2, 2) == ["┌┐", "└┘"])
        #expect(draw(4, 1) == ["┌──┐"])
        #expect(draw(1, 3) == ["┌", "│", "└"])
        #expect(draw(1, 1) == ["┌"])
        #expect(draw(5, 2) == ["┌ T ┐", "└───┘"])
        #expect(draw(0, 0) == [])
        #expect(Panel.inner(of: Rect(x: 0, y: 0, width: 2, height: 2)).isEmpty)
        #expect(!WidgetRender.drawsOutside { area, buffer in
            let panel = Panel(title: "Title", footer: "Footer", focused: true)
            panel.render(in: area, into: &buffer, capabilities: WidgetRender.unicode)
        })
    }
}
