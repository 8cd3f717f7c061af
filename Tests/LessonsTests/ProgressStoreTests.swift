import Foundation
import Testing
@testable import Lessons

@Suite("ProgressStore")
struct ProgressStoreTests {
    static let book = ProgressBook(lessons: [
        "convolution": LessonProgress(currentStep: 3, completedSteps: [0, 1, 2], finished: false),
        "padding": LessonProgress(currentStep: 6, completedSteps: [6, 0, 1, 2, 3, 4, 5], finished: true),
    ])

    @Test func roundTripCreatesTheFolderAndWritesVersion1() throws {
        let tree = try LibraryTestFolder("progress")
        defer { tree.remove() }
        let store = ProgressStore(folder: tree.file("deeper/convtutor"))
        #expect(store.path == tree.file("deeper/convtutor/progress.json"))
        try store.save(Self.book)
        let loaded = store.load()
        #expect(loaded.book == Self.book)
        #expect(loaded.warning == nil)

        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: store.path)))
            as? [String: Any])
        #expect(json["version"] as? Int == 1)
        let lessons = try #require(json["lessons"] as? [String: Any])
        let padding = try #require(lessons["padding"] as? [String: Any])
        #expect(padding["completed_steps"] as? [Int] == [0, 1, 2, 3, 4, 5, 6])
        #expect(padding["current_step"] as? Int == 6)
        #expect(padding["finished"] as? Bool == true)

        // Saving again replaces the file.
        var changed = Self.book
        changed.lessons["stride"] = LessonProgress()
        try store.save(changed)
        #expect(store.load().book == changed)
    }

    @Test func missingFileIsAnEmptyBookWithoutWarning() throws {
        let tree = try LibraryTestFolder("progress-missing")
        defer { tree.remove() }
        let loaded = ProgressStore(folder: tree.file("nothing-here")).load()
        #expect(loaded.book == ProgressBook())
        #expect(loaded.warning == nil)
    }

    @Test func corruptFileIsSetAsideWithAWarning() throws {
        let tree = try LibraryTestFolder("progress-corrupt")
        defer { tree.remove() }
        let store = ProgressStore(folder: tree.path)
        try tree.write("progress.json.bak", "an older copy")
        try tree.write("progress.json", "{\"version\": 1, \"lessons\": {\"a\": ")

        let loaded = store.load()
        #expect(loaded.book == ProgressBook())
        let warning = try #require(loaded.warning)
        #expect(warning.contains(store.path))
        #expect(warning.contains("not valid JSON"))
        #expect(warning.contains(store.backupPath))
        #expect(!FileManager.default.fileExists(atPath: store.path))
        // The corrupt file replaced the older copy.
        #expect(try String(contentsOfFile: store.backupPath, encoding: .utf8) == "{\"version\": 1, \"lessons\": {\"a\": ")

        // A fresh start: the next load is quiet, and saving works.
        #expect(store.load().warning == nil)
        try store.save(Self.book)
        let again = store.load()
        #expect(again.book == Self.book && again.warning == nil)
    }

    @Test func wrongShapeAndVersionAreCorruptToo() throws {
        let tree = try LibraryTestFolder("progress-shape")
        defer { tree.remove() }
        let store = ProgressStore(folder: tree.path)

        try tree.write("progress.json", "{\"version\": 1, \"lessons\": {\"a\": {\"current_step\": \"two\"}}}")
        let mismatch = store.load()
        #expect(mismatch.warning?.contains("lessons.a.current_step has the wrong type") == true)
        #expect(FileManager.default.fileExists(atPath: store.backupPath))

        try tree.write("progress.json", "{\"version\": 2, \"lessons\": {}}")
        #expect(store.load().warning?.contains("version 2") == true)

        try tree.write("progress.json", "{\"lessons\": {}}")
        #expect(store.load().warning?.contains("'version' is missing") == true)

        try tree.write("progress.json", "{\"version\": 1, \"lessons\": {\"a\": {\"current_step\": -1, "
            + "\"completed_steps\": [], \"finished\": false}}}")
        #expect(store.load().warning?.contains("0 or more") == true)
    }

    @Test func unreadableFileIsSetAside() throws {
        let tree = try LibraryTestFolder("progress-unreadable")
        defer { tree.remove() }
        let store = ProgressStore(folder: tree.path)
        // A folder where the file should be cannot be read as one (even by root).
        try FileManager.default.createDirectory(atPath: store.path, withIntermediateDirectories: true)
        let loaded = store.load()
        #expect(loaded.book == ProgressBook())
        #expect(loaded.warning?.contains("cannot be read") == true)
        #expect(loaded.warning?.contains(store.backupPath) == true)
        try store.save(Self.book)
        #expect(store.load().book == Self.book)
    }

    @Test func atomicSaveLeavesNoTemporaryFiles() throws {
        let tree = try LibraryTestFolder("progress-atomic")
        defer { tree.remove() }
        let store = ProgressStore(folder: tree.path)
        for step in 0..<5 {
            try store.save(ProgressBook(lessons: ["a": LessonProgress(currentStep: step)]))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: tree.path) == ["progress.json"])
        #expect(store.load().book.lessons["a"]?.currentStep == 4)
    }

    @Test func saveIntoAnImpossibleFolderThrowsNamingIt() throws {
        let tree = try LibraryTestFolder("progress-blocked")
        defer { tree.remove() }
        try tree.write("blocker", "a file where the folder should be")
        let store = ProgressStore(folder: tree.file("blocker/convtutor"))
        do {
            try store.save(Self.book)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains(tree.file("blocker/convtutor")))
        }
    }

    @Test func defaultFolderFollowsXDG() {
        #expect(ProgressStore.defaultFolder(environment: ["XDG_DATA_HOME": "/data", "HOME": "/home/ann"])
            == "/data/convtutor")
        #expect(ProgressStore.defaultFolder(environment: ["XDG_DATA_HOME": "relative", "HOME": "/home/ann"])
            == "/home/ann/.local/share/convtutor")
        #expect(ProgressStore.defaultFolder(environment: ["XDG_DATA_HOME": "", "HOME": "/home/ann"])
            == "/home/ann/.local/share/convtutor")
        #expect(ProgressStore.defaultFolder(environment: ["HOME": "/home/ann"]) == "/home/ann/.local/share/convtutor")
    }
}
