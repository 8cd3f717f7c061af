import Lessons
import TerminalUI

/// One lesson, step by step: the step's text on the left, its interactive panel on the right (a
/// text step takes the whole width), a header with the lesson's title and a strip of its steps, and
/// the keys in the footer. After the last step, a summary of what was completed.
///
/// Tab goes to the next step and Shift-Tab back; Esc returns to the list. Every other key goes to
/// the step's panel first; Enter that the panel does not use moves on once the step is complete
/// (a quiz answered, every cell predicted), as on a text step. The player
/// opens at the saved step (a finished lesson saved at its last step opens at the start again).
/// Progress (the step to resume at, the steps completed, whether the lesson is finished) is handed to
/// `record` whenever it changes.
///
/// A lesson is finished when the learner has reached its end with every exercise (quiz, predict-mode
/// step) completed; reaching the end with exercises left shows which are left, and completing the
/// last of them afterwards finishes the lesson.
public final class LessonPlayerScreen: Screen {
    public let lesson: Lesson
    private let record: (LessonProgress) -> Void
    /// The folder of the lesson file (for the paths a step names), nil when the lesson has no file.
    let lessonFolder: String?

    /// The step shown (0-based).
    public private(set) var stepIndex: Int
    /// Steps completed (0-based): read, or their exercise done.
    public private(set) var completedSteps: Set<Int>
    /// True once the learner has gone past the last step with every exercise completed.
    public private(set) var finished: Bool
    /// True once the learner has gone past the last step in this visit (exercises done or not).
    public private(set) var reachedEnd = false
    /// True while the "lesson complete" summary is shown.
    public private(set) var showingSummary = false
    /// The current step's panel (nil for a text step).
    public private(set) var panel: (any StepPanel)?
    /// True when the panel had something left to do when the step opened: it counts as completed
    /// as soon as it is done.
    private var panelStartedIncomplete = false
    /// Per predict-mode step finished in this visit: output cells predicted right, and cells.
    public private(set) var predictionScores: [Int: (right: Int, total: Int)] = [:]
    /// The first text line shown, and the most it may be (known after a frame is drawn).
    private(set) var textScroll = 0
    private(set) var maximumTextScroll = 0
    private let saveError: () -> String?
    /// Why the last progress save failed, or until the first save why saved progress could not be
    /// loaded (shown on the status line), or nil.
    public private(set) var saveProblem: String?
    /// The text area's height in the last frame, for PageUp and PageDown.
    private var textPageHeight = 10
    /// The first row of the panel's content shown, and how the content fitted in the last frame.
    private(set) var panelScroll = 0
    private(set) var panelLayout = OverflowScroll()

    /// - Parameter saveError: asked after each `record`: why the last save failed, or nil when it
    ///   worked; the player shows it on its status line.
    /// - Parameter loadWarning: why saved progress could not be loaded, shown on the same line until
    ///   the first save (so `convtutor lesson ID`, which skips the list, still says it).
    public init(lesson: Lesson, progress: LessonProgress?, record: @escaping (LessonProgress) -> Void,
                saveError: @escaping () -> String? = { nil }, loadWarning: String? = nil) {
        self.lesson = lesson
        self.record = record
        self.saveError = saveError
        saveProblem = loadWarning
        lessonFolder = Self.folder(of: lesson.file)
        let steps = lesson.steps.count
        // A finished lesson saved at its last step has nothing left to resume: it opens at the start.
        let saved = max(0, min(progress?.currentStep ?? 0, steps - 1))
        let completed = (progress?.completedSteps ?? []).filter { $0 >= 0 && $0 < steps }
        completedSteps = completed
        // A file marked finished with exercises left (written before exercises counted, or the lesson
        // gained one) is not finished.
        finished = progress?.finished == true
            && lesson.steps.indices.allSatisfy { !lesson.steps[$0].isExercise || completed.contains($0) }
        stepIndex = finished && saved == steps - 1 ? 0 : saved
        openStep()
    }

