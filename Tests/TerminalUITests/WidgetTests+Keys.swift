import Testing
import TerminalUI

@Suite("Widgets: key hints")
struct WidgetKeyHintsTests {
    static let hints = KeyHints([
        KeyHint("←→", "move"), KeyHint("Enter", "open"), KeyHint("?", "help"), KeyHint("q", "quit"),
    ])

    @Test("keys and descriptions two spaces apart; when they do not fit, help and quit stay and an ellipsis marks the rest")
    func layout() {
        #expect(Self.hints.width() == 35)
        let draw = { (width: Int, capabilities: TerminalCapabilities) in
            WidgetRender.buffer(width, 1) { area, buffer in
                Self.hints.render(in: area, into: &buffer, capabilities: capabilities)
            }.lines[0]
        }
        #expect(draw(35, WidgetRender.unicode) == "←→ move  Enter open  ? help  q quit")
        #expect(draw(34, WidgetRender.unicode) == "←→ move  …  ? help  q quit")
        #expect(draw(34, WidgetRender.ascii) == "<> move  ...  ? help  q quit")
        // Hints after the essential ones: the ellipsis goes where the first was dropped.
        let trailing = KeyHints([KeyHint("?", "help"), KeyHint("a", "autoplay"), KeyHint("Enter", "to the end")])
        let trailingLine = WidgetRender.buffer(21, 1) { area, buffer in
            trailing.render(in: area, into: &buffer, capabilities: WidgetRender.unicode)
        }.lines[0]
        #expect(trailingLine == "? help  a autoplay  …")
        // Too narrow even for help and quit: dropped from the end, as before.
        #expect(draw(16, WidgetRender.unicode) == "←→ move")
        #expect(draw(35, WidgetRender.ascii) == "<> move  Enter open  ? help  q quit")
        #expect(draw(8, WidgetRender.unicode) == "←→ move")
        #expect(draw(5, WidgetRender.unicode) == "←→ mo")  // the first hint is cut rather than dropped
        #expect(Self.hints.fittingCount(width: 6) == 0)
        #expect(KeyHints([KeyHint("Esc", "")]).width() == 3)
    }

    @Test("the key is bold (and cyan in colour, reversed in monochrome); the description plain")
    func styles() {
        let colour = WidgetRender.buffer(35, 1) { area, buffer in
            Self.hints.render(in: area, into: &buffer, capabilities: WidgetRender.unicode)
        }
        #expect(colour[9, 0] == Cell("E", style: Style(foreground: .cyan, attributes: .bold)))
        #expect(colour[15, 0] == Cell("o", style: .plain))
        #expect(colour[14, 0].style == .plain)
        let mono = WidgetRender.buffer(35, 1) { area, buffer in
            Self.hints.render(in: area, into: &buffer, capabilities: WidgetRender.ascii)
        }
        #expect(mono[0, 0] == Cell("<", style: Style(attributes: [.bold, .reverse])))
        #expect(mono[3, 0] == Cell("m", style: .plain))
        #expect(!WidgetRender.drawsOutside { area, buffer in
            Self.hints.render(in: area, into: &buffer, capabilities: WidgetRender.unicode)
        })
    }
}

@Suite("Widgets: help overlay")
struct WidgetHelpOverlayTests {
    static let help = HelpOverlay(
        entries: [KeyHint("←→", "move the window"), KeyHint("Enter", "open the lesson")],
        text: StyledText("Padding cells are marked with **·**."))

    @Test("a centred box that hides what is under it: keys in a column, paragraphs after, the footer in its edge")
    func centred() {
        let buffer = WidgetRender.buffer(40, 9) { area, buffer in
            buffer.fill(area, with: Cell("x"))
            #expect(Self.help.render(in: area, into: &buffer, capabilities: WidgetRender.unicode) == 0)
        }
        #expect(buffer.lines == [
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "xx┌ Help ────────────────────────────┐xx",
            "xx│ ←→     move the window           │xx",
            "xx│ Enter  open the lesson           │xx",
            "xx│                                  │xx",
            "xx│ Padding cells are marked with ·. │xx",
            "xx└─────────────── Esc or ? to close ┘xx",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        ])
        #expect(buffer[4, 3] == Cell("E", style: Style(foreground: .cyan, attributes: .bold)))
        #expect(buffer[11, 3] == Cell("o", style: .plain))
        #expect(buffer[34, 5] == Cell("·", style: .bold))
        #expect(Self.help.box(in: buffer.area) == Rect(x: 2, y: 1, width: 36, height: 6))
    }

    @Test("ASCII: borders, arrows and the marker degrade")
    func ascii() {
        let buffer = WidgetRender.buffer(38, 6) { area, buffer in
            Self.help.render(in: area, into: &buffer, capabilities: WidgetRender.ascii)
        }
        #expect(buffer.lines == [
            " + Help ----------------------------+",
            " | <>     move the window           |",
            " | Enter  open the lesson           |",
            " |                                  |",
            " | Padding cells are marked with .. |",
            " +--------------- Esc or ? to close +",
        ])
        #expect(buffer[3, 1] == Cell("<", style: Style(attributes: [.bold, .reverse])))
    }

    @Test("content taller than the box scrolls from an offset, clamped, with arrows saying there is more")
    func scrolling() {
        let area = Rect(x: 0, y: 0, width: 30, height: 6)
        #expect(Self.help.contentLineCount(in: area) == (total: 5, visible: 4))
        var maxOffset = -1
        let top = WidgetRender.buffer(30, 6) { area, buffer in
            maxOffset = Self.help.render(in: area, into: &buffer, capabilities: WidgetRender.unicode)
        }
        #expect(maxOffset == 1)
        #expect(top.lines == [
            "┌ Help ──────────────────────┐",
            "│ ←→     move the window     │",
            "│ Enter  open the lesson     │",
            "│                            │",
            "│ Padding cells are marked   ↓",
            "└───────── Esc or ? to close ┘",
        ])
        let bottom = WidgetRender.buffer(30, 6) { area, buffer in
            Self.help.render(in: area, into: &buffer, capabilities: WidgetRender.unicode, offset: 99)
        }
        #expect(bottom.lines == [
            "┌ Help ──────────────────────┐",
            "│ Enter  open the lesson     ↑",
            "│                            │",
            "│ Padding cells are marked   │",
            "│ with ·.                    │",
            "└───────── Esc or ? to close ┘",
        ])
    }

    @Test("long descriptions wrap under their column; tiny screens never crash or draw outside")
    func wrappingAndTiny() {
        let help = HelpOverlay(title: "Keys", entries: [KeyHint("s", "step to the next window")], footer: "Esc")
        let buffer = WidgetRender.buffer(16, 4) { area, buffer in
            help.render(in: area, into: &buffer, capabilities: WidgetRender.unicode)
        }
        #expect(buffer.lines == [
            "┌ Keys ────────┐",
            "│ s  step to   │",
            "│    the next  ↓",
            "└───────── Esc ┘",
        ])
        #expect(!WidgetRender.drawsOutside { area, buffer in
            Self.help.render(in: area, into: &buffer, capabilities: WidgetRender.unicode, offset: 2)
        })
        let one = WidgetRender.buffer(1, 1) { area, buffer in
            Self.help.render(in: area, into: &buffer, capabilities: WidgetRender.unicode)
        }
        #expect(one.lines == ["┌"])
    }
}
