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
        for (index, step) in lesson.steps.enumerated() {
            do {
                try run(step, lessonFolder: lessonFolder)
            } catch {
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

    /// A quiz whose right answer cannot be given is a broken exercise.
    static func check(_ spec: QuizSpec) throws(LessonError) {
        switch spec.answer {
        case .number(let value, let tolerance):
            guard value.isFinite else { throw LessonError(field: "answer", message: "the answer must be a finite number") }
            guard tolerance >= 0, tolerance.isFinite else {
                throw LessonError(field: "tolerance", message: "tolerance \(tolerance) must be 0 or more")
            }
        case .shape(let sizes):
            guard !sizes.isEmpty, sizes.allSatisfy({ $0 >= 0 }) else {
                throw LessonError(field: "answer", message: "a shape answer needs sizes of 0 or more, such as \"3x3\"")
            }
        case .choice(let index):
            guard spec.choices.count >= 2 else {
                throw LessonError(field: "choices", message: "a choice quiz needs at least 2 choices")
            }
            guard spec.choices.indices.contains(index) else {
                throw LessonError(field: "answer", message: "answer \(index + 1) is not one of the \(spec.choices.count) choices")
            }
        case .cell(let row, let column):
            guard let grid = spec.grid else {
                throw LessonError(field: "grid", message: "a cell quiz needs a grid to pick the cell from")
            }
            guard (0..<grid.height).contains(row), (0..<grid.width).contains(column) else {
                throw LessonError(field: "answer", message: "cell [\(row + 1), \(column + 1)] is outside the "
                    + "\(grid.height)x\(grid.width) grid; rows and columns count from 1")
            }
        }
        // The right answer must be accepted by the same checker the learner meets.
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

    /// Runs a few steps of a kernel task (so a learning rate that diverges at once is caught) and checks
    /// an overfitting task's sizes.
    static func check(_ spec: TrainSpec) throws(LessonError) {
        guard spec.learningRate > 0, spec.learningRate.isFinite else {
            throw LessonError(field: "learning_rate", message: "learning_rate \(spec.learningRate) must be above 0")
        }
        guard spec.steps >= 1 else {
            throw LessonError(field: "steps", message: "steps \(spec.steps) must be at least 1")
        }
        switch spec.task {
        case .kernel:
            var learner = try KernelLearner(spec: spec)
            for _ in 0..<min(spec.steps, 5) { learner.step() }
            if let failure = learner.failure {
                throw LessonError(field: "learning_rate", message: failure)
            }
        case .overfitting(let trainingImages, let epochs, _, let weightDecay, _):
            guard (10...10_000).contains(trainingImages) else {
                throw LessonError(field: "training_images",
                                  message: "training_images \(trainingImages) must be between 10 and 10000")
            }
            guard (1...200).contains(epochs) else {
                throw LessonError(field: "epochs", message: "epochs \(epochs) must be between 1 and 200")
            }
            guard weightDecay >= 0, weightDecay.isFinite else {
                throw LessonError(field: "weight_decay", message: "weight_decay \(weightDecay) must be 0 or more")
            }
        }
    }
}
