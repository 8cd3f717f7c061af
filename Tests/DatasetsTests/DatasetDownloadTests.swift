import Foundation
import Testing
import TestSupport
@testable import Datasets

/// Fake dataset files made by the test, served from a loopback server, with their checksums.
private struct FakeMNIST {
    let files: [String: [UInt8]]
    let checksums: [String: String]

    /// Four files of different sizes with bytes that differ from file to file.
    init(size: Int = 40_000) {
        var files: [String: [UInt8]] = [:]
        for (index, file) in KnownDataset.mnist.files.enumerated() {
            let count = size + index * 1_001
            files[file.name] = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 251 &+ index &* 7) }
        }
        self.files = files
        checksums = files.mapValues { md5($0) }
    }

    static let names = KnownDataset.mnist.files.map(\.name)

    /// Serves every file under `prefix` (e.g. "/a/").
    func serve(on server: LoopbackHTTPServer, under prefix: String) {
        for (name, bytes) in files { server.set(prefix + name, .serve(bytes)) }
    }
}

/// MD5 through the same helper the downloader uses (MD5Digest); the real-MNIST test checks it
/// against torchvision's published sums.
private func md5(_ bytes: [UInt8]) -> String {
    let path = NSTemporaryDirectory() + "convtutor-md5-\(UUID().uuidString)"
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    defer { try? FileManager.default.removeItem(atPath: path) }
    return (try? PartFile.md5(ofFileAt: path)) ?? "unreadable"
}

/// A scratch folder for one test.
private struct ScratchFolder {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "convtutor-fetch-\(UUID().uuidString)"
    }

    func file(_ name: String) -> String { path + "/" + name }
    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: file(name)) }
    func bytes(_ name: String) -> [UInt8]? { FileManager.default.contents(atPath: file(name)).map { [UInt8]($0) } }
    func write(_ name: String, _ bytes: [UInt8]) {
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: file(name), contents: Data(bytes))
    }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

private func mirror(_ server: LoopbackHTTPServer, _ prefix: String) -> URL {
    URL(string: "http://127.0.0.1:\(server.port)\(prefix)")!
}

/// The error a fetch throws, or nil when it succeeds.
private func fetchError(_ downloader: DatasetDownloader, to folder: String) -> DownloadError? {
    do {
        _ = try downloader.fetch(.mnist, to: folder)
        return nil
    } catch {
        return error
    }
}

@Suite("DatasetDownload")
struct DatasetDownloadTests {
    @Test("a full download: every file arrives byte-identical under its final name, no .part left")
    func fullDownload() throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let fake = FakeMNIST()
        fake.serve(on: server, under: "/a/")
        let folder = ScratchFolder()
        defer { folder.remove() }

        var events: [DownloadProgress] = []
        let downloader = DatasetDownloader(mirrors: [mirror(server, "/a/")], checksums: fake.checksums)
        let summary = try downloader.fetch(.mnist, to: folder.path + "/nested/mnist") { events.append($0) }

