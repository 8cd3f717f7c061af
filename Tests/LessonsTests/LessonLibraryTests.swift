import Foundation
import Testing
@testable import Lessons

/// A fresh folder under the temporary directory, removed by `remove()`.
struct LibraryTestFolder {
    let path: String

    init(_ label: String) throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("convtutor-\(label)-\(UInt64.random(in: 0...UInt64.max))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    func write(_ name: String, _ text: String) throws {
        let target = file(name)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try text.write(toFile: target, atomically: false, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

private func lessonText(id: String, order: Int? = nil, title: String = "T") -> String {
    var text = "id = \"\(id)\"\ntitle = \"\(title)\"\n"
    if let order { text += "order = \(order)\n" }
    return text + "\n[[step]]\nkind = \"text\"\ntext = \"Hello.\"\n"
}

@Suite("LessonLibrary")
struct LessonLibraryTests {
    @Test func loadsSortsAndKeepsBrokenFilesApart() throws {
        let builtIn = try LibraryTestFolder("builtin"), teacher = try LibraryTestFolder("teacher")
        defer { builtIn.remove(); teacher.remove() }
        try builtIn.write("02-second.toml", lessonText(id: "second", order: 2))
        try builtIn.write("01-first.toml", lessonText(id: "first", order: 1))
        try builtIn.write("03-broken.toml", "id = \"broken\"\ntitle = \"B\"\norder = 3\n[[step]]\nkind = \"convolve\"\n")
        try builtIn.write("notes.txt", "not a lesson")
        try builtIn.write("zz-unordered.toml", lessonText(id: "unordered"))
        try teacher.write("01-first.toml", lessonText(id: "mine", order: 1))
        try teacher.write("00-syntax.toml", "id = \n")
        try teacher.write("05-copy.toml", lessonText(id: "second", order: 5))

        let library = LessonLibrary.load(sources: [LessonSource(folder: builtIn.path, isBuiltIn: true),
                                                   LessonSource(folder: teacher.path, isBuiltIn: false)])
        let files = library.entries.map { ($0.file as NSString).lastPathComponent }
        // order 1 (built-in first on the tie), 2, 3 (broken but still ordered), 5, then no order by name.
        #expect(files == ["01-first.toml", "01-first.toml", "02-second.toml", "03-broken.toml", "05-copy.toml",
                          "00-syntax.toml", "zz-unordered.toml"])
        #expect(library.entries[0].source.isBuiltIn && !library.entries[1].source.isBuiltIn)
        #expect(library.lessons.map(\.id) == ["first", "mine", "second", "unordered"])
        #expect(library.lesson(id: "mine")?.file == teacher.file("01-first.toml"))
        #expect(library.lesson(id: "nope") == nil)

        let broken = try #require(library.entries[3].error)
        #expect(broken.description.contains("unknown step kind 'convolve'"))
        let syntax = try #require(library.entries[5].error)
        #expect(syntax.file == teacher.file("00-syntax.toml") && syntax.line == 1)

        let duplicate = try #require(library.entries[4].error)
        #expect(duplicate.file == teacher.file("05-copy.toml"))
        #expect(duplicate.field == "id" && duplicate.line == 1)
        #expect(duplicate.message.contains("duplicate id 'second'"))
        #expect(duplicate.message.contains(builtIn.file("02-second.toml")))
    }

    @Test func missingFolderIsOneBrokenEntry() throws {
        let library = LessonLibrary.load(sources: [LessonSource(folder: "/nonexistent/convtutor-lessons", isBuiltIn: false)])
        #expect(library.entries.count == 1)
        #expect(library.lessons.isEmpty)
        #expect(library.entries[0].error?.message.hasPrefix("cannot read the lessons folder") == true)
    }

    // MARK: Finding the built-in lessons

    @Test func environmentVariableComesFirst() throws {
        let tree = try LibraryTestFolder("env")
        defer { tree.remove() }
        try tree.write("custom/README.md", "x")
        let found = LessonLibrary.builtInFolder(environment: ["CONVTUTOR_BUILTIN_LESSONS": tree.file("custom")],
                                                executablePath: "/nonexistent/bin/convtutor", sourceFile: "/nonexistent/a/b/c.swift")
        #expect(found == tree.file("custom"))
        // A folder that does not exist is skipped.
        let skipped = LessonLibrary.builtInFolder(environment: ["CONVTUTOR_BUILTIN_LESSONS": tree.file("missing")],
                                                  executablePath: "/nonexistent/bin/convtutor", sourceFile: "/nonexistent/a/b/c.swift")
        #expect(skipped == nil)
    }

    @Test func installedLayoutSharesTheLessons() throws {
        let tree = try LibraryTestFolder("installed")
        defer { tree.remove() }
        try tree.write("prefix/bin/convtutor", "")
        try tree.write("prefix/share/convtutor/lessons/01-a.toml", lessonText(id: "a"))
        let found = LessonLibrary.builtInFolder(environment: [:], executablePath: tree.file("prefix/bin/convtutor"),
                                                sourceFile: "/nonexistent/a/b/c.swift")
        #expect(found.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }
            == URL(fileURLWithPath: tree.file("prefix/share/convtutor/lessons")).resolvingSymlinksInPath().path)
    }

