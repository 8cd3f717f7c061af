import TerminalUI

/// The interactive tutor: a stack of screens on a terminal backend, the help overlay, the
/// too-small message, and the loop that reads keys and draws only what changed.
public final class TutorApp {
    /// The smallest terminal the screens are laid out for.
    public static let minimumSize = (width: 80, height: 24)
    /// Frames per second while something moves.
    public static let framesPerSecond = 30.0

    public private(set) var stack: [any Screen]
    public private(set) var showingHelp = false
    private var helpScroll = 0
    private let backend: any TerminalBackend
    private var previousFrame: CellBuffer?
    private let clock: () -> Double
    /// Asked once per loop turn: true when a signal (SIGINT, SIGTERM, SIGHUP) asks the program to end.
    private let shouldClose: () -> Bool

    public init(root: any Screen, backend: any TerminalBackend, clock: @escaping () -> Double = { 0 },
                shouldClose: @escaping () -> Bool = { false }) {
        stack = [root]
        self.backend = backend
        self.clock = clock
        self.shouldClose = shouldClose
    }

    public var topScreen: any Screen { stack[stack.count - 1] }

    /// Opens `screen` on top, as if the screen below had pushed it (`convtutor lesson ID` starts in
    /// the player with the list and home below it, so Esc goes back through them).
    public func push(_ screen: any Screen) {
        stack.append(screen)
    }

    /// Runs until the user quits, the input closes or a signal arrives.
    public func run() {
        drawFrame()
        while !stack.isEmpty {
            if shouldClose() { return }
            let animating = !showingHelp && topScreen.isAnimating
            let event = backend.nextEvent(timeout: animating ? 1 / Self.framesPerSecond : nil)
            if shouldClose() { return }
            if let event {
                guard handle(event) else { return }
            } else if backend.inputClosed {
                return
            }
            if animating { topScreen.tick(time: clock()) }
            drawFrame()
        }
    }

    /// Handles one event; false when the program should end.
    @discardableResult
    public func handle(_ event: KeyEvent) -> Bool {
        switch event {
        case .resize:
            previousFrame = nil
            backend.invalidate()
            return true
        case .control("c"):
            return false
        default:
            break
        }
        if isTooSmall {
            // Only quitting makes sense until the terminal is big enough.
            if event == .character("q") { return false }
            return true
        }
        if showingHelp {
            switch event {
            case .escape, .character("?"), .character("q"), .enter: showingHelp = false
            case .down, .character("j"): helpScroll += 1
            case .up, .character("k"): helpScroll = max(0, helpScroll - 1)
            default: break
            }
            return true
        }
        if event == .character("?") || event == .function(1) {
            showingHelp = true
            helpScroll = 0
            return true
        }
        switch topScreen.handle(event) {
        case .none:
            return true
        case .push(let screen):
            stack.append(screen)
            return true
        case .pop:
            stack.removeLast()
            return !stack.isEmpty
        case .quit:
            return false
        }
    }

    private var isTooSmall: Bool {
        let size = backend.size
        return size.width < Self.minimumSize.width || size.height < Self.minimumSize.height
    }

    /// Builds the frame for the current state and size (without drawing it).
    public func frame() -> CellBuffer {
        let size = backend.size
        var buffer = CellBuffer(width: size.width, height: size.height)
        let capabilities = backend.capabilities
        if isTooSmall {
            TooSmallMessage.render(into: &buffer, size: size, minimum: Self.minimumSize)
            return buffer
        }
        topScreen.render(into: &buffer, area: buffer.area, capabilities: capabilities)
        if showingHelp {
            let overlay = HelpOverlay(title: "\(topScreen.title): keys", entries: topScreen.keyHelp,
                                      text: StyledText(topScreen.helpText))
            let maximumScroll = overlay.render(in: buffer.area, into: &buffer, capabilities: capabilities, offset: helpScroll)
            helpScroll = min(helpScroll, maximumScroll)
        }
        return buffer
    }

    /// Draws the current frame: only the cells that changed since the last one.
    public func drawFrame() {
        let next = frame()
        backend.draw(next.changes(since: previousFrame))
        previousFrame = next
    }
}

/// "The terminal is 60x20; ConvTutor needs at least 80x24", centred.
enum TooSmallMessage {
    static func render(into buffer: inout CellBuffer, size: (width: Int, height: Int), minimum: (width: Int, height: Int)) {
        let lines = [
            "This terminal is \(size.width)x\(size.height).",
            "ConvTutor needs at least \(minimum.width)x\(minimum.height).",
            "Enlarge the window, or press q to quit.",
        ]
        let top = max(0, (size.height - lines.count) / 2)
        for (offset, line) in lines.enumerated() {
            // Cut to the width rather than wrapping: at 1x1 one character is all there is.
            let x = max(0, (size.width - line.count) / 2)
            buffer.write(line, x: x, y: top + offset, style: offset == 0 ? .bold : .plain)
        }
    }
}
