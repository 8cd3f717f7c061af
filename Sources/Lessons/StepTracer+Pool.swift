import ConvKernels

extension PoolTrace {
    /// Traces a pooling step: ONE `Pool2d.forward` call with an observer (max, average, sum), or
    /// `GlobalAvgPool2d.forward` for global average pooling with one window per channel covering
    /// the whole grid.
    ///
    /// Window rows and columns are shifted to index `paddedInput` (the input with its zero padding
    /// drawn around it); the cells keep the values the kernel reported (`-inf` for max pooling's
    /// padding, which never wins).
    ///
    /// - Throws: `LessonError` on `size`, `stride` or `padding` with the kernel's message and what
    ///   would be accepted.
    public init(spec: PoolSpec) throws(LessonError) {
        if spec.kind == .globalAverage {
            self = try Self.globalAverage(spec)
            return
        }
        let kind: PoolKind
        switch spec.kind {
        case .max: kind = .max
        case .average: kind = .average
        case .sum, .globalAverage: kind = .sum
        }
        let options = Pool2dOptions(kernel: spec.size, stride: spec.stride, padding: spec.padding)
        let geometry: Pool2d.Geometry
        do {
            geometry = try Pool2d.Geometry(inputShape: [1, spec.input.channelCount, spec.input.height, spec.input.width],
                                           options: options)
        } catch {
            throw StepTracer.poolError(error, spec)
        }
        if geometry.cellVisits.map({ $0 > StepTracer.maxRecordedProducts }) ?? true {
            var refusal = LessonError(field: "size", message: "stepping through this pooling would record "
                + "\(geometry.cellVisits.map(String.init) ?? "more") window cells; a step is for following by hand, so keep "
                + "it to at most \(StepTracer.maxRecordedProducts) (a smaller input or window)")
            refusal.isOverBudget = true
            throw refusal
        }
        try StepTracer.checkBudget(geometry.cost(recordingWindows: true),
                                   for: "this pooling (\(geometry.inputShape) input, \(spec.size.height)x\(spec.size.width) window)",
                                   unit: "window cell visits", field: "size")
        var windows: [PoolWindow] = []
        let output: Tensor
        do {
            output = try Pool2d.forward(input: spec.input.tensor, kind: kind, options: options, threads: 1,
                                        observer: { windows.append($0) })
        } catch {
            throw StepTracer.poolError(error, spec)
        }
        let sides = Pad2d.Sides(top: spec.padding.height, bottom: spec.padding.height,
                                left: spec.padding.width, right: spec.padding.width)
        let padded = try StepTracer.pad(spec.input, sides: sides, mode: .zero)
        // Pool2d reports input coordinates (negative in the padding); the trace indexes the padded grid.
        for index in windows.indices {
            windows[index].inputRows = windows[index].inputRows.map { $0 + sides.top }
            windows[index].inputColumns = windows[index].inputColumns.map { $0 + sides.left }
            for cell in windows[index].cells.indices {
                windows[index].cells[cell].inputRow += sides.top
                windows[index].cells[cell].inputColumn += sides.left
            }
        }
        func plan(_ axis: String, _ input: Int, _ size: Int, _ stride: Int, _ padding: Int) -> StepTracer.AxisPlan {
            StepTracer.AxisPlan(axis: axis, input: input, kernel: size, stride: stride, dilation: 1,
                                before: padding, after: padding, rule: .floor)
        }
        let formula = [
            plan("height", spec.input.height, spec.size.height, spec.stride.height, spec.padding.height)
                .formula(output: output.shape[2]),
            plan("width", spec.input.width, spec.size.width, spec.stride.width, spec.padding.width)
                .formula(output: output.shape[3]),
        ]
        self.init(spec: spec, paddedInput: StepTracer.stack(padded), sides: sides, output: StepTracer.stack(output),
                  windows: windows, sizeFormula: formula)
    }

    /// Global average pooling: the value from `GlobalAvgPool2d.forward`, and one window per channel
    /// (every cell, row by row) so the step can be drawn and written out like the others.
    private static func globalAverage(_ spec: PoolSpec) throws(LessonError) -> PoolTrace {
        let input = spec.input
        let output: Tensor
        do {
            output = try GlobalAvgPool2d.forward(input: input.tensor)
        } catch {
            throw LessonError(field: "input", message: error.message)
        }
        let rows = Array(0..<input.height), columns = Array(0..<input.width)
        let windows = (0..<input.channelCount).map { channel in
            PoolWindow(batch: 0, channel: channel, outputRow: 0, outputColumn: 0, inputRows: rows, inputColumns: columns,
                       cells: rows.flatMap { row in
                           columns.map { PoolCell(inputRow: row, inputColumn: $0, value: input.channels[channel][row][$0],
                                                  isPadding: false) }
                       },
                       winner: nil, divisor: input.height * input.width, value: output.data[channel])
        }
        return PoolTrace(spec: spec, paddedInput: input, sides: Pad2d.Sides(0), output: StepTracer.stack(output),
                         windows: windows,
                         sizeFormula: ["height: global average over all \(input.height) rows = 1",
                                       "width: global average over all \(input.width) columns = 1"])
    }
}

extension StepTracer {
    /// A pooling `KernelError`, on the key that broke the rule, with what would be accepted.
    static func poolError(_ error: KernelError, _ spec: PoolSpec) -> LessonError {
        let size = spec.size, stride = spec.stride, padding = spec.padding
        if size.height < 1 || size.width < 1 {
            return LessonError(field: "size", message: error.message + "; the pooling size must be at least 1")
        }
        if stride.height < 1 || stride.width < 1 { return LessonError(field: "stride", message: error.message) }
        if padding.height < 0 || padding.width < 0 { return LessonError(field: "padding", message: error.message) }
        if error.message.contains("at most half") {
            return LessonError(field: "padding", message: error.message)
        }
        let height = ResourceBudget.sum(spec.input.height, padding.height, padding.height) ?? Int.max
        let width = ResourceBudget.sum(spec.input.width, padding.width, padding.width) ?? Int.max
        return LessonError(field: "size", message: error.message
            + "; the pooling window must fit inside the padded input (at most \(height)x\(width) here)")
    }
}
