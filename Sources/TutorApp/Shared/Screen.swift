import TerminalUI

/// What a screen asks the app to do after handling a key.
public enum ScreenAction {
    case none
    /// Open another screen on top of this one (Esc comes back).
    case push(any Screen)
    /// Close this screen and go back to the one below.
    case pop
    /// Leave the program.
    case quit
}

/// One screen of the tutor, as model / update / view: it keeps its own state, changes it in
/// `handle` and `tick`, and draws it in `render`. Screens never touch the terminal.
public protocol Screen: AnyObject {
    /// The title in the help overlay and the header.
    var title: String { get }
    /// Keys and what they do, for the help overlay and the footer.
    var keyHelp: [KeyHint] { get }
    /// A paragraph or two for the help overlay (`**bold**` and `` `code` `` spans).
    var helpText: String { get }
    /// True while something moves: the app then ticks and redraws 30 times a second; otherwise it
    /// waits for a key and uses no CPU.
    var isAnimating: Bool { get }
    /// Updates the screen for a key. The app handles `?`, the help overlay and resizes itself.
    func handle(_ event: KeyEvent) -> ScreenAction
    /// Advances animations to `time` (seconds, monotonic).
    func tick(time: Double)
    /// Draws the screen into `area` of `buffer`.
    func render(into buffer: inout CellBuffer, area: Rect, capabilities: TerminalCapabilities)
}

extension Screen {
    public var isAnimating: Bool { false }
    public func tick(time: Double) {}
}
