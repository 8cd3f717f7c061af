/// Batch normalisation over the channels of an NCHW tensor, as PyTorch's
/// `torch.nn.BatchNorm2d(channels, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True)`:
/// forward and backward side by side.
///
/// Shapes: input, output, dInput `[N, C, H, W]`; gamma, beta, running statistics, dGamma, dBeta `[C]`.
/// Every statistic of channel `c` is taken over its `M = N * H * W` values.
///
/// Training mode normalises with the batch's own statistics (the biased variance) and updates the
/// running statistics with the unbiased one, exactly as PyTorch does:
///
///     mean = sum(x) / M,   variance = sum((x - mean)^2) / M
///     xHat = (x - mean) / sqrt(variance + epsilon),   output = gamma * xHat + beta
///     runningMean     = (1 - momentum) * runningMean     + momentum * mean
///     runningVariance = (1 - momentum) * runningVariance + momentum * variance * M / (M - 1)
///
/// Evaluation mode uses `runningMean` and `runningVariance` in place of the batch statistics, which
/// makes the layer a fixed per-channel affine map, and changes nothing.
public struct BatchNorm2d: Sendable {
    /// The number of channels `C`.
    public let channels: Int
    /// Added to the variance before the square root (PyTorch's `eps`).
    public let epsilon: Float
    /// The weight of the newest batch in the running statistics (PyTorch's `momentum`).
    public let momentum: Float
    /// The per-channel scale (PyTorch's `weight`), `[C]`, initially ones.
    public var gamma: Tensor
    /// The per-channel shift (PyTorch's `bias`), `[C]`, initially zeros.
    public var beta: Tensor
    /// The running mean used in evaluation mode (PyTorch's `running_mean`), `[C]`, initially zeros.
    public var runningMean: Tensor
    /// The running unbiased variance used in evaluation mode (PyTorch's `running_var`), `[C]`, initially ones.
    public var runningVariance: Tensor

    /// What the forward pass keeps for the backward pass.
    public struct Cache: Sendable {
        /// Whether the forward pass used the batch statistics (training) or the running ones (evaluation).
        public let training: Bool
        /// The normalised input `xHat`, `[N, C, H, W]`.
        public let normalized: Tensor
        /// `1 / sqrt(variance + epsilon)` per channel, `[C]`, for the statistics that were used.
        public let inverseStandardDeviation: [Float]
        /// The gamma the forward pass multiplied by, `[C]`.
        public let gamma: [Float]
    }

    /// Gradients of a batch normalisation with respect to its input, gamma and beta.
    public struct Gradients: Sendable {
        /// `[N, C, H, W]`
        public var dInput: Tensor
        /// `[C]`
        public var dGamma: Tensor
        /// `[C]`
        public var dBeta: Tensor
    }

    /// A batch normalisation of `channels` channels with gamma 1, beta 0, running mean 0 and running variance 1.
    public init(channels: Int, epsilon: Float = 1e-5, momentum: Float = 0.1) throws(KernelError) {
        guard channels >= 1 else {
            throw KernelError("batch norm with \(channels) channels is invalid; it needs at least 1 channel")
        }
        guard epsilon > 0 && epsilon.isFinite else {
            throw KernelError("batch norm epsilon \(epsilon) is invalid; it must be a finite number above 0")
        }
        guard momentum >= 0 && momentum <= 1 else {
            throw KernelError("batch norm momentum \(momentum) is invalid; it must be between 0 and 1")
        }
        self.channels = channels
        self.epsilon = epsilon
        self.momentum = momentum
        gamma = Tensor(repeating: 1, shape: [channels])
        beta = Tensor(zeros: [channels])
        runningMean = Tensor(zeros: [channels])
        runningVariance = Tensor(repeating: 1, shape: [channels])
    }

    /// The normalised output `[N, C, H, W]` and the cache for `backward`.
    ///
    /// - Parameter training: true normalises with the batch statistics and updates the running ones;
    ///   false uses the running statistics and changes nothing.
    /// - Parameter threads: how many threads the fast path (`BatchNorm2d+Fast.swift`) may use.
    public mutating func forward(_ input: Tensor, training: Bool,
                                 threads: Int = Parallel.defaultThreads) throws(KernelError) -> (output: Tensor, cache: Cache) {
        try forward(input, training: training, fast: true, threads: threads)
    }

