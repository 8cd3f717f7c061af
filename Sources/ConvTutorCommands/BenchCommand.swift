import ArgumentParser
import ConvKernels
import Foundation
import TerminalUI
import Training
import TutorApp
import Networks
import Datasets

/// `convtutor bench`: how fast the kernels and the whole network run on this machine.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure conv2d speed (GFLOP/s) and LeNet-5's training and inference speed (images/s).",
        discussion: """
            conv: times LeNet-5's two convolutions (conv1: 1 -> 6 channels, 5x5, padding 2, on 28x28; \
            conv2: 6 -> 16 channels, 5x5, on 14x14), forward and backward (input, weight and bias \
            gradients), at batch 1 and 64, on one thread and on all cores. The peak is measured \
            here too: a loop of independent 8-lane fused multiply-adds on every core.

            network: the whole LeNet-5 as ../shared/bench/lenet_peer.py measures PyTorch's: for each \
            batch size (training 1, 16, 64 and 256; inference 1 and 256), 1 s of warm-up, then as many \
            steps as fit in --network-seconds; images/s = images / wall time of those steps. A training \
            step makes the normalised batch from a random permutation of the training images and takes \
            one Adam step (lr 0.001): forward, cross-entropy, backward, update. Inference is the \
            evaluation-mode forward pass over the test images. All cores unless --threads says. \
            Without --data the images are the built-in digits, made in memory (their content does not \
            change the speed).

            screen: a 200x60 frame of heatmaps built and diffed; then training throughput headless \
            and with the training screen reading the run and drawing at the app's 30 frames per \
            second into an in-memory 160x48 terminal, in the same process (the default recipe on \
            the built-in digits, runs of about --network-seconds, alternating, best of 3 each), and \
            their ratio (the target: 90% or more). JSON: training_screen.headless_images_per_second, \
            screen_images_per_second, ratio, frames_per_second.

            peak_rss_mb is the process's peak resident memory at the end (getrusage's ru_maxrss).

            Examples:
              convtutor bench
              convtutor bench --only network --data ~/mnist
              convtutor bench --json > bench.json
            """)

    /// Which half of the benchmark to run.
    enum Part: String, CaseIterable, ExpressibleByArgument {
        case conv, network, screen
    }

    @Flag(help: "Print the figures as JSON for scripts.")
    var json = false

    @Option(help: ArgumentHelp("Run only one part: conv, network or screen (default: all).", valueName: "part"))
    var only: Part?

    @Option(help: ArgumentHelp("Measure this network instead, through the engine: a spec file, a built-in architecture "
                                   + "or a zoo table (training and inference at batch 1 and 64).", valueName: "name|file"))
    var arch: String?

    @Option(help: ArgumentHelp("Timed seconds per conv measurement (above 0, at most 60).", valueName: "seconds"))
    var seconds: Double = 0.6

    @Option(name: .customLong("network-seconds"),
            help: ArgumentHelp("Timed seconds per network batch size, above 0 and at most 60 (the peer's --seconds).", valueName: "seconds"))
    var networkSeconds: Double = 3

    @Option(name: .customLong("warm-up"),
            help: ArgumentHelp("Untimed seconds before each network batch size (0 to 60).", valueName: "seconds"))
    var warmUp: Double = 1

    @Option(help: ArgumentHelp("Threads for the network part, 1 to 256 (the peer's --threads; default: every core).", valueName: "count"))
    var threads: Int = Parallel.defaultThreads

    @Option(help: ArgumentHelp("A folder of MNIST-layout IDX files for the network part (default: the built-in digits).",
                               valueName: "dir"), completion: .directory)
    var data: String?

    func validate() throws {
        guard seconds > 0, seconds <= 60 else {
            throw ValidationError("--seconds \(seconds) is out of range; give a number of seconds above 0 and at most 60")
        }
        guard networkSeconds > 0, networkSeconds <= 60 else {
            throw ValidationError("--network-seconds \(networkSeconds) is out of range; give a number of seconds above 0 and at most 60")
        }
        guard warmUp >= 0, warmUp <= 60 else {
            throw ValidationError("--warm-up \(warmUp) is out of range; give a number of seconds from 0 to 60")
        }
        guard threads >= 1, threads <= 256 else {
            throw ValidationError("--threads \(threads) is invalid; give a number from 1 to 256")
        }
        if let data {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: data, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--data \(data): no such folder; give a folder holding train-images-idx3-ubyte, "
                    + "train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (or their .gz)")
            }
            if let only, only != .network {
                throw ValidationError("--data is for the network part; drop --data or --only \(only.rawValue)")
            }
        }
    }

    func run() throws {
        let allThreads = Parallel.defaultThreads
        // Progress on a terminal only: a line rewritten in place, erased at the end.
        let showProgress = !json && isatty(STDERR_FILENO) == 1
        let report: (String) -> Void = { line in
            if showProgress { FileHandle.standardError.write(Data("\u{1B}[2K\r  \(line)...".utf8)) }
        }
        var document: [String: Any] = ["threads": allThreads]
        var lines: [String] = []
        if let arch {
            try measureArchitecture(arch, threads: threads, progress: report, document: &document, lines: &lines)
            if showProgress { FileHandle.standardError.write(Data("\u{1B}[2K\r".utf8)) }
            try printFigures(document, lines)
            return
        }

        if only == nil || only == .conv {
            report("measuring the FP32 peak")
            let conv = try measureConvolutions(threads: allThreads, progress: report)
            document.merge(conv.json) { _, new in new }
            lines += conv.lines
        }
        if only == nil || only == .network {
            if only == nil { lines.append("") }
            let network = try measureNetwork(threads: threads, progress: report)
            document.merge(network.json) { _, new in new }
            lines += network.lines
        }
        if only == nil || only == .screen {
            report("measuring a 200x60 frame of heatmaps")
            // A full frame of half-block heatmaps in 256 colours, built and diffed against the last.
            let frame = TerminalUIBenchmark.frameMilliseconds(width: 200, height: 60, iterations: 200)
            document["frame_milliseconds"] = ["median": rounded(frame.median, places: 3), "width": 200, "height": 60]
            if only == nil { lines.append("") }
            lines.append("Screen: a 200x60 frame of heatmaps built and diffed in \(String(format: "%.2f", frame.median)) ms "
                + "(median of 200; the target is 2 ms or less)")
            let overhead = try measureTrainingScreen(threads: threads, progress: report)
            document["training_screen"] = overhead.json
            lines += overhead.lines
        }
        let peak = NetworkBenchmark.peakResidentMegabytes()
        document["peak_rss_mb"] = rounded(peak, places: 1)
        lines.append("")
        lines.append("Peak resident memory of this run: \(String(format: "%.1f", peak)) MB")
        if showProgress { FileHandle.standardError.write(Data("\u{1B}[2K\r".utf8)) }

        try printFigures(document, lines)
    }

    private func printFigures(_ document: [String: Any], _ lines: [String]) throws {
        if json {
            let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(lines.joined(separator: "\n"))
        }
    }

    /// `--arch`: one network's training and inference throughput through the engine.
    private func measureArchitecture(_ name: String, threads: Int, progress: (String) -> Void, document: inout [String: Any],
                                     lines: inout [String]) throws {
        let spec = try NetworkChoice.spec(named: name, command: "bench")
        let rates: (training: [ArchitectureBenchmark.Rate], inference: [ArchitectureBenchmark.Rate])
        do {
            rates = try ArchitectureBenchmark.run(spec: spec, seconds: networkSeconds, threads: threads, progress: progress)
        } catch let error as NetworkSpecError {
            throw CommandFailure("convtutor bench: \(error)")
        }
        func entries(_ list: [ArchitectureBenchmark.Rate]) -> [[String: Any]] {
            list.map { ["batch_size": $0.batchSize, "images_per_second": rounded($0.imagesPerSecond, places: 1)] }
        }
        document["architecture"] = ["name": spec.name, "input": spec.input.dimensions, "threads": threads,
                                    "training": entries(rates.training), "inference": entries(rates.inference)] as [String: Any]
        lines.append("\(spec.name) through the engine, \(threads) thread\(threads == 1 ? "" : "s") (images/s):")
        for (train, infer) in zip(rates.training, rates.inference) {
            lines.append("  batch \(train.batchSize): training \(String(format: "%.0f", train.imagesPerSecond)), "
                + "inference \(String(format: "%.0f", infer.imagesPerSecond))")
        }
        let peak = NetworkBenchmark.peakResidentMegabytes()
        document["peak_rss_mb"] = rounded(peak, places: 1)
        lines.append("Peak resident memory: \(String(format: "%.1f", peak)) MB")
    }

    /// The conv2d figures: JSON keys and text lines.
    private func measureConvolutions(threads allThreads: Int, progress report: (String) -> Void) throws
        -> (json: [String: Any], lines: [String]) {
        let peakOne = KernelBenchmark.measurePeak(threads: 1, seconds: seconds)
        let peakAll = KernelBenchmark.measurePeak(threads: allThreads, seconds: seconds)
        let results = try KernelBenchmark.run(threadCounts: [1, allThreads], seconds: seconds,
                                                  progress: { report("measuring \($0)") })

        // Forward + backward of both layers at batch 64 on all cores: the headline figure.
        let headline = results.filter { $0.batch == 64 && $0.threads == allThreads }
        let headlineFlops = headline.reduce(0.0) { $0 + 6 * Double($1.multiplyAdds) }
        let headlineSeconds = headline.reduce(0.0) { $0 + $1.forwardSeconds + $1.backwardSeconds }
        let headlineGFLOPS = headlineFlops / headlineSeconds / 1e9

        let rows: [[String: Any]] = results.map {
            ["layer": $0.layer, "batch": $0.batch, "threads": $0.threads,
             "forward_gflops": rounded($0.forwardGFLOPS), "backward_gflops": rounded($0.backwardGFLOPS),
             "forward_backward_gflops": rounded($0.combinedGFLOPS),
             "forward_ms": rounded($0.forwardSeconds * 1e3, places: 4),
             "backward_ms": rounded($0.backwardSeconds * 1e3, places: 4)]
        }
        let json: [String: Any] = [
            "peak_gflops": ["1": rounded(peakOne), String(allThreads): rounded(peakAll)],
            "conv2d": rows,
            "lenet_conv_forward_backward_batch64_gflops": rounded(headlineGFLOPS),
            "fraction_of_peak": rounded(headlineGFLOPS / peakAll, places: 3),
        ]
        var lines = ["FP32 peak (8-lane FMA loop): \(format(peakOne)) GFLOP/s on 1 thread, \(format(peakAll)) on \(allThreads)", ""]
        lines.append("layer  batch  threads   forward  backward   fwd+bwd  (GFLOP/s)   forward ms  backward ms")
        for r in results {
            lines.append([pad(r.layer, 5), pad("\(r.batch)", 6, right: true), pad("\(r.threads)", 8, right: true),
                          pad(format(r.forwardGFLOPS), 9, right: true), pad(format(r.backwardGFLOPS), 9, right: true),
                          pad(format(r.combinedGFLOPS), 9, right: true), "            ",
                          pad(String(format: "%.3f", r.forwardSeconds * 1e3), 9, right: true),
                          pad(String(format: "%.3f", r.backwardSeconds * 1e3), 12, right: true)].joined(separator: " "))
        }
        lines.append("")
        lines.append("LeNet-5 convolutions, forward + backward, batch 64, \(allThreads) threads: "
            + "\(format(headlineGFLOPS)) GFLOP/s = \(String(format: "%.0f", 100 * headlineGFLOPS / peakAll))% of the measured peak")
        return (json, lines)
    }

    /// The whole-network figures (the peer's protocol): JSON keys and text lines.
    private func measureNetwork(threads: Int, progress report: (String) -> Void) throws
        -> (json: [String: Any], lines: [String]) {
        let trainingData: TrainingData
        if let data {
            report("loading \(data)")
            do {
                trainingData = try TrainingData.idx(directory: data)
            } catch {
                throw failure(error.message)
            }
        } else {
            report("making the built-in digits")
            trainingData = TrainingData.builtInDigits(seed: 0)
        }
        var settings = NetworkBenchmark.Settings()
        settings.seconds = networkSeconds
        settings.warmUpSeconds = warmUp
        settings.threads = threads
        let result: NetworkBenchmark.Result
        do {
            result = try NetworkBenchmark.run(data: trainingData, settings: settings,
                                              progress: { report("measuring \($0)") })
        } catch let error as DatasetError {
            throw failure(error.message)
        }

        func rates(_ list: [NetworkBenchmark.Rate]) -> [String: Double] {
            Dictionary(uniqueKeysWithValues: list.map { (String($0.batchSize), rounded($0.imagesPerSecond, places: 1)) })
        }
        let json: [String: Any] = [
            "framework": "convtutor",
            "parameters": result.parameterCount,
            "network_threads": result.threads,
            "dataset": trainingData.name,
            "warm_up_seconds": warmUp,
            "network_seconds": networkSeconds,
            "train_images_per_second": rates(result.training),
            "infer_images_per_second": rates(result.inference),
        ]
        var lines = ["LeNet-5, whole network: \(trainingData.name), \(result.threads) thread\(result.threads == 1 ? "" : "s"), "
            + "\(formatSeconds(warmUp)) s warm-up then \(formatSeconds(networkSeconds)) s per batch size"]
        lines.append("  training (batch, forward, loss, backward, Adam update)   inference (evaluation-mode forward)")
        lines.append("    batch      images/s     ms/step                         batch      images/s     ms/step")
        for row in 0..<max(result.training.count, result.inference.count) {
            func cells(_ list: [NetworkBenchmark.Rate]) -> String {
                guard row < list.count else { return String(repeating: " ", count: 35) }
                let rate = list[row]
                return pad("\(rate.batchSize)", 9, right: true) + pad(format(rate.imagesPerSecond), 14, right: true)
                    + pad(String(format: "%.3f", 1e3 * rate.seconds / Double(rate.steps)), 12, right: true)
            }
            lines.append(cells(result.training) + "                      " + cells(result.inference))
        }
        return (json, lines)
    }

    /// Training throughput headless and with the training screen reading the run and drawing its
    /// frames into an in-memory terminal, in the same process, alternating (headless, screen, `screenRounds` times)
    /// and keeping each side's faster run.
    private func measureTrainingScreen(threads: Int, progress report: (String) -> Void) throws
        -> (json: [String: Any], lines: [String]) {
        let batchSize = 32
        // Runs of about --network-seconds each, sized from a short headless run.
        report("sizing the training-screen runs")
        // (Long enough that the run's start and its closing evaluation weigh little in the rate.)
        let probe = NetworkBenchmark.headlessRate(try NetworkBenchmark.overheadTrainer(steps: 300, batchSize: batchSize, threads: threads))
        let steps = max(300, Int(probe.imagesPerSecond * networkSeconds / Double(batchSize)))
        var headless: [NetworkBenchmark.Rate] = []
        var screen: [(rate: NetworkBenchmark.Rate, framesPerSecond: Double)] = []
        for round in 1...Self.screenRounds {
            report("training headless (\(round) of \(Self.screenRounds))")
            headless.append(NetworkBenchmark.headlessRate(
                try NetworkBenchmark.overheadTrainer(steps: steps, batchSize: batchSize, threads: threads)))
            report("training with the screen drawing (\(round) of \(Self.screenRounds))")
            screen.append(try screenRate(try NetworkBenchmark.overheadTrainer(steps: steps, batchSize: batchSize, threads: threads)))
        }
        let bestHeadless = headless.map(\.imagesPerSecond).max() ?? 0
        let bestScreen = screen.max { $0.rate.imagesPerSecond < $1.rate.imagesPerSecond } ?? screen[0]
        let ratio = bestHeadless > 0 ? bestScreen.rate.imagesPerSecond / bestHeadless : 0
        let size = Self.screenBenchmarkSize
        let json: [String: Any] = [
            "headless_images_per_second": rounded(bestHeadless, places: 1),
            "screen_images_per_second": rounded(bestScreen.rate.imagesPerSecond, places: 1),
            "ratio": rounded(ratio, places: 3),
            "frames_per_second": rounded(bestScreen.framesPerSecond, places: 1),
            "steps": steps, "batch_size": batchSize, "threads": threads,
            "terminal": "\(size.width)x\(size.height)",
        ]
        let lines = [
            "Training screen: the default recipe, batch \(batchSize), \(threads) thread\(threads == 1 ? "" : "s"), "
                + "\(steps.formatted()) steps per run (best of \(Self.screenRounds) each)",
            "  headless                 \(format(bestHeadless)) images/s",
            "  screen drawing (\(size.width)x\(size.height))  \(format(bestScreen.rate.imagesPerSecond)) images/s at "
                + "\(format(bestScreen.framesPerSecond)) frames/s = \(String(format: "%.1f", ratio * 100))% of headless "
                + "(the target is 90% or more at 10 frames/s or more)",
        ]
        return (json, lines)
    }

    static let screenBenchmarkSize = (width: 160, height: 48)
    /// Headless and screen runs alternate this many times; each side keeps its fastest, so that a
    /// burst of other work on the machine during one run does not decide the ratio.
    static let screenRounds = 3

    /// Trains `trainer` to its end under a `TrainingScreen` that the app ticks and draws at its own
    /// frame rate into an in-memory terminal, as on a real one; the rate and the frames drawn per second.
    private func screenRate(_ trainer: Trainer) throws -> (rate: NetworkBenchmark.Rate, framesPerSecond: Double) {
        let screen = TrainingScreen(runs: [TrainingRun(label: "modern", trainer: trainer,
                                                       dataset: TrainingScreenLauncher.datasetLine(trainer))])
        let backend = InMemoryBackend(width: Self.screenBenchmarkSize.width, height: Self.screenBenchmarkSize.height)
        backend.closesWhenEmpty = false
        let start = DispatchTime.now().uptimeNanoseconds
        let elapsed = { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        let app = TutorApp(root: screen, backend: backend, clock: elapsed)
        let interval = 1 / TutorApp.framesPerSecond
        var frames = 0
        while !screen.isFinished {
            screen.tick(time: elapsed())
            app.drawFrame()
            frames += 1
            let wait = Double(frames) * interval - elapsed()
            if wait > 0 { Thread.sleep(forTimeInterval: wait) }
        }
        let seconds = elapsed()
        let steps = trainer.stepsPerEpoch
        let rate = NetworkBenchmark.Rate(batchSize: trainer.configuration.batchSize, steps: steps,
                                         images: steps * trainer.configuration.batchSize, seconds: seconds)
        return (rate, Double(frames) / seconds)
    }

    /// A set that cannot be measured (a bad file, too few images): exit status 1, as `train` does.
    private func failure(_ message: String) -> CommandFailure {
        // Over the progress line, if there is one.
        let erase = isatty(STDERR_FILENO) == 1 ? "\u{1B}[2K\r" : ""
        return CommandFailure("\(erase)convtutor bench: \(message)")
    }

    private func formatSeconds(_ value: Double) -> String {
        value == value.rounded() ? String(format: "%.0f", value) : String(format: "%g", value)
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
