/// Where frames go and keys come from. `CursesBackend` is the real terminal; `InMemoryBackend`
/// is a terminal made of a cell buffer, for tests.
public protocol TerminalBackend: AnyObject {
    /// The current size in cells.
    var size: (width: Int, height: Int) { get }
    var capabilities: TerminalCapabilities { get }
    /// Draws the changed cells and shows the result.
    func draw(_ changes: [CellChange])
    /// Forgets what is on the screen, so that the next frame is drawn in full (after a resize or a
    /// suspend).
    func invalidate()
    /// The next event, waiting at most `timeout` seconds (nil waits until one comes); nil when none
    /// came in time or the input is closed.
    func nextEvent(timeout: Double?) -> KeyEvent?
    /// True once standard input has closed: the loop should end.
    var inputClosed: Bool { get }
}

/// A terminal in memory: frames land in `screen`, keys come from `pendingEvents`.
public final class InMemoryBackend: TerminalBackend {
    public private(set) var screen: CellBuffer
    public var capabilities: TerminalCapabilities
    public var pendingEvents: [KeyEvent] = []
    public private(set) var drawCount = 0
    public private(set) var lastChangeCount = 0
    public var inputClosed: Bool { pendingEvents.isEmpty && closesWhenEmpty }
    /// When true, `nextEvent` reports a closed input once the pending events run out.
    public var closesWhenEmpty = true

    public init(width: Int, height: Int, capabilities: TerminalCapabilities = .full) {
        screen = CellBuffer(width: width, height: height)
        self.capabilities = capabilities
    }

    public var size: (width: Int, height: Int) { (screen.width, screen.height) }

    /// Changes the size, as a resize of the terminal window would, and queues `.resize`.
    public func resize(width: Int, height: Int) {
        screen = CellBuffer(width: width, height: height)
        pendingEvents.append(.resize)
    }

    public func draw(_ changes: [CellChange]) {
        drawCount += 1
        lastChangeCount = changes.count
        for change in changes { screen[change.x, change.y] = change.cell }
    }

    public func invalidate() {}

    public func nextEvent(timeout: Double?) -> KeyEvent? {
        pendingEvents.isEmpty ? nil : pendingEvents.removeFirst()
    }
}
