/// Adam, exactly as PyTorch's
/// `torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)`, or with
/// `decoupledWeightDecay` as `torch.optim.AdamW(params, lr, betas, eps, weight_decay)` (note that
/// AdamW's PyTorch default weight decay is 1e-2, here it is always what you pass).
///
/// For each parameter `p` with gradient `g`, at step `t` (counting from 1):
///
///     p = p * (1 - learningRate * weightDecay)             (AdamW only)
///     g = g + weightDecay * p                               (Adam only, when weightDecay != 0)
///     m = m + (1 - beta1) * (g - m)                         (PyTorch's lerp; m starts at 0)
///     v = beta2 * v + (1 - beta2) * g * g                   (v starts at 0)
///     stepSize = learningRate / (1 - beta1^t)
///     denominator = sqrt(v) / sqrt(1 - beta2^t) + epsilon
///     p = p - stepSize * m / denominator
///
/// The bias corrections are computed in Double, as PyTorch computes them in Python floats. The betas
/// are `Float`, so `1 - beta2` is taken from `Float(0.999) = 0.99900001`: the second moment `v` then
/// differs from PyTorch's by about 1e-5 relative; the bias correction is computed from the same beta,
/// so most of that cancels in `v / (1 - beta2^t)` and the updates agree far more closely.
public struct Adam: Optimizer, Sendable {
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: Float
    /// True shrinks the parameters directly (AdamW) instead of adding `weightDecay * p` to the gradient.
    public let decoupledWeightDecay: Bool
    /// The number of steps taken so far (`t` of the last step).
    public var stepCount: Int = 0
    /// The first moment estimates `m`, one per parameter, created on the first step. Public, like the
    /// rest of the state, so that a checkpoint can save and restore it.
    public var firstMoments: [Tensor] = []
    /// The second moment estimates `v`, one per parameter, created on the first step.
    public var secondMoments: [Tensor] = []