        let target = ScratchFolder(path: folder.path + "/nested/mnist")
        for name in FakeMNIST.names {
            #expect(target.bytes(name) == fake.files[name], "\(name)")
            #expect(!target.exists(name + ".part"))
        }
        #expect(DatasetCache.isComplete(target.path, for: .mnist))
        #expect(summary.downloaded == FakeMNIST.names)
        #expect(summary.alreadyComplete.isEmpty)
        let total = Int64(fake.files.values.reduce(0) { $0 + $1.count })
        #expect(summary.bytesReceived == total)
        #expect(summary.totalBytes == total)
        // One request per file, none with a range, asking for the bytes as stored.
        #expect(server.requests.map(\.path) == FakeMNIST.names.map { "/a/" + $0 })
        #expect(server.requests.allSatisfy { $0.range == nil && $0.headers["accept-encoding"] == "identity" })
        // Each file: connecting, started from 0, ..., verified with its full size.
        for (index, name) in FakeMNIST.names.enumerated() {
            let mine = events.filter { $0.file == name }
            #expect(mine.first?.stage == .connecting)
            #expect(mine.contains { $0.stage == .started(resumingFrom: 0) })
            #expect(mine.last?.stage == .verified)
            #expect(mine.last?.bytes == Int64(fake.files[name]!.count))
            #expect(mine.allSatisfy { $0.fileNumber == index + 1 && $0.fileCount == 4 })
        }
    }

    @Test("a .part resumes with a Range request and the final file is byte-identical")
    func resumeFromPart() throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let fake = FakeMNIST()
        fake.serve(on: server, under: "/a/")
        let folder = ScratchFolder()
        defer { folder.remove() }
        let name = FakeMNIST.names[0], bytes = fake.files[name]!
        folder.write(name + ".part", Array(bytes[..<12_345]))

        var events: [DownloadProgress] = []
        let summary = try DatasetDownloader(mirrors: [mirror(server, "/a/")], checksums: fake.checksums)
            .fetch(.mnist, to: folder.path) { events.append($0) }

        let request = try #require(server.requests.first { $0.path == "/a/" + name })
        #expect(request.range == "bytes=12345-")
        #expect(folder.bytes(name) == bytes)
        #expect(!folder.exists(name + ".part"))
        #expect(events.contains { $0.file == name && $0.stage == .started(resumingFrom: 12_345) })
        let total = Int64(fake.files.values.reduce(0) { $0 + $1.count })
        #expect(summary.bytesReceived == total - 12_345)
    }

    @Test("a response cut short leaves the .part and no final file; the next fetch resumes it")
    func cutShortThenResumed() throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let fake = FakeMNIST()
        fake.serve(on: server, under: "/a/")
        let name = FakeMNIST.names[1], bytes = fake.files[name]!
        server.set("/a/" + name, .cutShort(bytes, after: 9_000))
        let folder = ScratchFolder()
        defer { folder.remove() }
        let downloader = DatasetDownloader(mirrors: [mirror(server, "/a/")], checksums: fake.checksums)

        let error = try #require(fetchError(downloader, to: folder.path))
        #expect(error.kind == .allMirrorsFailed)
        #expect(error.message.contains("\(name) from \(mirror(server, "/a/").absoluteString)\(name): "))
        #expect(error.message.contains("after 9000 of \(bytes.count) bytes"), "\(error.message)")
        #expect(error.message.contains("The 9000 bytes received are kept in \(folder.file(name)).part"), "\(error.message)")
        #expect(!folder.exists(name))
        #expect(folder.bytes(name + ".part") == Array(bytes[..<9_000]))
        // The file before it is finished and stays; the ones after were not started.
        #expect(folder.bytes(FakeMNIST.names[0]) == fake.files[FakeMNIST.names[0]])
        #expect(!folder.exists(FakeMNIST.names[2]) && !folder.exists(FakeMNIST.names[2] + ".part"))
        #expect(!DatasetCache.isComplete(folder.path, for: .mnist))

        server.set("/a/" + name, .serve(bytes))
        let summary = try downloader.fetch(.mnist, to: folder.path)
        #expect(server.requests.last { $0.path == "/a/" + name }?.range == "bytes=9000-")
        #expect(folder.bytes(name) == bytes)
        #expect(!folder.exists(name + ".part"))
        #expect(summary.alreadyComplete == [FakeMNIST.names[0]])
        #expect(DatasetCache.isComplete(folder.path, for: .mnist))
    }

    @Test("a checksum that differs: no final file, no .part, and the error names the file and both sums")
    func checksumMismatch() throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let fake = FakeMNIST()
        fake.serve(on: server, under: "/a/")
        let name = FakeMNIST.names[0]
        var wrong = fake.files[name]!
        wrong[100] ^= 0xFF
        server.set("/a/" + name, .serve(wrong))
        let folder = ScratchFolder()
        defer { folder.remove() }

        let error = try #require(fetchError(DatasetDownloader(mirrors: [mirror(server, "/a/")], checksums: fake.checksums), to: folder.path))
        let expected = "\(name) from \(mirror(server, "/a/").absoluteString)\(name): checksum \(md5(wrong)) "
            + "differs from the expected \(fake.checksums[name]!)"
        #expect(error.message.contains(expected), "\(error.message)")
        #expect(error.kind == .allMirrorsFailed)
        #expect(!folder.exists(name))
        #expect(!folder.exists(name + ".part"))
        #expect(!error.message.contains("kept in"))
    }

    @Test("a resumed .part whose bytes are wrong is started over once on the same mirror")
    func resumedPartWithWrongBytesStartsOver() throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let fake = FakeMNIST()
        fake.serve(on: server, under: "/a/")
        let folder = ScratchFolder()
        defer { folder.remove() }
        let name = FakeMNIST.names[2], bytes = fake.files[name]!
        folder.write(name + ".part", [UInt8](repeating: 7, count: 5_000))

        var events: [DownloadProgress] = []
        _ = try DatasetDownloader(mirrors: [mirror(server, "/a/")], checksums: fake.checksums)
            .fetch(.mnist, to: folder.path) { events.append($0) }

        #expect(server.requests.filter { $0.path == "/a/" + name }.map(\.range) == ["bytes=5000-", nil])
        #expect(folder.bytes(name) == bytes)
        #expect(events.contains {
            if case .restarting(let reason) = $0.stage { reason.contains("resumed file's checksum") } else { false }
        })
    }

    @Test("a server that ignores the Range header (200) has its whole answer written over the .part")
    func serverIgnoringRange() throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let fake = FakeMNIST()
        for (name, bytes) in fake.files { server.set("/a/" + name, .ignoreRange(bytes)) }
        let folder = ScratchFolder()
        defer { folder.remove() }
        let name = FakeMNIST.names[0]
        folder.write(name + ".part", [UInt8](repeating: 9, count: 3_000))

        var events: [DownloadProgress] = []
        _ = try DatasetDownloader(mirrors: [mirror(server, "/a/")], checksums: fake.checksums)
            .fetch(.mnist, to: folder.path) { events.append($0) }

        #expect(server.requests.first?.range == "bytes=3000-")
        #expect(folder.bytes(name) == fake.files[name])
        #expect(events.contains { $0.file == name && $0.stage == .started(resumingFrom: 0) })
    }

    @Test("a .part that already holds the whole file (416 from the server) is verified and kept")
    func partAlreadyWhole() throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let fake = FakeMNIST()
        fake.serve(on: server, under: "/a/")
        let folder = ScratchFolder()
        defer { folder.remove() }
        let name = FakeMNIST.names[3]
        folder.write(name + ".part", fake.files[name]!)

        let summary = try DatasetDownloader(mirrors: [mirror(server, "/a/")], checksums: fake.checksums).fetch(.mnist, to: folder.path)

        #expect(server.requests.filter { $0.path == "/a/" + name }.map(\.range) == ["bytes=\(fake.files[name]!.count)-"])
        #expect(folder.bytes(name) == fake.files[name])
        #expect(summary.downloaded.contains(name))
    }

    @Test("404 on the first mirror falls back to the second")
    func fallbackToSecondMirror() throws {
        let first = try LoopbackHTTPServer(), second = try LoopbackHTTPServer()
        defer { first.stop(); second.stop() }
        let fake = FakeMNIST()
        fake.serve(on: second, under: "/mnist/")
        let folder = ScratchFolder()
        defer { folder.remove() }

        var events: [DownloadProgress] = []
        let summary = try DatasetDownloader(mirrors: [mirror(first, "/mnist/"), mirror(second, "/mnist/")], checksums: fake.checksums)
            .fetch(.mnist, to: folder.path) { events.append($0) }

        #expect(first.requests.count == 4)
        #expect(summary.downloaded == FakeMNIST.names)
        for name in FakeMNIST.names { #expect(folder.bytes(name) == fake.files[name]) }
        let failures = events.filter { if case .mirrorFailed = $0.stage { true } else { false } }
        #expect(failures.count == 4)
        #expect(failures.allSatisfy { $0.stage == .mirrorFailed(reason: "HTTP 404 Not Found") && $0.url?.port == Int(first.port) })
    }

    @Test("every mirror failing: the error names the file and each mirror's failure")
    func everyMirrorFails() throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        server.set("/b/" + FakeMNIST.names[0], .status(503))
        let refused = closedLoopbackPort()
        let mirrors = [mirror(server, "/a/"), mirror(server, "/b/"), URL(string: "http://127.0.0.1:\(refused)/c/")!]
        let folder = ScratchFolder()
        defer { folder.remove() }

        let error = try #require(fetchError(DatasetDownloader(mirrors: mirrors, checksums: FakeMNIST().checksums), to: folder.path))
        let name = FakeMNIST.names[0]
        #expect(error.kind == .allMirrorsFailed)
        #expect(error.message == """
            could not download \(name) from any of its 3 mirrors:
              \(name) from \(mirrors[0].absoluteString)\(name): HTTP 404 Not Found
              \(name) from \(mirrors[1].absoluteString)\(name): HTTP 503 Service Unavailable
              \(name) from \(mirrors[2].absoluteString)\(name): cannot connect to 127.0.0.1 port \(refused) (connection refused or unreachable)
            """)
        #expect(!folder.exists(name))
        #expect(!folder.exists(name + ".part"))
    }

    @Test("a server that stops answering times out instead of hanging")
    func deadServerTimesOut() throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        server.set("/a/" + FakeMNIST.names[0], .stall)
        let folder = ScratchFolder()
        defer { folder.remove() }

        let started = Date()
        let downloader = DatasetDownloader(mirrors: [mirror(server, "/a/")], checksums: FakeMNIST().checksums, idleTimeout: 1)
        let error = try #require(fetchError(downloader, to: folder.path))
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(error.message.contains("no data for 1 second (timed out)"), "\(error.message)")
    }

    @Test("files already complete are skipped; a file under a final name with the wrong sum is set aside")
    func alreadyCompleteSkipped() throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let fake = FakeMNIST()
        fake.serve(on: server, under: "/a/")
        let folder = ScratchFolder()
        defer { folder.remove() }
        let names = FakeMNIST.names
        folder.write(names[0], fake.files[names[0]]!)
        folder.write(names[2], fake.files[names[2]]!)
        folder.write(names[3], Array("not the labels".utf8))

        var events: [DownloadProgress] = []
        let summary = try DatasetDownloader(mirrors: [mirror(server, "/a/")], checksums: fake.checksums)
            .fetch(.mnist, to: folder.path) { events.append($0) }

        #expect(server.requests.map(\.path) == ["/a/" + names[1], "/a/" + names[3]])
        #expect(summary.alreadyComplete == [names[0], names[2]])
        #expect(summary.downloaded == [names[1], names[3]])
        #expect(events.filter { $0.stage == .alreadyComplete }.map(\.file) == [names[0], names[2]])
        #expect(folder.bytes(names[3]) == fake.files[names[3]])
        #expect(folder.bytes(names[3] + ".mismatched") == Array("not the labels".utf8))

        // A second fetch sends nothing.
        let again = try DatasetDownloader(mirrors: [mirror(server, "/a/")], checksums: fake.checksums).fetch(.mnist, to: folder.path)
        #expect(again.alreadyComplete == names)
        #expect(again.bytesReceived == 0)
        #expect(server.requests.count == 2)
    }

    @Test("a folder that cannot be made or written is a clear error before anything is sent")
    func unwritableFolder() throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let folder = ScratchFolder()
        defer { folder.remove() }
        folder.write("plain-file", [1, 2, 3])
        let downloader = DatasetDownloader(mirrors: [mirror(server, "/a/")], checksums: FakeMNIST().checksums)

        let inside = try #require(fetchError(downloader, to: folder.file("plain-file") + "/mnist"))
        #expect(inside.kind == .folderUnusable)
        #expect(inside.message == "cannot use the folder \(folder.file("plain-file"))/mnist: \(folder.file("plain-file")) is a file, not a folder")

        let itself = try #require(fetchError(downloader, to: folder.file("plain-file")))
        #expect(itself.message == "cannot use the folder \(folder.file("plain-file")): \(folder.file("plain-file")) is a file, not a folder")

        if geteuid() != 0 {  // root may write anywhere
            let locked = folder.file("locked")
            try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
            chmod(locked, 0o555)
            defer { chmod(locked, 0o755) }
            let denied = try #require(fetchError(downloader, to: locked))
            #expect(denied.message == "cannot write in the folder \(locked): Permission denied")
            let below = try #require(fetchError(downloader, to: locked + "/mnist"))
            #expect(below.message == "cannot create the folder \(locked)/mnist: Permission denied")
            let deeper = try #require(fetchError(downloader, to: locked + "/a/b"))
            #expect(deeper.message == "cannot create the folder \(locked)/a/b: \(locked)/a: Permission denied")
        }
        #expect(server.requests.isEmpty)
    }

    @Test("a second fetch into a folder another fetch holds is refused")
    func busyFolder() throws {
        let folder = ScratchFolder()
        defer { folder.remove() }
        folder.write("placeholder", [])
        let holder = open(folder.file(".convtutor-fetch.lock"), O_RDWR | O_CREAT, 0o644)
        defer { close(holder) }
        #expect(flock(holder, LOCK_EX | LOCK_NB) == 0)

        let error = try #require(fetchError(DatasetDownloader(mirrors: [URL(string: "http://127.0.0.1:\(closedLoopbackPort())/")!]), to: folder.path))
        #expect(error.kind == .folderBusy)
        #expect(error.message == "another download is writing into \(folder.path); wait for it to finish, or choose another folder")
    }

    @Test("the real MNIST files, served on loopback, match torchvision's checksums in the table",
          .enabled(if: MNISTForTests.gzipFolder != nil, Comment(rawValue: MNISTForTests.gzipMissingNote)))
    func realMNISTThroughLoopback() throws {
        let source = try #require(MNISTForTests.gzipFolder)
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        for file in KnownDataset.mnist.files {
            let bytes = try #require(FileManager.default.contents(atPath: source + "/" + file.name))
            server.set("/mnist/" + file.name, .serve([UInt8](bytes)))
        }
        let folder = ScratchFolder()
        defer { folder.remove() }

        // No checksum overrides: the table's own sums.
        let summary = try DatasetDownloader(mirrors: [mirror(server, "/mnist/")]).fetch(.mnist, to: folder.path)

        #expect(summary.downloaded.count == 4)
        #expect(summary.totalBytes == 11_594_722)
        let dataset = try IDXDataset(directory: folder.path)
        #expect(dataset.train.count == 60_000 && dataset.test.count == 10_000)
    }
}

@Suite("DatasetCache")
struct DatasetCacheTests {
    @Test("the cache folder: XDG_CACHE_HOME when absolute, else HOME/.cache")
    func directory() {
        #expect(DatasetCache.directory(for: .mnist, environment: ["XDG_CACHE_HOME": "/x/cache", "HOME": "/home/a"])
                == "/x/cache/convtutor/mnist")
        #expect(DatasetCache.directory(for: .fashionMNIST, environment: ["XDG_CACHE_HOME": "/x/cache/", "HOME": "/home/a"])
                == "/x/cache/convtutor/fashion-mnist")
        // A relative or empty XDG_CACHE_HOME is ignored, as the specification says.
        #expect(DatasetCache.directory(for: .mnist, environment: ["XDG_CACHE_HOME": "cache", "HOME": "/home/a"])
                == "/home/a/.cache/convtutor/mnist")
        #expect(DatasetCache.directory(for: .mnist, environment: ["XDG_CACHE_HOME": "", "HOME": "/home/a/"])
                == "/home/a/.cache/convtutor/mnist")
        #expect(DatasetCache.directory(for: .mnist, environment: ["HOME": "/"]) == "/.cache/convtutor/mnist")
        // Without HOME: the user database's home folder.
        #expect(DatasetCache.directory(for: .mnist, environment: [:]).hasSuffix("/.cache/convtutor/mnist"))
    }

    @Test("complete means all four final names are files; .part files do not count")
    func isComplete() {
        let folder = ScratchFolder()
        defer { folder.remove() }
        let names = FakeMNIST.names
        #expect(!DatasetCache.isComplete(folder.path, for: .mnist))
        for name in names.dropLast() { folder.write(name, [1]) }
        folder.write(names[3] + ".part", [1])
        #expect(!DatasetCache.isComplete(folder.path, for: .mnist))
        try? FileManager.default.createDirectory(atPath: folder.file(names[3]), withIntermediateDirectories: false)
        #expect(!DatasetCache.isComplete(folder.path, for: .mnist))
        try? FileManager.default.removeItem(atPath: folder.file(names[3]))
        folder.write(names[3], [1])
        #expect(DatasetCache.isComplete(folder.path, for: .mnist))
    }

    @Test("each known dataset has four files, each with a 32-digit lowercase MD5, and a mirror")
    func table() {
        for dataset in KnownDataset.allCases {
            #expect(dataset.files.map(\.name) == ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                                  "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"])
            #expect(dataset.files.allSatisfy { $0.md5.count == 32 && $0.md5.allSatisfy { "0123456789abcdef".contains($0) } })
            #expect(!dataset.mirrors.isEmpty && dataset.mirrors.allSatisfy { $0.absoluteString.hasSuffix("/") })
        }
    }
}

extension ScratchFolder {
    init(path: String) {
        self.path = path
    }
}
