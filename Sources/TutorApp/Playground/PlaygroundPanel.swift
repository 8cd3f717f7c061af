import ConvKernels
import Lessons
import TerminalUI

/// The playground: an input grid and a kernel the learner edits cell by cell, controls for every
/// setting of the convolution (preset, stride, padding and its mode, the output-size convention,
/// dilation, bias, activation, pooling after it), and the output with its size formula, recomputed
/// by the stepper (`ConvTrace(spec:)`, `PoolTrace(spec:)`, so through the shared kernels) after
/// every change. The input can also be a built-in sample image, drawn as a heatmap.
///
/// A setting the kernels refuse (a kernel larger than the padded input, a size CS231n's rule calls
/// invalid, ...) shows the error's message where the output would be; nothing of the previous
/// output stays on screen as if it were current.
///
/// The lesson player embeds it for `kind = "playground"` steps; `PlaygroundScreen` wraps it for the
/// home menu. Tab, Shift-Tab and Esc are never used (the hosts keep them).
public final class PlaygroundPanel: StepPanel {
    /// The part the arrows and typing act on.
    public enum Focus: CaseIterable, Sendable {
        case input, kernel, controls
    }

    /// A cell of a grid, 0-based.
    public struct Cursor: Hashable, Sendable {
        public var row: Int
        public var column: Int

        public init(row: Int, column: Int) {
            self.row = row
            self.column = column
        }
    }

    /// What the current settings compute.
    public enum Outcome: Sendable {
        /// The convolution (and the pooling after it, when one is chosen), traced.
        case valid(ConvTrace, pool: PoolTrace?)
        /// The settings are not a valid convolution or pooling: the stepper's error.
        case invalid(LessonError)
    }

    /// Everything an undo restores.
    struct State: Hashable {
        var spec: PlaygroundSpec
        /// The grid the learner edits; kept while a sample image stands in for it.
        var grid: GridStack
        /// The sample image used as input, or nil for the grid.
        var sampleImage: String?
    }

    /// The smallest and largest input and kernel grids the size keys make.
    public static let inputSizes = 3...12
    public static let kernelSizes = 1...7

    /// The settings the panel started with (`x` goes back to them).
    public let startSpec: PlaygroundSpec
    var state: State {
        didSet {
            outcome = precomputedOutcome ?? Self.compute(state.spec)
            precomputedOutcome = nil
        }
    }
    /// The outcome `change` already computed for the state it is about to set.
    private var precomputedOutcome: Outcome?
    public private(set) var outcome: Outcome
    public private(set) var focus: Focus = .input
    public private(set) var inputCursor = Cursor(row: 0, column: 0)
    public private(set) var kernelCursor = Cursor(row: 0, column: 0)
    /// The control the arrows change while the controls have the focus.
    public private(set) var selectedControl: Control = .preset
    /// The number being typed into the cursor's cell, before Enter or a move commits it.
    public private(set) var typedText: String?
    /// A value being typed for the selected numeric control (bias, stride, padding, dilation,
    /// pool window), set with Enter.
    public internal(set) var controlEntry: String?
    /// One line about the last thing done (a setting changed, a typed value refused); cleared by the next key.
    public internal(set) var message: String?
    var undoStack: [State] = []
    /// The heatmaps the last frame drew and their boxes, so that tests can hold each "drawn at"
    /// label to the map drawn.
    var drawnHeatmaps: [(map: Heatmap, box: Rect)] = []
    /// The fewest rows a heatmap is shrunk to before the panel stops shrinking and reports that
    /// it needs more rows (`neededHeight`): 3 where the host cannot scroll, more where it can.
    public var minimumHeatmapRows = 3
    /// The rows the last frame needed to show everything at its width (more than it had when
    /// something did not fit).
    public internal(set) var neededHeight = 0
    static let undoLimit = 200

    public init(spec: PlaygroundSpec) {
        // A one-channel preset on a multi-channel input stands for one copy per channel (as the
        // stepper reads it); written out, each copy can be edited.
        var spec = spec
        if !spec.start.depthwise {
            spec.start.kernels = spec.start.kernels.map { kernel in
                guard kernel.presetName != nil, kernel.channelCount == 1, spec.start.input.channelCount > 1 else {
                    return kernel
                }
                return GridStack(channels: Array(repeating: kernel.channels[0], count: spec.start.input.channelCount),
                                 presetName: kernel.presetName)
            }
        }
        startSpec = spec
        state = State(spec: spec, grid: spec.start.input, sampleImage: nil)
        outcome = Self.compute(spec)
    }

