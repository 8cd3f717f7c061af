import ConvKernels
import Networks

/// Training and inference throughput of any spec through the network engine, measured as the
/// PyTorch peer measures its module (tools/compare_arch_peer.py times the exported module the same
/// way): random normalised inputs of the spec's shape and random labels; a training step is
/// forward in training mode, cross-entropy, backward and an Adam update; inference is the
/// evaluation-mode forward pass. One untimed step, then steps until the window has passed.
public enum ArchitectureBenchmark {
    public struct Rate: Sendable {
        public let batchSize: Int
        public let imagesPerSecond: Double
    }

    public static func run(spec: NetworkSpec, batchSizes: [Int] = [1, 64], seconds: Double = 3,
                           threads: Int = Parallel.defaultThreads,
                           progress: (String) -> Void = { _ in }) throws -> (training: [Rate], inference: [Rate]) {
        var network = try Network(spec: spec, seed: 0)
        var adam = try Adam(learningRate: 1e-3)
        var random = SeededRandom(seed: 1)
        var training: [Rate] = [], inference: [Rate] = []
        for batchSize in batchSizes {
            progress("\(spec.name): training, batch \(batchSize)")
            let images = random.uniformTensor(shape: [batchSize] + spec.input.dimensions)
            let labels = (0..<batchSize).map { $0 % spec.classes }
            var dropout = SeededRandom(seed: 2)
            training.append(Rate(batchSize: batchSize, imagesPerSecond: try NetworkBenchmark.rate(
                batchSize: batchSize, seconds: seconds) { () throws(KernelError) in
                    let trace = try network.forwardForTraining(images, random: &dropout, threads: threads)
                    let (_, dLogits) = try SoftmaxCrossEntropy.forward(logits: trace.logits, labels: labels)
                    adam.step(parameters: &network.parameters,
                              gradients: try network.backward(trace, dLogits: dLogits, threads: threads).parameters)
                }))
            progress("\(spec.name): inference, batch \(batchSize)")
            inference.append(Rate(batchSize: batchSize, imagesPerSecond: try NetworkBenchmark.rate(
                batchSize: batchSize, seconds: seconds) { () throws(KernelError) in
                    _ = try network.logits(images, threads: threads)
                }))
        }
        return (training, inference)
    }
}
