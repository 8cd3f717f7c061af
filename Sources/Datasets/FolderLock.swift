import Foundation

/// An exclusive lock on a download folder (flock on a hidden lock file), so that two fetches into
/// the same folder never append to the same `.part` file. Opening the lock file is also the first
/// write in the folder, so an unwritable folder is reported before anything is downloaded.
struct FolderLock {
    static let fileName = ".convtutor-fetch.lock"
    private let descriptor: Int32

    init(directory: String) throws(DownloadError) {
        let path = DatasetCache.join(directory, Self.fileName)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw DownloadError(.folderUnusable, "cannot write in the folder \(directory): \(PartFile.errnoText())")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(descriptor)
            if code == EWOULDBLOCK {
                throw DownloadError(.folderBusy, "another download is writing into \(directory); wait for it to finish, or choose another folder")
            }
            throw DownloadError(.folderUnusable, "cannot lock the folder \(directory): \(PartFile.errnoText(code))")
        }
        self.descriptor = descriptor
    }

    /// Unlocks. The lock file stays: removing it would race with a fetch that just opened it.
    func release() {
        close(descriptor)
    }
}
