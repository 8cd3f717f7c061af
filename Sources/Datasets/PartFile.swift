import CommonIO
import Foundation

/// The file-system steps of a download: folders, sizes, checksums, with errno's words in errors.
enum PartFile {
    /// A failed file-system call, described with the path and errno's text.
    struct IOError: Error {
        let message: String
    }

    /// Creates `path` and any missing parent folders (like `mkdir -p`), naming the exact folder
    /// that could not be made and why.
    static func makeFolders(_ path: String) throws(DownloadError) {
        guard !path.isEmpty else {
            throw DownloadError(.folderUnusable, "the folder name is empty; give a folder to download into")
        }
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        var current = path.hasPrefix("/") ? "/" : ""
        for component in components {
            current += (current.isEmpty || current.hasSuffix("/") ? "" : "/") + component
            if mkdir(current, 0o755) == 0 { continue }
            let code = errno
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: current, isDirectory: &isDirectory) {
                if isDirectory.boolValue { continue }
                throw DownloadError(.folderUnusable, "cannot use the folder \(path): \(current) is a file, not a folder")
            }
            let place = current == path ? "" : "\(current): "
            throw DownloadError(.folderUnusable, "cannot create the folder \(path): \(place)\(errnoText(code))")
        }
    }

    /// The size of the regular file at `path`, or nil when there is none.
    static func size(of path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(info.st_size)
    }

    /// The file's MD5 checksum as 32 lowercase hex digits, read 1 MiB at a time.
    /// Only a regular file is read (a FIFO or device put in its place is refused, not waited on).
    static func md5(ofFileAt path: String) throws(IOError) -> String {
        let descriptor: Int32
        do {
            descriptor = try RegularFile.open(path, limit: Int.max).descriptor
        } catch {
            throw IOError(message: error.reason)
        }
        defer { close(descriptor) }
        var digest = MD5Digest()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw IOError(message: errnoText())
            }
            buffer.withUnsafeBytes { digest.update(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        }
        return digest.finalize().hexDigits
    }

    /// errno's message, e.g. "Permission denied".
    static func errnoText(_ code: Int32 = errno) -> String {
        String(cString: strerror(code))
    }
}