    /// The current settings: the input (grid or sample image), kernel and every control.
    public var spec: PlaygroundSpec { state.spec }
    /// The sample image used as input, or nil when the input is the editable grid.
    public var sampleImage: String? { state.sampleImage }

    // MARK: Computing

    /// The convolution of `spec` and the pooling after it, or the first error.
    public static func compute(_ spec: PlaygroundSpec) -> Outcome {
        do {
            let conv = try ConvTrace(spec: spec.start)
            guard let kind = spec.pool else { return .valid(conv, pool: nil) }
            let pool = try PoolTrace(spec: PoolSpec(input: conv.output, kind: kind, size: spec.poolSize))
            return .valid(conv, pool: pool)
        } catch {
            return .invalid(error)
        }
    }

    /// The values shown as the result: the pooled output when there is pooling, else the convolution's.
    public var finalOutput: GridStack? {
        guard case .valid(let conv, let pool) = outcome else { return nil }
        return pool?.output ?? conv.output
    }

    /// The error shown in place of the output, if the settings are invalid.
    public var errorMessage: String? {
        guard case .invalid(let error) = outcome else { return nil }
        return Self.text(of: error)
    }

    /// A `LessonError` as the panel shows it: the field it concerns, then the message, with the
    /// stepper's advice for lesson files (`use convention = "pytorch"`) said as the key to press.
    static func text(of error: LessonError) -> String {
        var message = error.message
        for rule in ["pytorch", "tensorflow", "cs231n"] {
            message = message.replacingOccurrences(of: "convention = \"\(rule)\"", with: "the \(rule) size rule (c cycles it)")
        }
        guard let field = error.field, !field.isEmpty else { return message }
        return "\(field == "convention" ? "size rule" : field): \(message)"
    }

    // MARK: Changing the state

    /// Changes the state, keeping the old one for undo (nothing is kept when nothing changed).
    ///
    /// A change whose computation is over the budget (valid settings, but too costly to compute or
    /// record) is refused: the previous settings stay and `message` says why, with the estimate.
    ///
    /// - Returns: false when the change was refused.
    @discardableResult
    func change(_ body: (inout State) -> Void) -> Bool {
        var next = state
        body(&next)
        guard next != state else { return true }
        let nextOutcome = Self.compute(next.spec)
        if case .invalid(let error) = nextOutcome, error.isOverBudget {
            message = "Refused, the previous setting is kept: \(Self.text(of: error))"
            return false
        }
        precomputedOutcome = nextOutcome
        undoStack.append(state)
        if undoStack.count > Self.undoLimit { undoStack.removeFirst(undoStack.count - Self.undoLimit) }
        state = next
        clampCursors()
        return true
    }

    func undo() {
        guard let previous = undoStack.popLast() else {
            message = "Nothing to undo."
            return
        }
        state = previous
        clampCursors()
        message = "Undone."
    }

    func reset() {
        change { $0 = State(spec: startSpec, grid: startSpec.start.input, sampleImage: nil) }
        message = "Back to the starting values (u undoes)."
    }

    /// Whether the input is a grid the learner can edit (not a sample image).
    var inputIsEditable: Bool { state.sampleImage == nil }

    /// The grid shown for `focus` (channel 0 of the input, or of the first filter).
    func grid(for focus: Focus) -> [[Float]] {
        switch focus {
        case .input: state.spec.start.input.channels[0]
        case .kernel: state.spec.start.kernels.first?.channels[0] ?? [[0]]
        case .controls: []
        }
    }

    func cursor(for focus: Focus) -> Cursor {
        focus == .kernel ? kernelCursor : inputCursor
    }

    /// Sets one cell of the input grid or of the kernel.
    func setCell(_ focus: Focus, _ cursor: Cursor, to value: Float) {
        change { state in
            switch focus {
            case .input:
                guard state.sampleImage == nil else { return }
                state.grid.channels[0][cursor.row][cursor.column] = value
                state.spec.start.input = state.grid
            case .kernel:
                guard !state.spec.start.kernels.isEmpty else { return }
                state.spec.start.kernels[0].channels[0][cursor.row][cursor.column] = value
                state.spec.start.kernels[0].presetName = nil
            case .controls:
                break
            }
        }
    }

