import Foundation
import Testing
import Networks

extension EndToEnd {
    /// `convtutor train --no-tui` run as a user runs it: the data it picks, the log and checkpoint it
    /// writes, resuming, and bad files' messages and exit status. (Bad flags are checked in-process:
    /// ConvTutorCommandsTests' CommandLineTests.)
    @Suite("End to end: convtutor train")
    struct TrainEndToEndTests {
        /// A fresh folder, and an environment whose cache holds nothing, so the built-in digits are chosen.
        private static func scratch() throws -> (folder: URL, environment: [String: String]) {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convtutor-train-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return (folder, ["XDG_CACHE_HOME": folder.appendingPathComponent("cache").path])
        }

        /// A short run on a small slice of the built-in digits.
        private static let quick = ["train", "--no-tui", "--epochs", "1", "--subset", "600", "--validation", "200", "--threads", "2"]

        @Test("without --data and without a cache it trains on the built-in digits, logs JSON Lines and writes a checkpoint that resumes")
        func builtInRunLogSaveResume() async throws {
            let (folder, environment) = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            let log = folder.appendingPathComponent("train.jsonl").path
            let checkpoint = folder.appendingPathComponent("lenet.safetensors").path
            let run = try await ConvTutorRun.of(Self.quick + ["--log", log, "--save", checkpoint],
                                                environment: environment, timeout: ConvTutorProcess.longTimeLimit)
            #expect(run.exitStatus == 0, "\(run)")
            #expect(run.standardError.contains("Training on the built-in digits"), "\(run)")
            #expect(run.standardOutput.contains("epoch 1/1"), "\(run)")
            #expect(run.standardOutput.contains("Checkpoint written to \(checkpoint)"), "\(run)")

            let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
            let events = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
            #expect(events.map { $0["event"] as? String } == ["start", "epoch", "done"])
            let epoch = events[1]
            for key in ["epoch", "loss", "train_accuracy", "validation_accuracy", "test_accuracy", "images_per_second", "seconds"] {
                #expect(epoch[key] is Double || epoch[key] is Int, "epoch event lacks \(key): \(epoch)")
            }
            #expect(events[2]["checkpoint"] as? String == checkpoint)
            #expect(events[2]["reason"] as? String == "completed")

            let resumed = try await ConvTutorRun.of(["train", "--no-tui", "--epochs", "2", "--subset", "600", "--validation", "200",
                                                     "--resume", checkpoint, "--save", checkpoint],
                                                    environment: environment, timeout: ConvTutorProcess.longTimeLimit)
            #expect(resumed.exitStatus == 0, "\(resumed)")
            #expect(resumed.standardError.contains("Resuming at epoch 2"), "\(resumed)")
            #expect(resumed.standardOutput.contains("epoch 2/2") && !resumed.standardOutput.contains("epoch 1/2"), "\(resumed)")
        }

        @Test("an IDX folder missing its test files exits 1 naming the missing file")
        func partialIDXSet() async throws {
            let (folder, environment) = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            _ = FileManager.default.createFile(atPath: folder.appendingPathComponent("train-images-idx3-ubyte").path, contents: Data())
            let run = try await ConvTutorRun.of(["train", "--no-tui", "--data", folder.path], environment: environment)
            #expect(run.exitStatus == 1, "\(run)")
            #expect(run.standardError.contains("train-labels-idx1-ubyte (or train-labels-idx1-ubyte.gz) is missing")
                    || run.standardError.contains("train-images-idx3-ubyte"), "\(run)")
        }

        @Test("a corrupt checkpoint given to --resume exits 1 naming it, and is left untouched even when it is also --save")
        func corruptResume() async throws {
            let (folder, environment) = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            let path = folder.appendingPathComponent("broken.safetensors").path
            let bytes = Data("not a safetensors file at all".utf8)
            _ = FileManager.default.createFile(atPath: path, contents: bytes)
            let run = try await ConvTutorRun.of(Self.quick + ["--resume", path, "--save", path], environment: environment)
            #expect(run.exitStatus == 1, "\(run)")
            #expect(run.standardError.contains(path), "\(run)")
            #expect(FileManager.default.contents(atPath: path) == bytes)
        }

        @Test("--resume trains the network its checkpoint records; a flag naming another is refused, the file untouched")
        func resumeTakesTheCheckpointsNetwork() async throws {
            let (folder, environment) = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            let path = folder.appendingPathComponent("classic.safetensors").path
            let first = try await ConvTutorRun.of(Self.quick + ["--variant", "classic", "--save", path],
                                                  environment: environment, timeout: ConvTutorProcess.longTimeLimit)
            #expect(first.exitStatus == 0, "\(first)")
            let before = FileManager.default.contents(atPath: path)
            let refused = try await ConvTutorRun.of(Self.quick + ["--resume", path, "--arch", "lenet5", "--save", path],
                                                    environment: environment)
            #expect(refused.exitStatus == 1, "\(refused)")
            #expect(refused.standardError.contains("holds the network 'lenet5-classic' (12 layers, 61,706 parameters), not the "
                + "one asked for ('lenet5', 12 layers); resume it without --arch"), "\(refused)")
            #expect(FileManager.default.contents(atPath: path) == before)
            let resumed = try await ConvTutorRun.of(Self.quick + ["--resume", path, "--epochs", "2", "--save", path],
                                                    environment: environment, timeout: ConvTutorProcess.longTimeLimit)
            #expect(resumed.exitStatus == 0, "\(resumed)")
            #expect(resumed.standardOutput.contains("epoch 2/2"), "\(resumed)")
            let written = try Network(checkpoint: Checkpoint(path: path), file: path)
            #expect(written.spec.name == "lenet5-classic")
        }
    }
}