    /// An Adam (or AdamW) optimizer; the rules are PyTorch's: rates, epsilon and decay 0 or more,
    /// betas in `[0, 1)`.
    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0, decoupledWeightDecay: Bool = false) throws(KernelError) {
        guard learningRate >= 0 && learningRate.isFinite else {
            throw KernelError("Adam learning rate \(learningRate) is invalid; it must be a finite number, 0 or more")
        }
        guard beta1 >= 0 && beta1 < 1 else {
            throw KernelError("Adam beta1 \(beta1) is invalid; it must be at least 0 and less than 1")
        }
        guard beta2 >= 0 && beta2 < 1 else {
            throw KernelError("Adam beta2 \(beta2) is invalid; it must be at least 0 and less than 1")
        }
        guard epsilon >= 0 && epsilon.isFinite else {
            throw KernelError("Adam epsilon \(epsilon) is invalid; it must be a finite number, 0 or more")
        }
        guard weightDecay >= 0 && weightDecay.isFinite else {
            throw KernelError("Adam weight decay \(weightDecay) is invalid; it must be a finite number, 0 or more")
        }
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    /// AdamW: Adam with decoupled weight decay, as `torch.optim.AdamW` (whose default decay is 1e-2).
    public static func adamW(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                             epsilon: Float = 1e-8, weightDecay: Float = 1e-2) throws(KernelError) -> Adam {
        try Adam(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                 weightDecay: weightDecay, decoupledWeightDecay: true)
    }

    /// How many threads a step may use: tensors of at least `parallelThreshold` values are split
    /// over them.
    public var threads: Int = Parallel.defaultThreads

    /// Tensors with fewer values are updated on the calling thread alone.
    static let parallelThreshold = 8192

    public mutating func step(parameters: inout [Tensor], gradients: [Tensor]) {
        let constants = prepareStep(parameters: parameters, gradients: gradients)
        let threads = threads
        for index in parameters.indices {
            let count = parameters[index].count
            gradients[index].data.withUnsafeBufferPointer { g in
                parameters[index].data.withUnsafeMutableBufferPointer { p in
                    firstMoments[index].data.withUnsafeMutableBufferPointer { m in
                        secondMoments[index].data.withUnsafeMutableBufferPointer { v in
                            nonisolated(unsafe) let p = p.base, m = m.base, v = v.base, g = g.base
                            // Slices of whole 8-lane vectors, so that a split changes no arithmetic.
                            let slices = count >= Self.parallelThreshold && threads > 1
                                ? Parallel.split(count / 8, into: threads).map { ($0.lowerBound * 8)..<($0.upperBound * 8) }
                                : [0..<(count / 8 * 8)]
                            Parallel.forEach(chunks: slices.count, threads: threads) { slice in
                                let range = slices[slice]
                                constants.update(count: range.count, p: p + range.lowerBound, m: m + range.lowerBound,
                                                 v: v + range.lowerBound, g: g + range.lowerBound)
                            }
                            let done = count / 8 * 8
                            constants.update(count: count - done, p: p + done, m: m + done, v: v + done, g: g + done)
                        }
                    }
                }
            }
        }
    }

    /// Checks the lists, creates the moments on the first step, counts the step and returns its constants.
    private mutating func prepareStep(parameters: [Tensor], gradients: [Tensor]) -> StepConstants {
        checkMatching(parameters: parameters, gradients: gradients, state: firstMoments, optimizer: "Adam")
        precondition(firstMoments.count == secondMoments.count,
                     "Adam.step: \(firstMoments.count) first moments but \(secondMoments.count) second moments")
        if firstMoments.isEmpty {
            firstMoments = parameters.map { Tensor(zeros: $0.shape) }
            secondMoments = firstMoments
        }
        stepCount += 1
        let biasCorrection1 = 1 - Math.pow(Double(beta1), stepCount)
        let biasCorrection2 = 1 - Math.pow(Double(beta2), stepCount)
        return StepConstants(
            shrink: decoupledWeightDecay ? 1 - learningRate * weightDecay : 1,
            couplingDecay: decoupledWeightDecay ? 0 : weightDecay,
            firstWeight: 1 - beta1, beta2: beta2, secondWeight: 1 - beta2,
            stepSize: Float(Double(learningRate) / biasCorrection1),
            biasCorrection2Root: Float(biasCorrection2.squareRoot()), epsilon: epsilon)
    }

    /// What one step computes for every value, fixed for the step.
    struct StepConstants {
        let shrink: Float, couplingDecay: Float, firstWeight: Float, beta2: Float, secondWeight: Float
        let stepSize: Float, biasCorrection2Root: Float, epsilon: Float

        /// The update of one value (the reference, and the formula `update` applies eight at a time).
        @inline(__always)
        func update(p: inout Float, m: inout Float, v: inout Float, g: Float) {
            let parameter = p * shrink
            let gradient = g + couplingDecay * parameter
            let first = m + firstWeight * (gradient - m)
            let second = beta2 * v + secondWeight * gradient * gradient
            m = first
            v = second
            p = parameter - stepSize * (first / (second.squareRoot() / biasCorrection2Root + epsilon))
        }

        /// `count` values updated eight at a time, with the scalar formula's operations in its
        /// order (no fused multiply-adds), so each lane rounds exactly as `update` does.
        /// (The vector square root is one instruction only when the compiler may assume C's
        /// `sqrtf` need not set `errno`, `-Xcc -fno-math-errno`; otherwise it is eight checked calls.)
        @inline(__always)
        func update(count: Int, p: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>,
                    v: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>) {
            let shrink = SIMD8(repeating: shrink), couplingDecay = SIMD8(repeating: couplingDecay)
            let firstWeight = SIMD8(repeating: firstWeight), beta2 = SIMD8(repeating: beta2)
            let secondWeight = SIMD8(repeating: secondWeight), stepSize = SIMD8(repeating: stepSize)
            let biasCorrection2Root = SIMD8(repeating: biasCorrection2Root), epsilon = SIMD8(repeating: epsilon)
            var i = 0
            while count &- i >= 8 {
                let parameter = load(p + i) * shrink
                let gradient = load(g + i) + couplingDecay * parameter
                let oldFirst = load(m + i)
                let first = oldFirst + firstWeight * (gradient - oldFirst)
                let second = beta2 * load(v + i) + secondWeight * gradient * gradient
                store(first, m + i)
                store(second, v + i)
                store(parameter - stepSize * (first / (second.squareRoot() / biasCorrection2Root + epsilon)), p + i)
                i &+= 8
            }
            while i < count {
                update(p: &p[i], m: &m[i], v: &v[i], g: g[i])
                i &+= 1
            }
        }

        @inline(__always)
        private func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
            UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
        }

        @inline(__always)
        private func store(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
            UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
        }
    }

    // MARK: - Reference

    /// The plain loop of `step`, one value at a time on one thread; tests hold the two equal.
    mutating func referenceStep(parameters: inout [Tensor], gradients: [Tensor]) {
        let constants = prepareStep(parameters: parameters, gradients: gradients)
        for index in parameters.indices {
            for i in 0..<parameters[index].count {
                constants.update(p: &parameters[index].data[i], m: &firstMoments[index].data[i],
                                 v: &secondMoments[index].data[i], g: gradients[index].data[i])
            }
        }
    }
}
