import Datasets
import Foundation

/// Where the tests find the real MNIST files, which the repository does not hold: a test that
/// needs them is skipped with `missingNote` when none is found, so a fresh clone passes `swift test`.
///
/// Looked for in this order:
/// 1. the folder named by the environment variable `CONVTUTOR_MNIST` (taken as given: a folder
///    that lacks the files makes the tests fail, naming what is missing, rather than skip);
/// 2. the dataset cache that `convtutor data path mnist` prints, once `convtutor data fetch mnist`
///    has filled it (`DatasetCache`, the code the command uses);
/// 3. `../shared/data/mnist` beside the package's folder.
///
/// ```swift
/// @Test("...", .enabled(if: MNISTForTests.folder != nil, Comment(rawValue: MNISTForTests.missingNote)))
/// ```
public enum MNISTForTests {
    /// The environment variable that names a folder holding MNIST's four IDX files.
    public static let environmentVariable = "CONVTUTOR_MNIST"

    /// The note a test without MNIST is skipped with: what to do to run it.
    public static let missingNote = "no MNIST found: set \(environmentVariable) to a folder holding its four IDX files, "
        + "or run convtutor data fetch mnist"

    /// The folder holding MNIST, or nil when none was found.
    public static var folder: String? { found?.folder }

    /// The folder when it holds the four files as torchvision serves them (gzip'd, `DatasetCache.isComplete`).
    public static var gzipFolder: String? {
        found.flatMap { DatasetCache.isComplete($0.folder, for: .mnist) ? $0.folder : nil }
    }

    /// The note a test that needs the gzip'd files is skipped with.
    public static var gzipMissingNote: String {
        guard let found else { return missingNote }
        return "MNIST in \(found.folder) (from \(found.origin)) is not gzip'd; this test serves torchvision's "
            + ".gz files: point \(environmentVariable) at a folder holding them, or run convtutor data fetch mnist"
    }

    /// A folder that was found and where it came from.
    public struct Location: Sendable, Equatable {
        public let folder: String
        /// "CONVTUTOR_MNIST", "the dataset cache" or "../shared/data/mnist".
        public let origin: String
    }

    /// What this run of the tests found (looked for once).
    public static let found: Location? = locate()

    /// The package's folder, from this file's place in it (Tests/TestSupport/).
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// Looks in the three places, in order.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment,
                              packageRoot: String = packageRoot) -> Location? {
        if let given = environment[environmentVariable], !given.isEmpty {
            return Location(folder: given, origin: environmentVariable)
        }
        let cache = DatasetCache.directory(for: .mnist, environment: environment)
        if holdsMNIST(cache) { return Location(folder: cache, origin: "the dataset cache") }
        let beside = URL(fileURLWithPath: packageRoot).deletingLastPathComponent()
            .appendingPathComponent("shared/data/mnist").standardizedFileURL.path
        if holdsMNIST(beside) { return Location(folder: beside, origin: "../shared/data/mnist") }
        return nil
    }

    /// Whether `folder` holds MNIST's four files, each gzip'd or not (as `IDXDataset` reads them).
    public static func holdsMNIST(_ folder: String) -> Bool {
        KnownDataset.mnist.files.allSatisfy { file in
            let stem = file.name.hasSuffix(".gz") ? String(file.name.dropLast(3)) : file.name
            return [stem, stem + ".gz"].contains { name in
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &isDirectory)
                    && !isDirectory.boolValue
            }
        }
    }
}
