import Lessons
import TerminalUI

// How the lesson player draws: the header with the strip of steps, the text beside the panel, the
// summary at the end, and the footer of keys.

extension LessonPlayerScreen {
    /// The widest the text of a step is set, so that lines stay readable on a wide terminal.
    static let maximumTextWidth = 88

    public func render(into buffer: inout CellBuffer, area: Rect, capabilities: TerminalCapabilities) {
        guard !area.isEmpty else { return }
        let (header, rest) = area.splitTop(2)
        var (body, footer) = rest.splitBottom(1)
        // A failed save is said where the learner is, on a status line above the keys, until a save works.
        if let saveProblem, body.height > 2 {
            let (above, status) = body.splitBottom(1)
            body = above
            let mono = capabilities.colors == .monochrome
            buffer.write(capabilities.glyphs.glyphs.truncated(saveProblem, toWidth: status.width), x: status.x, y: status.y,
                         style: mono ? Style(attributes: [.bold, .reverse]) : Style(foreground: .red, attributes: .bold),
                         clip: status)
        }
        renderHeader(in: header, into: &buffer, capabilities: capabilities)
        if showingSummary {
            renderSummary(in: body, into: &buffer, capabilities: capabilities)
        } else {
            renderStep(in: body, into: &buffer, capabilities: capabilities)
        }
        KeyHints(keyHelp).render(in: footer, into: &buffer, capabilities: capabilities)
    }

    /// "Title ... step 3 of 9" and the strip of steps: done, current, still to do.
    private func renderHeader(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        guard !area.isEmpty else { return }
        let glyphs = capabilities.glyphs.glyphs
        let mono = capabilities.colors == .monochrome
        let count = lesson.steps.count
        let position = showingSummary ? (finished ? "complete" : "end") : "step \(stepIndex + 1) of \(count)"
        let titleWidth = max(0, area.width - position.count - 2)
        buffer.write(glyphs.truncated(lesson.title, toWidth: titleWidth), x: area.x, y: area.y,
                     style: mono ? .bold : Style(foreground: .indexed(39), attributes: .bold), clip: area)
        buffer.write(position, x: area.maxX - position.count, y: area.y, style: .bold, clip: area)
        guard area.height > 1 else { return }
        let unicode = capabilities.glyphs == .unicode
        let spacing = count * 2 <= area.width ? 1 : 0
        var x = area.x
        for index in 0..<count {
            let isCurrent = index == stepIndex && !showingSummary
            let isDone = completedSteps.contains(index)
            let mark: Character
            var style: Style
            if isCurrent {
                mark = unicode ? "▶" : ">"
                style = mono ? Style(attributes: [.bold, .reverse]) : Style(foreground: .cyan, attributes: .bold)
            } else if isDone {
                mark = unicode ? "●" : "*"
                style = mono ? .plain : Style(foreground: .green)
            } else {
                mark = unicode ? "○" : "."
                style = mono ? .dim : Style(foreground: .brightBlack)
            }
            if isCurrent && isDone && !mono { style.foreground = .green }
            x = buffer.write(String(mark), x: x, y: area.y + 1, style: style, clip: area) + spacing
        }
        let done = completedSteps.count
        buffer.write("  \(done) of \(count) done", x: x, y: area.y + 1, style: .dim, clip: area)
    }

    /// The step's text beside its panel; a step without a panel (or without text) takes the width.
    private func renderStep(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        guard !area.isEmpty else { return }
        guard let step = currentStep else {
            StyledText("This lesson has no steps.").render(in: area, into: &buffer, capabilities: capabilities)
            return
        }
        let stepTitle = step.title ?? "Step \(stepIndex + 1)"
        guard let panel else {
            renderText(step.text, title: stepTitle, in: area, centred: true, into: &buffer, capabilities: capabilities)
            return
        }
        var panelArea = area
        let hasText = step.text.contains { !$0.isWhitespace } && !textHidden
        if hasText {
            let textWidth = min(60, max(30, area.width * 2 / 5))
            let (left, right) = area.splitLeft(textWidth)
            renderText(step.text, title: stepTitle, in: left, centred: false, into: &buffer, capabilities: capabilities)
            panelArea = right
        } else {
            setTextLayout(lineCount: 0, height: 1)
        }
        let frameTitle = hasText ? Self.panelTitle(for: step.kind) : stepTitle
        // Content taller than the panel is scrolled with [ and ], and the frame says how much is hidden.
        let layout = OverflowScroll.render(in: Panel.inner(of: panelArea).inset(horizontally: 1), offset: panelScroll,
                                           into: &buffer) { buffer, area in
            panel.render(into: &buffer, area: area, capabilities: capabilities)
        }
        setPanelLayout(layout)
        let footer = panelUsesBrackets ? (layout.overflows ? "more below: t hides the text" : "")
            : layout.footer(down: "]", up: "[", glyphs: capabilities.glyphs)
        Panel(title: frameTitle, footer: footer, focused: true).render(in: panelArea, into: &buffer, capabilities: capabilities)
    }

