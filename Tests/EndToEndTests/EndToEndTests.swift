import Foundation
import Testing

extension EndToEnd {
    /// The real `convtutor` binary, run as a user runs it: arguments and standard input in; standard
    /// output, standard error and the exit status out.
    ///
    /// The library tests cover the arithmetic; these cover the process boundary: argument parsing,
    /// which stream a message goes to, exit statuses (0 success, 1 a failed compute request, 2 a bad
    /// flag or value), help, and compute answering each line as it arrives. `swift test` builds the
    /// binary into the folder of the test product, where `ConvTutorBinary` finds it. Like every suite
    /// of this target, it runs inside `EndToEnd`, one test at a time.
    @Suite("End to end: the convtutor binary")
    struct EndToEndTests {
        static let exampleInput = "0 1 2; 3 4 5; 6 7 8"
        static let exampleKernel = "0 1; 2 3"

        // MARK: conv

        @Test("conv --json prints the output grid as JSON")
        func convJSON() async throws {
            let run = try await ConvTutorRun.of(["conv", "--input", Self.exampleInput, "--kernel", Self.exampleKernel, "--json"])
            run.expectSuccess()
            #expect(run.standardOutput == #"{"output": [[19, 25], [37, 43]]}"# + "\n")
        }

        @Test("conv --steps prints each window's arithmetic, then the output grid")
        func convSteps() async throws {
            let run = try await ConvTutorRun.of(["conv", "--input", Self.exampleInput, "--kernel", Self.exampleKernel, "--steps"])
            run.expectSuccess()
            #expect(run.standardOutput.contains("0x0 + 1x1 + 3x2 + 4x3 = 19"))
            #expect(run.standardOutput.contains("4x0 + 5x1 + 7x2 + 8x3 = 43"))
            // The grid comes after the steps.
            #expect(Array(run.outputLines.suffix(2)) == ["19  25", "37  43"])
        }

        @Test("conv --steps --json adds the steps as a list of lines")
        func convStepsJSON() async throws {
            let run = try await ConvTutorRun.of(
                ["conv", "--input", Self.exampleInput, "--kernel", Self.exampleKernel, "--steps", "--json"])
            run.expectSuccess()
            let object = try run.jsonObject()
            #expect(object["output"] as? [[Double]] == [[19, 25], [37, 43]])
            let steps = try #require(object["steps"] as? [String])
            #expect(steps.count == 4)
            #expect(steps.first?.contains("0x0 + 1x1 + 3x2 + 4x3 = 19") == true)
        }

        /// Dive into Deep Learning's padding example: the 3x3 grid padded by 1 to 5x5 gives a 4x4 output.
        @Test("conv --padding 1 gives the worked example's 4x4 grid")
        func convPadding() async throws {
            let run = try await ConvTutorRun.of(
                ["conv", "--input", Self.exampleInput, "--kernel", Self.exampleKernel, "--padding", "1", "--json"])
            run.expectSuccess()
            #expect(run.standardOutput
                == #"{"output": [[0, 3, 8, 4], [9, 19, 25, 10], [21, 37, 43, 16], [6, 7, 8, 0]]}"# + "\n")
        }

        // MARK: pool and activate

        @Test("pool --kind max --size 2 --stride 1 takes each window's largest value")
        func maxPool() async throws {
            let run = try await ConvTutorRun.of(
                ["pool", "--input", Self.exampleInput, "--kind", "max", "--size", "2", "--stride", "1", "--json"])
            run.expectSuccess()
            #expect(run.standardOutput == #"{"output": [[4, 5], [7, 8]]}"# + "\n")
        }

        @Test("pool --kind avg --size 2 --stride 1 takes each window's mean")
        func averagePool() async throws {
            let run = try await ConvTutorRun.of(
                ["pool", "--input", Self.exampleInput, "--kind", "avg", "--size", "2", "--stride", "1", "--json"])
            run.expectSuccess()
            #expect(run.standardOutput == #"{"output": [[2, 3], [5, 6]]}"# + "\n")
        }

