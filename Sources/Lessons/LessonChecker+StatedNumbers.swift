// The second half of `lessons check`: every number a step's `checks` states is compared with the
// step's output as the player computes it (the same trace builders, so the same kernel calls).

extension LessonChecker {
    /// Every stated number of `lesson` that its step does not compute, each naming the file, the line
    /// of the `checks` key, the step, the cell, and the stated and computed values.
    ///
    /// - Parameter failedSteps: steps (1-based) already reported as not running; numbers stated about
    ///   them are not checked.
    static func statedNumberProblems(in lesson: Lesson, lessonFolder: String?, skipping failedSteps: Set<Int> = [])
        -> [LessonError] {
        var problems: [LessonError] = []
        // Each step (and stage) is computed once, however many of its numbers are stated.
        var runs: [Int: Result<KernelLearner, LessonError>] = [:]
        func cachedRun(of step: LessonStep, number: Int) throws(LessonError) -> KernelLearner {
            let result = runs[number] ?? Result { () throws(LessonError) in try finishedKernelRun(of: step, number: number) }
            runs[number] = result
            return try result.get()
        }
        var outputs: [OutputKey: Result<GridStack, LessonError>] = [:]
        func cachedOutput(of step: LessonStep, number: Int, stage: Int?) throws(LessonError) -> GridStack {
            let key = OutputKey(step: number, stage: stage)
            let result = outputs[key] ?? Result { () throws(LessonError) in
                try output(of: step, number: number, stage: stage, lessonFolder: lessonFolder, kernelRun: cachedRun)
            }
            outputs[key] = result
            return try result.get()
        }
        for (index, step) in lesson.steps.enumerated() {
            for (checkIndex, check) in step.checks.enumerated() where !failedSteps.contains(check.targetStep ?? index + 1) {
                do {
                    try verify(check, in: step, at: index + 1, of: lesson, output: cachedOutput, kernelRun: cachedRun)
                } catch {
                    var located = error
                    located.file = lesson.file
                    located.line = check.line
                    located.lessonID = lesson.id
                    located.step = index + 1
                    located.stepKind = step.kind.rawValue
                    located.field = "checks[\(checkIndex + 1)]"
                    problems.append(located)
                }
            }
        }
        return problems
    }

    /// A step (1-based) and a stage of it, whose output a check reads.
    struct OutputKey: Hashable {
        var step: Int
        var stage: Int?
    }

    /// Throws when `check` (written in step `number`) names no cell of a computed output, or when the
    /// cell's value (the network's count, the run's measure) is further from the stated one than the
    /// tolerance. `output` computes a step's output (see `output(of:number:stage:lessonFolder:kernelRun:)`),
    /// `kernelRun` a kernel-learning step's finished run (see `finishedKernelRun(of:number:)`).
    static func verify(_ check: StatedNumber, in step: LessonStep, at number: Int, of lesson: Lesson,
                       output: (LessonStep, Int, Int?) throws(LessonError) -> GridStack,
                       kernelRun: (LessonStep, Int) throws(LessonError) -> KernelLearner) throws(LessonError) {
        let stated: Float
        let statedWhat: String
        if let value = check.value {
            stated = value
            statedWhat = "the text states \(LessonNumber.format(value))"
        } else if case .quiz(let quiz) = step.content, case .number(let answer, _) = quiz.answer {
            stated = answer
            statedWhat = "the quiz's answer is \(LessonNumber.format(answer))"
        } else if case .quiz(let quiz) = step.content, case .cell(let row, let column) = quiz.answer, let grid = quiz.grid,
                  row < grid.height, column < grid.width {
            // "Which cell holds the maximum?": the answer cell's value must be what the step computes.
            stated = grid.channels[0][row][column]
            statedWhat = "the quiz's answer cell [\(row + 1), \(column + 1)] holds \(LessonNumber.format(stated))"
        } else {
            throw LessonError(message: "missing 'value': give the number the text states (only a number or cell quiz "
                + "may leave it out, to check its own answer)")
        }
        let cell: StatedNumber.OutputCell
        switch check.subject {
        case .cell(let outputCell):
            cell = outputCell
        case .network(let count):
            let computed = try count.value()
            guard abs(Float(computed) - stated) <= check.tolerance else {
                throw LessonError(message: "\(statedWhat) for \(count.name), but the network has "
                    + "\(LessonNumber.format(Float(computed))) (allowed difference \(LessonNumber.format(check.tolerance)))")
            }
            return
        case .run(let measure, let runStep):
            let target = runStep ?? number
            guard target <= lesson.steps.count else {
                throw LessonError(message: "step = \(target), but the lesson has \(lesson.steps.count) steps")
            }
            let run = try kernelRun(lesson.steps[target - 1], target)
            let computed: Float = switch measure {
            case .steps: Float(run.stepCount)
            case .loss: run.loss
            case .largestError: run.largestKernelError
            }
            guard abs(computed - stated) <= check.tolerance else {
                throw LessonError(message: "\(statedWhat) for \(measure.words) in step \(target) (train), but the run "
                    + "ends with \(LessonNumber.format(computed)) (allowed difference \(LessonNumber.format(check.tolerance)))")
            }
            return
        }
        let target = cell.step ?? number
        guard target <= lesson.steps.count else {
            throw LessonError(message: "step = \(target), but the lesson has \(lesson.steps.count) steps")
        }
        let targetStep = lesson.steps[target - 1]
        let output = try output(targetStep, target, cell.stage)
        let stepName = "step \(target) (\(targetStep.kind.rawValue))"
        guard cell.channel <= output.channelCount, cell.row <= output.height, cell.column <= output.width else {
            throw LessonError(message: "\(cell.name) is outside the output of \(stepName), which has "
                + "\(output.channelCount) channel\(output.channelCount == 1 ? "" : "s") of \(output.height) rows and "
                + "\(output.width) columns; cells count from 1")
        }
        let computed = output.channels[cell.channel - 1][cell.row - 1][cell.column - 1]
        guard abs(computed - stated) <= check.tolerance else {
            throw LessonError(message: "\(statedWhat) for \(cell.name) of \(stepName), but the step computes "
                + "\(LessonNumber.format(computed)) (allowed difference \(LessonNumber.format(check.tolerance)))")
        }
    }