    /// `forward`, through the fast loops or (`fast` false) the plain reference loops that tests hold them to.
    mutating func forward(_ input: Tensor, training: Bool, fast: Bool,
                          threads: Int) throws(KernelError) -> (output: Tensor, cache: Cache) {
        guard input.rank == 4 else {
            throw KernelError("batch norm input of shape \(input.shape) is invalid; it must be 4-D [N, C, H, W]")
        }
        guard input.shape[1] == channels else {
            throw KernelError("batch norm input of shape \(input.shape) has \(input.shape[1]) channels; "
                              + "this layer normalises \(channels)")
        }
        let batch = input.shape[0], plane = input.shape[2] * input.shape[3]
        let valuesPerChannel = batch * plane
        if training && valuesPerChannel < 2 {
            // The unbiased variance divides by M - 1, and one value has no spread to normalise by.
            throw KernelError("batch norm input of shape \(input.shape) has \(valuesPerChannel) value per channel; "
                              + "training needs more than 1 value per channel")
        }

        var shift = [Float](repeating: 0, count: channels)  // the mean that is subtracted
        var inverseStandardDeviation = [Float](repeating: 0, count: channels)
        if training {
            let (mean, variance) = fast ? Self.fastBatchStatistics(input, threads: threads) : Self.batchStatistics(input)
            let unbiasedFactor = Double(valuesPerChannel) / Double(valuesPerChannel - 1)
            for c in 0..<channels {
                shift[c] = Float(mean[c])
                inverseStandardDeviation[c] = 1 / (Float(variance[c]) + epsilon).squareRoot()
                runningMean.data[c] = (1 - momentum) * runningMean.data[c] + momentum * Float(mean[c])
                runningVariance.data[c] = (1 - momentum) * runningVariance.data[c]
                    + momentum * Float(variance[c] * unbiasedFactor)
            }
        } else {
            for c in 0..<channels {
                shift[c] = runningMean.data[c]
                inverseStandardDeviation[c] = 1 / (runningVariance.data[c] + epsilon).squareRoot()
            }
        }

        let gammaValues = gamma.data, betaValues = beta.data
        let (normalized, output) = fast
            ? Self.fastNormalize(input, shift: shift, inverseStandardDeviation: inverseStandardDeviation,
                                 gamma: gammaValues, beta: betaValues, threads: threads)
            : Self.referenceNormalize(input, shift: shift, inverseStandardDeviation: inverseStandardDeviation,
                                      gamma: gammaValues, beta: betaValues)
        let cache = Cache(training: training, normalized: normalized,
                          inverseStandardDeviation: inverseStandardDeviation, gamma: gammaValues)
        return (output, cache)
    }

    /// The reference normalisation: `xHat = (x - shift) * invStd`, `output = gamma * xHat + beta`,
    /// one value at a time. Returns `(xHat, output)`, both `[N, C, H, W]`.
    static func referenceNormalize(_ input: Tensor, shift: [Float], inverseStandardDeviation: [Float],
                                   gamma gammaValues: [Float], beta betaValues: [Float]) -> (Tensor, Tensor) {
        let batch = input.shape[0], channels = input.shape[1], plane = input.shape[2] * input.shape[3]
        var normalized = [Float](repeating: 0, count: input.count)
        var output = [Float](repeating: 0, count: input.count)
        input.data.withUnsafeBufferPointer { x in
            normalized.withUnsafeMutableBufferPointer { xHat in
                output.withUnsafeMutableBufferPointer { y in
                    for n in 0..<batch {
                        for c in 0..<channels {
                            let base = (n * channels + c) * plane
                            let mean = shift[c], scale = inverseStandardDeviation[c]
                            let g = gammaValues[c], b = betaValues[c]
                            var index = base
                            while index < base &+ plane {
                                let value = (x[index] - mean) * scale
                                xHat[index] = value
                                y[index] = g * value + b
                                index &+= 1
                            }
                        }
                    }
                }
            }
        }
        return (Tensor(shape: input.shape, data: normalized), Tensor(shape: input.shape, data: output))
    }

    /// Gradients with respect to input, gamma and beta, given the gradient of the output and the
    /// forward pass's cache.
    ///
    /// With `D = dOutput * gamma` and sums over the `M` values of a channel:
    ///
    ///     dGamma = sum(dOutput * xHat),   dBeta = sum(dOutput)
    ///     training:   dInput = invStd / M * (M * D - sum(D) - xHat * sum(D * xHat))
    ///     evaluation: dInput = D * invStd   (the statistics are constants)
    public func backward(dOutput: Tensor, cache: Cache, threads: Int = Parallel.defaultThreads) -> Gradients {
        backward(dOutput: dOutput, cache: cache, fast: true, threads: threads)
    }

    /// `backward`, through the fast loops or (`fast` false) the plain reference loops that tests hold them to.
    func backward(dOutput: Tensor, cache: Cache, fast: Bool, threads: Int) -> Gradients {
        let xHatTensor = cache.normalized
        precondition(dOutput.shape == xHatTensor.shape,
                     "BatchNorm2d backward: dOutput \(dOutput.shape) differs from the forward input \(xHatTensor.shape)")
        precondition(cache.gamma.count == xHatTensor.shape[1],
                     "BatchNorm2d backward: cache gamma [\(cache.gamma.count)] vs input \(xHatTensor.shape)")
        let batch = xHatTensor.shape[0], channelCount = xHatTensor.shape[1]
        let plane = xHatTensor.shape[2] * xHatTensor.shape[3]
        let valuesPerChannel = Double(batch * plane)

        // Per-channel sums in Double: sum(dOutput) and sum(dOutput * xHat).
        let (sumGradient, sumGradientTimesNormalized) = fast
            ? Self.fastGradientSums(dOutput: dOutput, normalized: xHatTensor, threads: threads)
            : Self.referenceGradientSums(dOutput: dOutput, normalized: xHatTensor)
        let meanGradient = sumGradient.map { Float($0 / valuesPerChannel) }
        let meanProduct = sumGradientTimesNormalized.map { Float($0 / valuesPerChannel) }
        let dInput = fast
            ? Self.fastInputGradient(dOutput: dOutput, cache: cache, meanGradient: meanGradient, meanProduct: meanProduct,
                                     threads: threads)
            : Self.referenceInputGradient(dOutput: dOutput, cache: cache, meanGradient: meanGradient, meanProduct: meanProduct)
        return Gradients(dInput: dInput,
                         dGamma: Tensor(shape: [channelCount], data: sumGradientTimesNormalized.map { Float($0) }),
                         dBeta: Tensor(shape: [channelCount], data: sumGradient.map { Float($0) }))
    }

