import Foundation

/// Finds a folder that ships with the program (`lessons`, `sample-images`) wherever the program
/// runs from: the built-in lessons and the sample images are looked for the same way.
public enum ShippedFolder {
    /// The folder `name`, or nil when none is found. In order:
    /// 1. the environment variable `variable`, when it names a folder;
    /// 2. `<executable's folder>/../share/convtutor/<name>` (an installed binary);
    /// 3. up from the executable's folder (at most 8 levels), a folder with both `Package.swift` and
    ///    `<name>/README.md`: its `<name>` (`swift run`, `.build/release/convtutor` in the repository);
    /// 4. `<name>` two folders above `sourceFile` (the repository a `Sources/<Target>/File.swift` was
    ///    compiled from), if it still exists.
    /// Symbolic links to the executable are followed, so a link in `~/.local/bin` works.
    public static func find(_ name: String, variable: String, environment: [String: String], executablePath: String,
                            sourceFile: String) -> String? {
        let files = FileManager.default
        func isFolder(_ path: String) -> Bool {
            var isDirectory: ObjCBool = false
            return files.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
        if let folder = environment[variable], !folder.isEmpty, isFolder(folder) {
            return folder
        }
        if !executablePath.isEmpty {
            let given = URL(fileURLWithPath: executablePath).standardizedFileURL
            var executableFolders = [given.deletingLastPathComponent().path]
            let resolved = given.resolvingSymlinksInPath().deletingLastPathComponent().path
            if resolved != executableFolders[0] { executableFolders.append(resolved) }

            for folder in executableFolders {
                let installed = URL(fileURLWithPath: folder).appendingPathComponent("../share/convtutor/\(name)")
                    .standardizedFileURL.path
                if isFolder(installed) { return installed }
            }
            for folder in executableFolders {
                var current = URL(fileURLWithPath: folder)
                for _ in 0...8 {
                    let candidate = current.appendingPathComponent(name)
                    if files.fileExists(atPath: current.appendingPathComponent("Package.swift").path),
                       files.fileExists(atPath: candidate.appendingPathComponent("README.md").path) {
                        return candidate.path
                    }
                    let parent = current.deletingLastPathComponent()
                    if parent.path == current.path { break }
                    current = parent
                }
            }
        }
        // Sources/<Target>/File.swift -> ../../<name>
        let repository = URL(fileURLWithPath: sourceFile).deletingLastPathComponent()
            .appendingPathComponent("../../\(name)").standardizedFileURL.path
        return isFolder(repository) ? repository : nil
    }
}
