import Foundation
import Testing

/// `convtutor train --compare A,B` without a terminal: both runs' epoch lines, labelled; bad
/// values exit 2 naming what is accepted.
@Suite("End to end: convtutor train --compare", .serialized)
struct TrainCompareTests {
    private static let quick = ["train", "--no-tui", "--data", "builtin", "--epochs", "1", "--subset", "400",
                                "--validation", "200", "--threads", "2"]

    @Test("classic,modern trains both and labels each run's epoch line and summary")
    func classicModern() async throws {
        let run = try await ConvTutorRun.of(Self.quick + ["--compare", "classic,modern"], timeout: .seconds(120))
        #expect(run.exitStatus == 0, "\(run)")
        #expect(run.standardError.contains("Training on the built-in digits"), "\(run)")
        let lines = run.outputLines
        #expect(lines.contains { $0.hasPrefix("[classic] epoch 1/1") }, "\(run)")
        #expect(lines.contains { $0.hasPrefix("[modern]  epoch 1/1") }, "\(run)")
        #expect(lines.contains { $0.hasPrefix("[classic] Done:") } && lines.contains { $0.hasPrefix("[modern] Done:") }, "\(run)")
    }

    @Test("subset=N,full and joined settings are accepted")
    func subsetAndJoined() async throws {
        let run = try await ConvTutorRun.of(Self.quick + ["--compare", "subset=100,dropout=0.3+augment"], timeout: .seconds(120))
        #expect(run.exitStatus == 0, "\(run)")
        #expect(run.outputLines.contains { $0.hasPrefix("[subset=100]") && $0.contains("epoch 1/1") }, "\(run)")
        #expect(run.outputLines.contains { $0.hasPrefix("[dropout=0.3+augment]") && $0.contains("epoch 1/1") }, "\(run)")
    }

    @Test("bad --compare values exit 2 naming what is accepted", arguments: [
        ("classic", "--compare classic: give two option sets separated by a comma, such as classic,modern"),
        ("classic,modern,plain", "give two option sets separated by a comma"),
        ("classic,", "give two option sets separated by a comma"),
        ("tanh,modern", "--compare tanh,modern: 'tanh' is not understood; each side is modern, classic, plain, dropout"),
        ("subset=0,full", "subset=0 is invalid; give a number of images, 1 or more"),
        ("subset,full", "'subset' is not understood"),
        ("dropout=1,plain", "dropout=1 is invalid; give a probability above 0 and below 1"),
        ("lr=-1,plain", "lr=-1 is invalid"),
        ("plain,plain", "both sides are the same run"),
    ])
    func badValues(value: String, message: String) async throws {
        let run = try await ConvTutorRun.of(["train", "--no-tui", "--compare", value])
        #expect(run.exitStatus == 2, "\(run)")
        #expect(run.standardError.contains(message), "\(run)")
        #expect(run.standardOutput.isEmpty, "\(run)")
    }

    @Test("--save, --log and --resume take one run: with --compare they exit 2")
    func oneRunFlags() async throws {
        let run = try await ConvTutorRun.of(["train", "--no-tui", "--compare", "classic,modern", "--save", "/tmp/x.safetensors"])
        #expect(run.exitStatus == 2, "\(run)")
        #expect(run.standardError.contains("--save takes one run and --compare trains two"), "\(run)")
    }

    @Test("--help documents --compare with examples")
    func help() async throws {
        let run = try await ConvTutorRun.of(["train", "--help"])
        #expect(run.exitStatus == 0, "\(run)")
        #expect(run.standardOutput.contains("--compare classic,modern"), "\(run)")
        #expect(run.standardOutput.contains("subset=N"), "\(run)")
    }
}
