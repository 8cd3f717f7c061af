import Lessons
import TerminalUI

/// The playground from the home menu: a `PlaygroundPanel` in a titled frame, starting from a 6x6
/// grid with a bright square and the Sobel x kernel. Esc (or q) goes back.
public final class PlaygroundScreen: Screen {
    public let panel: PlaygroundPanel
    /// How far the panel is scrolled (PgDn, PgUp) and the layout the last frame found: content
    /// taller than the screen scrolls, and the frame says how much is hidden.
    private(set) var panelScroll = 0
    private(set) var panelLayout = OverflowScroll()

    public init() {
        panel = PlaygroundPanel(spec: Self.defaultSpec)
        // The screen scrolls, so maps need not shrink to a few rows to fit a short terminal.
        panel.minimumHeatmapRows = Self.minimumHeatmapRows
    }

    /// The fewest rows a map (a sample image, an output) is drawn in before the playground grows
    /// taller than the screen and scrolls: 16 values down with half blocks.
    static let minimumHeatmapRows = 8

    /// A 6x6 grid, a 3x3 square of 5s on zeros (so Sobel x finds its left and right edges), and
    /// the Sobel x kernel, stride 1, no padding.
    public static let defaultSpec = PlaygroundSpec(start: ConvSpec(
        input: GridStack([
            [0, 0, 0, 0, 0, 0],
            [0, 5, 5, 5, 0, 0],
            [0, 5, 5, 5, 0, 0],
            [0, 5, 5, 5, 0, 0],
            [0, 0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0, 0],
        ]),
        kernels: [KernelPreset.sobelX.stack()]))

    public var title: String { "Playground" }

    public var keyHelp: [KeyHint] {
        panel.keyHelp + [KeyHint("PgDn PgUp", "scroll when the playground is taller than the screen"),
                         KeyHint("Esc q", "back to the menu"), KeyHint("?", "this help")]
    }

    public var helpText: String {
        "Edit the **input** and the **kernel** and watch the output change at once. `f` moves the focus between "
            + "the input, the kernel and the controls; the arrows move the cursor; type a number and press "
            + "**Enter** (or move) to put it in the cell. The letters change the settings from anywhere: `p` "
            + "kernel presets, `s` stride, `d` padding, `m` padding mode, `c` the output-size rule (PyTorch, "
            + "TensorFlow or CS231n), `l` dilation, `r` activation, `o` pooling; their capitals go back. `i` "
            + "swaps the grid for a sample image. Settings the convolution cannot take show why instead of an "
            + "output. Every number comes from the same kernels that train the network."
    }

    /// The keys in the footer: the most used ones (the help overlay lists them all).
    var footerHints: [KeyHint] {
        (panelLayout.overflows ? [KeyHint("PgDn PgUp", "scroll")] : []) + [KeyHint("f", "focus"), KeyHint("←↑↓→", "move"), KeyHint("0-9", "type"), KeyHint("?", "all keys"),
         KeyHint("Esc", "back"), KeyHint("p", "preset"), KeyHint("s d", "stride pad"), KeyHint("o r", "pool act"),
         KeyHint("i", "image")]
    }

    /// The rows the panel needs at `width`: the screen's when everything fits in them, else as
    /// many as it asks for (asked again at that height, where the maps may take more rows).
    func contentHeight(width: Int, screenHeight: Int, capabilities: TerminalCapabilities) -> Int {
        var height = screenHeight
        guard width > 0, height > 0 else { return height }
        for _ in 0..<4 {
            var scratch = CellBuffer(width: width, height: height)
            panel.render(into: &scratch, area: scratch.area, capabilities: capabilities)
            guard panel.neededHeight > height else { break }
            height = panel.neededHeight
        }
        return height
    }

    public func handle(_ event: KeyEvent) -> ScreenAction {
        switch event {
        case .pageDown, .pageUp:
            // Half a screen at a time, as the lesson player's panel scrolls.
            let page = max(1, panelLayout.visibleHeight / 2)
            panelScroll = max(0, min(panelLayout.maximumOffset, panelScroll + (event == .pageDown ? page : -page)))
            return .none
        default: break
        }
        if panel.handle(event) { return .none }
        switch event {
        case .escape, .character("q"): return .pop
        default: return .none
        }
    }

    public func render(into buffer: inout CellBuffer, area: Rect, capabilities: TerminalCapabilities) {
        let (body, footer) = area.splitBottom(1)
        let inner = Panel.inner(of: body)
        let content = Rect(x: inner.x + 1, y: inner.y, width: max(0, inner.width - 2), height: max(0, inner.height))
        // The panel is drawn at the height it needs (at least the screen's), the same in both of
        // OverflowScroll's drawings, so that what does not fit is scrolled to rather than cut.
        let height = contentHeight(width: content.width, screenHeight: content.height, capabilities: capabilities)
        // Taller than the screen, the panel's last row (what is being typed, the last message)
        // stays in view under the part that scrolls.
        let scrolls = height > content.height
        let (scrollArea, statusRow) = content.splitBottom(scrolls ? 1 : 0)
        var statusCells: [Cell] = []
        panelLayout = OverflowScroll.render(in: scrollArea, offset: panelScroll, into: &buffer) { buffer, area in
            var whole = CellBuffer(width: area.maxX, height: area.y + height)
            panel.render(into: &whole, area: Rect(x: area.x, y: area.y, width: area.width, height: height),
                         capabilities: capabilities)
            let scrolledRows = scrolls ? height - 1 : height
            for y in area.y..<min(buffer.height, area.y + scrolledRows) {
                for x in area.x..<area.maxX { buffer[x, y] = whole[x, y] }
            }
            statusCells = (area.x..<area.maxX).map { whole[$0, area.y + height - 1] }
        }
        for (offset, cell) in statusCells.enumerated() where !statusRow.isEmpty {
            buffer[statusRow.x + offset, statusRow.y] = cell
        }
        panelScroll = panelLayout.offset
        // The frame after the content: its footer says what the scrolling hides.
        Panel(title: title, footer: panelLayout.footer(down: "PgDn", up: "PgUp", glyphs: capabilities.glyphs))
            .render(in: body, into: &buffer, capabilities: capabilities)
        KeyHints(footerHints).render(in: footer, into: &buffer, capabilities: capabilities)
    }
}
