import Foundation

/// What `convtutor lessons check` does to one lesson: runs every step's computation through the
/// same trace builders the player uses, so a lesson that passes cannot fail in front of a learner.
public enum LessonChecker {
    /// Every problem found, each naming the file, the lesson, the step and the field; empty when the
    /// lesson is sound.
    ///
    /// - Parameter lessonFolder: the folder of the lesson's file (image paths are relative to it).
    public static func problems(in lesson: Lesson, lessonFolder: String?) -> [LessonError] {
        var problems: [LessonError] = []
        if lesson.steps.isEmpty {
            problems.append(LessonError(file: lesson.file, lessonID: lesson.id, field: "step",
                                        message: "the lesson has no steps; add at least one [[step]]"))
        }
        if !lesson.steps.contains(where: \.isExercise) {
            problems.append(LessonError(file: lesson.file, lessonID: lesson.id, field: "step",
                                        message: "the lesson has no checked exercise; end it with a quiz step "
                                            + "or a conv/pool step with predict = true"))
        }
        var failedSteps: Set<Int> = []
        for (index, step) in lesson.steps.enumerated() {
            do {
                try run(step, lessonFolder: lessonFolder)
            } catch {
                failedSteps.insert(index + 1)
                var located = error
                if located.file.isEmpty { located.file = lesson.file }
                if located.lessonID == nil { located.lessonID = lesson.id }
                if located.step == nil {
                    located.step = index + 1
                    located.stepKind = step.kind.rawValue
                }
                problems.append(located)
            }
        }
        // A step that did not run is reported once, not again for each number stated about it.
        problems += statedNumberProblems(in: lesson, lessonFolder: lessonFolder, skipping: failedSteps)
        return problems
    }

    /// Runs one step's computation, throwing what the player would otherwise show as a broken step.
    public static func run(_ step: LessonStep, lessonFolder: String?) throws(LessonError) {
        switch step.content {
        case .text:
            if step.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw LessonError(field: "text", message: "a text step needs some text")
            }
        case .conv(let spec):
            _ = try ConvTrace(spec: spec)
        case .pool(let spec):
            _ = try PoolTrace(spec: spec)
        case .activation(let spec):
            _ = try ActivationTrace(spec: spec)
        case .pipeline(let spec):
            _ = try PipelineTrace(spec: spec)
        case .quiz(let spec):
            try check(spec)
        case .playground(let spec):
            let trace = try ConvTrace(spec: spec.start)
            if let pool = spec.pool {
                _ = try PoolTrace(spec: PoolSpec(input: trace.output, kind: pool, size: spec.poolSize))
            }
        case .image(let spec):
            _ = try ImageTrace(spec: spec, lessonFolder: lessonFolder)
        case .train(let spec):
            try check(spec)
        }
    }

    /// A quiz whose right answer the learner could not give is a broken exercise. (The parser has
    /// already checked the answer's shape: choices in range, a cell inside its grid.)
    static func check(_ spec: QuizSpec) throws(LessonError) {
        let verdict: QuizVerdict
        switch spec.answer {
        case .cell(let row, let column): verdict = spec.check(row: row, column: column)
        case .choice(let index): verdict = spec.check(String(index + 1))  // what the learner types
        default: verdict = spec.check(spec.answerText)
        }
        guard verdict == .right else {
            throw LessonError(field: "answer", message: "the quiz does not accept its own answer \(spec.answerText)")
        }
    }

    /// Runs a few steps of a kernel task, so that a learning rate that diverges at once is caught.
    /// (The parser bounds the numbers of both tasks; the overfitting task has nothing to run here.)
    static func check(_ spec: TrainSpec) throws(LessonError) {
        guard case .kernel = spec.task else { return }
        var learner = try KernelLearner(spec: spec)
        for _ in 0..<min(spec.steps, 5) { learner.step() }
        if let failure = learner.failure {
            throw LessonError(field: "learning_rate", message: failure)
        }
    }
}
