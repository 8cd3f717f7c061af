import Foundation

/// Writing a file the user cares about (a checkpoint, an image) so that a crash leaves the old file
/// or the new one, never half of one: a temporary file in the same folder, then a rename.
public enum AtomicFile {
    /// Why a write failed, in words that follow the file's name ("cannot be written (...)").
    public struct Failure: Error, Sendable {
        public let reason: String
    }

    /// Writes `bytes` to `path` atomically; on failure no temporary file is left behind.
    public static func write(_ bytes: [UInt8], to path: String) throws(Failure) {
        let folder = (path as NSString).deletingLastPathComponent
        let temporary = (folder.isEmpty ? "." : folder) + "/.\((path as NSString).lastPathComponent).\(UUID().uuidString).partial"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
            throw Failure(reason: "cannot be written (is the folder there and writable?)")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw Failure(reason: "cannot be written (\(reason))")
        }
    }
}
