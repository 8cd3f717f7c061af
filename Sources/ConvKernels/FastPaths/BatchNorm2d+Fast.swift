/// The fast path of batch normalisation: the reference's formulas, split over the cores by channel
/// and eight lanes at a time.
///
/// A channel's values (its plane in every image) are one task: its sums, then its normalised
/// values, while they are in cache. The per-element formulas are the reference's, operation for
/// operation, so given the same statistics the outputs are bit for bit the same; the Double sums
/// are taken in four lanes of two vectors rather than one value after another, which changes only
/// their last bits (tests hold the two within 1e-6).
extension BatchNorm2d {
    /// The per-channel batch mean and biased variance `[C]` of `[N, C, H, W]` (two passes, in Double).
    static func fastBatchStatistics(_ input: Tensor, threads: Int) -> (mean: [Double], variance: [Double]) {
        let batch = input.shape[0], channelCount = input.shape[1], plane = input.shape[2] * input.shape[3]
        let valuesPerChannel = Double(batch * plane)
        var mean = [Double](repeating: 0, count: channelCount)
        var variance = [Double](repeating: 0, count: channelCount)
        input.data.withUnsafeBufferPointer { inputBuffer in
            mean.withUnsafeMutableBufferPointer { meanBuffer in
                variance.withUnsafeMutableBufferPointer { varianceBuffer in
                    nonisolated(unsafe) let x = inputBuffer.base, means = meanBuffer.base, variances = varianceBuffer.base
                    Parallel.forEach(chunks: channelCount, threads: channelThreads(input, threads)) { c in
                        var sum = 0.0
                        for n in 0..<batch { sum += sumAsDouble(x + (n * channelCount + c) * plane, count: plane) }
                        let m = sum / valuesPerChannel
                        var squares = 0.0
                        for n in 0..<batch {
                            squares += squaredDeviationsAsDouble(x + (n * channelCount + c) * plane, count: plane, mean: m)
                        }
                        means[c] = m
                        variances[c] = squares / valuesPerChannel
                    }
                }
            }
        }
        return (mean, variance)
    }

    /// `(xHat, output)`, both `[N, C, H, W]`: `xHat = (x - shift) * invStd`, `output = gamma * xHat + beta`.
    static func fastNormalize(_ input: Tensor, shift: [Float], inverseStandardDeviation: [Float],
                              gamma: [Float], beta: [Float], threads: Int) -> (Tensor, Tensor) {
        let batch = input.shape[0], channelCount = input.shape[1], plane = input.shape[2] * input.shape[3]
        var outputTensor: Tensor?
        // Both tensors are written in full by the channel tasks, so they start uninitialised.
        let normalized = Tensor(shape: input.shape) { xHatBuffer in
            outputTensor = Tensor(shape: input.shape) { outputBuffer in
                input.data.withUnsafeBufferPointer { inputBuffer in
                    nonisolated(unsafe) let x = inputBuffer.base, xHat = xHatBuffer.base, y = outputBuffer.base
                    Parallel.forEach(chunks: channelCount, threads: channelThreads(input, threads)) { c in
                        let mean = shift[c], scale = inverseStandardDeviation[c], g = gamma[c], b = beta[c]
                        let means = SIMD8<Float>(repeating: mean), scales = SIMD8<Float>(repeating: scale)
                        let gs = SIMD8<Float>(repeating: g), bs = SIMD8<Float>(repeating: b)
                        for n in 0..<batch {
                            let base = (n * channelCount + c) * plane
                            let source = x + base, normalizedTarget = xHat + base, target = y + base
                            var i = 0
                            while plane &- i >= 8 {
                                let value = (loadFloats(source + i) - means) * scales
                                storeFloats(value, normalizedTarget + i)
                                storeFloats(gs * value + bs, target + i)
                                i &+= 8
                            }
                            while i < plane {
                                let value = (source[i] - mean) * scale
                                normalizedTarget[i] = value
                                target[i] = g * value + b
                                i &+= 1
                            }
                        }
                    }
                }
            }
        }
        return (normalized, outputTensor ?? Tensor(zeros: input.shape))
    }

    /// The per-channel sums `[C]` of `dOutput` and `dOutput * xHat`, in Double.
    static func fastGradientSums(dOutput: Tensor, normalized: Tensor, threads: Int) -> (sum: [Double], sumTimesNormalized: [Double]) {
        let batch = normalized.shape[0], channelCount = normalized.shape[1]
        let plane = normalized.shape[2] * normalized.shape[3]
        var sums = [Double](repeating: 0, count: channelCount)
        var products = [Double](repeating: 0, count: channelCount)
        dOutput.data.withUnsafeBufferPointer { gradientBuffer in
            normalized.data.withUnsafeBufferPointer { normalizedBuffer in
                sums.withUnsafeMutableBufferPointer { sumBuffer in
                    products.withUnsafeMutableBufferPointer { productBuffer in
                        nonisolated(unsafe) let dy = gradientBuffer.base, xHat = normalizedBuffer.base
                        nonisolated(unsafe) let sumTargets = sumBuffer.base, productTargets = productBuffer.base
                        Parallel.forEach(chunks: channelCount, threads: channelThreads(normalized, threads)) { c in
                            var sum = 0.0, sumProduct = 0.0
                            for n in 0..<batch {
                                let base = (n * channelCount + c) * plane
                                let (planeSum, planeProduct) = sumAndDotAsDouble(dy + base, xHat + base, count: plane)
                                sum += planeSum
                                sumProduct += planeProduct
                            }
                            sumTargets[c] = sum
                            productTargets[c] = sumProduct
                        }
                    }
                }
            }
        }
        return (sums, products)
    }

