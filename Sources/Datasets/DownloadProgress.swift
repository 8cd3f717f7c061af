import Foundation

/// What `DatasetDownloader.fetch` is doing, reported as it goes: once when a file is started,
/// several times a second while bytes arrive, and once when it is verified or a mirror failed.
public struct DownloadProgress: Sendable, Equatable {
    public enum Stage: Sendable, Equatable {
        /// The file is already there under its final name and its checksum matches: skipped.
        case alreadyComplete
        /// A file was under the final name with checksum `md5`, not the expected one: it was renamed
        /// to `movedTo` (kept, in case it is the user's) and the file is downloaded again.
        case mismatchedFileSetAside(md5: String, movedTo: String)
        /// A request is going to `url`; `bytes` are already in the `.part` file and will be asked
        /// to be continued.
        case connecting
        /// `url` answered; `resumingFrom` bytes were already in the `.part` file and the
        /// server agreed to send the rest (0 for a fresh start).
        case started(resumingFrom: Int64)
        /// Bytes are arriving.
        case receiving
        /// The whole file arrived and its checksum matched; it now has its final name.
        case verified
        /// This mirror failed (`reason`); the next one is tried, if any.
        case mirrorFailed(reason: String)
        /// The `.part` file could not be continued (`reason`); it was discarded and the file is
        /// downloaded again from its start.
        case restarting(reason: String)
    }

    /// The file's name, e.g. "train-images-idx3-ubyte.gz".
    public let file: String
    /// 1-based position of the file in the dataset, and how many files there are.
    public let fileNumber: Int
    public let fileCount: Int
    /// Where the bytes come from; nil before a mirror is chosen.
    public let url: URL?
    /// Bytes of the file on disk so far, the resumed part included.
    public let bytes: Int64
    /// The file's full size when the server said it, else nil.
    public let totalBytes: Int64?
    public let stage: Stage

    public init(file: String, fileNumber: Int, fileCount: Int, url: URL?, bytes: Int64, totalBytes: Int64?, stage: Stage) {
        self.file = file
        self.fileNumber = fileNumber
        self.fileCount = fileCount
        self.url = url
        self.bytes = bytes
        self.totalBytes = totalBytes
        self.stage = stage
    }
}