    private func clampCursors() {
        let input = grid(for: .input), kernel = grid(for: .kernel)
        inputCursor = Cursor(row: min(inputCursor.row, max(0, input.count - 1)),
                             column: min(inputCursor.column, max(0, (input.first?.count ?? 1) - 1)))
        kernelCursor = Cursor(row: min(kernelCursor.row, max(0, kernel.count - 1)),
                              column: min(kernelCursor.column, max(0, (kernel.first?.count ?? 1) - 1)))
        if focus == .input && !inputIsEditable { focus = .kernel }
    }

    // MARK: Keys

    public func handle(_ event: KeyEvent) -> Bool {
        message = nil
        if focus == .controls, let handled = handleControlEntry(event) { return handled }
        // Typing first: digits, the decimal point, and the sign while a number is being typed.
        if case .character(let character) = event, focus != .controls {
            if character.isASCII && character.isNumber || character == "." {
                type(character)
                return true
            }
            if character == "-" && typedText != nil {
                toggleTypedSign()
                return true
            }
        }
        switch event {
        case .enter:
            if typedText != nil {
                commitTyping()
            } else if focus == .controls {
                adjust(selectedControl, by: 1)
            } else {
                return false
            }
            return true
        case .backspace:
            guard focus != .controls else { return false }
            backspace()
            return true
        case .up, .down, .left, .right, .home, .end:
            commitTyping()
            move(event)
            return true
        default:
            break
        }
        guard case .character(let character) = event else {
            if event == .delete && focus != .controls {
                commitTyping()
                clearCell()
                return true
            }
            return false
        }
        if let command = Self.commands[character] {
            commitTyping()
            perform(command)
            return true
        }
        return false
    }

    /// What a letter (or sign) key does, whatever has the focus.
    enum Command: Hashable {
        case focusNext, focusPrevious
        case nudge(Float)
        case negate
        case undo, reset
        case adjust(Control, Int)
    }

    static let commands: [Character: Command] = [
        "f": .focusNext, "F": .focusPrevious,
        "+": .nudge(1), "=": .nudge(1), "-": .nudge(-1),
        "n": .negate, "u": .undo, "x": .reset,
        "p": .adjust(.preset, 1), "P": .adjust(.preset, -1),
        "s": .adjust(.stride, 1), "S": .adjust(.stride, -1),
        "d": .adjust(.padding, 1), "D": .adjust(.padding, -1),
        "m": .adjust(.paddingMode, 1), "M": .adjust(.paddingMode, -1),
        "c": .adjust(.convention, 1), "C": .adjust(.convention, -1),
        "l": .adjust(.dilation, 1), "L": .adjust(.dilation, -1),
        "b": .adjust(.bias, 1), "B": .adjust(.bias, -1),
        "r": .adjust(.activation, 1), "R": .adjust(.activation, -1),
        "o": .adjust(.pool, 1), "O": .adjust(.pool, -1),
        "w": .adjust(.poolSize, 1), "W": .adjust(.poolSize, -1),
        "i": .adjust(.input, 1), "I": .adjust(.input, -1),
        "]": .adjust(.inputSize, 1), "[": .adjust(.inputSize, -1),
        "}": .adjust(.kernelSize, 1), "{": .adjust(.kernelSize, -1),
    ]

    private func perform(_ command: Command) {
        switch command {
        case .focusNext: moveFocus(by: 1)
        case .focusPrevious: moveFocus(by: -1)
        case .nudge(let amount):
            if focus == .controls {
                adjust(selectedControl, by: amount > 0 ? 1 : -1)
            } else {
                nudge(by: amount)
            }
        case .negate:
            guard focus != .controls else { return }
            editCell { -$0 }
        case .undo: undo()
        case .reset: reset()
        case .adjust(let control, let step): adjust(control, by: step)
        }
    }

    private func moveFocus(by step: Int) {
        let order = Focus.allCases.filter { $0 != .input || inputIsEditable }
        let index = order.firstIndex(of: focus) ?? 0
        focus = order[(index + step + order.count) % order.count]
    }

