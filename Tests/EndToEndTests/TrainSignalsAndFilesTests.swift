import Foundation
import TestSupport
import Testing

extension EndToEnd {
    /// `convtutor train` against what happens to a real process: signals (a dropped SSH connection,
    /// SIGTERM twice, `kill -9`), destinations that are devices, FIFOs or links, and a dataset that
    /// claims gigabytes. Each run's standard output and error go to files, read by bounded polls.
    @Suite("End to end: train under signals and odd files")
    struct TrainSignalsAndFilesTests {
        /// A fresh folder, and an environment whose cache holds nothing, so the built-in digits are chosen.
        static func scratch() throws -> (folder: String, environment: [String: String]) {
            let folder = NSTemporaryDirectory() + "convtutor-train-signals-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            return (folder, ["XDG_CACHE_HOME": folder + "/cache"])
        }

        /// A run long enough to be interrupted: many epochs on part of the built-in digits.
        static let long = ["train", "--no-tui", "--epochs", "50", "--subset", "20000", "--validation", "500", "--threads", "2"]

        /// A running `convtutor` whose output goes to files in `folder`.
        final class Run: @unchecked Sendable {
            let process = Process()
            let outputPath: String, errorPath: String

            init(_ arguments: [String], folder: String, environment: [String: String]) throws {
                outputPath = folder + "/stdout-\(UUID().uuidString)"
                errorPath = folder + "/stderr-\(UUID().uuidString)"
                _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
                _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
                process.executableURL = try ConvTutorBinary.url()
                process.arguments = arguments
                process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
                process.standardInput = FileHandle.nullDevice
                process.standardOutput = FileHandle(forWritingAtPath: outputPath)
                process.standardError = FileHandle(forWritingAtPath: errorPath)
                try process.run()
            }

            var pid: pid_t { process.processIdentifier }
            var standardOutput: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
            var standardError: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }
            var description: String { "standard output:\n\(standardOutput)\nstandard error:\n\(standardError)" }

            /// Waits (polling, at most `seconds`) until training has started: its first line about the split.
            func waitUntilTraining(seconds: Double = EndToEnd.trainingWait) -> Bool {
                BoundedWait.poll(seconds: seconds) { self.standardError.contains("steps per epoch") || !self.process.isRunning }
                    && process.isRunning
            }

            /// Waits (polling, at most `seconds`) for the end; kills the process and returns false if it does not come.
            func waitForEnd(seconds: Double = EndToEnd.trainingWait) -> Bool {
                if BoundedWait.poll(seconds: seconds, { !self.process.isRunning }) {
                    process.waitUntilExit()
                    return true
                }
                kill(pid, SIGKILL)
                process.waitUntilExit()
                return false
            }

            func stop() {
                if process.isRunning { kill(pid, SIGKILL) }
                process.waitUntilExit()
            }
        }