    /// The folder part of a file path ("lessons" for "lessons/03-convolution.toml").
    static func folder(of file: String) -> String? {
        guard !file.isEmpty else { return nil }
        guard let slash = file.lastIndex(of: "/") else { return "." }
        return slash == file.startIndex ? "/" : String(file[..<slash])
    }

    /// The progress as it stands.
    public var progress: LessonProgress {
        LessonProgress(currentStep: stepIndex, completedSteps: completedSteps, finished: finished)
    }

    /// The step shown, if the lesson has any.
    public var currentStep: LessonStep? {
        lesson.steps.indices.contains(stepIndex) ? lesson.steps[stepIndex] : nil
    }

    /// How many of the lesson's exercises (quizzes, predict-mode steps) are completed, and how many there are.
    public var exerciseScore: (completed: Int, total: Int) {
        let exercises = lesson.steps.indices.filter { lesson.steps[$0].isExercise }
        return (exercises.filter { completedSteps.contains($0) }.count, exercises.count)
    }

    /// True when Enter moves to the next step: a text step, or a step whose panel is complete (the
    /// panel had its chance at the key first).
    private var enterMovesOn: Bool { panel?.isComplete ?? true }

    /// The exercise steps (0-based) not completed yet.
    public var exercisesLeft: [Int] {
        lesson.steps.indices.filter { lesson.steps[$0].isExercise && !completedSteps.contains($0) }
    }

    // MARK: Screen

    public var title: String { lesson.title }

    public var keyHelp: [KeyHint] {
        if showingSummary {
            return [KeyHint("Enter", "back to the lessons"), KeyHint("Shift-Tab", "last step"), KeyHint("?", "help")]
        }
        var hints = panel?.keyHelp ?? []
        if panel == nil {
            hints.append(KeyHint("→ Enter", "next step"))
        } else if enterMovesOn && !hints.contains(where: { $0.key.contains("Enter") }) {
            hints.append(KeyHint("Enter", "next step"))
        }
        hints += [KeyHint("Tab", "next step"), KeyHint("Esc", "lessons"), KeyHint("Shift-Tab", "previous step")]
        if maximumTextScroll > 0 && !textHidden { hints.append(KeyHint("PgUp PgDn", "scroll text")) }
        if panelLayout.overflows && !panelUsesBrackets { hints.append(KeyHint("[ ]", "scroll the panel")) }
        if panel != nil && stepHasText { hints.append(KeyHint("t", textHidden ? "show the text" : "hide the text")) }
        hints.append(KeyHint("?", "help"))
        return hints
    }

    public var helpText: String {
        "Read the step on the left and work through the grids on the right. **Tab** goes to the next step and "
            + "**Shift-Tab** back; **Esc** returns to the list of lessons, and your place is kept.\n\n"
            + "In a convolution or pooling step, **→** or **Space** shows the next window, **←** the previous one, "
            + "**Enter** jumps to the end and **a** plays the windows by themselves. When a step asks you to "
            + "predict, type the value of the highlighted output cell (digits, `-`, `.`) and press **Enter**: "
            + "after a second miss the value is shown with its arithmetic.\n\n"
            + "**PageUp** and **PageDown** scroll a long text; **t** hides it, so the grids get the whole width "
            + "(on a small terminal), and shows it again. When the grids need more rows than the panel has, its "
            + "frame says how many more there are and **]** and **[** scroll it."
    }

    /// True while the learner has hidden the step's text (`t`) to give the panel the whole width.
    public internal(set) var textHidden = false

    /// True when the current step has text to show beside its panel.
    var stepHasText: Bool { currentStep?.text.contains { !$0.isWhitespace } ?? false }

    public var isAnimating: Bool { !showingSummary && panel?.isAnimating == true }

    public func tick(time: Double) {
        guard !showingSummary else { return }
        panel?.tick(time: time)
        noteCompletion()
    }