    /// The reference per-channel sums of `dOutput` and `dOutput * xHat`, in Double, one value at a time.
    static func referenceGradientSums(dOutput: Tensor, normalized xHatTensor: Tensor) -> (sum: [Double], sumTimesNormalized: [Double]) {
        let batch = xHatTensor.shape[0], channelCount = xHatTensor.shape[1]
        let plane = xHatTensor.shape[2] * xHatTensor.shape[3]
        var sumGradient = [Double](repeating: 0, count: channelCount)
        var sumGradientTimesNormalized = [Double](repeating: 0, count: channelCount)
        dOutput.data.withUnsafeBufferPointer { dy in
            xHatTensor.data.withUnsafeBufferPointer { xHat in
                for n in 0..<batch {
                    for c in 0..<channelCount {
                        let base = (n * channelCount + c) * plane
                        var sum = 0.0, sumProduct = 0.0
                        var index = base
                        while index < base &+ plane {
                            sum += Double(dy[index])
                            sumProduct += Double(dy[index]) * Double(xHat[index])
                            index &+= 1
                        }
                        sumGradient[c] += sum
                        sumGradientTimesNormalized[c] += sumProduct
                    }
                }
            }
        }
        return (sumGradient, sumGradientTimesNormalized)
    }

    /// The reference input gradient, one value at a time (`backward`'s formulas, with the per-channel
    /// means of `dOutput` and `dOutput * xHat` given).
    static func referenceInputGradient(dOutput: Tensor, cache: Cache, meanGradient meanGradients: [Float],
                                       meanProduct meanProducts: [Float]) -> Tensor {
        let xHatTensor = cache.normalized
        let batch = xHatTensor.shape[0], channelCount = xHatTensor.shape[1]
        let plane = xHatTensor.shape[2] * xHatTensor.shape[3]
        var dInput = [Float](repeating: 0, count: xHatTensor.count)
        dOutput.data.withUnsafeBufferPointer { dy in
            xHatTensor.data.withUnsafeBufferPointer { xHat in
                dInput.withUnsafeMutableBufferPointer { dx in
                    for n in 0..<batch {
                        for c in 0..<channelCount {
                            let base = (n * channelCount + c) * plane
                            let scale = cache.gamma[c] * cache.inverseStandardDeviation[c]
                            var index = base
                            if cache.training {
                                // dInput = gamma * invStd * (dy - mean(dy) - xHat * mean(dy * xHat))
                                let meanGradient = meanGradients[c], meanProduct = meanProducts[c]
                                while index < base &+ plane {
                                    dx[index] = scale * (dy[index] - meanGradient - xHat[index] * meanProduct)
                                    index &+= 1
                                }
                            } else {
                                while index < base &+ plane {
                                    dx[index] = scale * dy[index]
                                    index &+= 1
                                }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: xHatTensor.shape, data: dInput)
    }

    /// The per-channel batch mean and biased variance (two passes, in Double).
    static func batchStatistics(_ input: Tensor) -> (mean: [Double], variance: [Double]) {
        let batch = input.shape[0], channelCount = input.shape[1], plane = input.shape[2] * input.shape[3]
        let valuesPerChannel = Double(batch * plane)
        var mean = [Double](repeating: 0, count: channelCount)
        var variance = [Double](repeating: 0, count: channelCount)
        input.data.withUnsafeBufferPointer { x in
            for n in 0..<batch {
                for c in 0..<channelCount {
                    let base = (n * channelCount + c) * plane
                    var sum = 0.0
                    var index = base
                    while index < base &+ plane { sum += Double(x[index]); index &+= 1 }
                    mean[c] += sum
                }
            }
            for c in 0..<channelCount { mean[c] /= valuesPerChannel }
            for n in 0..<batch {
                for c in 0..<channelCount {
                    let base = (n * channelCount + c) * plane
                    let m = mean[c]
                    var sum = 0.0
                    var index = base
                    while index < base &+ plane {
                        let deviation = Double(x[index]) - m
                        sum += deviation * deviation
                        index &+= 1
                    }
                    variance[c] += sum
                }
            }
        }
        for c in 0..<channelCount { variance[c] /= valuesPerChannel }
        return (mean, variance)
    }
}
