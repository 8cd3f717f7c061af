import Foundation
import Testing

extension EndToEnd {
    /// `convtutor train --compare A,B` without a terminal: both runs' epoch lines, labelled. (Bad
    /// values, and --compare's help, are checked in-process: ConvTutorCommandsTests' CommandLineTests.)
    @Suite("End to end: convtutor train --compare")
    struct TrainCompareTests {
        private static let quick = ["train", "--no-tui", "--data", "builtin", "--epochs", "1", "--subset", "400",
                                    "--validation", "200", "--threads", "2"]

        @Test("classic,modern trains both and labels each run's epoch line and summary")
        func classicModern() async throws {
            let run = try await ConvTutorRun.of(Self.quick + ["--compare", "classic,modern"], timeout: ConvTutorProcess.longTimeLimit)
            #expect(run.exitStatus == 0, "\(run)")
            #expect(run.standardError.contains("Training on the built-in digits"), "\(run)")
            let lines = run.outputLines
            #expect(lines.contains { $0.hasPrefix("[classic] epoch 1/1") }, "\(run)")
            #expect(lines.contains { $0.hasPrefix("[modern]  epoch 1/1") }, "\(run)")
            #expect(lines.contains { $0.hasPrefix("[classic] Done:") } && lines.contains { $0.hasPrefix("[modern] Done:") }, "\(run)")
        }

        @Test("subset=N,full and joined settings are accepted")
        func subsetAndJoined() async throws {
            let run = try await ConvTutorRun.of(Self.quick + ["--compare", "subset=100,dropout=0.3+augment"], timeout: ConvTutorProcess.longTimeLimit)
            #expect(run.exitStatus == 0, "\(run)")
            #expect(run.outputLines.contains { $0.hasPrefix("[subset=100]") && $0.contains("epoch 1/1") }, "\(run)")
            #expect(run.outputLines.contains { $0.hasPrefix("[dropout=0.3+augment]") && $0.contains("epoch 1/1") }, "\(run)")
        }
    }
}