    /// The heading of the panel side for each kind of step.
    static func panelTitle(for kind: StepKind) -> String {
        switch kind {
        case .text: "Text"
        case .conv: "Convolution"
        case .pool: "Pooling"
        case .activation: "Activation"
        case .pipeline: "Pipeline"
        case .quiz: "Quiz"
        case .playground: "Playground"
        case .image: "Image"
        case .train: "Training"
        }
    }

    /// The step's text in a titled panel, scrolled to `textScroll`.
    private func renderText(_ text: String, title: String, in area: Rect, centred: Bool, into buffer: inout CellBuffer,
                            capabilities: TerminalCapabilities) {
        let inner = Panel.inner(of: area)
        var textArea = inner.inset(horizontally: 1)
        if centred && textArea.width > Self.maximumTextWidth {
            textArea = Rect(x: textArea.x + (textArea.width - Self.maximumTextWidth) / 2, y: textArea.y,
                            width: Self.maximumTextWidth, height: textArea.height)
        }
        let styled = StyledText(text)
        let lineCount = styled.wrapped(width: textArea.width, glyphs: capabilities.glyphs).count
        setTextLayout(lineCount: lineCount, height: textArea.height)
        let more = maximumTextScroll > 0
            ? (textScroll < maximumTextScroll ? "PgDn more" : "PgUp back") : ""
        Panel(title: title, footer: more).render(in: area, into: &buffer, capabilities: capabilities)
        styled.render(in: textArea, into: &buffer, capabilities: capabilities, offset: textScroll)
    }

    /// What the end of the lesson shows: how many steps and exercises were completed, and which
    /// exercises are left (the lesson is finished only when none are).
    private func renderSummary(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        let panelTitle = finished ? "Lesson complete" : "End of the lesson"
        let inner = Panel(title: panelTitle, focused: true).render(in: area, into: &buffer, capabilities: capabilities)
        let count = lesson.steps.count
        let exercises = exerciseScore
        var text = "You reached the end of **\(Self.escapedMarkup(lesson.title))**.\n\n"
            + "Steps completed: **\(completedSteps.count) of \(count)**\n"
        if exercises.total > 0 {
            text += "Exercises done: **\(exercises.completed) of \(exercises.total)**\n"
        }
        if !predictionScores.isEmpty {
            let right = predictionScores.values.reduce(0) { $0 + $1.right }
            let total = predictionScores.values.reduce(0) { $0 + $1.total }
            text += "Output cells predicted right: **\(right) of \(total)**\n"
        }
        // Which exercises are left (by step and title), then the other steps not completed.
        var notes: [String] = []
        let left = exercisesLeft
        if !left.isEmpty {
            let list = left.map { index in
                "step \(index + 1)" + (lesson.steps[index].title.map { " (\(Self.escapedMarkup($0)))" } ?? "")
            }.joined(separator: ", ")
            notes.append("**Exercise\(left.count == 1 ? "" : "s") left:** \(list). The lesson counts as done once "
                + (left.count == 1 ? "it is" : "they are") + " completed.")
        }
        let open = (0..<count).filter { !completedSteps.contains($0) && !lesson.steps[$0].isExercise }
        if !open.isEmpty {
            let list = open.map { String($0 + 1) }.joined(separator: ", ")
            notes.append("\(left.isEmpty ? "Not completed yet" : "Also not completed"): step\(open.count == 1 ? "" : "s") \(list).")
        }
        if !notes.isEmpty {
            notes[notes.count - 1] += " **Shift-Tab** goes back through the steps."
            text += "\n" + notes.joined(separator: "\n") + "\n"
        }
        text += "\nPress **Enter** to go back to the lessons."
        let width = min(Self.maximumTextWidth, inner.width - 4)
        let leftEdge = inner.x + max(2, (inner.width - width) / 2)
        StyledText(text).render(in: Rect(x: leftEdge, y: inner.y + 1, width: width, height: inner.height - 1),
                                into: &buffer, capabilities: capabilities)
    }

    /// `text` with StyledText's markup characters escaped.
    static func escapedMarkup(_ text: String) -> String { WindowStepper.escapedMarkup(text) }
}

extension Rect {
    /// The rectangle shrunk by `amount` on the left and the right.
    fileprivate func inset(horizontally amount: Int) -> Rect {
        Rect(x: x + amount, y: y, width: width - 2 * amount, height: height)
    }
}
