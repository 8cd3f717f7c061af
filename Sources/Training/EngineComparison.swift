import ConvKernels
import Networks

/// Issue 15's "one path" target, measured: a whole Adam training step (forward in training mode,
/// cross-entropy, backward, update) of LeNet-5 through the general engine (`Network` built from the
/// `lenet5` spec) against the same step through the LeNet-specific `LeNet5` type, on the same
/// batches, in the same process. The two alternate in rounds so that a machine whose load changes
/// slows both alike; each side's rate is the median of its rounds.
public enum EngineComparison {
    public struct Result: Sendable {
        public let batchSize: Int
        /// Images per second, one per round.
        public let engine: [Double]
        public let lenet5: [Double]

        public var engineMedian: Double { Self.median(engine) }
        public var lenet5Median: Double { Self.median(lenet5) }
        /// The engine's median over the type's: the target is 0.95 or more.
        public var ratio: Double { engineMedian / lenet5Median }

        static func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            guard !sorted.isEmpty else { return 0 }
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2]
                : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
    }

    /// `rounds` alternating windows of `seconds` each, per batch size, on random normalised images.
    public static func run(batchSizes: [Int] = [1, 64], rounds: Int = 5, seconds: Double = 1,
                           threads: Int = Parallel.defaultThreads, progress: (String) -> Void = { _ in }) throws -> [Result] {
        let spec = try BuiltInArchitecture.named("lenet5").map { (architecture) throws(NetworkSpecError) in try architecture.spec }
        guard let spec else { preconditionFailure("the built-in lenet5 is missing") }
        var engine = try Network(spec: spec, seed: 0)
        var typed = LeNet5(variant: .modern, seed: 0)
        var engineAdam = try Adam(learningRate: 1e-3), typedAdam = try Adam(learningRate: 1e-3)
        var random = SeededRandom(seed: 1)
        var results: [Result] = []
        for batchSize in batchSizes {
            let images = random.uniformTensor(shape: [batchSize, 1, 28, 28])
            let labels = (0..<batchSize).map { $0 % 10 }
            var engineRates: [Double] = [], typedRates: [Double] = []
            for round in 0..<rounds {
                progress("engine against LeNet5, batch \(batchSize), round \(round + 1) of \(rounds)")
                engineRates.append(try rate(batchSize: batchSize, seconds: seconds) { () throws(KernelError) in
                    var dropout = SeededRandom(seed: 0)
                    let trace = try engine.forwardForTraining(images, random: &dropout, threads: threads)
                    let (_, dLogits) = try SoftmaxCrossEntropy.forward(logits: trace.logits, labels: labels)
                    let gradients = try engine.backward(trace, dLogits: dLogits, threads: threads).parameters
                    engineAdam.step(parameters: &engine.parameters, gradients: gradients)
                })
                typedRates.append(try rate(batchSize: batchSize, seconds: seconds) { () throws(KernelError) in
                    var dropout = SeededRandom(seed: 0)
                    let activations = try typed.forwardForTraining(images, random: &dropout, threads: threads)
                    let (_, dLogits) = try SoftmaxCrossEntropy.forward(logits: activations.logits, labels: labels)
                    let gradients = try typed.backward(activations, dLogits: dLogits, threads: threads)
                    typedAdam.step(parameters: &typed.parameters, gradients: gradients)
                })
            }
            results.append(Result(batchSize: batchSize, engine: engineRates, lenet5: typedRates))
        }
        return results
    }

    /// Images per second of `step` over a window of `seconds`, after a warm-up of a fifth of it:
    /// the network benchmark's own measurement.
    static func rate(batchSize: Int, seconds: Double, _ step: () throws(KernelError) -> Void) throws(KernelError) -> Double {
        var settings = NetworkBenchmark.Settings()
        settings.seconds = seconds
        settings.warmUpSeconds = seconds / 5
        return try NetworkBenchmark.measure(batchSize: batchSize, settings: settings, step).imagesPerSecond
    }
}
