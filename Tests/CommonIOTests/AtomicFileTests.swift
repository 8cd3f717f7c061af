import Foundation
import Testing
@testable import CommonIO

/// A fresh folder for one test, removed when the test ends.
final class ScratchFolder {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "commonio-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { path + "/" + name }
    var entries: [String] { (try? FileManager.default.contentsOfDirectory(atPath: path).sorted()) ?? [] }
}

@Suite struct AtomicFileTests {
    @Test func writesANewFileAndReplacesAnOldOne() throws {
        let folder = ScratchFolder()
        let path = folder.file("model.safetensors")
        try AtomicFile.write([1, 2, 3], to: path)
        #expect(try RegularFile.read(path, limit: 100) == [1, 2, 3])
        try AtomicFile.write([4], to: path)
        #expect(try RegularFile.read(path, limit: 100) == [4])
        #expect(folder.entries == ["model.safetensors"])
    }

    @Test func aSymbolicLinkIsWrittenThroughAndStaysALink() throws {
        let folder = ScratchFolder()
        let real = folder.file("real.bin")
        try AtomicFile.write([9], to: real)
        try FileManager.default.createSymbolicLink(atPath: folder.file("link.bin"), withDestinationPath: "real.bin")
        try AtomicFile.write([7, 7], to: folder.file("link.bin"))
        #expect(try RegularFile.read(real, limit: 10) == [7, 7])
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder.file("link.bin")) == "real.bin")
    }

    @Test func aDanglingLinkCreatesItsTarget() throws {
        let folder = ScratchFolder()
        try FileManager.default.createSymbolicLink(atPath: folder.file("link.bin"), withDestinationPath: folder.file("later.bin"))
        try AtomicFile.write([5], to: folder.file("link.bin"))
        #expect(try RegularFile.read(folder.file("later.bin"), limit: 10) == [5])
    }

    @Test func devicesFIFOsAndFoldersAreRefusedAndLeftAlone() throws {
        let folder = ScratchFolder()
        let fifo = folder.file("pipe")
        #expect(mkfifo(fifo, 0o644) == 0)
        let linkToNull = folder.file("null-link")
        try FileManager.default.createSymbolicLink(atPath: linkToNull, withDestinationPath: "/dev/null")
        for (path, words) in [(fifo, "a FIFO (named pipe)"), (linkToNull, "a character device"), (folder.path, "a folder")] {
            #expect(throws: AtomicFile.Failure.self) { try AtomicFile.write([1], to: path) }
            do { try AtomicFile.write([1], to: path) } catch { #expect(error.reason.contains(words), "\(error.reason)") }
        }
        var status = stat()
        #expect(stat("/dev/null", &status) == 0 && status.st_mode & S_IFMT == S_IFCHR)
        #expect(lstat(fifo, &status) == 0 && status.st_mode & S_IFMT == S_IFIFO)
        #expect(!folder.entries.contains { $0.hasSuffix(AtomicFile.partialSuffix) })
    }

    @Test func theRealReasonReachesTheMessage() throws {
        do {
            try AtomicFile.write([1], to: "/no-such-folder-\(UUID().uuidString)/x.bin")
            Issue.record("expected a failure")
        } catch {
            #expect(error.reason.contains("does not exist"), "\(error.reason)")
        }
        #expect(AtomicFile.describe(errno: ENOSPC, folder: ".").contains("disk is full"))
        #expect(AtomicFile.describe(errno: EROFS, folder: ".").contains("read-only"))
    }

    @Test func leftoversOfDeadProcessesAreRemovedAndLiveOnesKept() throws {
        let folder = ScratchFolder()
        // pid 0x7ffffff0 is far above any pid_max, so it is never a live process.
        let dead = ".model.bin.2147483632" + AtomicFile.partialSuffix
        let live = ".model.bin.1" + AtomicFile.partialSuffix  // init is always alive
        _ = FileManager.default.createFile(atPath: folder.file(dead), contents: Data([1]))
        _ = FileManager.default.createFile(atPath: folder.file(live), contents: Data([1]))
        try AtomicFile.write([2], to: folder.file("model.bin"))
        #expect(folder.entries == [live, "model.bin"])
    }

    @Test func aReplacedFileKeepsItsPermissions() throws {
        let folder = ScratchFolder()
        let path = folder.file("private.bin")
        try AtomicFile.write([1], to: path)
        chmod(path, 0o600)
        try AtomicFile.write([2], to: path)
        var status = stat()
        #expect(stat(path, &status) == 0 && status.st_mode & 0o777 == 0o600)
    }
}

@Suite struct RegularFileTests {
    @Test func aFIFOIsRefusedWithoutWaitingForAWriter() throws {
        let folder = ScratchFolder()
        let fifo = folder.file("lesson.toml")
        #expect(mkfifo(fifo, 0o644) == 0)
        do {
            _ = try RegularFile.read(fifo, limit: 1000)
            Issue.record("expected a refusal")
        } catch {
            #expect(error.kind == .notRegular)
            #expect(error.reason == "is a FIFO (named pipe), not a regular file")
        }
    }

    @Test func aLinkToADeviceIsRefused() throws {
        let folder = ScratchFolder()
        let link = folder.file("zero.idx")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/dev/zero")
        #expect { try RegularFile.read(link, limit: 1000) } throws: { ($0 as? RegularFile.Failure)?.kind == .notRegular }
    }

    @Test func sizeLimitAndMissingAndFolder() throws {
        let folder = ScratchFolder()
        let path = folder.file("big")
        _ = FileManager.default.createFile(atPath: path, contents: Data(count: 2000))
        #expect { try RegularFile.read(path, limit: 1999) } throws: {
            ($0 as? RegularFile.Failure)?.reason == "is 2,000 bytes; the limit for this kind of file is 1,999 bytes"
        }
        #expect(try RegularFile.read(path, limit: 2000).count == 2000)
        #expect { try RegularFile.read(folder.file("absent"), limit: 10) } throws: { ($0 as? RegularFile.Failure)?.kind == .missing }
        #expect { try RegularFile.read(folder.path, limit: 10) } throws: { ($0 as? RegularFile.Failure)?.kind == .folder }
    }

    @Test func textMustBeUTF8() throws {
        let folder = ScratchFolder()
        let path = folder.file("t")
        _ = FileManager.default.createFile(atPath: path, contents: Data([0xff, 0xfe]))
        #expect(try RegularFile.readText(path, limit: 10) == nil)
        _ = FileManager.default.createFile(atPath: path, contents: Data("héllo".utf8))
        #expect(try RegularFile.readText(path, limit: 10) == "héllo")
    }

}