        @Test("activate --fn relu zeroes the negative values (a grid may start with a minus sign)")
        func relu() async throws {
            let json = try await ConvTutorRun.of(["activate", "--input", "-2 -0.5 0 1.5", "--fn", "relu", "--json"])
            json.expectSuccess()
            #expect(json.standardOutput == #"{"output": [[0, 0, 0, 1.5]]}"# + "\n")

            let text = try await ConvTutorRun.of(["activate", "--input", "-2 -0.5 0 1.5", "--fn", "relu"])
            text.expectSuccess()
            #expect(text.outputLines == ["0  0  0  1.5"])
        }

        @Test("activate --fn softmax turns each row into probabilities")
        func softmax() async throws {
            let run = try await ConvTutorRun.of(["activate", "--input", "1 2 3; 0 0 0", "--fn", "softmax", "--json"])
            run.expectSuccess()
            let rows = try #require(try run.jsonObject()["output"] as? [[Double]], "output is not a grid: \(run.standardOutput)")
            let total = exp(-2.0) + exp(-1.0) + 1
            let expected = [[exp(-2.0) / total, exp(-1.0) / total, 1 / total], [1.0 / 3, 1.0 / 3, 1.0 / 3]]
            #expect(rows.map(\.count) == [3, 3])
            for (row, expectedRow) in zip(rows, expected) {
                for (value, expectedValue) in zip(row, expectedRow) {
                    #expect(abs(value - expectedValue) <= 1e-6, "softmax gave \(value), expected \(expectedValue)")
                }
            }
        }

        // MARK: usage errors

        /// A command line that is wrong, and the words of the message that must name the problem.
        struct UsageErrorCase: Sendable, CustomTestStringConvertible {
            let arguments: [String]
            let message: String
            var testDescription: String { arguments.joined(separator: " ") }
        }

        /// One of each kind of usage error, to see the process do what the in-process tests
        /// (ConvTutorCommandsTests' CommandLineTests, which hold the full list) expect of it: a flag the
        /// parser refuses, a value `validate()` refuses, a value the kernel refuses when the command runs,
        /// and an unknown command.
        static let usageErrors: [UsageErrorCase] = [
            UsageErrorCase(arguments: ["conv", "--input", exampleInput, "--kernel", exampleKernel, "--frob"],
                           message: "Unknown option '--frob'"),
            UsageErrorCase(arguments: ["conv", "--input", "0 1 2; 3 4", "--kernel", exampleKernel],
                           message: "--input: row 2 has 2 values, row 1 has 3"),
            UsageErrorCase(arguments: ["conv", "--input", "0 1; 2 3", "--kernel", "0 1 2; 3 4 5; 6 7 8"],
                           message: "kernel height 3 is larger than the padded input height 2"),
            UsageErrorCase(arguments: ["frobnicate"],
                           message: "Unexpected argument 'frobnicate'"),
        ]

        @Test("A bad flag or value exits 2, naming the problem on standard error", arguments: usageErrors)
        func usageError(_ usage: UsageErrorCase) async throws {
            let run = try await ConvTutorRun.of(usage.arguments)
            #expect(run.exitStatus == 2, "\(run)")
            #expect(run.standardError.contains(usage.message), "standard error does not say \"\(usage.message)\": \(run)")
            #expect(run.standardOutput.isEmpty, "a usage error printed to standard output: \(run)")
        }

        // MARK: compute