        static func partials(in folder: String) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".convtutor-partial") }
        }

        /// How a run ended, and what it printed, for expectations made on the test's own task
        /// (an expectation inside `offTheTaskPool` would not be counted against the test).
        struct Ending: Sendable, CustomStringConvertible {
            var startedTraining = true
            var ended = true
            var bySignal = false
            var status: Int32 = 0
            var standardOutput = ""
            var standardError = ""
            var extra: [String] = []
            init() {}
            init(_ run: Run, startedTraining: Bool = true, ended: Bool = true) {
                self.startedTraining = startedTraining
                self.ended = ended
                bySignal = run.process.terminationReason == .uncaughtSignal
                status = run.process.terminationStatus
                standardOutput = run.standardOutput
                standardError = run.standardError
            }
            var description: String {
                "\(bySignal ? "signal" : "exit") \(status)\nstandard output:\n\(standardOutput)\nstandard error:\n\(standardError)"
            }
        }

        @Test("SIGHUP (an SSH connection dropping) stops training at the next step and still writes --save and --log")
        func hangUpSaves() async throws {
            let (folder, environment) = try Self.scratch()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let checkpoint = folder + "/lenet.safetensors", log = folder + "/train.jsonl"
            let ending = try await ConvTutorProcess.offTheTaskPool { () throws -> Ending in
                let run = try Run(Self.long + ["--save", checkpoint, "--log", log], folder: folder, environment: environment)
                defer { run.stop() }
                let started = run.waitUntilTraining()
                kill(run.pid, SIGHUP)
                return Ending(run, startedTraining: started, ended: run.waitForEnd())
            }
            #expect(ending.startedTraining && ending.ended, "\(ending)")
            #expect(!ending.bySignal && ending.status == 0, "\(ending)")
            #expect(ending.standardOutput.contains("Checkpoint written to \(checkpoint)"), "\(ending)")
            #expect(FileManager.default.fileExists(atPath: checkpoint))
            let last = try #require(try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").last)
            let event = try #require(JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
            #expect(event["event"] as? String == "done" && event["reason"] as? String == "stopped")
            #expect(event["checkpoint"] as? String == checkpoint)
        }

        /// Two signals sent together are one to the kernel (standard signals do not queue), so the
        /// second is sent once the first has been answered, while the step under way (2048 images
        /// on one thread) still runs.
        @Test("a second SIGTERM ends training at once, by SIGTERM (the shell's 143); a second SIGHUP by SIGHUP (129)",
              arguments: [SIGTERM, SIGHUP])
        func secondSignal(_ number: Int32) async throws {
            let (folder, environment) = try Self.scratch()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let ending = try await ConvTutorProcess.offTheTaskPool { () throws -> Ending in
                let run = try Run(Self.long + ["--batch-size", "2048", "--threads", "1"], folder: folder, environment: environment)
                defer { run.stop() }
                let started = run.waitUntilTraining()
                kill(run.pid, number)
                _ = BoundedWait.poll(seconds: EndToEnd.screenWait, interval: 0.002) {
                    run.standardError.contains("stopping at the next step") || !run.process.isRunning
                }
                kill(run.pid, number)
                return Ending(run, startedTraining: started, ended: run.waitForEnd())
            }
            #expect(ending.startedTraining && ending.ended, "\(ending)")
            #expect(ending.bySignal && ending.status == number,
                    "expected the end by signal \(number) (status \(128 + number) in a shell): \(ending)")
        }

        @Test("kill -9 during and after saves leaves at most a recognisable partial file, which the next save removes")
        func killNineThenSave() async throws {
            let (folder, environment) = try Self.scratch()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let checkpoint = folder + "/lenet.safetensors"
            let quick = ["train", "--no-tui", "--subset", "300", "--validation", "100", "--threads", "2", "--save", checkpoint]
            let endings = try await ConvTutorProcess.offTheTaskPool { () throws -> [Ending] in
                // A save that completes.
                let first = try Run(quick + ["--epochs", "1"], folder: folder, environment: environment)
                let firstEnding = Ending(first, ended: first.waitForEnd())
                // A run killed with -9 while training, after that save.
                let killed = try Run(Self.long + ["--save", checkpoint], folder: folder, environment: environment)
                let started = killed.waitUntilTraining()
                let killedPID = killed.pid
                kill(killedPID, SIGKILL)
                killed.process.waitUntilExit()
                // What a kill in the middle of its save would have left (the few milliseconds of a save
                // are too short to hit reliably): the partial file named after it, half written.
                let partial = folder + "/.lenet.safetensors.\(killedPID).convtutor-partial"
                _ = FileManager.default.createFile(atPath: partial, contents: Data(repeating: 7, count: 1000))
                var killedEnding = Ending(killed, startedTraining: started)
                killedEnding.extra = Self.partials(in: folder)
                // The next save to the same path removes it and leaves no partial of its own.
                let next = try Run(quick + ["--resume", checkpoint, "--epochs", "2"], folder: folder, environment: environment)
                var nextEnding = Ending(next, ended: next.waitForEnd())
                nextEnding.extra = Self.partials(in: folder)
                return [firstEnding, killedEnding, nextEnding]
            }
            #expect(endings[0].ended && !endings[0].bySignal && endings[0].status == 0, "\(endings[0])")
            #expect(endings[1].startedTraining && endings[1].bySignal && endings[1].status == SIGKILL, "\(endings[1])")
            #expect(endings[1].extra.count == 1, "partial files before the next save: \(endings[1].extra)")
            #expect(endings[2].ended && !endings[2].bySignal && endings[2].status == 0, "\(endings[2])")
            #expect(endings[2].extra.isEmpty, "partial files left by the next save: \(endings[2].extra)")
            #expect(FileManager.default.fileExists(atPath: checkpoint))
        }

        @Test("--log /dev/stdout adds the events to standard output (here a file, not cut) and leaves the device alone")
        func logToStandardOutput() async throws {
            let (folder, environment) = try Self.scratch()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let ending = try await ConvTutorProcess.offTheTaskPool { () throws -> Ending in
                let run = try Run(["train", "--no-tui", "--epochs", "1", "--subset", "300", "--validation", "100", "--threads", "2",
                                   "--log", "/dev/stdout"], folder: folder, environment: environment)
                return Ending(run, ended: run.waitForEnd())
            }
            #expect(ending.ended && !ending.bySignal && ending.status == 0, "\(ending)")
            for text in ["{\"event\": \"start\"", "{\"event\": \"epoch\"", "{\"event\": \"done\"", "epoch 1/1", "Done: "] {
                #expect(ending.standardOutput.contains(text), "standard output lacks \(text): \(ending)")
            }
            var status = stat()
            #expect(lstat("/dev/stdout", &status) == 0 && status.st_mode & S_IFMT == S_IFLNK, "/dev/stdout is no longer a link")
        }

        @Test("--save on a device and --log on a FIFO with no reader are refused at once, naming what is there")
        func devicesAndFIFOs() async throws {
            let (folder, environment) = try Self.scratch()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let save = try await ConvTutorRun.of(["train", "--no-tui", "--save", "/dev/null"], environment: environment)
            #expect(save.exitStatus == 2, "\(save)")
            #expect(save.standardError.contains("--save /dev/null is a character device, not a regular file, and is not replaced"), "\(save)")
            var status = stat()
            #expect(stat("/dev/null", &status) == 0 && status.st_mode & S_IFMT == S_IFCHR)

            let fifo = folder + "/events"
            #expect(mkfifo(fifo, 0o600) == 0)
            let log = try await ConvTutorRun.of(["train", "--no-tui", "--epochs", "1", "--subset", "300", "--validation", "100",
                                                 "--log", fifo], environment: environment, timeout: ConvTutorProcess.longTimeLimit)
            #expect(log.exitStatus == 1, "\(log)")
            #expect(log.standardError.contains("--log \(fifo) is a FIFO (named pipe) with no reader; start the reader first"), "\(log)")
        }

        @Test("a 1 MB gzip'd IDX set whose header claims a gigabyte is refused before it is decompressed, exit 1")
        func idxClaimingAGigabyte() async throws {
            let (folder, environment) = try Self.scratch()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            func header(_ dimensions: [UInt32]) -> [UInt8] {
                [0, 0, 8, UInt8(dimensions.count)] + dimensions.flatMap { size in (0..<4).map { UInt8(size >> (24 - 8 * $0) & 255) } }
            }
            // Plain files are enough for the headers; the claim is what matters.
            let files: [(String, [UInt8])] = [
                ("train-images-idx3-ubyte", header([1_300_000, 28, 28]) + [UInt8](repeating: 0, count: 1 << 20)),
                ("train-labels-idx1-ubyte", header([1_300_000])),
                ("t10k-images-idx3-ubyte", header([1, 28, 28]) + [UInt8](repeating: 0, count: 784)),
                ("t10k-labels-idx1-ubyte", header([1]) + [0]),
            ]
            for (name, bytes) in files { _ = FileManager.default.createFile(atPath: folder + "/" + name, contents: Data(bytes)) }
            let run = try await ConvTutorRun.of(["train", "--no-tui", "--data", folder], environment: environment)
            #expect(run.exitStatus == 1, "\(run)")
            #expect(run.standardError.contains("would need 1.0 GB of memory; the limit is 512 MB"), "\(run)")
        }
    }
}