    private func move(_ event: KeyEvent) {
        if focus == .controls {
            let all = Control.allCases
            let index = all.firstIndex(of: selectedControl) ?? 0
            switch event {
            case .up: selectedControl = all[(index + all.count - 1) % all.count]
            case .down: selectedControl = all[(index + 1) % all.count]
            case .home: selectedControl = all[0]
            case .end: selectedControl = all[all.count - 1]
            case .left: adjust(selectedControl, by: -1)
            case .right: adjust(selectedControl, by: 1)
            default: break
            }
            return
        }
        let grid = grid(for: focus)
        let rows = grid.count, columns = grid.first?.count ?? 0
        guard rows > 0 && columns > 0 else { return }
        var cursor = cursor(for: focus)
        switch event {
        case .up: cursor.row = (cursor.row + rows - 1) % rows
        case .down: cursor.row = (cursor.row + 1) % rows
        case .left: cursor.column = (cursor.column + columns - 1) % columns
        case .right: cursor.column = (cursor.column + 1) % columns
        case .home: cursor.column = 0
        case .end: cursor.column = columns - 1
        default: break
        }
        if focus == .kernel { kernelCursor = cursor } else { inputCursor = cursor }
    }

    // MARK: Typing

    /// The longest number one can type into a cell.
    static let maximumTypedLength = 9

    private func type(_ character: Character) {
        guard focus != .input || inputIsEditable else {
            message = "A sample image cannot be edited; press i to go back to the grid."
            return
        }
        var text = typedText ?? ""
        if character == "." && text.contains(".") { return }
        guard text.count < Self.maximumTypedLength else { return }
        text.append(character)
        typedText = text
    }

    private func toggleTypedSign() {
        guard var text = typedText else { return }
        if text.hasPrefix("-") { text.removeFirst() } else { text.insert("-", at: text.startIndex) }
        typedText = text
    }

    private func backspace() {
        guard focus != .input || inputIsEditable else {
            message = "A sample image cannot be edited; press i to go back to the grid."
            return
        }
        if var text = typedText {
            if !text.isEmpty { text.removeLast() }
            typedText = text
        } else {
            // Backspace on a cell edits its number: the last character goes.
            let cursor = cursor(for: focus)
            var text = LessonNumber.format(grid(for: focus)[cursor.row][cursor.column])
            if text.contains("e") { text = "" } else { text.removeLast() }
            typedText = text
        }
    }

    /// Puts the typed number into the cell; an empty or unreadable text leaves the cell as it was.
    func commitTyping() {
        guard let text = typedText else { return }
        typedText = nil
        guard focus != .controls else { return }
        let cursor = cursor(for: focus)
        guard let value = LessonNumber.parse(text), value.isFinite else {
            if !text.isEmpty && text != "-" {
                message = "'\(text)' is not a number; the cell keeps its value."
            }
            return
        }
        setCell(focus, cursor, to: value)
    }

    private func nudge(by amount: Float) {
        editCell { $0 + amount }
    }

    private func clearCell() {
        editCell { _ in 0 }
    }

    private func editCell(_ change: (Float) -> Float) {
        guard focus != .input || inputIsEditable else {
            message = "A sample image cannot be edited; press i to go back to the grid."
            return
        }
        let cursor = cursor(for: focus)
        let grid = grid(for: focus)
        guard cursor.row < grid.count, cursor.column < grid[cursor.row].count else { return }
        setCell(focus, cursor, to: change(grid[cursor.row][cursor.column]))
    }

    // MARK: StepPanel

    public var keyHelp: [KeyHint] {
        [
            KeyHint("f F", "focus: input, kernel, controls"),
            KeyHint("←↑↓→", "move in the grid (controls: ↑↓ choose, ←→ change)"),
            KeyHint("0-9 .", "type a cell's or a control's value"),
            KeyHint("Enter", "set the typed value"),
            KeyHint("Bksp", "edit the cell's number"),
            KeyHint("Del", "set the cell to 0"),
            KeyHint("+ -", "cell up / down by 1"),
            KeyHint("n", "negate the cell"),
            KeyHint("u", "undo"),
            KeyHint("x", "reset to the starting values"),
            KeyHint("p P", "kernel preset"),
            KeyHint("s S", "stride"),
            KeyHint("d D", "padding (0 to 6, same)"),
            KeyHint("m M", "padding mode: zero, reflect, replicate, circular"),
            KeyHint("c C", "output-size rule: PyTorch, TensorFlow, CS231n"),
            KeyHint("l L", "dilation"),
            KeyHint("b B", "bias"),
            KeyHint("r R", "activation: none, ReLU, leaky ReLU, sigmoid, tanh"),
            KeyHint("o O", "pooling after the conv: none, max, average, sum"),
            KeyHint("w W", "pooling window size"),
            KeyHint("i I", "input: the grid or a sample image"),
            KeyHint("[ ]", "input size (3 to 12)"),
            KeyHint("{ }", "kernel size (1 to 7)"),
        ]
    }
}
