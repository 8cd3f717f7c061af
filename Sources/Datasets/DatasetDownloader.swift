import Foundation

/// Downloads a `KnownDataset`'s files into a folder, checking each against its MD5 checksum.
///
/// Each file is written to `<name>.part` beside its final name. An interrupted download keeps its
/// `.part`, and the next fetch asks the server for the rest (an HTTP `Range` request). Only a file
/// whose checksum matched is renamed to its final name (atomically), so a file under a final name
/// is always a verified one: a failed download or a checksum that differs never leaves one behind.
/// Mirrors are tried in order for each file until one gives the right bytes.
///
/// ```swift
/// let folder = DatasetCache.directory(for: .mnist)
/// let summary = try DatasetDownloader().fetch(.mnist, to: folder) { print($0.file, $0.bytes) }
/// ```
public struct DatasetDownloader: Sendable {
    /// The mirrors to use instead of the dataset's own (a local mirror, or a test's server); each is
    /// a folder URL the file names are appended to. nil: the dataset's mirrors.
    public let mirrorOverrides: [URL]?
    /// Expected MD5 checksums by file name, instead of the dataset's (for tests that serve files of
    /// their own making). nil: the dataset's checksums.
    public let checksumOverrides: [String: String]?
    /// Seconds without a byte from the server before a request is given up as dead.
    public let idleTimeout: TimeInterval

    /// What a fetch did.
    public struct Summary: Sendable, Equatable {
        /// The folder that now holds every file of the dataset.
        public let directory: String
        /// Files downloaded (or finished from a `.part`) in this run.
        public let downloaded: [String]
        /// Files that were already there with the right checksum.
        public let alreadyComplete: [String]
        /// Bytes received from the network in this run.
        public let bytesReceived: Int64
        /// Size of all the dataset's files together.
        public let totalBytes: Int64
    }

    public init(mirrors overrides: [URL]? = nil, checksums: [String: String]? = nil, idleTimeout: TimeInterval = 30) {
        precondition(overrides.map { !$0.isEmpty } ?? true, "DatasetDownloader needs at least one mirror")
        precondition(idleTimeout > 0, "idle timeout \(idleTimeout) must be positive")
        mirrorOverrides = overrides
        checksumOverrides = checksums
        self.idleTimeout = idleTimeout
    }

    /// Downloads whatever of `dataset` is missing from `directory` (created if needed), verifying
    /// every file, and returns what was done. `progress` is called on the calling thread.
    ///
    /// Throws when the folder cannot be created or written, when another fetch is writing into it,
    /// or when every mirror failed for a file: the message names the file and each mirror's failure
    /// (HTTP status, connection refused, timeout, checksum that differs). Files finished before the
    /// failure keep their final names; a `.part` with bytes from the failed file is kept for resuming.
    public func fetch(
        _ dataset: KnownDataset,
        to directory: String,
        progress: (DownloadProgress) -> Void = { _ in }
    ) throws(DownloadError) -> Summary {
        try PartFile.makeFolders(directory)
        let lock = try FolderLock(directory: directory)
        defer { lock.release() }

        let files = dataset.files
        var downloaded: [String] = [], alreadyComplete: [String] = []
        var bytesReceived: Int64 = 0, totalBytes: Int64 = 0
        for (index, file) in files.enumerated() {
            var context = FileContext(
                name: file.name, expectedMD5: (checksumOverrides?[file.name] ?? file.md5).lowercased(),
                directory: directory, number: index + 1, count: files.count)
            switch try fetchFile(&context, mirrors: mirrorOverrides ?? dataset.mirrors, progress: progress) {
            case .alreadyComplete: alreadyComplete.append(file.name)
            case .downloaded: downloaded.append(file.name)
            }
            bytesReceived += context.bytesReceived
            totalBytes += PartFile.size(of: context.finalPath) ?? 0
        }
        return Summary(directory: directory, downloaded: downloaded, alreadyComplete: alreadyComplete,
                       bytesReceived: bytesReceived, totalBytes: totalBytes)
    }

    private enum FileResult { case alreadyComplete, downloaded }

    /// One file: its names, where it goes, and its place in the dataset.
    struct FileContext {
        let name: String
        let expectedMD5: String
        let directory: String
        let number: Int
        let count: Int
        var bytesReceived: Int64 = 0

        var finalPath: String { DatasetCache.join(directory, name) }
        var partPath: String { finalPath + ".part" }

        func progress(_ stage: DownloadProgress.Stage, url: URL?, bytes: Int64, total: Int64?) -> DownloadProgress {
            DownloadProgress(file: name, fileNumber: number, fileCount: count, url: url,
                             bytes: bytes, totalBytes: total, stage: stage)
        }
    }

