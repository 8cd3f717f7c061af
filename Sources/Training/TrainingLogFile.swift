import CommonIO
import Foundation

/// Where `convtutor train --log PATH` writes its JSON Lines, one line as each event happens.
///
/// A log is a stream, not a document: it is written in place, never through a temporary file and
/// a rename, so that a reader (`tail -f`, `jq` on a FIFO, `/dev/stdout`) sees each line as it is
/// written and a run that is killed leaves the lines so far. So, by what the path names:
/// - nothing, or a regular file: created or emptied, then written (a symbolic link is followed);
///   the file standard output or error already goes to (`--log /dev/stdout > out.txt`) is written
///   through that same descriptor, so the lines interleave instead of overwriting each other;
/// - a FIFO (named pipe): written to when a reader has it open; with no reader it is refused at
///   once instead of waiting for one;
/// - a character device (`/dev/stdout`, `/dev/stderr`, `/dev/null`, a terminal): written to;
/// - a folder, a block device or a socket: refused.
///
/// A write that fails (a full disk, a reader that went away) is remembered with the system's
/// reason, and later lines are dropped; the command reports it when the run ends.
public final class TrainingLogFile: @unchecked Sendable {
    public let path: String
    private let descriptor: Int32
    private let lock = NSLock()
    private var failed: String?
    private var closed = false
    private var linesWritten = 0

    /// Why a log cannot be opened, in words that follow its path.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// Opens `path` for the log (see the type's notes for what each kind of file gets).
    public init(path: String) throws(Failure) {
        var status = stat()
        if stat(path, &status) == 0 {
            switch status.st_mode & S_IFMT {
            case S_IFREG, S_IFIFO, S_IFCHR: break
            default:
                throw Failure(reason: "is \(FileKind.describe(mode: status.st_mode)); give the path of a file to write "
                    + "(or a FIFO, or a character device such as /dev/stdout)")
            }
        }
        // Non-blocking only for the open itself: a FIFO with no reader answers ENXIO instead of waiting.
        // Not O_TRUNC: `--log /dev/stdout > out.txt` opens out.txt a second time, which must not cut
        // it; a file that is not standard output or error is emptied below.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0o644)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENXIO {
                throw Failure(reason: "is a FIFO (named pipe) with no reader; start the reader first "
                    + "(for example: jq . < \(path) &), or give a file")
            }
            let folder = (path as NSString).deletingLastPathComponent
            throw Failure(reason: "cannot be written (\(AtomicFile.describe(errno: code, folder: folder.isEmpty ? "." : folder)))")
        }
        let flags = fcntl(descriptor, F_GETFL)
        if flags >= 0 { _ = fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK) }
        var opened = stat()
        var chosen = descriptor
        if fstat(descriptor, &opened) == 0, opened.st_mode & S_IFMT == S_IFREG {
            if let standard = Self.standardDescriptor(for: opened), case let shared = dup(standard), shared >= 0 {
                // Standard output's own open file, so that both write at one position instead of over each other.
                Foundation.close(descriptor)
                chosen = shared
            } else {
                _ = ftruncate(descriptor, 0)
            }
        }
        self.path = path
        self.descriptor = chosen
    }

    deinit { close() }

    /// Standard output or error when it already writes to `file`, else nil.
    private static func standardDescriptor(for file: stat) -> Int32? {
        [STDOUT_FILENO, STDERR_FILENO].first { descriptor in
            var status = stat()
            return fstat(descriptor, &status) == 0 && status.st_dev == file.st_dev && status.st_ino == file.st_ino
        }
    }

    /// Writes `line` and a line end; after a failure, does nothing.
    public func write(line: String) {
        lock.lock()
        defer { lock.unlock() }
        guard failed == nil, !closed else { return }
        let bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                let folder = (path as NSString).deletingLastPathComponent
                failed = "cannot be written after \(linesWritten) line\(linesWritten == 1 ? "" : "s") "
                    + "(\(AtomicFile.describe(errno: errno, folder: folder.isEmpty ? "." : folder)))"
                return
            }
            offset += written
        }
        linesWritten += 1
    }

    /// Why writing stopped, or nil when every line was written.
    public var failure: String? {
        lock.lock()
        defer { lock.unlock() }
        return failed
    }

    /// Closes the file (a failed close, as NFS may report a full disk late, counts as a failure).
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        if Foundation.close(descriptor) != 0, failed == nil {
            failed = "cannot be written (\(String(cString: strerror(errno))))"
        }
    }
}
