import Foundation
import TestSupport
import Testing

extension EndToEnd {
    /// `convtutor train` on a real terminal: tmux runs an interactive shell, the test starts training
    /// on the built-in digits, watches the batch counter and the loss curve move, pauses, steps once,
    /// saves a checkpoint (which then resumes with `train --resume`), resizes (too small and back,
    /// training going on), and quits with q, answering the save question; the terminal is sane after.
    @Suite("End to end: the training screen in tmux")
    struct TrainScreenTmuxTests {
        typealias Session = TutorTmuxTests.Session

        /// The batch counter's value ("batch 1,234/1,719" -> 1234), or nil when it is not on the screen.
        static func batchCount(_ screen: String) -> Int? {
            guard let range = screen.range(of: #"batch [0-9,]+/"#, options: .regularExpression) else { return nil }
            let digits = screen[range].dropFirst("batch ".count).dropLast().filter(\.isNumber)
            return Int(String(digits))
        }

        /// The probe panel's first line ("probe image #398"), or nil when it is not on the screen.
        static func probeImage(_ screen: String) -> String? {
            screen.range(of: #"probe image #[0-9]+"#, options: .regularExpression).map { String(screen[$0]) }
        }

        /// The loss chart: the lines from the one holding its title to the accuracy chart's (or the
        /// next 8 lines), cut to the chart's columns.
        static func lossChart(_ screen: String) -> [String] {
            let lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard let top = lines.firstIndex(where: { $0.contains("Loss") }) else { return [] }
            let end = lines[(top + 1)...].firstIndex(where: { $0.contains("Accuracy") || $0.contains("Filters") }) ?? min(lines.count, top + 9)
            return Array(lines[top..<max(top + 1, end)])
        }

        /// Waits up to `seconds` for `condition` on the screen; the screen that met it.
        @discardableResult
        static func waitUntil(_ session: Session, seconds: Double = EndToEnd.screenWait, _ what: String,
                              sourceLocation: SourceLocation = #_sourceLocation, _ condition: (String) -> Bool) throws -> String {
            let (met, last) = try BoundedWait.poll(seconds: seconds, interval: 0.1, sample: session.screen, until: condition)
            if met { return last }
            Issue.record("waited \(seconds) s for \(what); the screen was:\n\(last)", sourceLocation: sourceLocation)
            throw Session.Timeout()
        }

        @Test("train --epochs 1 on the built-in digits: counter and curve move, p, s, w, resize, q with a save, clean exit",
              .enabled(if: TutorTmuxTests.tmuxAvailable))
        func liveTraining() async throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convtutor-screen-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }

            // The process id goes to a file outside the folder (whose files are checked below): the
            // shell writes its own and becomes convtutor with exec.
            let pidFile = folder.path + ".pid"
            defer { try? FileManager.default.removeItem(atPath: pidFile) }

            let session = try Session()
            try session.waitFor("ready>")
            // XDG_DATA_HOME in the folder: w without --save writes to XDG_DATA_HOME/convtutor/checkpoints.
            try session.type("cd '\(folder.path)' && XDG_DATA_HOME='\(folder.path)/data' bash -c 'echo $$ > \"$0\"; exec \"$@\"' '\(pidFile)' "
                + "\(session.binary) train --data builtin --epochs 1 --batch-size 4 --threads 1; "
                + "echo EXITED=$((1000 + $?))")
            try session.keys("Enter")
            try session.waitFor("Training lenet5", seconds: EndToEnd.trainingWait)

            // The batch counter climbs and the loss curve changes while it trains.
            let first = try Self.waitUntil(session, "the batch counter to start") { (Self.batchCount($0) ?? 0) > 0 }
            let firstCount = try #require(Self.batchCount(first))
            let later = try Self.waitUntil(session, "the batch counter to climb and the loss curve to change") { screen in
                (Self.batchCount(screen) ?? 0) > firstCount + 20 && Self.lossChart(screen) != Self.lossChart(first)
            }
            #expect(!Self.lossChart(later).isEmpty, "\(later)")

            // p pauses: the counter stands still; s takes exactly one step. Each n (another validation
            // digit as the probe) is a round trip through the training loop, which serves it between
            // steps: once the loop has served one after the pause, it takes no step of its own, and a
            // screen showing the next probe has drawn every step taken before.
            try session.keys("p")
            try session.waitFor("paused: s steps once, p resumes")
            var probe = try Self.waitUntil(session, "the probe panel") { Self.probeImage($0) != nil }
            probe = try Self.nextProbe(session, after: probe)
            probe = try Self.nextProbe(session, after: probe)
            let pausedCount = try #require(Self.batchCount(probe), "\(probe)")
            probe = try Self.nextProbe(session, after: probe)
            #expect(Self.batchCount(probe) == pausedCount, "paused, the loop took a step:\n\(probe)")
            try session.keys("s")
            probe = try Self.waitUntil(session, "one step after s") { Self.batchCount($0) == pausedCount + 1 }
            probe = try Self.nextProbe(session, after: probe)
            #expect(Self.batchCount(probe) == pausedCount + 1, "s took more than one step:\n\(probe)")

            // Paused still: c evaluates the validation set now.
            try session.keys("c")
            try session.waitFor("validation at step")
            #expect(Self.batchCount(try session.screen()) == pausedCount + 1, "n and c take no training step")

            // w writes a checkpoint into the user's data folder (never the current folder), making the
            // folder, atomically: no temporary file is left.
            try session.keys("w")
            let saved = try session.waitFor("checkpoint saved:")
            let checkpointFolder = folder.appendingPathComponent("data/convtutor/checkpoints")
            // The full path, on two lines when it is longer than one.
            #expect(saved.replacingOccurrences(of: "\n", with: "").contains("checkpoint saved: \(checkpointFolder.path)/lenet5-"),
                    "the full path: \(saved)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["data"],
                    "nothing is written into the current folder")
            let files = try FileManager.default.contentsOfDirectory(atPath: checkpointFolder.path)
            let checkpoints = files.filter { $0.hasSuffix(".safetensors") }
            #expect(checkpoints.count == 1, "\(files)\n\(saved)")
            #expect(files.count == checkpoints.count, "only the checkpoint is left: \(files)")

