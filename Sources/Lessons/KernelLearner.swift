import ConvKernels
import Foundation

/// Learns a convolution kernel by gradient descent, for a train step with `task = "kernel"`: the
/// learner sees the image `x` and the target output `y = conv(x, target)` and finds the kernel again.
///
/// Every number comes from the shared kernels: the outputs from `Conv2d.forward`, the weight
/// gradient from `Conv2d.backward` (whose gradient windows are kept for the last step, so a lesson
/// can step through them as it steps a forward pass), and the update from `SGD` (plain, no momentum,
/// no weight decay: `w = w - learningRate * dWeight`). Padding is 0 and there is no bias.
///
/// Shapes: image `[1, C, H, W]`, kernel `[1, C, KH, KW]`, outputs `[1, 1, H - KH + 1, W - KW + 1]`.
///
/// The loss is the mean squared error over the N output cells,
///
///     loss = sum over cells of (ŷ - y)² / N,        dOutput = 2 (ŷ - y) / N
///
/// and each `step()` does one forward, one backward and one update, then measures the loss of the
/// updated kernel: `losses[0]` is the starting kernel's loss, `losses[k]` the loss after step k.
public struct KernelLearner: Sendable {
    public let spec: TrainSpec
    /// The input image `x`.
    public let image: GridStack
    /// The kernel the data was made with.
    public let target: GridStack
    /// `y = Conv2d.forward(x, target)`: what the learned kernel should reproduce.
    public let targetOutput: GridStack
    /// The kernel learned so far (`w`).
    public private(set) var kernel: GridStack
    /// `ŷ = Conv2d.forward(x, kernel)`, for the current kernel.
    public private(set) var output: GridStack
    /// The mean squared error of the current kernel.
    public private(set) var loss: Float
    /// The loss before the first step, then after each step.
    public private(set) var losses: [Float]
    /// Steps taken.
    public private(set) var stepCount = 0
    /// The last step's `dWeight` (zeros before the first step).
    public private(set) var gradient: GridStack
    /// The last step's output gradient `dOutput = 2 (ŷ - y) / N`, as a grid (zeros before the first step).
    public private(set) var outputGradient: GridStack
    /// The output `ŷ` the last step's gradient was taken at (before its update).
    public private(set) var lastStepOutput: GridStack
    /// Every gradient window `Conv2d.backward` reported in the last step, in its order (output row, then column).
    public private(set) var lastGradientWindows: [ConvGradientWindow] = []
    /// Why the run stopped early, when it did (a loss that is no longer a number).
    public private(set) var failure: String?

    private let inputTensor: Tensor
    private let targetTensor: Tensor
    private var weight: Tensor
    private var optimizer: SGD

    /// The loss below which the kernel counts as found.
    public static let convergedLoss: Float = 1e-6

    /// A learner for `spec`, whose task must be `.kernel`; the image is the built-in sample image
    /// the task names (`SampleImage`).
    ///
    /// - Throws: a `LessonError` naming the field (`task`, `image`, `target`, `start`, `learning_rate`).
    public init(spec: TrainSpec) throws(LessonError) {
        guard case .kernel(_, _, let imageName) = spec.task else {
            throw LessonError(stepKind: "train", field: "task",
                              message: "a kernel learner needs task = \"kernel\"; this step's task is overfitting")
        }
        guard let image = SampleImage.make(imageName) else {
            throw LessonError(stepKind: "train", field: "image",
                              message: "unknown sample image '\(imageName)'; known images: "
                                  + SampleImage.names.joined(separator: ", "))
        }
        try self.init(spec: spec, image: image)
    }

