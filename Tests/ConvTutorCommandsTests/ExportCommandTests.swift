import Foundation
import Networks
import Testing
@testable import ConvTutorCommands

@Suite("convtutor export --pytorch")
struct ExportCommandTests {
    @Test("the format must be said; an unknown architecture or a bad spec file fails (status 1) saying why")
    func refusals() throws {
        try CommandLineOutcome.of(["export", "--arch", "lenet5"]).expectUsageError(saying: "say the format: --pytorch")
        let unknown = try CommandLineOutcome.of(["export", "--pytorch", "--arch", "resnet34"])
        #expect(unknown.status == ExitStatus.failure && unknown.message.contains("there is no architecture called 'resnet34'"))
        let folder = NSTemporaryDirectory() + "convtutor-export-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "input = [1, 28, 28]\nclasses = 10\n[[layer]]\nkind = \"pool\"\n".write(toFile: folder + "/bad.toml", atomically: true,
                                                                                      encoding: .utf8)
        let bad = try CommandLineOutcome.of(["export", "--pytorch", "--arch", folder + "/bad.toml"])
        #expect(bad.status == ExitStatus.failure && bad.message.contains("bad.toml: layer 1: unknown kind 'pool'"), "\(bad)")
        let unwritable = try CommandLineOutcome.of(["export", "--pytorch", "--out", folder + "/missing/model.py"])
        #expect(unwritable.status == ExitStatus.failure && unwritable.message.contains("missing/model.py"), "\(unwritable)")
    }
}