            // Resize: bigger, too small (training goes on underneath), and back. While the screen only
            // says it is too small, the process keeps working: its processor time grows by 2 s (the
            // screen alone, waiting for keys, uses next to none).
            try session.keys("p")
            try session.resize(120, 40)
            try session.waitFor("Training lenet5")
            try session.resize(60, 20)
            try session.waitFor("This terminal is 60x20.")
            let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)), "no process id in \(pidFile)")
            let cpuBefore = try Self.processorSeconds(pid)
            try Self.waitUntilProcessorTime(of: pid, exceeds: cpuBefore + 2, "training to go on while the terminal is too small")
            let small = try session.screen()
            #expect(small.contains("This terminal is 60x20."), "the screen changed while it was too small:\n\(small)")
            try session.resize(100, 30)
            // (A capture may hold half a frame: wait for the counter itself, not only the title.)
            let back = try Self.waitUntil(session, "the training screen with its batch counter again") { screen in
                screen.contains("Training lenet5") && Self.batchCount(screen) != nil
            }
            #expect((Self.batchCount(back) ?? 0) > pausedCount + 1, "training went on while the terminal was too small:\n\(back)")

            // q asks whether to save; y saves and quits; the shell gets a sane terminal back.
            try session.keys("q")
            try session.waitFor("Save a checkpoint before stopping? y/n")
            try session.keys("y")
            // The summary names the checkpoints the screen wrote, and does not also say none was written.
            let summary = try session.waitFor("EXITED=10")
            #expect(summary.contains("Checkpoints written from the screen: ") && !summary.contains("No checkpoint written"),
                    "\(summary)")
            try session.expectCleanExit()
            let after = try FileManager.default.contentsOfDirectory(atPath: checkpointFolder.path).filter { $0.hasSuffix(".safetensors") }
            #expect(after.count == 2, "w's checkpoint and q's: \(after)")

            // The checkpoint w wrote loads in the inspector.
            let checkpoint = checkpointFolder.appendingPathComponent(try #require(checkpoints.first)).path
            try await Self.expectInspectorLoads(checkpoint)
        }

        /// Presses n and waits for a probe digit other than the one on `screen`; the screen showing it.
        static func nextProbe(_ session: Session, after screen: String,
                              sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
            let shown = probeImage(screen)
            try session.keys("n")
            return try waitUntil(session, "another probe digit after n (not \(shown ?? "none"))", sourceLocation: sourceLocation) {
                probeImage($0) != nil && probeImage($0) != shown
            }
        }

        /// The processor time (user and system) process `pid` has used, in whole seconds, from `ps`.
        static func processorSeconds(_ pid: Int32) throws -> Int {
            let text = try Session.run(["ps", "-o", "time=", "-p", "\(pid)"]).trimmingCharacters(in: .whitespacesAndNewlines)
            // [[dd-]hh:]mm:ss
            let dayAndRest = text.split(separator: "-")
            let days = dayAndRest.count == 2 ? Int(dayAndRest[0]) : 0
            let parts = (dayAndRest.last ?? "").split(separator: ":").map { Int($0) }
            guard let days, !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else {
                throw Session.Failure(description: "ps gave no processor time for process \(pid): '\(text)'")
            }
            return parts.reduce(days * 24) { $0 * 60 + $1! }
        }

        /// Polls until process `pid` has used more than `seconds` of processor time, at most `EndToEnd.trainingWait`.
        static func waitUntilProcessorTime(of pid: Int32, exceeds seconds: Int, _ what: String,
                                           sourceLocation: SourceLocation = #_sourceLocation) throws {
            let (met, last) = try BoundedWait.poll(seconds: EndToEnd.trainingWait, interval: 0.2,
                                                sample: { try processorSeconds(pid) }, until: { $0 > seconds })
            if met { return }
            let message = "waited \(Int(EndToEnd.trainingWait)) s for \(what): process \(pid) used \(last) s of processor time, "
                + "not more than \(seconds) s"
            Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
            throw Session.Timeout()
        }

        /// A sample digit of the repository's sample-images/.
        static let sampleDigit = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("sample-images/digit-3-off-centre.pgm").path

        /// `convtutor inspect --model checkpoint` reads the checkpoint and runs it on a sample digit.
        static func expectInspectorLoads(_ checkpoint: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let inspected = try await ConvTutorRun.of(["inspect", sampleDigit, "--model", checkpoint, "--plain", "--ascii"],
                                                      timeout: ConvTutorProcess.longTimeLimit)
            #expect(inspected.exitStatus == 0, "\(inspected)", sourceLocation: sourceLocation)
            #expect(inspected.standardOutput.contains("Model: \(checkpoint)"), "\(inspected)", sourceLocation: sourceLocation)
            #expect(inspected.standardOutput.contains("Prediction: "), "\(inspected)", sourceLocation: sourceLocation)
        }

        @Test("--save and --log with the screen: q offers to write --save; after the screen, the summary, the file and the log",
              .enabled(if: TutorTmuxTests.tmuxAvailable))
        func saveAndLogWithTheScreen() async throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convtutor-save-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let session = try Session()
            try session.waitFor("ready>")
            try session.type("cd '\(folder.path)' && \(session.binary) train --data builtin --epochs 1 --subset 256 "
                + "--validation 64 --threads 1 --save lenet.safetensors --log train.jsonl; echo EXITED=$((1000 + $?))")
            try session.keys("Enter")
            try session.waitFor("test accuracy: epoch 1", seconds: EndToEnd.trainingWait)
            try session.keys("q")
            try session.waitFor("Stop and write lenet.safetensors? y writes it")
            try session.keys("y")
            let after = try session.waitFor("EXITED=10")
            #expect(after.contains("EXITED=1000"), "\(after)")
            let joined = after.replacingOccurrences(of: "\n", with: "")
            #expect(joined.contains("Done: ") && joined.contains("Checkpoint written to lenet.safetensors"), "\(after)")

            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            #expect(files == ["lenet.safetensors", "train.jsonl"], "no temporary file is left: \(files)")
            let log = try String(contentsOf: folder.appendingPathComponent("train.jsonl"), encoding: .utf8)
            let events = log.split(separator: "\n").map { line in
                ["start", "epoch", "done"].first { line.contains("\"event\": \"\($0)\"") } ?? String(line)
            }
            #expect(events == ["start", "epoch", "done"], "\(log)")
            #expect(log.contains("lenet.safetensors"), "the done line names the checkpoint: \(log)")

            // The checkpoint is a whole one: the inspector reads it, and training resumes from it.
            try await Self.expectInspectorLoads(folder.appendingPathComponent("lenet.safetensors").path)
            let resumed = try await ConvTutorRun.of(["train", "--no-tui", "--data", "builtin", "--epochs", "2", "--subset", "256",
                                                     "--validation", "64", "--threads", "1",
                                                     "--resume", folder.appendingPathComponent("lenet.safetensors").path],
                                                    timeout: ConvTutorProcess.longTimeLimit)
            #expect(resumed.exitStatus == 0, "\(resumed)")
            #expect(resumed.standardOutput.contains("epoch 2/2"), "\(resumed)")
        }

        @Test("a dataset that fails to load: the error and an offer of the built-in digits; n exits 1, Enter trains on them",
              .enabled(if: TutorTmuxTests.tmuxAvailable))
        func datasetFailsToLoad() throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convtutor-empty-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let session = try Session()
            try session.waitFor("ready>")
            let command = "\(session.binary) train --data '\(folder.path)' --epochs 1; echo EXITED=$((1000 + $?))"
            try session.type(command)
            try session.keys("Enter")
            let offer = try Self.waitUntil(session, "the error and the offer of the built-in digits") { screen in
                let joined = screen.replacingOccurrences(of: "\n", with: "")
                return screen.contains("Train on the built-in digits instead") && joined.contains("train-images-idx3-ubyte")
                    && joined.contains("missing")
            }
            // The message wraps at the terminal's width: read it joined.
            let joined = offer.replacingOccurrences(of: "\n", with: "")
            #expect(joined.contains("train-images-idx3-ubyte") && joined.contains("missing"), "\(offer)")
            try session.type("n")
            try session.keys("Enter")
            let refused = try session.waitFor("EXITED=10")
            #expect(refused.contains("EXITED=1001"), "\(refused)")
            #expect(refused.replacingOccurrences(of: "\n", with: "").contains("--data builtin"), "\(refused)")

            try session.keys("C-l")
            try session.type(command)
            try session.keys("Enter")
            try session.waitFor("Train on the built-in digits instead")
            try session.keys("Enter")
            try session.waitFor("built-in digits 55,000 train", seconds: EndToEnd.trainingWait)
            try session.keys("q")
            try session.waitFor("Save a checkpoint before stopping? y/n")
            try session.keys("n")
            try session.expectCleanExit()
        }
    }
}