    /// A learner for `spec` (task `.kernel`) on `image` instead of the sample image the task names.
    public init(spec: TrainSpec, image: GridStack) throws(LessonError) {
        guard case .kernel(let target, let start, _) = spec.task else {
            throw LessonError(stepKind: "train", field: "task",
                              message: "a kernel learner needs task = \"kernel\"; this step's task is overfitting")
        }
        func problem(_ field: String, _ message: String) -> LessonError {
            LessonError(stepKind: "train", field: field, message: message)
        }
        guard target.channelCount == image.channelCount else {
            throw problem("target", "the kernel has \(target.channelCount) channels and the image \(image.channelCount); "
                          + "a kernel needs one channel per image channel")
        }
        guard target.height <= image.height && target.width <= image.width else {
            throw problem("target", "a \(target.height)x\(target.width) kernel does not fit the "
                          + "\(image.height)x\(image.width) image; it must be at most the image's size")
        }
        if let start, start.channelCount != target.channelCount || start.height != target.height
            || start.width != target.width {
            throw problem("start", "the starting kernel is \(start.channelCount)x\(start.height)x\(start.width) and the "
                          + "target \(target.channelCount)x\(target.height)x\(target.width); they must be the same shape")
        }
        do {
            optimizer = try SGD(learningRate: spec.learningRate)
        } catch {
            throw problem("learning_rate", error.message)
        }
        guard spec.learningRate > 0 else {
            throw problem("learning_rate", "learning rate \(spec.learningRate) is invalid; it must be above 0 (for example 0.1)")
        }
        guard spec.steps >= 1 else {
            throw problem("steps", "steps \(spec.steps) is invalid; give 1 or more")
        }
        self.spec = spec
        self.image = image
        self.target = target
        inputTensor = image.tensor
        targetTensor = target.tensor
        let targetValues: Tensor
        do {
            targetValues = try Conv2d.forward(input: inputTensor, weight: targetTensor)
        } catch {
            throw problem("target", error.message)
        }
        targetOutput = GridStack(targetValues.grid())
        let startKernel = start ?? GridStack(channels: Array(
            repeating: Array(repeating: Array(repeating: 0, count: target.width), count: target.height),
            count: target.channelCount))
        kernel = GridStack(channels: startKernel.channels)
        weight = startKernel.tensor
        let zeros = GridStack(channels: kernel.channels.map { $0.map { $0.map { _ in 0 } } })
        gradient = zeros
        let firstOutput = Self.forward(inputTensor, weight)
        output = GridStack(firstOutput.grid())
        lastStepOutput = output
        outputGradient = GridStack(targetOutput.channels[0].map { $0.map { _ in 0 } })
        loss = Self.meanSquaredError(firstOutput, targetValues)
        losses = [loss]
        if !loss.isFinite {
            failure = "the starting loss is \(loss); the image or the kernels hold values too large to square"
        }
    }

    /// True once the run has made `spec.steps` steps, found the kernel (loss below 1e-6), or failed.
    public var isFinished: Bool {
        failure != nil || stepCount >= spec.steps || loss < Self.convergedLoss
    }

    /// The learning rate the run uses.
    public var learningRate: Float { spec.learningRate }

    /// The number of output cells the loss averages over.
    public var outputCount: Int { targetOutput.height * targetOutput.width }

    /// One gradient-descent step: forward, loss, backward (its windows recorded), SGD update, and the
    /// new kernel's loss. Does nothing once the run is finished. When the updated kernel's loss is
    /// not a finite number, or has grown past ten times the starting loss (the steps overshoot), the
    /// update is not kept and `failure` says to lower the learning rate.
    public mutating func step() {
        guard !isFinished else { return }
        let yHat = Self.forward(inputTensor, weight)
        let y = targetOutput.tensor
        let scale = 2 / Float(outputCount)
        var dOutput = Tensor(zeros: yHat.shape)
        for index in 0..<yHat.count { dOutput.data[index] = scale * (yHat.data[index] - y.data[index]) }
        var windows: [ConvGradientWindow] = []
        windows.reserveCapacity(outputCount)
        let gradients: Conv2d.Gradients
        do {
            gradients = try Conv2d.backward(input: inputTensor, weight: weight, dOutput: dOutput, hasBias: false,
                                            needInputGradient: false, observer: { windows.append($0) })
        } catch {
            preconditionFailure("Conv2d.backward refused shapes its forward accepted: \(error)")
        }
        var parameters = [weight]
        optimizer.step(parameters: &parameters, gradients: [gradients.dWeight])
        let updated = parameters[0]
        let newOutput = Self.forward(inputTensor, updated)
        let newLoss = Self.meanSquaredError(newOutput, y)
        lastGradientWindows = windows
        lastStepOutput = GridStack(yHat.grid())
        outputGradient = GridStack(dOutput.grid())
        gradient = Self.stack(gradients.dWeight)
        // Gradient descent on this quadratic loss never raises it at a stable rate: a loss ten times
        // the starting one means every step overshoots further (it would reach infinity soon after).
        let growing = newLoss > loss && newLoss > 10 * max(losses[0], Float.leastNormalMagnitude)
        guard newLoss.isFinite && updated.data.allSatisfy(\.isFinite) && !growing else {
            let what = newLoss.isNaN ? "became not a number" : (newLoss.isInfinite ? "became infinite"
                : "grew to \(Self.format(newLoss)), over 10x its start")
            // Says which step was refused and which is shown, so the message and the header agree.
            failure = "the loss \(what) at step \(stepCount + 1) (not kept; step \(stepCount) is shown): learning rate "
                + "\(Self.format(spec.learningRate)) is too large here; try a smaller one, such as "
                + "\(Self.format(spec.learningRate / 10))"
            return
        }
        weight = updated
        kernel = Self.stack(updated, presetName: nil)
        output = GridStack(newOutput.grid())
        loss = newLoss
        losses.append(newLoss)
        stepCount += 1
    }

    /// The largest difference between the learned kernel and the target, entry by entry.
    public var largestKernelError: Float {
        var largest: Float = 0
        for (learned, wanted) in zip(kernel.channels.joined().joined(), target.channels.joined().joined()) {
            largest = max(largest, abs(learned - wanted))
        }
        return largest
    }

    /// The loss `kernel` would have on this image (for checks; the run itself does not use it).
    public func loss(of kernel: GridStack) -> Float {
        Self.meanSquaredError(Self.forward(inputTensor, kernel.tensor), targetOutput.tensor)
    }

