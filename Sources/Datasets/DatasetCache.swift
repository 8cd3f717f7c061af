import Foundation

/// Where downloaded datasets live: the user's cache folder, as the XDG Base Directory
/// specification puts it.
public enum DatasetCache {
    /// `$XDG_CACHE_HOME/convtutor/<dataset>` when XDG_CACHE_HOME is set to an absolute path (the
    /// specification says to ignore a relative one), else `$HOME/.cache/convtutor/<dataset>`.
    /// Without a usable HOME, the home folder comes from the user database.
    public static func directory(
        for dataset: KnownDataset,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        let base: String
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            base = xdg
        } else if let home = environment["HOME"], home.hasPrefix("/") {
            base = join(home, ".cache")
        } else {
            base = join(NSHomeDirectory(), ".cache")
        }
        return join(join(base, "convtutor"), dataset.rawValue)
    }

    /// Whether `directory` holds all of `dataset`'s files under their final names.
    ///
    /// The downloader only ever gives a file its final name after its checksum matched, so this
    /// checks presence and does not read the files (`DatasetDownloader` re-checks them).
    public static func isComplete(_ directory: String, for dataset: KnownDataset) -> Bool {
        dataset.files.allSatisfy { file in
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: join(directory, file.name), isDirectory: &isDirectory)
            return exists && !isDirectory.boolValue
        }
    }

    /// `folder/name` with exactly one slash between them.
    static func join(_ folder: String, _ name: String) -> String {
        var folder = folder
        while folder.count > 1 && folder.hasSuffix("/") { folder.removeLast() }
        return folder == "/" ? "/" + name : folder + "/" + name
    }
}
