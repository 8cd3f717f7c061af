import ConvKernels

/// `convtutor pool`: max, average or sum pooling of a grid by `Pool2d.forward`.
public enum PoolGridCommand {
    /// Pools a one-channel grid and reports the output, with every window's cells (and the
    /// winner, or the sum and divisor) from the kernel's observer when `steps` is true.
    ///
    /// - Throws: `KernelError` when the grid has several channels, or pooling rejects the size,
    ///   stride or padding (its message unchanged).
    public static func run(
        input: Grid, kind: GridPoolKind, options: Pool2dOptions, steps: Bool = false,
        budget: ResourceBudget = .standard
    ) throws(KernelError) -> GridReport {
        guard input.channelCount == 1 else {
            throw KernelError("--input has \(input.channelCount) channels separated by '|'; pool takes one grid")
        }
        try GridBudget.check(Pool2d.Geometry(inputShape: input.tensor.shape, options: options), steps: steps, budget: budget)
        var windows: [String] = []
        let observer: ((PoolWindow) -> Void)? = steps
            ? { windows.append(StepText.pool($0, kind: kind.kind)) }
            : nil
        let output = try Pool2d.forward(input: input.tensor, kind: kind.kind, options: options, observer: observer)
        return GridReport(output: output.grid(), steps: steps ? windows : nil)
    }
}
