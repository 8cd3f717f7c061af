import Foundation
import Testing

extension EndToEnd {
    /// Issue 13 through the real binary: a FIFO or a link to /dev/zero among a teacher's lessons, and
    /// progress.json as a FIFO, must not hang or exhaust memory at start (in-process tests cover the
    /// messages; this proves the process ends, within the bounded time limit, with status 1).
    @Suite("End to end: hostile lesson files")
    struct HostileLessonFileTests {
        @Test("lessons check with a FIFO and a /dev/zero link named *.toml, and a FIFO progress.json, ends at once")
        func fifoLessonsAndProgress() async throws {
            let folder = try LessonCommandTests.folder(["good.toml": LessonCommandTests.goodLesson])
            let data = FileManager.default.temporaryDirectory.appendingPathComponent("data-\(UUID().uuidString)").path
            defer {
                try? FileManager.default.removeItem(atPath: folder)
                try? FileManager.default.removeItem(atPath: data)
            }
            #expect(mkfifo(folder + "/pipe.toml", 0o600) == 0)
            try FileManager.default.createSymbolicLink(atPath: folder + "/zero.toml", withDestinationPath: "/dev/zero")
            try FileManager.default.createDirectory(atPath: data + "/convtutor", withIntermediateDirectories: true)
            #expect(mkfifo(data + "/convtutor/progress.json", 0o600) == 0)

            let check = try await ConvTutorRun.of(["lessons", "check", "--lessons", folder, "--no-builtin"],
                                                  environment: ["XDG_DATA_HOME": data])
            #expect(check.exitStatus == 1, "\(check)")
            #expect(check.standardOutput.contains("pipe.toml: cannot read the file: it is a FIFO (named pipe), not a regular file"), "\(check)")
            #expect(check.standardOutput.contains("zero.toml: cannot read the file: it is a character device, not a regular file"), "\(check)")

            let list = try await ConvTutorRun.of(["lessons", "list", "--lessons", folder, "--no-builtin"],
                                                 environment: ["XDG_DATA_HOME": data])
            #expect(list.exitStatus == 0, "\(list)")
            #expect(list.standardError.contains("progress.json is a FIFO (named pipe), not a regular file; it was not read"), "\(list)")
        }
    }
}