    public func handle(_ event: KeyEvent) -> ScreenAction {
        if showingSummary {
            switch event {
            case .enter, .escape, .character("q"): return leave()
            case .backTab, .left:
                showingSummary = false
                openStep()
                save()
            default: break
            }
            return .none
        }
        switch event {
        case .escape:
            return leave()
        case .tab:
            nextStep()
            return .none
        case .backTab:
            previousStep()
            return .none
        default:
            break
        }
        if let panel, panel.handle(event) {
            noteCompletion()
            return .none
        }
        switch event {
        case .pageDown, .character("J"): scrollText(by: max(1, textPageHeight - 1))
        case .pageUp, .character("K"): scrollText(by: -max(1, textPageHeight - 1))
        case .down, .character("j"): scrollText(by: 1)
        case .up, .character("k"): scrollText(by: -1)
        case .enter: if enterMovesOn { nextStep() }
        case .character("t"): if panel != nil && stepHasText { textHidden.toggle() }
        case .character("]"): scrollPanel(by: max(1, panelLayout.visibleHeight / 2))
        case .character("["): scrollPanel(by: -max(1, panelLayout.visibleHeight / 2))
        case .right, .character(" "): if panel == nil { nextStep() }
        case .left: if panel == nil { previousStep() }
        default: break
        }
        return .none
    }

    // MARK: Moving between steps

    private func leave() -> ScreenAction {
        panel?.stop()
        save()
        return .pop
    }

    private func nextStep() {
        if panel?.isComplete ?? true, currentStep != nil { completedSteps.insert(stepIndex) }
        if stepIndex >= lesson.steps.count - 1 {
            panel?.stop()
            panel = nil
            reachedEnd = true
            finished = finished || exercisesLeft.isEmpty
            showingSummary = true
        } else {
            stepIndex += 1
            openStep()
        }
        save()
    }

    private func previousStep() {
        guard stepIndex > 0 else { return }
        stepIndex -= 1
        openStep()
        save()
    }

    /// Makes the current step's panel afresh (stopping the previous one).
    private func openStep() {
        panel?.stop()
        panel = currentStep.flatMap { StepPanelFactory.makePanel(for: $0, lessonFolder: lessonFolder) }
        panelStartedIncomplete = panel.map { !$0.isComplete } ?? false
        textScroll = 0
        maximumTextScroll = 0
        panelScroll = 0
        panelLayout = OverflowScroll()
    }

    /// Records the step as completed once its panel is done (and a prediction step's score).
    private func noteCompletion() {
        if let panel, panel.isComplete {
            if let conv = panel as? ConvStepPanel, conv.trace.spec.predict {
                predictionScores[stepIndex] = conv.predictionScore
            } else if let pool = panel as? PoolStepPanel, pool.trace.spec.predict {
                predictionScores[stepIndex] = pool.predictionScore
            }
        }
        guard let panel, panelStartedIncomplete, panel.isComplete, !completedSteps.contains(stepIndex) else { return }
        completedSteps.insert(stepIndex)
        // The last exercise done after the end was reached finishes the lesson.
        if reachedEnd && exercisesLeft.isEmpty { finished = true }
        save()
    }

    private func save() {
        record(progress)
        saveProblem = saveError()
    }

    /// Keeps the text's scrolling within what the last frame showed.
    func setTextLayout(lineCount: Int, height: Int) {
        textPageHeight = max(1, height)
        maximumTextScroll = max(0, lineCount - max(1, height))
        textScroll = min(textScroll, maximumTextScroll)
    }

    /// True when the panel takes `[` and `]` itself (the playground resizes its input with them):
    /// they reach the panel first, so the player does not offer them for scrolling.
    var panelUsesBrackets: Bool {
        panel?.keyHelp.contains { $0.key.contains("[") || $0.key.contains("]") } ?? false
    }

    /// Keeps the panel's scrolling within what the last frame showed.
    func setPanelLayout(_ layout: OverflowScroll) {
        panelLayout = layout
        panelScroll = layout.offset
    }

    private func scrollPanel(by rows: Int) {
        panelScroll = max(0, min(panelLayout.maximumOffset, panelScroll + rows))
    }

    private func scrollText(by lines: Int) {
        textScroll = max(0, min(maximumTextScroll, textScroll + lines))
    }
}
