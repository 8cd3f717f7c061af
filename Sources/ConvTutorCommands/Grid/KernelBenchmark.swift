import ConvKernels
import Dispatch

/// The conv2d benchmark behind `convtutor bench`: LeNet-5's two convolutions, forward and
/// backward, at batch 1 and 64, on one thread and on all cores, beside the machine's FP32 peak.
public enum KernelBenchmark {
    /// One convolution layer to measure.
    public struct Layer: Sendable {
        public let name: String
        public let inputShape: (channels: Int, height: Int, width: Int)
        public let weightShape: [Int]
        public let options: Conv2dOptions
    }

    /// LeNet-5's convolutions: 1 -> 6 channels 5x5 with padding 2 on 28x28, and 6 -> 16 channels 5x5 on 14x14.
    public static let lenetLayers: [Layer] = [
        Layer(name: "conv1", inputShape: (1, 28, 28), weightShape: [6, 1, 5, 5], options: Conv2dOptions(padding: 2)),
        Layer(name: "conv2", inputShape: (6, 14, 14), weightShape: [16, 6, 5, 5], options: Conv2dOptions()),
    ]

    /// One measured configuration.
    public struct Result: Sendable {
        public let layer: String
        public let batch: Int
        public let threads: Int
        /// Seconds per call.
        public let forwardSeconds: Double
        /// Seconds per call computing dInput, dWeight and dBias.
        public let backwardSeconds: Double
        /// Multiply-adds of one forward call.
        public let multiplyAdds: Int

        /// Forward: 2 flops per multiply-add.
        public var forwardGFLOPS: Double { 2 * Double(multiplyAdds) / forwardSeconds / 1e9 }
        /// Backward: dInput and dWeight each cost as much as the forward pass.
        public var backwardGFLOPS: Double { 4 * Double(multiplyAdds) / backwardSeconds / 1e9 }
        /// Forward and backward together.
        public var combinedGFLOPS: Double { 6 * Double(multiplyAdds) / (forwardSeconds + backwardSeconds) / 1e9 }
    }

    /// Measures every layer at every batch size and thread count.
    /// - Parameter seconds: timed seconds per measurement (after a warm-up of a third of that).
    public static func run(batches: [Int] = [1, 64], threadCounts: [Int] = [1, Parallel.defaultThreads],
                           seconds: Double = 0.6, progress: (String) -> Void = { _ in }) throws -> [Result] {
        var results: [Result] = []
        var random = SeededRandom(seed: 1)
        for layer in lenetLayers {
            for batch in batches {
                let input = random.uniformTensor(shape: [batch, layer.inputShape.channels, layer.inputShape.height, layer.inputShape.width])
                let weight = random.uniformTensor(shape: layer.weightShape)
                let bias = random.uniformTensor(shape: [layer.weightShape[0]])
                let geometry = try Conv2dGeometry(inputShape: input.shape, weightShape: weight.shape, options: layer.options)
                let dOutput = random.uniformTensor(shape: geometry.outputShape)
                for threads in Set(threadCounts).sorted() {
                    progress("\(layer.name) batch \(batch) threads \(threads)")
                    let forward = try secondsPerCall(seconds) {
                        _ = try Conv2d.forward(input: input, weight: weight, bias: bias, options: layer.options, threads: threads)
                    }
                    let backward = try secondsPerCall(seconds) {
                        _ = try Conv2d.backward(input: input, weight: weight, dOutput: dOutput, options: layer.options, threads: threads)
                    }
                    results.append(Result(layer: layer.name, batch: batch, threads: threads, forwardSeconds: forward,
                                          backwardSeconds: backward, multiplyAdds: geometry.multiplyAdds))
                }
            }
        }
        return results
    }

    /// Seconds per call of `body`: after a warm-up, the timed seconds are cut into five windows
    /// and the median window's mean is returned, so one stall of the virtual machine does not
    /// move the figure.
    static func secondsPerCall(_ seconds: Double, _ body: () throws -> Void) throws -> Double {
        let clock = ContinuousClock()
        let warmUpEnd = clock.now.advanced(by: .seconds(seconds / 3))
        while clock.now < warmUpEnd { try body() }
        var windows: [Double] = []
        for _ in 0..<5 {
            var calls = 0
            let start = clock.now
            let end = start.advanced(by: .seconds(seconds / 5))
            repeat {
                try body()
                calls += 1
            } while clock.now < end
            windows.append((clock.now - start).seconds / Double(calls))
        }
        return windows.sorted()[2]
    }

    /// The FP32 peak this machine reaches in a loop of independent fused multiply-adds on 8-lane
    /// vectors (what the kernels are compiled for), in GFLOP/s, on `threads` threads at once.
    public static func measurePeak(threads: Int, seconds: Double = 0.5) -> Double {
        let iterations = 2_000_000
        // 12 independent accumulators: enough to hide the FMA latency on two FMA pipes.
        let flopsPerCall = Double(iterations) * 12 * 8 * 2
        var best = 0.0
        let clock = ContinuousClock()
        let end = clock.now.advanced(by: .seconds(seconds))
        repeat {
            let start = clock.now
            Parallel.forEach(chunks: threads, threads: threads) { _ in
                fmaLoop(iterations: iterations, seed: 1.0000001)
            }
            let elapsed = (clock.now - start).seconds
            best = max(best, flopsPerCall * Double(threads) / elapsed / 1e9)
        } while clock.now < end
        return best
    }

    @inline(never)
    static func fmaLoop(iterations: Int, seed: Float) {
        let scale = SIMD8<Float>(repeating: seed), offset = SIMD8<Float>(repeating: 1e-7)
        var a0 = SIMD8<Float>(repeating: 1), a1 = a0 + 1, a2 = a0 + 2, a3 = a0 + 3, a4 = a0 + 4, a5 = a0 + 5
        var a6 = a0 + 6, a7 = a0 + 7, a8 = a0 + 8, a9 = a0 + 9, a10 = a0 + 10, a11 = a0 + 11
        for _ in 0..<iterations {
            a0 = a0.addingProduct(scale, offset); a1 = a1.addingProduct(scale, offset)
            a2 = a2.addingProduct(scale, offset); a3 = a3.addingProduct(scale, offset)
            a4 = a4.addingProduct(scale, offset); a5 = a5.addingProduct(scale, offset)
            a6 = a6.addingProduct(scale, offset); a7 = a7.addingProduct(scale, offset)
            a8 = a8.addingProduct(scale, offset); a9 = a9.addingProduct(scale, offset)
            a10 = a10.addingProduct(scale, offset); a11 = a11.addingProduct(scale, offset)
        }
        let total = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11
        // Keep the result alive so the loop is not optimised away.
        if total.sum() == .infinity { print("") }
    }
}

extension Duration {
    /// The duration in seconds as a Double.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
