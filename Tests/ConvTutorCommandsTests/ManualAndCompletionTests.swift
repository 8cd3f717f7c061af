import ArgumentParser
import Foundation
import Testing
@testable import ConvTutorCommands

/// The man page is generated from the commands (`make man`); these checks fail when a command or
/// flag is added without regenerating it. The completion helpers list what Tab should offer.
@Suite("Man page, --version and shell completion")
struct ManualAndCompletionTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every command below the root, with its name on the command line.
    static func commands(_ command: ParsableCommand.Type = ConvTutorCommand.self, prefix: [String] = [])
        -> [(path: [String], type: ParsableCommand.Type)] {
        command.configuration.subcommands.flatMap { sub -> [(path: [String], type: ParsableCommand.Type)] in
            let name = sub._commandName
            return [(prefix + [name], sub)] + commands(sub, prefix: prefix + [name])
        }
    }

    @Test("docs/man/convtutor.1 names every subcommand and every long flag (run 'make man' after changing a command)")
    func manualIsCurrent() throws {
        let manual = try String(contentsOf: Self.packageRoot.appendingPathComponent("docs/man/convtutor.1"), encoding: .utf8)
        for (path, type) in Self.commands() {
            #expect(manual.contains(".It Em \(path.last!)\n"), "the man page has no entry for convtutor \(path.joined(separator: " "))")
            let usage = ConvTutorCommand.usageString(for: type)
            let flags = usage.split(whereSeparator: { " []<>|".contains($0) }).filter { $0.hasPrefix("--") }
            for flag in flags {
                #expect(manual.contains("Fl -\(flag.dropFirst(2))"),
                        "the man page lacks \(flag) of convtutor \(path.joined(separator: " "))")
            }
        }
    }

    @Test("--version prints the program's name and version and returns 0")
    func version() throws {
        #expect(ConvTutorCommand.configuration.version == "convtutor \(ConvTutorVersion.current)")
        #expect(ConvTutorCommand.run(arguments: ["--version"]) == 0)
    }

    @Test("lesson ids complete from the built-in lessons, filtered by what is typed")
    func lessonIDs() {
        let all = Completion.lessonIDs(words: ["convtutor", "lesson", ""], index: 2, prefix: "")
        #expect(all.contains("convolution") && all.contains("pooling"))
        let typed = Completion.lessonIDs(words: ["convtutor", "lesson", "pad"], index: 2, prefix: "pad")
        #expect(typed == ["padding", "padding-modes"])
    }

    @Test("a teacher's --lessons folder on the line adds its lesson ids")
    func teacherLessonIDs() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("completion-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let builtIn = Self.packageRoot.appendingPathComponent("lessons/02-convolution.toml")
        let text = try String(contentsOf: builtIn, encoding: .utf8)
            .replacingOccurrences(of: #"id = "convolution""#, with: #"id = "zz-my-own""#)
        try text.write(to: folder.appendingPathComponent("my-own.toml"), atomically: true, encoding: .utf8)
        let words = ["convtutor", "lesson", "--lessons", folder.path, "zz"]
        #expect(Completion.lessonIDs(words: words, index: 4, prefix: "zz") == ["zz-my-own"])
    }

    @Test("--data completes 'builtin' and folders, never plain files")
    func datasetFolders() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("completion-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("mnist"), withIntermediateDirectories: true)
        try Data().write(to: folder.appendingPathComponent("notes.txt"))
        defer { try? FileManager.default.removeItem(at: folder) }
        let prefix = folder.path + "/"
        let found = Completion.datasetFolders(words: ["convtutor", "train", "--data", prefix], index: 3, prefix: prefix)
        #expect(found == [prefix + "mnist/"])
        #expect(Completion.datasetFolders(words: [], index: 0, prefix: "buil") == ["builtin"])
    }
}