    @Test func symlinkedExecutableIsFollowed() throws {
        let tree = try LibraryTestFolder("symlink")
        defer { tree.remove() }
        try tree.write("prefix/bin/convtutor", "")
        try tree.write("prefix/share/convtutor/lessons/01-a.toml", lessonText(id: "a"))
        try FileManager.default.createDirectory(atPath: tree.file("home/bin"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: tree.file("home/bin/convtutor"),
                                                   withDestinationPath: tree.file("prefix/bin/convtutor"))
        let found = LessonLibrary.builtInFolder(environment: [:], executablePath: tree.file("home/bin/convtutor"),
                                                sourceFile: "/nonexistent/a/b/c.swift")
        #expect(found?.hasSuffix("prefix/share/convtutor/lessons") == true)
    }

    @Test func repositoryIsFoundWalkingUpFromTheBuildFolder() throws {
        let tree = try LibraryTestFolder("repo")
        defer { tree.remove() }
        try tree.write("repo/Package.swift", "// swift-tools-version: 6.2")
        try tree.write("repo/lessons/README.md", "# Lessons")
        try tree.write("repo/.build/x86_64-unknown-linux-gnu/release/convtutor", "")
        let found = LessonLibrary.builtInFolder(
            environment: ["CONVTUTOR_BUILTIN_LESSONS": ""],
            executablePath: tree.file("repo/.build/x86_64-unknown-linux-gnu/release/convtutor"),
            sourceFile: "/nonexistent/a/b/c.swift")
        #expect(found?.hasSuffix("repo/lessons") == true)

        // A folder with lessons/ but no Package.swift is not the repository.
        try tree.write("other/lessons/README.md", "# Lessons")
        try tree.write("other/.build/debug/convtutor", "")
        let none = LessonLibrary.builtInFolder(environment: [:], executablePath: tree.file("other/.build/debug/convtutor"),
                                               sourceFile: "/nonexistent/a/b/c.swift")
        #expect(none == nil)
    }

    @Test func compiledSourceLocationIsTheLastResort() throws {
        let tree = try LibraryTestFolder("source")
        defer { tree.remove() }
        try tree.write("checkout/lessons/01-a.toml", lessonText(id: "a"))
        let found = LessonLibrary.builtInFolder(environment: [:], executablePath: "/nonexistent/bin/convtutor",
                                                sourceFile: tree.file("checkout/Sources/Lessons/LessonLibrary.swift"))
        #expect(found?.hasSuffix("checkout/lessons") == true)
    }
}