    // MARK: - Explaining a gradient window

    /// What one of the last step's gradient windows adds to `dWeight`: two lines for the output cell
    /// and its gradient, then one line per kernel cell, e.g.
    ///
    ///     output (2, 3): ŷ 0.53, target y 0.12
    ///     dOut = 2 × (0.53 − 0.12) / 900 = 0.000911
    ///     dW[1,1] += dOut 0.000911 × x 0.5 = 0.000456
    ///
    /// Rows, columns and channels are counted from 1, as everywhere in the app: `output (1, 1)` is
    /// the top-left output cell and `dW[1,1]` the kernel's top-left weight.
    ///
    /// The numbers are the window's own: its `gradOutput` and each term's input, multiplied as the
    /// kernel multiplied them (`gradientSums(throughWindow:)` gives the totals after the window).
    /// Multi-channel kernels name the channel: `dW[c1][1,1]`. With `ascii`, `*` stands for × (an
    /// "x" would read as the input's name) and `y^` for ŷ. Empty for an index out of range.
    public func gradientArithmetic(windowIndex: Int, ascii: Bool = false) -> [String] {
        guard lastGradientWindows.indices.contains(windowIndex) else { return [] }
        let window = lastGradientWindows[windowIndex]
        let times = ascii ? "*" : "×", minus = ascii ? "-" : "−", hat = ascii ? "y^" : "ŷ"
        let row = window.outputRow, column = window.outputColumn
        let predicted = lastStepOutput.channels[0][row][column], wanted = targetOutput.channels[0][row][column]
        var lines = [
            "output (\(row + 1), \(column + 1)): \(hat) \(Self.format(predicted)), target y \(Self.format(wanted))",
            "dOut = 2 \(times) (\(Self.format(predicted)) \(minus) \(Self.format(wanted))) / \(outputCount) = "
                + Self.format(window.gradOutput),
        ]
        let multiChannel = kernel.channelCount > 1
        for term in window.terms where !term.isPadding {
            let product = term.input * window.gradOutput
            let channel = multiChannel ? "[c\(term.inputChannel + 1)]" : ""
            lines.append("dW\(channel)[\(term.kernelRow + 1),\(term.kernelColumn + 1)] += dOut \(Self.format(window.gradOutput)) "
                + "\(times) x \(Self.format(term.input)) = \(Self.format(product))")
        }
        return lines
    }

    /// `dWeight` `[C][KH][KW]` after the last step's windows up to and including `windowIndex`,
    /// replayed in the kernel's order: after the last window it is the step's `gradient`, bit for bit.
    /// Zeros for an index before the first window.
    public func gradientSums(throughWindow windowIndex: Int) -> [[[Float]]] {
        let end = min(max(windowIndex + 1, 0), lastGradientWindows.count)
        return Self.weightGradient(from: lastGradientWindows[0..<end], shape: weight.shape)
    }

    /// `dWeight` `[C][KH][KW]` accumulated from `windows` as `Conv2d.backward` accumulates it: for
    /// each window in order, each non-padding term adds `input * gradOutput`.
    public static func weightGradient(from windows: ArraySlice<ConvGradientWindow>, shape: [Int]) -> [[[Float]]] {
        precondition(shape.count == 4, "weight shape \(shape) is not [O, C, KH, KW]")
        var sums = Array(repeating: Array(repeating: Array(repeating: Float(0), count: shape[3]), count: shape[2]),
                         count: shape[1])
        for window in windows {
            for term in window.terms where !term.isPadding {
                sums[term.inputChannel][term.kernelRow][term.kernelColumn] += term.input * window.gradOutput
            }
        }
        return sums
    }

    // MARK: - Helpers

    private static func forward(_ input: Tensor, _ weight: Tensor) -> Tensor {
        do {
            return try Conv2d.forward(input: input, weight: weight)
        } catch {
            preconditionFailure("Conv2d.forward refused a kernel the learner checked: \(error)")
        }
    }

    private static func meanSquaredError(_ output: Tensor, _ target: Tensor) -> Float {
        precondition(output.shape == target.shape, "output \(output.shape) and target \(target.shape) differ")
        var sum: Double = 0
        for index in 0..<output.count {
            let difference = Double(output.data[index]) - Double(target.data[index])
            sum += difference * difference
        }
        return Float(sum / Double(max(1, output.count)))
    }

    private static func stack(_ weight: Tensor, presetName: String? = nil) -> GridStack {
        GridStack(channels: (0..<weight.shape[1]).map { weight.grid(batch: 0, channel: $0) }, presetName: presetName)
    }

    /// A short number for the arithmetic lines: up to 3 significant digits, no trailing zeros.
    static func format(_ value: Float) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e5 || magnitude < 1e-4 { return String(format: "%.2e", Double(value)) }
        var text = String(format: "%.3g", Double(value))
        if text.contains("e") { text = String(format: "%.6f", Double(value)) }
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }
}
