import ArgumentParser
import ConvKernels
import Foundation
import KernelCommands

/// `convtutor bench`: how fast the kernels run on this machine.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure conv2d speed (GFLOP/s) beside this machine's FP32 peak.",
        discussion: """
            Times LeNet-5's two convolutions (conv1: 1 -> 6 channels, 5x5, padding 2, on 28x28; \
            conv2: 6 -> 16 channels, 5x5, on 14x14), forward and backward (input, weight and bias \
            gradients), at batch 1 and 64, on one thread and on all cores. The peak is measured \
            here too: a loop of independent 8-lane fused multiply-adds on every core.

            Examples:
              convtutor bench
              convtutor bench --json > bench.json
            """)

    @Flag(help: "Print the figures as JSON for scripts.")
    var json = false

    @Option(help: ArgumentHelp("Timed seconds per measurement.", valueName: "seconds"))
    var seconds: Double = 0.6

    func validate() throws {
        guard seconds > 0, seconds <= 60 else {
            throw ValidationError("--seconds \(seconds) is out of range; give a number of seconds above 0 and at most 60")
        }
    }

    func run() throws {
        let allThreads = Parallel.defaultThreads
        // Progress on a terminal only: a line rewritten in place, erased at the end.
        let showProgress = !json && isatty(STDERR_FILENO) == 1
        let report: (String) -> Void = { line in
            if showProgress { FileHandle.standardError.write(Data("\u{1B}[2K\r  measuring \(line)...".utf8)) }
        }
        report("the FP32 peak")
        let peakOne = KernelBenchmark.measurePeak(threads: 1, seconds: seconds)
        let peakAll = KernelBenchmark.measurePeak(threads: allThreads, seconds: seconds)
        let results = try KernelBenchmark.run(threadCounts: [1, allThreads], seconds: seconds, progress: report)
        if showProgress { FileHandle.standardError.write(Data("\u{1B}[2K\r".utf8)) }

        // Forward + backward of both layers at batch 64 on all cores: the headline figure.
        let headline = results.filter { $0.batch == 64 && $0.threads == allThreads }
        let headlineFlops = headline.reduce(0.0) { $0 + 6 * Double($1.multiplyAdds) }
        let headlineSeconds = headline.reduce(0.0) { $0 + $1.forwardSeconds + $1.backwardSeconds }
        let headlineGFLOPS = headlineFlops / headlineSeconds / 1e9

        if json {
            let rows: [[String: Any]] = results.map {
                ["layer": $0.layer, "batch": $0.batch, "threads": $0.threads,
                 "forward_gflops": rounded($0.forwardGFLOPS), "backward_gflops": rounded($0.backwardGFLOPS),
                 "forward_backward_gflops": rounded($0.combinedGFLOPS),
                 "forward_ms": rounded($0.forwardSeconds * 1e3, places: 4),
                 "backward_ms": rounded($0.backwardSeconds * 1e3, places: 4)]
            }
            let document: [String: Any] = [
                "threads": allThreads,
                "peak_gflops": ["1": rounded(peakOne), String(allThreads): rounded(peakAll)],
                "conv2d": rows,
                "lenet_conv_forward_backward_batch64_gflops": rounded(headlineGFLOPS),
                "fraction_of_peak": rounded(headlineGFLOPS / peakAll, places: 3),
            ]
            let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("FP32 peak (8-lane FMA loop): \(format(peakOne)) GFLOP/s on 1 thread, \(format(peakAll)) on \(allThreads)")
        print("")
        print("layer  batch  threads   forward  backward   fwd+bwd  (GFLOP/s)   forward ms  backward ms")
        for r in results {
            print(pad(r.layer, 5), pad("\(r.batch)", 6, right: true), pad("\(r.threads)", 8, right: true),
                  pad(format(r.forwardGFLOPS), 9, right: true), pad(format(r.backwardGFLOPS), 9, right: true),
                  pad(format(r.combinedGFLOPS), 9, right: true), "            ",
                  pad(String(format: "%.3f", r.forwardSeconds * 1e3), 9, right: true),
                  pad(String(format: "%.3f", r.backwardSeconds * 1e3), 12, right: true))
        }
        print("")
        print("LeNet-5 convolutions, forward + backward, batch 64, \(allThreads) threads: "
              + "\(format(headlineGFLOPS)) GFLOP/s = \(String(format: "%.0f", 100 * headlineGFLOPS / peakAll))% of the measured peak")
    }

    private func format(_ value: Double) -> String { String(format: "%.1f", value) }

    private func rounded(_ value: Double, places: Int = 2) -> Double {
        let scale = pow(10, Double(places))
        return (value * scale).rounded() / scale
    }

    private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}
