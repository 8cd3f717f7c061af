import Foundation
import Testing
@testable import Training

/// `--log` is written in place: files, links, FIFOs and character devices as a user means them.
@Suite("Training log file")
struct TrainingLogFileTests {
    static func scratch() -> String {
        let path = NSTemporaryDirectory() + "convtutor-log-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("a regular file is emptied and written line by line; through a link, the link stays and its file gets the lines")
    func regularAndLink() throws {
        let folder = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let target = folder + "/real.jsonl", link = folder + "/link.jsonl"
        try "old contents that are longer\n".write(toFile: target, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "real.jsonl")
        let log = try TrainingLogFile(path: link)
        log.write(line: "{\"event\": \"start\"}")
        log.write(line: "{\"event\": \"done\"}")
        log.close()
        #expect(log.failure == nil)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "{\"event\": \"start\"}\n{\"event\": \"done\"}\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "real.jsonl")
    }

    @Test("a character device such as /dev/null is written to, not replaced")
    func characterDevice() throws {
        let log = try TrainingLogFile(path: "/dev/null")
        log.write(line: "{}")
        log.close()
        #expect(log.failure == nil)
        var status = stat()
        #expect(stat("/dev/null", &status) == 0 && status.st_mode & S_IFMT == S_IFCHR)
    }

    @Test("a FIFO with no reader is refused at once instead of waiting; with a reader it gets the lines")
    func fifo() throws {
        let folder = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let fifo = folder + "/events"
        #expect(mkfifo(fifo, 0o600) == 0)
        do {
            _ = try TrainingLogFile(path: fifo)
            Issue.record("a FIFO with no reader was opened")
        } catch {
            #expect(error.reason.hasPrefix("is a FIFO (named pipe) with no reader; start the reader first"), "\(error.reason)")
        }
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        #expect(reader >= 0)
        defer { close(reader) }
        let log = try TrainingLogFile(path: fifo)
        log.write(line: "{\"event\": \"epoch\"}")
        log.close()
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(reader, &buffer, buffer.count)
        #expect(count > 0 && String(decoding: buffer[0..<max(0, count)], as: UTF8.self) == "{\"event\": \"epoch\"}\n")
    }

    @Test("a folder is refused; a full device reports the system's reason")
    func refusalsAndFullDisk() throws {
        let folder = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            _ = try TrainingLogFile(path: folder)
            Issue.record("a folder was opened as a log")
        } catch {
            #expect(error.reason.hasPrefix("is a folder; give the path of a file to write"), "\(error.reason)")
        }
        // /dev/full answers every write with ENOSPC, as a full disk does.
        guard FileManager.default.fileExists(atPath: "/dev/full") else { return }
        let log = try TrainingLogFile(path: "/dev/full")
        log.write(line: "{}")
        log.write(line: "{}")
        log.close()
        #expect(log.failure == "cannot be written after 0 lines (No space left on device: the disk is full)", "\(log.failure ?? "no failure")")
    }
}