    private func fetchFile(
        _ context: inout FileContext, mirrors: [URL], progress report: (DownloadProgress) -> Void
    ) throws(DownloadError) -> FileResult {
        if let size = PartFile.size(of: context.finalPath) {
            let md5 = try checksum(of: context.finalPath)
            if md5 == context.expectedMD5 {
                report(context.progress(.alreadyComplete, url: nil, bytes: size, total: size))
                return .alreadyComplete
            }
            // Not ours (we only ever rename verified files), so keep it, but not under the final name.
            let aside = context.finalPath + ".mismatched"
            guard rename(context.finalPath, aside) == 0 else {
                throw DownloadError(.folderUnusable, "\(context.finalPath) has checksum \(md5), not the expected "
                    + "\(context.expectedMD5), and cannot be moved aside: \(PartFile.errnoText())")
            }
            report(context.progress(.mismatchedFileSetAside(md5: md5, movedTo: aside), url: nil, bytes: 0, total: nil))
        }

        var failures: [String] = []
        for mirror in mirrors {
            let url = mirror.appendingPathComponent(context.name)
            switch try download(url, &context, progress: report) {
            case .verified:
                return .downloaded
            case .failed(let reason):
                failures.append("\(context.name) from \(url.absoluteString): \(reason)")
                report(context.progress(.mirrorFailed(reason: reason), url: url,
                                        bytes: PartFile.size(of: context.partPath) ?? 0, total: nil))
            }
        }
        var message = "could not download \(context.name) from "
            + (mirrors.count == 1 ? "its mirror" : "any of its \(mirrors.count) mirrors") + ":\n  "
            + failures.joined(separator: "\n  ")
        if let kept = PartFile.size(of: context.partPath), kept > 0 {
            message += "\nThe \(kept) bytes received are kept in \(context.partPath); fetching again resumes from there."
        }
        throw DownloadError(.allMirrorsFailed, message)
    }

    private enum MirrorResult { case verified, failed(String) }

    /// Downloads `url` into the `.part` file (continuing it when it has bytes), verifies it and gives
    /// it its final name. A `.part` that cannot be continued is started over once on the same mirror.
    private func download(
        _ url: URL, _ context: inout FileContext, progress report: (DownloadProgress) -> Void
    ) throws(DownloadError) -> MirrorResult {
        var startedOver = false
        while true {
            let offset = PartFile.size(of: context.partPath) ?? 0
            report(context.progress(.connecting, url: url, bytes: offset, total: nil))
            let transfer = HTTPPartTransfer(url: url, partPath: context.partPath, resumeFrom: offset,
                                                idleTimeout: idleTimeout)
            let outcome = transfer.run { snapshot, isFirst in
                report(context.progress(isFirst ? .started(resumingFrom: snapshot.startOffset) : .receiving,
                                        url: url, bytes: snapshot.bytesOnDisk, total: snapshot.totalBytes))
            }
            context.bytesReceived += transfer.snapshot.bytesOnDisk - transfer.snapshot.startOffset

            var restartReason: String?
            switch outcome {
            case .failed(let reason):
                if PartFile.size(of: context.partPath) == 0 { unlink(context.partPath) }
                return .failed(reason)
            case .cannotContinue(let reason):
                restartReason = reason
            case .complete:
                let md5 = try checksum(of: context.partPath)
                if md5 == context.expectedMD5 {
                    guard rename(context.partPath, context.finalPath) == 0 else {
                        throw DownloadError(.folderUnusable, "cannot rename \(context.partPath) to \(context.name): \(PartFile.errnoText())")
                    }
                    let size = PartFile.size(of: context.finalPath) ?? 0
                    report(context.progress(.verified, url: url, bytes: size, total: size))
                    return .verified
                }
                unlink(context.partPath)
                let mismatch = "checksum \(md5) differs from the expected \(context.expectedMD5)"
                // Bytes from an earlier, resumed download may be the bad ones: one fresh try.
                guard offset > 0 else { return .failed(mismatch) }
                restartReason = "the resumed file's " + mismatch
            }
            if startedOver, let reason = restartReason { return .failed(reason) }
            startedOver = true
            unlink(context.partPath)
            report(context.progress(.restarting(reason: restartReason ?? ""), url: url, bytes: 0, total: nil))
        }
    }

    private func checksum(of path: String) throws(DownloadError) -> String {
        do {
            return try PartFile.md5(ofFileAt: path)
        } catch {
            throw DownloadError(.folderUnusable, "cannot read \(path) to check it: \(error.message)")
        }
    }
}
