import ConvKernels
import Foundation

/// Reading a file the user named (a lesson, progress, an image, a dataset, a checkpoint) only when it
/// is a regular file, and only up to a size the format can reasonably have.
///
/// The file is opened without blocking, so a FIFO with no writer does not hang the program, and its
/// kind is checked on the open descriptor (`fstat`), so a link to `/dev/zero` or a device is refused
/// rather than read until memory runs out. Links to regular files are followed as usual.
public enum RegularFile {
    /// Why a file could not be read, in words that follow its name ("is a FIFO (named pipe), not a
    /// regular file"). `kind` lets callers choose their own words for the common cases.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public enum Kind: Sendable, Equatable {
            case missing, folder, notRegular, tooLarge, unreadable
        }
        public let kind: Kind
        public let reason: String
        public var description: String { reason }
    }

    /// Opens `path` for reading after checking it is a regular file of at most `limit` bytes.
    /// Returns the descriptor (blocking mode restored, close-on-exec) and the file's size; the caller closes it.
    public static func open(_ path: String, limit: Int) throws(Failure) -> (descriptor: Int32, size: Int) {
        let descriptor = Foundation.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            switch code {
            case ENOENT: throw Failure(kind: .missing, reason: "no such file")
            case ENXIO: throw Failure(kind: .notRegular, reason: "is a socket or device, not a regular file")
            default: throw Failure(kind: .unreadable, reason: "cannot be read (\(String(cString: strerror(code))))")
            }
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw Failure(kind: .unreadable, reason: "cannot be read (\(reason))")
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR:
            close(descriptor)
            throw Failure(kind: .folder, reason: "is a folder, not a file")
        default:
            close(descriptor)
            throw Failure(kind: .notRegular, reason: "is \(FileKind.describe(mode: status.st_mode)), not a regular file")
        }
        let size = Int(status.st_size)
        guard size <= limit else {
            close(descriptor)
            let (sizeText, limitText) = describe(size, against: limit)
            throw Failure(kind: .tooLarge, reason: "is \(sizeText); the limit for this kind of file is \(limitText)")
        }
        let flags = fcntl(descriptor, F_GETFL)
        if flags >= 0 { _ = fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK) }
        return (descriptor, size)
    }

    /// The whole of the regular file at `path`, refused past `limit` bytes (also when it grows past it while being read).
    public static func read(_ path: String, limit: Int) throws(Failure) -> [UInt8] {
        let (descriptor, size) = try open(path, limit: limit)
        defer { close(descriptor) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(size)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(kind: .unreadable, reason: "cannot be read (\(String(cString: strerror(errno))))")
            }
            if count == 0 { return bytes }
            guard bytes.count + count <= limit else {
                throw Failure(kind: .tooLarge, reason: "grew past \(ResourceBudget.describeBytes(limit)) while being read; the limit for this kind of file is \(ResourceBudget.describeBytes(limit))")
            }
            bytes.append(contentsOf: buffer[0..<count])
        }
    }

    /// A size and a limit in words; in exact bytes when rounding would make them read the same ("1.0 MB; the limit is 1.0 MB").
    static func describe(_ size: Int, against limit: Int) -> (size: String, limit: String) {
        let rounded = (ResourceBudget.describeBytes(size), ResourceBudget.describeBytes(limit))
        guard rounded.0 == rounded.1 else { return rounded }
        return ("\(ResourceBudget.groupedDigits(size)) bytes", "\(ResourceBudget.groupedDigits(limit)) bytes")
    }

    /// The regular file at `path` as UTF-8 text, or nil when it is not valid UTF-8.
    public static func readText(_ path: String, limit: Int) throws(Failure) -> String? {
        let bytes = try read(path, limit: limit)
        return String(validating: bytes, as: UTF8.self)
    }
}