        @Test("compute answers line for line, errors as {\"error\": ...}, and exits 1 when a request failed")
        func computeMixedLines() async throws {
            let requests = [
                #"{"op": "relu", "input": {"shape": [3], "data": [-1, 0, 2]}}"#,
                #"{"op": "relu", "input": "#,
                #"{"op": "gelu", "input": {"shape": [3], "data": [-1, 0, 2]}}"#,
                #"{"op": "relu", "input": {"shape": [2, 2], "data": [1, 2, 3]}}"#,
                #"{"op": "softmax_cross_entropy", "input": {"shape": [1, 3], "data": [1, 2, 3]}, "labels": [3]}"#,
                #"{"op": "maxpool2d", "kernel": 2, "input": {"shape": [1, 1, 2, 2], "data": [1, 5, 3, 2]}}"#,
            ]
            let run = try await ConvTutorRun.of(["compute"], standardInput: requests.joined(separator: "\n") + "\n")
            #expect(run.exitStatus == 1, "\(run)")
            let lines = run.outputLines
            try #require(lines.count == requests.count, "\(requests.count) requests got \(lines.count) answers: \(run)")
            #expect(lines[0] == #"{"output": {"shape": [3], "data": [0, 0, 2]}}"#)
            let expectedErrors = [
                1: "malformed JSON",
                2: #"unknown op "gelu""#,
                3: "shape [2, 2] holds 4 values but data has 3",
                4: "label 3 at position 0 is out of range",
            ]
            for (index, words) in expectedErrors.sorted(by: { $0.key < $1.key }) {
                let answer = try JSONSerialization.jsonObject(with: Data(lines[index].utf8)) as? [String: Any]
                #expect(answer?.keys.sorted() == ["error"], "line \(index + 1) is not an error answer: \(lines[index])")
                let message = answer?["error"] as? String ?? ""
                #expect(message.contains(words), "line \(index + 1)'s error does not say \"\(words)\": \(lines[index])")
            }
            #expect(lines[5] == #"{"output": {"shape": [1, 1, 1, 1], "data": [5]}}"#)
            #expect(run.standardError.contains("4 requests failed"), "\(run)")
        }

