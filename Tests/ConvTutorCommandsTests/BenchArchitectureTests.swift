import Foundation
import Networks
import Testing
import Training
@testable import ConvTutorCommands

@Suite("convtutor bench --arch")
struct BenchArchitectureTests {
    @Test("a network too large to train here, or one that does not exist, fails (status 1) saying why")
    func refusals() throws {
        let large = try CommandLineOutcome.of(["bench", "--arch", "vgg16"])
        #expect(large.status == ExitStatus.failure && large.message.contains("vgg16 has 138,357,544 parameters"), "\(large)")
        let unknown = try CommandLineOutcome.of(["bench", "--arch", "lenet7"])
        #expect(unknown.status == ExitStatus.failure && unknown.message.contains("there is no architecture called 'lenet7'"))
    }

    @Test("a built-in architecture's training and inference throughput at batch 1 and 64")
    func figures() throws {
        let spec = try NetworkChoice.spec(named: "lenet5-gap", command: "bench")
        // A short window: the test checks that it measures, not how fast.
        let rates = try ArchitectureBenchmark.run(spec: spec, seconds: 0.01, threads: 1)
        #expect(rates.training.map(\.batchSize) == [1, 64] && rates.inference.map(\.batchSize) == [1, 64])
        #expect(rates.training.allSatisfy { $0.imagesPerSecond > 0 } && rates.inference.allSatisfy { $0.imagesPerSecond > 0 })
    }
}
