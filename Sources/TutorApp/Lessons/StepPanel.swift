import TerminalUI

/// An interactive part that lives inside another screen: the lesson player embeds the playground
/// and the training panels in a step, and the playground screen wraps the same panel.
public protocol StepPanel: AnyObject {
    /// Keys the panel understands, for the footer and the help overlay.
    var keyHelp: [KeyHint] { get }
    /// True while something moves (a training run, autoplay): the app then ticks 30 times a second.
    var isAnimating: Bool { get }
    /// Handles a key; returns false when the panel does not use it (the host then may).
    func handle(_ event: KeyEvent) -> Bool
    /// Advances animations or polls background work.
    func tick(time: Double)
    func render(into buffer: inout CellBuffer, area: Rect, capabilities: TerminalCapabilities)
    /// True once the learner has done what the step asks (answered the quiz, predicted every cell);
    /// the player records the step as completed then. Panels with nothing to answer return true.
    var isComplete: Bool { get }
    /// Stops background work (the host is closing).
    func stop()
}

extension StepPanel {
    public var isAnimating: Bool { false }
    public var isComplete: Bool { true }
    public func tick(time: Double) {}
    public func stop() {}
}
