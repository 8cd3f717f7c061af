import Lessons
import TerminalUI

/// The stepping state the convolution and pooling panels share: which window of a traced kernel
/// call is current, which output cells are revealed, the learner's typed prediction, and autoplay.
///
/// Without predict mode, the cells up to the current window are revealed: Right or Space moves
/// on, Left back, Enter to the last window, `a` plays about two windows a second. The step is
/// complete once the learner has reached the last window. Enter on the last window of a complete
/// step is left to the host (the lesson player moves to the next step).
///
/// In predict mode the windows are answered in order: the first unanswered window (the frontier)
/// hides its value until the learner types it and presses Enter. A right answer reveals it; a
/// wrong one asks again; a second wrong one reveals it with its arithmetic. The learner can look
/// back at answered windows, but not past the frontier. The step is complete when every window is
/// answered or revealed.
struct WindowStepper {
    /// How a predicted window ended.
    enum Outcome: Equatable {
        /// Typed right, after `misses` wrong tries (0 or 1).
        case right(misses: Int)
        /// Revealed after two wrong tries.
        case revealed
    }

    /// What the panel tells the learner about their last key.
    enum Feedback: Equatable {
        case right(typed: String)
        /// The first miss on a window.
        case tryAgain(typed: String)
        /// The second miss: the value is revealed.
        case revealed(typed: String)
        /// Not a number at all (does not count as a miss).
        case unreadable(typed: String)
        /// Enter or Right with nothing typed on a window still to predict.
        case typeFirst
        /// `a` pressed while there are windows left to predict.
        case noAutoplay
    }

    /// Seconds between two windows while autoplaying.
    static let autoplayInterval = 0.5
    /// The longest prediction one can type.
    static let maximumTypedLength = 16

    /// The value each window writes, in window order: what the learner predicts.
    let values: [Float]
    let predict: Bool
    /// The window shown (0 when there are none).
    private(set) var current = 0
    /// Per window in predict mode: nil until answered or revealed.
    private(set) var outcomes: [Outcome?]
    /// The prediction being typed for the frontier window.
    private(set) var typed = ""
    /// Wrong tries on the frontier window so far.
    private(set) var misses = 0
    private(set) var feedback: Feedback?
    private(set) var isPlaying = false
    /// When autoplay last moved (nil until the first tick after it started).
    private var lastAdvance: Double?
    /// True once the last window has been shown (without predict mode).
    private(set) var reachedEnd: Bool

    init(values: [Float], predict: Bool) {
        self.values = values
        self.predict = predict
        outcomes = Array(repeating: nil, count: values.count)
        reachedEnd = values.count <= 1
    }

    var count: Int { values.count }

    /// The first window not yet answered in predict mode (`count` when all are).
    var frontier: Int { outcomes.firstIndex { $0 == nil } ?? count }

    /// True when the current window waits for the learner's prediction.
    var awaitsAnswer: Bool { predict && current < count && outcomes[current] == nil }

    /// True when window `index`'s value is shown in the output.
    func isRevealed(_ index: Int) -> Bool {
        guard index >= 0 && index < count else { return false }
        return predict ? outcomes[index] != nil : index <= current
    }

    /// True when the current window's arithmetic may be shown (it would give a prediction away).
    var showsArithmetic: Bool { count > 0 && !awaitsAnswer }

    var isComplete: Bool { predict ? frontier == count : reachedEnd }

    /// Windows predicted right at the first try.
    var rightFirstTime: Int { outcomes.filter { $0 == .right(misses: 0) }.count }
    /// Windows predicted right: at the first try only. A second try comes after "not it" and the hint,
    /// so it is not counted as right (the score the lesson shows is this one).
    var rightCount: Int { rightFirstTime }
    /// Windows predicted right at the second try, after a miss and the hint.
    var rightAtSecondTry: Int { outcomes.filter { $0 == .right(misses: 1) }.count }

    /// Handles a stepping or typing key; false when the key is not one of them.
    mutating func handle(_ event: KeyEvent) -> Bool {
        guard count > 0 else { return false }
        switch event {
        case .right, .character(" "):
            stopAutoplay()
            next()
        case .left:
            stopAutoplay()
            previous()
        case .home:
            stopAutoplay()
            move(to: 0)
        case .enter:
            if isComplete && !awaitsAnswer && current == count - 1 && !isPlaying { return false }
            stopAutoplay()
            if awaitsAnswer {
                if typed.isEmpty { feedback = .typeFirst } else { submit() }
            } else {
                toEnd()
            }
        case .character("a"):
            toggleAutoplay()
        case .backspace where predict:
            if !typed.isEmpty { typed.removeLast() }
        case .character(let character) where predict && Self.isNumberCharacter(character):
            type(character)
        default:
            return false
        }
        return true
    }

    /// Moves autoplay on at `time` (seconds): one window per interval, stopping at the last.
    mutating func tick(time: Double) {
        guard isPlaying else { return }
        guard let last = lastAdvance else {
            lastAdvance = time
            return
        }
        guard time - last >= Self.autoplayInterval else { return }
        lastAdvance = time
        if current < count - 1 { move(to: current + 1) }
        if current >= count - 1 { isPlaying = false }
    }

    // MARK: Moving

    private mutating func next() {
        if awaitsAnswer {
            feedback = .typeFirst
            return
        }
        let limit = predict ? min(frontier, count - 1) : count - 1
        if current < limit { move(to: current + 1) }
    }

    private mutating func previous() {
        if current > 0 { move(to: current - 1) }
    }

    /// To the last window, or in predict mode as far as the learner has answered.
    private mutating func toEnd() {
        move(to: predict ? min(frontier, count - 1) : count - 1)
    }

    private mutating func move(to index: Int) {
        if index != current {
            typed = ""
            feedback = nil
        }
        current = max(0, min(index, count - 1))
        if current == count - 1 { reachedEnd = true }
    }

    private mutating func toggleAutoplay() {
        if isPlaying {
            stopAutoplay()
            return
        }
        if predict && frontier < count {
            feedback = .noAutoplay
            return
        }
        if current >= count - 1 { move(to: 0) }
        feedback = nil
        isPlaying = count > 1
        lastAdvance = nil
    }

    private mutating func stopAutoplay() {
        isPlaying = false
        lastAdvance = nil
    }

    // MARK: Predicting

    static func isNumberCharacter(_ character: Character) -> Bool {
        (character.isASCII && character.isNumber) || character == "-" || character == "." || character == ","
    }

    private mutating func type(_ character: Character) {
        // Typing while looking back at an answered window goes to the one waiting for an answer.
        if !awaitsAnswer && frontier < count { move(to: frontier) }
        guard awaitsAnswer, typed.count < Self.maximumTypedLength else { return }
        if case .unreadable = feedback { feedback = nil }
        if feedback == .typeFirst { feedback = nil }
        typed.append(character)
    }

    private mutating func submit() {
        let answer = typed
        typed = ""
        guard LessonNumber.parse(answer) != nil else {
            feedback = .unreadable(typed: answer)
            return
        }
        if LessonNumber.matches(answer, values[current]) {
            outcomes[current] = .right(misses: misses)
            feedback = .right(typed: answer)
            misses = 0
        } else if misses >= 1 {
            outcomes[current] = .revealed
            feedback = .revealed(typed: answer)
            misses = 0
        } else {
            misses += 1
            feedback = .tryAgain(typed: answer)
        }
        if frontier == count { reachedEnd = true }
    }
}