    /// The input gradient `[N, C, H, W]` (`backward`'s formulas, with the per-channel means of
    /// `dOutput` and `dOutput * xHat` given).
    static func fastInputGradient(dOutput: Tensor, cache: Cache, meanGradient: [Float], meanProduct: [Float],
                                  threads: Int) -> Tensor {
        let normalized = cache.normalized
        let batch = normalized.shape[0], channelCount = normalized.shape[1]
        let plane = normalized.shape[2] * normalized.shape[3]
        let training = cache.training
        return Tensor(shape: normalized.shape) { dInputBuffer in
            dOutput.data.withUnsafeBufferPointer { gradientBuffer in
                normalized.data.withUnsafeBufferPointer { normalizedBuffer in
                    nonisolated(unsafe) let dy = gradientBuffer.base, xHat = normalizedBuffer.base, dx = dInputBuffer.base
                    Parallel.forEach(chunks: channelCount, threads: channelThreads(normalized, threads)) { c in
                        let scale = cache.gamma[c] * cache.inverseStandardDeviation[c]
                        let mean = training ? meanGradient[c] : 0, product = training ? meanProduct[c] : 0
                        let scales = SIMD8<Float>(repeating: scale), means = SIMD8<Float>(repeating: mean)
                        let products = SIMD8<Float>(repeating: product)
                        for n in 0..<batch {
                            let base = (n * channelCount + c) * plane
                            let gradient = dy + base, values = xHat + base, target = dx + base
                            var i = 0
                            if training {
                                while plane &- i >= 8 {
                                    let result = scales * (loadFloats(gradient + i) - means - loadFloats(values + i) * products)
                                    storeFloats(result, target + i)
                                    i &+= 8
                                }
                                while i < plane {
                                    target[i] = scale * (gradient[i] - mean - values[i] * product)
                                    i &+= 1
                                }
                            } else {
                                while plane &- i >= 8 {
                                    storeFloats(scales * loadFloats(gradient + i), target + i)
                                    i &+= 8
                                }
                                while i < plane {
                                    target[i] = scale * gradient[i]
                                    i &+= 1
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// One thread for a small tensor: handing it out would cost more than the work.
    private static func channelThreads(_ tensor: Tensor, _ threads: Int) -> Int {
        tensor.count >= 32_768 ? threads : 1
    }
}

@inline(__always)
private func loadFloats(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
private func storeFloats(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
}

@inline(__always)
private func widen(_ value: SIMD4<Float>) -> SIMD4<Double> {
    SIMD4<Double>(Double(value[0]), Double(value[1]), Double(value[2]), Double(value[3]))
}

/// The sum of `count` values in Double, in four chains of four lanes.
@inline(__always)
private func sumAsDouble(_ source: UnsafePointer<Float>, count: Int) -> Double {
    var a = SIMD4<Double>.zero, b = SIMD4<Double>.zero, c = SIMD4<Double>.zero, d = SIMD4<Double>.zero
    var i = 0
    while count &- i >= 16 {
        let low = loadFloats(source + i), high = loadFloats(source + (i &+ 8))
        a += widen(low.lowHalf); b += widen(low.highHalf); c += widen(high.lowHalf); d += widen(high.highHalf)
        i &+= 16
    }
    var total = ((a + b) + (c + d)).sum()
    while i < count { total += Double(source[i]); i &+= 1 }
    return total
}

/// The sum of `(value - mean)^2` over `count` values, in Double.
@inline(__always)
private func squaredDeviationsAsDouble(_ source: UnsafePointer<Float>, count: Int, mean: Double) -> Double {
    let means = SIMD4<Double>(repeating: mean)
    var a = SIMD4<Double>.zero, b = SIMD4<Double>.zero, c = SIMD4<Double>.zero, d = SIMD4<Double>.zero
    var i = 0
    while count &- i >= 16 {
        let low = loadFloats(source + i), high = loadFloats(source + (i &+ 8))
        let e = widen(low.lowHalf) - means, f = widen(low.highHalf) - means
        let g = widen(high.lowHalf) - means, h = widen(high.highHalf) - means
        a += e * e; b += f * f; c += g * g; d += h * h
        i &+= 16
    }
    var total = ((a + b) + (c + d)).sum()
    while i < count {
        let deviation = Double(source[i]) - mean
        total += deviation * deviation
        i &+= 1
    }
    return total
}

/// `(sum of x, sum of x * y)` over `count` values, in Double.
@inline(__always)
private func sumAndDotAsDouble(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> (Double, Double) {
    var sumLow = SIMD4<Double>.zero, sumHigh = SIMD4<Double>.zero
    var dotLow = SIMD4<Double>.zero, dotHigh = SIMD4<Double>.zero
    var i = 0
    while count &- i >= 8 {
        let xs = loadFloats(x + i), ys = loadFloats(y + i)
        let xLow = widen(xs.lowHalf), xHigh = widen(xs.highHalf)
        sumLow += xLow; sumHigh += xHigh
        dotLow += xLow * widen(ys.lowHalf); dotHigh += xHigh * widen(ys.highHalf)
        i &+= 8
    }
    var sum = (sumLow + sumHigh).sum(), dot = (dotLow + dotHigh).sum()
    while i < count {
        sum += Double(x[i])
        dot += Double(x[i]) * Double(y[i])
        i &+= 1
    }
    return (sum, dot)
}
