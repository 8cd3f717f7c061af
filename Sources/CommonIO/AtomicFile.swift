import Foundation

/// Writing a file the user cares about (a checkpoint, an image, a log) so that a crash leaves the old
/// file or the new one, never half of one: a temporary file in the same folder, then a rename.
///
/// What the path names decides what happens:
/// - nothing, or a regular file: replaced atomically;
/// - a symbolic link: followed, and the file it points to is replaced atomically (the link stays);
/// - a folder, device, FIFO or socket: refused, because a rename over it would destroy it (as root,
///   over `/dev/null`).
///
/// The temporary file is `.NAME.PID.convtutor-partial` beside the target. It is removed on every error
/// path; one left by a process that was killed (`kill -9`) is removed by the next write to that path
/// once its process is gone, and its name says what it is in the meantime.
public enum AtomicFile {
    /// Why a write failed, in words that follow the file's name ("cannot be written (...)").
    public struct Failure: Error, Sendable {
        public let reason: String
    }

    /// The marker at the end of every temporary file's name.
    public static let partialSuffix = ".convtutor-partial"

    /// Writes `bytes` to `path` atomically (see the type's notes on links and devices).
    public static func write(_ bytes: [UInt8], to path: String) throws(Failure) {
        let target = try resolvedTarget(of: path)
        try refuseNonRegular(target)
        let folder = (target as NSString).deletingLastPathComponent
        let name = (target as NSString).lastPathComponent
        let folderPath = folder.isEmpty ? "." : folder
        removeStalePartials(of: name, in: folderPath)
        let temporary = folderPath + "/." + name + ".\(getpid())" + partialSuffix

        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, modeForNewFile(replacing: target))
        guard descriptor >= 0 else { throw Failure(reason: "cannot be written (\(describe(errno: errno, folder: folderPath)))") }
        var failure: Failure?
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                failure = Failure(reason: "cannot be written (\(describe(errno: errno, folder: folderPath)))")
                break
            }
            offset += written
        }
        if failure == nil, fsync(descriptor) != 0, errno != EINVAL {
            failure = Failure(reason: "cannot be written (\(describe(errno: errno, folder: folderPath)))")
        }
        if close(descriptor) != 0, failure == nil {
            failure = Failure(reason: "cannot be written (\(describe(errno: errno, folder: folderPath)))")
        }
        if let failure {
            unlink(temporary)
            throw failure
        }
        guard rename(temporary, target) == 0 else {
            let reason = describe(errno: errno, folder: folderPath)
            unlink(temporary)
            throw Failure(reason: "cannot be written (\(reason))")
        }
    }

    /// Why a write to `path` would be refused before anything is written (a folder, device, FIFO or
    /// socket there, or a link chain that cannot be followed), or nil: lets a command refuse a bad
    /// destination before an hour of work instead of after.
    public static func refusal(toWrite path: String) -> Failure? {
        do {
            try refuseNonRegular(try resolvedTarget(of: path))
            return nil
        } catch {
            return error
        }
    }

    /// The path a write to `path` lands on: `path` itself, or the end of its chain of symbolic links
    /// (which need not exist yet: a link to a file not yet written is a fine place to write).
    static func resolvedTarget(of path: String) throws(Failure) -> String {
        var current = path
        for _ in 0..<40 {
            var status = stat()
            guard lstat(current, &status) == 0, status.st_mode & S_IFMT == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink(current, &buffer, buffer.count - 1)
            guard length >= 0 else {
                throw Failure(reason: "cannot be written (its link cannot be read: \(String(cString: strerror(errno))))")
            }
            let destination = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if destination.hasPrefix("/") {
                current = destination
            } else {
                let folder = (current as NSString).deletingLastPathComponent
                current = folder.isEmpty ? destination : folder + "/" + destination
            }
        }
        throw Failure(reason: "cannot be written (too many levels of symbolic links)")
    }

    /// Throws when `path` exists and is anything but a regular file.
    static func refuseNonRegular(_ path: String) throws(Failure) {
        var status = stat()
        guard stat(path, &status) == 0 else { return }
        let kind = status.st_mode & S_IFMT
        guard kind != S_IFREG else { return }
        throw Failure(reason: "is \(FileKind.describe(mode: status.st_mode)), not a regular file, and is not replaced; give the path of a file to write")
    }

    /// A replaced file keeps its permissions; a new one gets the usual 0644 (less the umask).
    private static func modeForNewFile(replacing target: String) -> mode_t {
        var status = stat()
        if stat(target, &status) == 0 { return status.st_mode & 0o7777 }
        return 0o644
    }

    /// Removes `.NAME.PID.convtutor-partial` files in `folder` whose process is gone.
    static func removeStalePartials(of name: String, in folder: String) {
        let prefix = "." + name + "."
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for entry in entries where entry.hasPrefix(prefix) && entry.hasSuffix(partialSuffix) {
            let middle = entry.dropFirst(prefix.count).dropLast(partialSuffix.count)
            guard let pid = pid_t(middle), pid > 0 else { continue }
            if pid == getpid() || (kill(pid, 0) != 0 && errno == ESRCH) {
                unlink(folder + "/" + entry)
            }
        }
    }

    /// The system's words for a failed write, with a hint where the usual cause is clear.
    public static func describe(errno code: Int32, folder: String) -> String {
        let words = String(cString: strerror(code))
        switch code {
        case ENOSPC: return "\(words): the disk is full"
        case EDQUOT: return "\(words): over the disk quota"
        case EROFS: return "\(words): the disk is read-only"
        case EACCES, EPERM: return "\(words): no permission to write in \(folder)"
        case ENOENT: return "\(words): the folder \(folder) does not exist"
        case ENOTDIR: return "\(words): part of the path is not a folder"
        default: return words
        }
    }
}

/// Names of the kinds of file for messages ("a FIFO (named pipe)").
public enum FileKind {
    public static func describe(mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: return "a regular file"
        case S_IFDIR: return "a folder"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "not a regular file"
        }
    }
}
