import CommonIO
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How far a learner got in one lesson.
public struct LessonProgress: Codable, Hashable, Sendable {
    /// 0-based: the step to resume at.
    public var currentStep: Int
    /// 0-based steps the learner has done (exercises answered, other steps seen).
    public var completedSteps: Set<Int>
    public var finished: Bool

    public init(currentStep: Int = 0, completedSteps: Set<Int> = [], finished: Bool = false) {
        self.currentStep = currentStep
        self.completedSteps = completedSteps
        self.finished = finished
    }

    private enum CodingKeys: String, CodingKey {
        case currentStep = "current_step", completedSteps = "completed_steps", finished
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        currentStep = try container.decode(Int.self, forKey: .currentStep)
        let steps = try container.decode([Int].self, forKey: .completedSteps)
        finished = try container.decode(Bool.self, forKey: .finished)
        guard currentStep >= 0, steps.allSatisfy({ $0 >= 0 }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: container.codingPath,
                                                    debugDescription: "step numbers must be 0 or more"))
        }
        completedSteps = Set(steps)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(currentStep, forKey: .currentStep)
        // Sorted, so the file reads well and does not change when nothing did.
        try container.encode(completedSteps.sorted(), forKey: .completedSteps)
        try container.encode(finished, forKey: .finished)
    }
}

/// Every lesson's progress, by lesson id.
public struct ProgressBook: Codable, Hashable, Sendable {
    public var lessons: [String: LessonProgress]

    public init(lessons: [String: LessonProgress] = [:]) {
        self.lessons = lessons
    }
}

/// A problem writing the progress file, naming the file.
public struct ProgressStoreError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

/// Reads and writes `progress.json` in the learner's data folder.
///
/// The file is JSON with a `"version": 1` field beside `"lessons"`. Saving writes a temporary file
/// in the same folder and renames it over the old one, so a crash leaves the old file or the new
/// one, never half of one. A file that cannot be read is set aside as `progress.json.bak` and the
/// learner starts fresh, with a warning that says so.
public final class ProgressStore: @unchecked Sendable {
    /// The version this code writes and reads.
    public static let formatVersion = 1
    /// The largest progress file read: a few dozen bytes per lesson, so 1 MB is thousands of lessons.
    public static let maximumFileBytes = 1_000_000

    public let folder: String
    /// `folder/progress.json`.
    public let path: String
    /// Where an unreadable file is moved: `progress.json.bak`.
    public var backupPath: String { path + ".bak" }

    public init(folder: String) {
        self.folder = folder
        self.path = (folder as NSString).appendingPathComponent("progress.json")
    }

    /// `$XDG_DATA_HOME/convtutor` when XDG_DATA_HOME is an absolute path, else `$HOME/.local/share/convtutor`.
    public static func defaultFolder(environment: [String: String]) -> String {
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") {
            return (data as NSString).appendingPathComponent("convtutor")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return (home as NSString).appendingPathComponent(".local/share/convtutor")
    }

    private struct FileContents: Codable {
        var version: Int
        var lessons: [String: LessonProgress]
    }

    /// The saved progress. A missing file is an empty book without a warning; an unreadable or
    /// corrupt one is moved to `progress.json.bak` (replacing an older copy) and the warning names the
    /// file, the problem and where the copy went.
    public func load() -> (book: ProgressBook, warning: String?) {
        let files = FileManager.default
        guard files.fileExists(atPath: path) else { return (ProgressBook(), nil) }
        let problem: String
        do {
            let data: Data
            do {
                data = Data(try RegularFile.read(path, limit: Self.maximumFileBytes))
            } catch {
                guard error.kind != .notRegular else {
                    // Not ours to move: a FIFO or a device stays where it is, and is never read.
                    return (ProgressBook(), "The progress file \(path) \(error.reason); it was not read and is left alone; "
                        + "progress starts fresh, and is saved once it is removed.")
                }
                switch error.kind {
                case .folder: throw ProgressStoreError(message: "it cannot be read: it \(error.reason)")
                case .unreadable: throw ProgressStoreError(message: "it \(error.reason)")
                default: throw ProgressStoreError(message: "it \(error.reason)")
                }
            }
            let contents = try JSONDecoder().decode(FileContents.self, from: data)
            guard contents.version == Self.formatVersion else {
                throw ProgressStoreError(message: "it has version \(contents.version); this ConvTutor reads version "
                    + "\(Self.formatVersion)")
            }
            return (ProgressBook(lessons: contents.lessons), nil)
        } catch let error as DecodingError {
            problem = Self.describe(error)
        } catch let error as ProgressStoreError {
            problem = error.message
        } catch {
            problem = "it cannot be read (\(LessonParser.describe(error)))"
        }

        // Keep the old file for the learner to look at, then start fresh.
        do {
            if files.fileExists(atPath: backupPath) { try files.removeItem(atPath: backupPath) }
            try files.moveItem(atPath: path, toPath: backupPath)
            return (ProgressBook(), "The progress file \(path) could not be used: \(problem). It was moved to "
                + "\(backupPath) and progress starts fresh.")
        } catch {
            return (ProgressBook(), "The progress file \(path) could not be used: \(problem). It could not be moved "
                + "aside (\(LessonParser.describe(error))); progress starts fresh and the next save replaces it.")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "it is not valid JSON" }
            return "\(context.debugDescription) at \(pathText(context.codingPath))"
        case .keyNotFound(let key, let context):
            return "'\(key.stringValue)' is missing" + (context.codingPath.isEmpty ? "" : " at \(pathText(context.codingPath))")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(pathText(context.codingPath)) has the wrong type"
        @unknown default:
            return "it is not a progress file"
        }
    }

    private static func pathText(_ path: [CodingKey]) -> String {
        path.map(\.stringValue).joined(separator: ".")
    }

    /// Writes the book with `AtomicFile` (the folder is created if needed): a link is written through,
    /// a FIFO or device at the path is refused and left alone.
    public func save(_ book: ProgressBook) throws {
        let files = FileManager.default
        do {
            try files.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ProgressStoreError(message: "cannot create the progress folder \(folder): "
                + LessonParser.describe(error))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do {
            data = try encoder.encode(FileContents(version: Self.formatVersion, lessons: book.lessons))
        } catch {
            throw ProgressStoreError(message: "cannot encode the progress: \(error)")
        }

        do {
            try AtomicFile.write([UInt8](data + Data("\n".utf8)), to: path)
        } catch {
            throw ProgressStoreError(message: "cannot save \(path): it \(error.reason)")
        }
    }
}
