import TerminalUI

/// A step panel that only shows text: a broken step's error, or a step kind this version cannot
/// show yet. It has nothing to answer, so it never holds the learner back.
public final class TextPanel: StepPanel {
    public let heading: String
    /// `**bold**` and `` `code` `` spans.
    public let text: String
    /// Drawn as a problem (red in colour) rather than as plain information.
    public let isError: Bool

    public init(heading: String, text: String, isError: Bool = false) {
        self.heading = heading
        self.text = text
        self.isError = isError
    }

    /// The panel a step whose computation failed shows instead of its grids.
    public static func error(_ message: String) -> TextPanel {
        TextPanel(heading: "This step cannot be shown", text: message, isError: true)
    }

    public var keyHelp: [KeyHint] { [] }

    public func handle(_ event: KeyEvent) -> Bool { false }

    public func render(into buffer: inout CellBuffer, area: Rect, capabilities: TerminalCapabilities) {
        guard !area.isEmpty else { return }
        buffer.fill(area)
        let style: Style = isError && capabilities.colors != .monochrome ? Style(foreground: .red, attributes: .bold) : .bold
        buffer.write(capabilities.glyphs.glyphs.truncated(heading, toWidth: area.width), x: area.x, y: area.y,
                     style: style, clip: area)
        StyledText(text).render(in: Rect(x: area.x, y: area.y + 2, width: area.width, height: area.height - 2),
                                into: &buffer, capabilities: capabilities)
    }
}
