import ConvKernels

extension PipelineTrace {
    /// Traces every stage in order, each stage's output the next one's input (a conv or pool stage's
    /// own `input` is replaced).
    ///
    /// - Throws: the first stage's `LessonError`, its field prefixed "stage N." (1-based).
    public init(spec: PipelineSpec) throws(LessonError) {
        var current = spec.input
        var stages: [StageTrace] = []
        for (index, stage) in spec.stages.enumerated() {
            do {
                switch stage {
                case .conv(var conv):
                    conv.input = current
                    let trace = try ConvTrace(spec: conv)
                    stages.append(.conv(trace))
                case .activation(let activation):
                    stages.append(.activation(activation, input: current,
                                              output: try StepTracer.activate(current, activation, field: "function")))
                case .pool(var pool):
                    pool.input = current
                    stages.append(.pool(try PoolTrace(spec: pool)))
                }
            } catch {
                var located = error
                located.field = "stage \(index + 1)" + (error.field.map { ".\($0)" } ?? "")
                throw located
            }
            if let last = stages.last { current = last.output }
        }
        self.init(spec: spec, stages: stages)
    }
}
