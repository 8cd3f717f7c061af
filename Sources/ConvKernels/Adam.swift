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

    public mutating func step(parameters: inout [Tensor], gradients: [Tensor]) {
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
        let stepSize = Float(Double(learningRate) / biasCorrection1)
        let biasCorrection2Root = Float(biasCorrection2.squareRoot())
        let firstWeight = 1 - beta1, beta2 = beta2, secondWeight = 1 - beta2, epsilon = epsilon
        let couplingDecay: Float = decoupledWeightDecay ? 0 : weightDecay
        let shrink: Float = decoupledWeightDecay ? 1 - learningRate * weightDecay : 1

        for index in parameters.indices {
            let count = parameters[index].count
            gradients[index].data.withUnsafeBufferPointer { g in
                parameters[index].data.withUnsafeMutableBufferPointer { p in
                    firstMoments[index].data.withUnsafeMutableBufferPointer { m in
                        secondMoments[index].data.withUnsafeMutableBufferPointer { v in
                            var i = 0
                            while i < count {
                                let parameter = p[i] * shrink
                                let gradient = g[i] + couplingDecay * parameter
                                let first = m[i] + firstWeight * (gradient - m[i])
                                let second = beta2 * v[i] + secondWeight * gradient * gradient
                                m[i] = first
                                v[i] = second
                                p[i] = parameter - stepSize * (first / (second.squareRoot() / biasCorrection2Root + epsilon))
                                i &+= 1
                            }
                        }
                    }
                }
            }
        }
    }

}
