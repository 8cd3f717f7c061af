import ArgumentParser
import Foundation
import Lessons

/// What the shell completion scripts (`convtutor --generate-completion-script bash|zsh|fish`) offer
/// for arguments that are not plain words: image files, checkpoints, dataset folders, lesson ids.
enum Completion {
    /// The image formats `inspect` reads.
    static let imageExtensions = ["png", "jpg", "jpeg", "pgm", "ppm", "pnm"]
    /// Checkpoints are safetensors files.
    static let checkpointExtensions = ["safetensors"]

    /// Lesson ids: the built-in lessons', and those of a `--lessons DIR` already on the line.
    /// Runs when the user presses Tab, so it only lists; a folder that cannot be read adds nothing.
    @Sendable static func lessonIDs(words: [String], index: Int, prefix: String) -> [String] {
        var folder: String?
        if let flag = words.firstIndex(of: "--lessons"), flag + 1 < words.count, flag + 1 != index {
            folder = (words[flag + 1] as NSString).expandingTildeInPath
        }
        let sources = LessonSourceOptions.sources(folder: folder, noBuiltIn: words.contains("--no-builtin")).sources
        let library = LessonLibrary.load(sources: sources)
        return library.lessons.map(\.id).filter { $0.hasPrefix(prefix) }
    }

    /// `--data`: the word `builtin`, and the folders under the one being typed.
    @Sendable static func datasetFolders(words: [String], index: Int, prefix: String) -> [String] {
        var candidates = ["builtin"].filter { $0.hasPrefix(prefix) }
        let typed = (prefix as NSString).expandingTildeInPath
        let parent = prefix.hasSuffix("/") ? typed : (typed as NSString).deletingLastPathComponent
        let folder = parent.isEmpty ? "." : parent
        let shownParent = prefix.hasSuffix("/") ? prefix : (prefix as NSString).deletingLastPathComponent
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for entry in entries.sorted() where !entry.hasPrefix(".") || prefix.hasSuffix(".") {
            var isFolder: ObjCBool = false
            let path = (folder as NSString).appendingPathComponent(entry)
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else { continue }
            let shown = shownParent.isEmpty ? entry : (shownParent as NSString).appendingPathComponent(entry)
            if shown.hasPrefix(prefix) { candidates.append(shown + "/") }
        }
        return candidates
    }
}

/// The program's version, as `convtutor --version` prints it and the man page states it.
public enum ConvTutorVersion {
    public static let current = "0.7.0"
}
