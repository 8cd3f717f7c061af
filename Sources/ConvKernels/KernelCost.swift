/// What one kernel call will cost, estimated from the shapes before anything is allocated or looped
/// over, so a caller can check it against a `ResourceBudget` and refuse with the estimate.
///
/// Each geometry type owns its estimate (`Conv2dGeometry.cost`, `Pool2d.Geometry.cost`,
/// `Pad2d.cost`), so every caller (the grid commands, `compute`, the lesson stepper, the
/// playground) shares one. A nil part is too large to count in an `Int`: over any budget.
public struct KernelCost: Hashable, Sendable {
    /// Bytes held at once: inputs, outputs, scratch buffers and any recorded windows.
    public var bytes: Int?
    /// Elementary steps: multiply-adds, window cells visited, values copied.
    public var steps: Int?

    public init(bytes: Int?, steps: Int?) {
        self.bytes = bytes
        self.steps = steps
    }

    public static let zero = KernelCost(bytes: 0, steps: 0)

    /// The bytes of `count` floats, nil when `count` is nil or the product overflows.
    public static func floatBytes(_ count: Int?) -> Int? {
        count.flatMap { ResourceBudget.product($0, MemoryLayout<Float>.stride) }
    }

    /// Two costs paid one after the other while both results are kept (a padding, then a convolution).
    public static func + (left: KernelCost, right: KernelCost) -> KernelCost {
        KernelCost(bytes: ResourceBudget.sum(left.bytes, right.bytes), steps: ResourceBudget.sum(left.steps, right.steps))
    }

    /// Throws `BudgetExceeded` with the estimate and the limit when either part is over `budget`.
    /// `what` names the request ("a 3x3 convolution of a 20001x20001 padded input"), `unit` a step.
    public func check(_ budget: ResourceBudget = .standard, for what: String, unit: String = "steps") throws(BudgetExceeded) {
        try budget.check(memory: bytes, for: what)
        try budget.check(work: steps, unit: unit, for: what)
    }
}

extension KernelError {
    /// A budget refusal where a kernel error is expected (typed-throws pipelines of the grid commands).
    public init(_ refusal: BudgetExceeded) {
        self.init(refusal.message)
    }
}
