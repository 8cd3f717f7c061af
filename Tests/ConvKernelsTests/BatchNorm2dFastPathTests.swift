@testable import ConvKernels
import Testing

/// The fast batch normalisation (channels over threads, eight lanes at a time) against the plain
/// reference loops: the same formulas, so only the Double sums' last bits may differ.
@Suite("batch norm fast path equals reference")
struct BatchNorm2dFastPathTests {
    /// Odd sizes: planes shorter than a vector, not a multiple of 8 or 16, one image, channels not a
    /// multiple of 8, and tensors both below and above the size that goes to two threads.
    static let shapes: [[Int]] = [
        [1, 3, 1, 2], [2, 5, 3, 3], [1, 7, 5, 7], [3, 9, 11, 13], [17, 6, 14, 14], [64, 16, 7, 7], [5, 3, 40, 37],
    ]

    @Test("forward (training and evaluation) and backward, on 1 and 2 threads", arguments: 0..<shapes.count, [1, 2])
    func fastEqualsReference(shapeIndex: Int, threads: Int) throws {
        let shape = Self.shapes[shapeIndex]
        var random = SeededRandom(seed: UInt64(700 + shapeIndex * 10 + threads))
        var layer = try BatchNorm2d(channels: shape[1])
        layer.gamma = random.uniformTensor(shape: [shape[1]], in: 0.5..<1.5)
        layer.beta = random.uniformTensor(shape: [shape[1]])
        // An offset mean, so that the variance's two passes matter.
        var input = random.uniformTensor(shape: shape, in: -2..<2)
        for index in input.data.indices { input.data[index] += 3 }
        let dOutput = random.uniformTensor(shape: shape)

        for training in [true, false] {
            var fastLayer = layer, referenceLayer = layer
            let fast = try fastLayer.forward(input, training: training, fast: true, threads: threads)
            let reference = try referenceLayer.forward(input, training: training, fast: false, threads: threads)
            expectClose(fast.output, reference.output, tolerance: 1e-6, "output, training \(training)")
            expectClose(fast.cache.normalized, reference.cache.normalized, tolerance: 1e-6, "xHat, training \(training)")
            expectClose(fastLayer.runningMean, referenceLayer.runningMean, tolerance: 1e-6, "running mean")
            expectClose(fastLayer.runningVariance, referenceLayer.runningVariance, tolerance: 1e-6, "running variance")
            for c in 0..<shape[1] {
                let f = fast.cache.inverseStandardDeviation[c], r = reference.cache.inverseStandardDeviation[c]
                #expect(abs(f - r) <= 1e-6 * abs(r), "invStd of channel \(c)")
            }

            // Both backward passes from the reference's cache, so that only the backward loops differ.
            let fastGradients = layer.backward(dOutput: dOutput, cache: reference.cache, fast: true, threads: threads)
            let referenceGradients = layer.backward(dOutput: dOutput, cache: reference.cache, fast: false, threads: threads)
            expectClose(fastGradients.dInput, referenceGradients.dInput, tolerance: 1e-5, magnitudeFloor: 1, "dInput")
            expectClose(fastGradients.dGamma, referenceGradients.dGamma, tolerance: 1e-6, magnitudeFloor: 1, "dGamma")
            expectClose(fastGradients.dBeta, referenceGradients.dBeta, tolerance: 1e-6, magnitudeFloor: 1, "dBeta")
        }
    }

    @Test("the fast per-value formulas are the reference's: given the same statistics, the same bits")
    func sameBitsForSameStatistics() throws {
        var random = SeededRandom(seed: 77)
        let input = random.uniformTensor(shape: [3, 5, 9, 7], in: -3..<3)
        let shift = (0..<5).map { Float($0) * 0.1 - 0.2 }
        let inverse = (0..<5).map { 0.5 + Float($0) * 0.3 }
        let gamma = random.uniformTensor(shape: [5], in: 0.5..<1.5).data, beta = random.uniformTensor(shape: [5]).data
        let fast = BatchNorm2d.fastNormalize(input, shift: shift, inverseStandardDeviation: inverse, gamma: gamma, beta: beta,
                                             threads: 2)
        let reference = BatchNorm2d.referenceNormalize(input, shift: shift, inverseStandardDeviation: inverse,
                                                       gamma: gamma, beta: beta)
        #expect(fast.0 == reference.0 && fast.1 == reference.1)

        let dOutput = random.uniformTensor(shape: input.shape)
        let cache = BatchNorm2d.Cache(training: true, normalized: fast.0, inverseStandardDeviation: inverse, gamma: gamma)
        let means = random.uniformTensor(shape: [5]).data, products = random.uniformTensor(shape: [5]).data
        for training in [true, false] {
            let cache = BatchNorm2d.Cache(training: training, normalized: cache.normalized,
                                          inverseStandardDeviation: inverse, gamma: gamma)
            #expect(BatchNorm2d.fastInputGradient(dOutput: dOutput, cache: cache, meanGradient: means, meanProduct: products,
                                                  threads: 2)
                    == BatchNorm2d.referenceInputGradient(dOutput: dOutput, cache: cache, meanGradient: means,
                                                          meanProduct: products))
        }
    }
}