        @Test("compute exits 0 when every request succeeds")
        func computeAllGood() async throws {
            let requests = #"""
                {"op": "relu", "input": {"shape": [3], "data": [-1, 0, 2]}}
                {"op": "sigmoid", "input": {"shape": [1], "data": [0]}}

                """#
            let run = try await ConvTutorRun.of(["compute"], standardInput: requests)
            run.expectSuccess()
            #expect(run.outputLines == [
                #"{"output": {"shape": [3], "data": [0, 0, 2]}}"#,
                #"{"output": {"shape": [1], "data": [0.5]}}"#,
            ])
        }

        @Test("compute with empty input prints nothing and exits 0")
        func computeEmptyInput() async throws {
            let run = try await ConvTutorRun.of(["compute"], standardInput: "")
            run.expectSuccess()
            #expect(run.standardOutput.isEmpty, "\(run)")
        }

        @Test("compute answers a request before the next one arrives (each answer is flushed)")
        func computeAnswersAsLinesArrive() async throws {
            let (firstAnswer, run) = try await ConvTutorProcess.offTheTaskPool {
                () throws -> (String, ConvTutorRun) in
                let process = try ConvTutorProcess(["compute"])
                defer { process.stopIfRunning() }
                try process.send(#"{"op": "relu", "input": {"shape": [2], "data": [-3, 4]}}"# + "\n")
                // Standard input stays open: the answer must come now, not when the input ends.
                let firstAnswer = try process.waitForOutputLine(timeout: ConvTutorProcess.timeLimit)
                try process.send(#"{"op": "tanh", "input": {"shape": [1], "data": [0]}}"# + "\n")
                return (firstAnswer, try process.finish(timeout: ConvTutorProcess.timeLimit))
            }
            #expect(firstAnswer == #"{"output": {"shape": [2], "data": [0, 4]}}"#)
            run.expectSuccess()
            #expect(run.outputLines.count == 2, "\(run)")
        }

        // MARK: help

        /// Every command's help is checked in-process (CommandLineTests); here, that the process prints
        /// it on standard output and exits 0.
        @Test("--help exits 0 and shows examples on standard output", arguments: [[], ["conv"]])
        func help(_ subcommand: [String]) async throws {
            let run = try await ConvTutorRun.of(subcommand + ["--help"])
            run.expectSuccess()
            let examples = try #require(run.standardOutput.range(of: "Examples:"), "no examples in the help: \(run)")
            let command = (["convtutor"] + (subcommand.isEmpty ? ["conv"] : subcommand)).joined(separator: " ")
            #expect(run.standardOutput[examples.upperBound...].contains(command), "the examples do not show \(command): \(run)")
            #expect(run.standardOutput.contains("USAGE: convtutor"), "\(run)")
        }

        // MARK: bench

        /// A debug build needs about 20 s for even the shortest run on an idle machine (every
        /// measurement times at least six calls of a batch-64 convolution), several times that on a
        /// busy one, so the bench gets a longer time limit than the rest.
        @Test("bench --json prints one JSON object with the peak and the conv2d figures")
        func benchJSON() async throws {
            // Short windows: the test checks the report's shape, not the speed.
            let run = try await ConvTutorRun.of(["bench", "--json", "--seconds", "0.05", "--network-seconds", "0.05",
                                                 "--warm-up", "0"], timeout: ConvTutorProcess.longTimeLimit)
            run.expectSuccess()
            #expect(run.outputLines.count == 1, "bench --json printed \(run.outputLines.count) lines: \(run)")
            let report = try run.jsonObject()
            let threads = try #require(report["threads"] as? Int, "no \"threads\": \(run)")
            let peak = try #require(report["peak_gflops"] as? [String: Double], "no \"peak_gflops\" object: \(run)")
            #expect(Set(peak.keys) == ["1", String(threads)])
            let rows = try #require(report["conv2d"] as? [[String: Any]], "no \"conv2d\" list: \(run)")
            #expect(Set(rows.compactMap { $0["layer"] as? String }) == ["conv1", "conv2"])
            #expect(Set(rows.compactMap { $0["batch"] as? Int }) == [1, 64])
            for row in rows {
                for field in ["forward_gflops", "backward_gflops", "forward_backward_gflops", "forward_ms", "backward_ms"] {
                    let value = row[field] as? Double
                    #expect(value.map { $0.isFinite && $0 >= 0 } == true, "conv2d row \(field) is \(String(describing: row[field]))")
                }
            }
            #expect(report["lenet_conv_forward_backward_batch64_gflops"] is Double)
            #expect(report["fraction_of_peak"] is Double)
            // The whole network, with the PyTorch peer's keys, and the screen's frame time.
            let train = try #require(report["train_images_per_second"] as? [String: Double], "no train_images_per_second: \(run)")
            #expect(Set(train.keys) == ["1", "16", "64", "256"] && train.values.allSatisfy { $0 > 0 })
            let infer = try #require(report["infer_images_per_second"] as? [String: Double], "no infer_images_per_second: \(run)")
            #expect(Set(infer.keys) == ["1", "256"] && infer.values.allSatisfy { $0 > 0 })
            #expect((report["peak_rss_mb"] as? Double).map { $0 > 0 } == true)
            let frame = try #require(report["frame_milliseconds"] as? [String: Double], "no frame_milliseconds: \(run)")
            #expect(frame["median"].map { $0 > 0 } == true && frame["width"] == 200 && frame["height"] == 60)
        }
    }
}

// MARK: - Running the binary

/// Where `swift test` put `convtutor`: the folder of the test product (`.build/debug` or
/// `<scratch path>/debug`), or the file named by `CONVTUTOR_BINARY` (e.g. to test a release build).
enum ConvTutorBinary {
    static let environmentVariable = "CONVTUTOR_BINARY"
    private static let located = locate()

    /// The binary, or an error that says where it was looked for.
    static func url() throws(BinaryNotFound) -> URL { try located.get() }

    struct BinaryNotFound: Error, CustomStringConvertible {
        let description: String
    }

    private static func locate() -> Result<URL, BinaryNotFound> {
        // A test writes to a pipe whose reader may have exited; that must be an error, not the end of the tests.
        signal(SIGPIPE, SIG_IGN)
        let fileManager = FileManager.default
        if let path = ProcessInfo.processInfo.environment[environmentVariable], !path.isEmpty {
            guard fileManager.isExecutableFile(atPath: path) else {
                return .failure(BinaryNotFound(description: "\(environmentVariable)=\(path) is not an executable file"))
            }
            return .success(URL(fileURLWithPath: path))
        }
        var folders: [URL] = []
        // Linux: the test product is an executable, <package>PackageTests.xctest, in the build folder.
        if let testProduct = Bundle.main.executableURL { folders.append(testProduct.deletingLastPathComponent()) }
        // macOS: the test product is a bundle in the build folder, loaded by the xctest tool.
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            folders.append(bundle.bundleURL.deletingLastPathComponent())
        }
        if let launched = CommandLine.arguments.first {
            folders.append(URL(fileURLWithPath: launched).deletingLastPathComponent())
        }
        for folder in folders {
            let candidate = folder.appendingPathComponent("convtutor")
            if fileManager.isExecutableFile(atPath: candidate.path) { return .success(candidate) }
        }
        return .failure(BinaryNotFound(description: """
            the convtutor binary was not found next to the test product (looked in \
            \(folders.map(\.path).joined(separator: ", "))); `swift test` builds it there, so run the \
            tests with `swift test`, or build it with `swift build` (with the same --scratch-path), \
            or set \(environmentVariable) to its path
            """))
    }
}

/// A finished run of `convtutor`.
struct ConvTutorRun: Sendable, CustomStringConvertible {
    let arguments: [String]
    /// The exit status; nil when a signal ended the process.
    let exitStatus: Int32?
    let signal: Int32?
    let standardOutput: String
    let standardError: String

    /// Runs `convtutor` with `arguments`, writes `standardInput` and closes it, and waits for the
    /// end; a run that takes longer than `timeout` is killed and throws.
    static func of(_ arguments: [String], standardInput: String = "", environment: [String: String] = [:],
                   timeout: Duration = ConvTutorProcess.timeLimit) async throws -> ConvTutorRun {
        try await ConvTutorProcess.offTheTaskPool {
            let process = try ConvTutorProcess(arguments, environment: environment)
            defer { process.stopIfRunning() }
            if !standardInput.isEmpty { try process.send(standardInput) }
            return try process.finish(timeout: timeout)
        }
    }

    /// Standard output's lines, without their line ends.
    var outputLines: [String] {
        var lines = standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// Standard output parsed as one JSON object.
    func jsonObject() throws -> [String: Any] {
        let parsed = try JSONSerialization.jsonObject(with: Data(standardOutput.utf8))
        guard let object = parsed as? [String: Any] else {
            throw ConvTutorProcess.Failure(description: "standard output is not a JSON object: \(self)")
        }
        return object
    }

    /// Exit status 0 and nothing on standard error.
    func expectSuccess(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(exitStatus == 0, "\(self)", sourceLocation: sourceLocation)
        #expect(standardError.isEmpty, "\(self)", sourceLocation: sourceLocation)
    }

    var description: String {
        let ending = if let exitStatus { "exit status \(exitStatus)" }
            else if let signal { "ended by signal \(signal)\(signal == SIGTERM ? " (SIGTERM)" : signal == SIGKILL ? " (SIGKILL)" : "")" }
            else { "had not ended" }
        return """
            convtutor \(arguments.map { $0.contains(" ") || $0.isEmpty ? "'\($0)'" : $0 }.joined(separator: " ")): \
            \(ending)
            standard output: \(standardOutput.isEmpty ? "(empty)" : "\n" + standardOutput)
            standard error: \(standardError.isEmpty ? "(empty)" : "\n" + standardError)
            """
    }
}

/// A running `convtutor` with pipes on its standard input, output and error. Its waits block the
/// calling thread, so call it through `offTheTaskPool`.
final class ConvTutorProcess: @unchecked Sendable {
    /// How long one run may take before it counts as hung and is killed. Generous on purpose: every
    /// command run with it takes well under a second on an idle machine, but `swift test` runs the
    /// other targets' tests (training LeNet-5 among them) beside these on two cores, and a limit
    /// that a slow moment can trip makes a test fail for no fault of the program (`lessons check`,
    /// 0.2 s alone, once went past a 20 s limit).
    static let timeLimit: Duration = .seconds(120)
    /// For runs that train or measure for real (several seconds on an idle machine).
    static let longTimeLimit: Duration = .seconds(600)

    /// "120 s", "0.5 s".
    static func text(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        return seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let arguments: [String]
    private let process = Process()
    private let input = Pipe()
    /// Guards everything below, and is signalled when any of it changes.
    private let condition = NSCondition()
    private var output = Data()
    private var errors = Data()
    private var openStreams = 2
    private var ended = false
    private var linesTaken = 0

    /// - Parameter environment: variables set on top of this process's own.
    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        self.arguments = arguments
        process.executableURL = try ConvTutorBinary.url()
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let outputPipe = Pipe(), errorPipe = Pipe()
        process.standardInput = input
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        process.terminationHandler = { [weak self] _ in self?.update { $0.ended = true } }
        try process.run()
        read(outputPipe.fileHandleForReading, isOutput: true)
        read(errorPipe.fileHandleForReading, isOutput: false)
    }

    /// Runs blocking work on a thread of its own, so that a wait of many seconds never holds one of
    /// the few threads that run Swift tasks.
    static func offTheTaskPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Writes `text` to the process's standard input.
    func send(_ text: String) throws {
        try input.fileHandleForWriting.write(contentsOf: Data(text.utf8))
    }

    /// The next line of standard output, waiting for it at most `timeout`.
    func waitForOutputLine(timeout: Duration) throws -> String {
        var line: String?
        let arrived = wait(timeout: timeout) { this in
            let lines = this.output.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            guard lines.count > this.linesTaken + 1 else { return false }  // the last piece is not yet a whole line
            line = String(decoding: lines[this.linesTaken], as: UTF8.self)
            this.linesTaken += 1
            return true
        }
        guard arrived, let line else {
            let outputSoFar = snapshot().standardOutput
            stopIfRunning()
            throw Failure(description: """
                convtutor \(arguments.joined(separator: " ")) printed no whole line within \(Self.text(timeout)) \
                while its standard input stayed open; killed. Its output until then: \
                \(outputSoFar.isEmpty ? "(none)" : outputSoFar)
                """)
        }
        return line
    }

    /// Closes standard input and waits at most `timeout` for the process to end; kills it and
    /// throws if it does not.
    func finish(timeout: Duration) throws -> ConvTutorRun {
        try? input.fileHandleForWriting.close()
        guard wait(timeout: timeout, until: { $0.ended && $0.openStreams == 0 }) else {
            let stillRunning = process.isRunning
            stopIfRunning()
            let run = snapshot()
            let what = stillRunning ? "; killed"
                : ": it had ended, but its output stayed open (held by a process it started?)"
            throw Failure(description: """
                convtutor \(arguments.joined(separator: " ")) did not finish within \(Self.text(timeout))\(what)
                standard output: \(run.standardOutput.isEmpty ? "(empty)" : "\n" + run.standardOutput)
                standard error: \(run.standardError.isEmpty ? "(empty)" : "\n" + run.standardError)
                """)
        }
        return snapshot()
    }

    /// Ends the process if it still runs: SIGTERM, then SIGKILL if it has not ended 10 s later.
    func stopIfRunning() {
        try? input.fileHandleForWriting.close()
        guard process.isRunning else { return }
        process.terminate()
        if !wait(timeout: .seconds(10), until: { $0.ended }) {
            kill(process.processIdentifier, SIGKILL)
            _ = wait(timeout: .seconds(30), until: { $0.ended })
        }
    }

    private func snapshot() -> ConvTutorRun {
        condition.lock()
        defer { condition.unlock() }
        let ended = self.ended
        return ConvTutorRun(
            arguments: arguments,
            exitStatus: ended && process.terminationReason == .exit ? process.terminationStatus : nil,
            signal: ended && process.terminationReason == .uncaughtSignal ? process.terminationStatus : nil,
            standardOutput: String(decoding: output, as: UTF8.self),
            standardError: String(decoding: errors, as: UTF8.self))
    }

    /// Reads a stream on a thread of its own until it closes.
    private func read(_ handle: FileHandle, isOutput: Bool) {
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                update { isOutput ? $0.output.append(chunk) : $0.errors.append(chunk) }
            }
            update { $0.openStreams -= 1 }
        }
    }

    private func update(_ change: (ConvTutorProcess) -> Void) {
        condition.lock()
        change(self)
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until `done` (called with the lock held) is true; false if `timeout` passed first.
    private func wait(timeout: Duration, until done: (ConvTutorProcess) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(Double(timeout.components.seconds)
                                                  + Double(timeout.components.attoseconds) * 1e-18)
        condition.lock()
        defer { condition.unlock() }
        while !done(self) {
            if !condition.wait(until: deadline) { return done(self) }
        }
        return true
    }
}