    /// What a step computes, as the player shows it: a conv, pool or activation step's output (after
    /// the activation), a pipeline stage's output (the last by default), a playground's convolution
    /// (stage 2: its pooling), an image step's kernel outputs as channels, a kernel-learning train
    /// step's kernel once its run ends.
    static func output(of step: LessonStep, number: Int, stage: Int?, lessonFolder: String?,
                       kernelRun: (LessonStep, Int) throws(LessonError) -> KernelLearner = finishedKernelRun)
        throws(LessonError) -> GridStack {
        let name = "step \(number) (\(step.kind.rawValue))"
        func noStage() throws(LessonError) {
            if stage != nil {
                throw LessonError(message: "'stage' names a stage of a pipeline (or 2: a playground's pooling); \(name) has none")
            }
        }
        switch step.content {
        case .conv(let spec):
            try noStage()
            return try ConvTrace(spec: spec).output
        case .pool(let spec):
            try noStage()
            return try PoolTrace(spec: spec).output
        case .activation(let spec):
            try noStage()
            guard let output = try ActivationTrace(spec: spec).output else {
                throw LessonError(message: "\(name) has no input grid, so no output to check; give it an input")
            }
            return output
        case .pipeline(let spec):
            let trace = try PipelineTrace(spec: spec)
            let index = (stage ?? trace.stages.count) - 1
            guard trace.stages.indices.contains(index) else {
                throw LessonError(message: "stage = \(index + 1), but \(name) has \(trace.stages.count) stages")
            }
            return trace.stages[index].output
        case .playground(let spec):
            let conv = try ConvTrace(spec: spec.start)
            switch (stage, spec.pool) {
            case (nil, _), (1?, _): return conv.output
            case (2?, let pool?): return try PoolTrace(spec: PoolSpec(input: conv.output, kind: pool, size: spec.poolSize)).output
            default: throw LessonError(message: "stage 1 is a playground's convolution and 2 its pooling; \(name) has no such stage")
            }
        case .image(let spec):
            try noStage()
            let outputs = try ImageTrace(spec: spec, lessonFolder: lessonFolder).outputs
            return GridStack(channels: outputs.flatMap(\.channels))
        case .train:
            try noStage()
            return try kernelRun(step, number).kernel
        case .text, .quiz:
            throw LessonError(message: "\(name) computes no output grid; name a conv, pool, activation, pipeline, "
                + "playground, image or kernel-learning train step with step = N")
        }
    }

    /// A kernel-learning train step's run, ended as the player ends it: after every step, or where it
    /// converged or refused a step.
    static func finishedKernelRun(of step: LessonStep, number: Int) throws(LessonError) -> KernelLearner {
        let name = "step \(number) (\(step.kind.rawValue))"
        guard case .train(let spec) = step.content else {
            throw LessonError(message: "\(name) is not a train step; a run check names a train step with task = \"kernel\"")
        }
        guard case .kernel = spec.task else {
            throw LessonError(message: "\(name) trains LeNet-5 (task = \"overfitting\"), whose results are not "
                + "checked; a kernel task's learned kernel is")
        }
        var learner = try KernelLearner(spec: spec)
        while !learner.isFinished { learner.step() }
        return learner
    }
}
