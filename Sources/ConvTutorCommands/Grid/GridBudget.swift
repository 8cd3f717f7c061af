import ConvKernels

/// The budget checks of the grid commands and `compute`: each estimate comes from the kernel's own
/// geometry (`Conv2dGeometry.cost`, `Pool2d.Geometry.cost`, `Pad2d.cost`) and is checked before
/// anything is allocated or looped over; a refusal names the request, the estimate and the limit.
enum GridBudget {
    /// The most bytes one value takes when written out ("-1.2345678e-38, "), so the text of an
    /// answer is counted with the tensors it is written from.
    static let bytesPerWrittenValue = 16

    /// The bytes of `count` values written as text (nil: too many to count).
    static func textBytes(_ count: Int?) -> Int? {
        count.flatMap { ResourceBudget.product($0, bytesPerWrittenValue) }
    }

    /// Checks a convolution (after any padding step), with its `--steps` lines when `steps`.
    static func check(_ geometry: Conv2dGeometry, padding: KernelCost = .zero, steps: Bool,
                      budget: ResourceBudget) throws(KernelError) {
        var cost = geometry.cost(recordingWindows: steps) + padding
        cost.bytes = ResourceBudget.sum(cost.bytes, textBytes(geometry.outputCount))
        if steps {
            let terms = ResourceBudget.product(geometry.inputChannelsPerGroup, geometry.kernelHeight, geometry.kernelWidth)
            cost.bytes = ResourceBudget.sum(cost.bytes, StepText.estimatedBytes(lines: geometry.outputCount, itemsPerLine: terms))
        }
        let what = describe("convolution", steps: steps, input: geometry.inputShape, kernel: Pair(geometry.kernelHeight, geometry.kernelWidth),
                            output: geometry.outputShape)
        do { try cost.check(budget, for: what, unit: "multiply-adds") } catch { throw KernelError(error) }
    }

    /// Checks a pooling, with its `--steps` lines when `steps`.
    static func check(_ geometry: Pool2d.Geometry, steps: Bool, budget: ResourceBudget) throws(KernelError) {
        var cost = geometry.cost(recordingWindows: steps)
        cost.bytes = ResourceBudget.sum(cost.bytes, textBytes(geometry.outputCount))
        if steps {
            let cells = ResourceBudget.product(geometry.kernel.height, geometry.kernel.width)
            cost.bytes = ResourceBudget.sum(cost.bytes, StepText.estimatedBytes(lines: geometry.outputCount, itemsPerLine: cells))
        }
        let what = describe("pooling", steps: steps, input: geometry.inputShape, kernel: geometry.kernel,
                            output: geometry.outputShape)
        do { try cost.check(budget, for: what, unit: "window cell visits") } catch { throw KernelError(error) }
    }

    /// Checks a padding step (`--padding-mode` other than zero) and returns its cost, which the
    /// convolution after it adds to its own.
    static func check(padding sides: Pad2d.Sides, mode: Pad2d.Mode, inputShape: [Int],
                      budget: ResourceBudget) throws(KernelError) -> KernelCost {
        let cost = try Pad2d.cost(inputShape: inputShape, sides: sides, mode: mode)
        let what = "\(mode.rawValue) padding of \(sides.top) rows and \(sides.left) columns around a "
            + "\(inputShape[2])x\(inputShape[3]) input"
        do { try cost.check(budget, for: what, unit: "value copies") } catch { throw KernelError(error) }
        return cost
    }

    /// "a 3x3 pooling of a [1, 1, 5, 5] input into [1, 1, 2, 2], with every window's arithmetic".
    private static func describe(_ op: String, steps: Bool, input: [Int], kernel: Pair, output: [Int]) -> String {
        "a \(kernel.height)x\(kernel.width) \(op) of a \(input) input into \(output)"
            + (steps ? ", with every window's arithmetic (--steps)" : "")
    }
}
