import Lessons
import TerminalUI

/// The playground from the home menu: a `PlaygroundPanel` in a titled frame, starting from a 6x6
/// grid with a bright square and the Sobel x kernel. Esc (or q) goes back.
public final class PlaygroundScreen: Screen {
    public let panel: PlaygroundPanel

    public init() {
        panel = PlaygroundPanel(spec: Self.defaultSpec)
    }

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

    public var keyHelp: [KeyHint] { panel.keyHelp + [KeyHint("Esc q", "back to the menu"), KeyHint("?", "this help")] }

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
        [KeyHint("f", "focus"), KeyHint("←↑↓→", "move"), KeyHint("0-9", "type"), KeyHint("?", "all keys"),
         KeyHint("Esc", "back"), KeyHint("p", "preset"), KeyHint("s d", "stride pad"), KeyHint("o r", "pool act"),
         KeyHint("i", "image")]
    }

    public func handle(_ event: KeyEvent) -> ScreenAction {
        if panel.handle(event) { return .none }
        switch event {
        case .escape, .character("q"): return .pop
        default: return .none
        }
    }

    public func render(into buffer: inout CellBuffer, area: Rect, capabilities: TerminalCapabilities) {
        let (body, footer) = area.splitBottom(1)
        let inner = Panel(title: title).render(in: body, into: &buffer, capabilities: capabilities)
        let content = Rect(x: inner.x + 1, y: inner.y, width: inner.width - 2, height: inner.height)
        panel.render(into: &buffer, area: content, capabilities: capabilities)
        KeyHints(footerHints).render(in: footer, into: &buffer, capabilities: capabilities)
    }
}
