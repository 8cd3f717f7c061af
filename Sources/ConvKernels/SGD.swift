/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight
/// decay, exactly as PyTorch's
/// `torch.optim.SGD(params, lr, momentum=0, dampening=0, weight_decay=0, nesterov=False)`.
///
/// For each parameter `p` with gradient `g`, each step:
///
///     g = g + weightDecay * p                                   (when weightDecay != 0)
///     buffer = g                                                (momentum != 0, first step)
///     buffer = momentum * buffer + (1 - dampening) * g          (momentum != 0, later steps)
///     g = nesterov ? g + momentum * buffer : buffer             (momentum != 0)
///     p = p - learningRate * g
public struct SGD: Optimizer, Sendable {
    public var learningRate: Float
    public let momentum: Float
    public let dampening: Float
    public let weightDecay: Float
    public let nesterov: Bool
    /// One momentum buffer per parameter, created on the first step (empty before it, and always
    /// when `momentum` is 0). Public so that a checkpoint can save and restore it.
    public var momentumBuffers: [Tensor] = []

    /// An SGD optimizer; the rules are PyTorch's: nothing negative, and Nesterov needs momentum
    /// and no dampening.
    public init(learningRate: Float, momentum: Float = 0, weightDecay: Float = 0, dampening: Float = 0,
                nesterov: Bool = false) throws(KernelError) {
        guard learningRate >= 0 && learningRate.isFinite else {
            throw KernelError("SGD learning rate \(learningRate) is invalid; it must be a finite number, 0 or more")
        }
        guard momentum >= 0 && momentum.isFinite else {
            throw KernelError("SGD momentum \(momentum) is invalid; it must be a finite number, 0 or more")
        }
        guard weightDecay >= 0 && weightDecay.isFinite else {
            throw KernelError("SGD weight decay \(weightDecay) is invalid; it must be a finite number, 0 or more")
        }
        guard dampening.isFinite else {
            throw KernelError("SGD dampening \(dampening) is invalid; it must be a finite number")
        }
        if nesterov && (momentum <= 0 || dampening != 0) {
            throw KernelError("Nesterov momentum with momentum \(momentum) and dampening \(dampening) is invalid; "
                              + "it needs momentum above 0 and dampening 0")
        }
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
    }

    public mutating func step(parameters: inout [Tensor], gradients: [Tensor]) {
        checkMatching(parameters: parameters, gradients: gradients, state: momentumBuffers, optimizer: "SGD")
        let firstStep = momentum != 0 && momentumBuffers.isEmpty
        if firstStep {
            // PyTorch's first step copies the (decayed) gradient into the buffer; zeros are placeholders.
            momentumBuffers = parameters.map { Tensor(zeros: $0.shape) }
        }
        let rate = learningRate, momentum = momentum, decay = weightDecay
        let gradientWeight = 1 - dampening, nesterov = nesterov
        for index in parameters.indices {
            let count = parameters[index].count
            gradients[index].data.withUnsafeBufferPointer { g in
                parameters[index].data.withUnsafeMutableBufferPointer { p in
                    if momentum == 0 {
                        var i = 0
                        while i < count {
                            let gradient = decay != 0 ? g[i] + decay * p[i] : g[i]
                            p[i] -= rate * gradient
                            i &+= 1
                        }
                        return
                    }
                    momentumBuffers[index].data.withUnsafeMutableBufferPointer { buffer in
                        var i = 0
                        while i < count {
                            let gradient = decay != 0 ? g[i] + decay * p[i] : g[i]
                            let velocity = firstStep ? gradient : momentum * buffer[i] + gradientWeight * gradient
                            buffer[i] = velocity
                            p[i] -= rate * (nesterov ? gradient + momentum * velocity : velocity)
                            i &+= 1
                        }
                    }
                }
            }
        }
    }
}
