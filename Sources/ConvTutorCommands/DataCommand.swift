import ArgumentParser
import Foundation
import Training
import Networks
import Datasets

extension KnownDataset: ExpressibleByArgument {}

/// `convtutor data`: download the datasets `convtutor train` learns from, and see where they are.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Download MNIST or Fashion-MNIST, checked against their published checksums.",
        discussion: """
            Files come from the mirrors torchvision uses and are checked against torchvision's MD5 \
            checksums. They are stored in $XDG_CACHE_HOME/convtutor/<dataset> (~/.cache/convtutor/<dataset> \
            when XDG_CACHE_HOME is not set), where 'convtutor train' finds MNIST without --data.

            Examples:
              convtutor data fetch mnist
              convtutor data fetch fashion-mnist --to ~/datasets/fashion
              convtutor data list
              convtutor train --data "$(convtutor data path fashion-mnist)"
            """,
        subcommands: [Fetch.self, List.self, Path.self])

    /// `convtutor data fetch`.
    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download a dataset's four files and check each one's MD5 checksum.",
            discussion: """
                Each file is written to <name>.part and only renamed to its final name once its \
                checksum matches, so a folder never holds a file that merely looks complete. An \
                interrupted download resumes where it stopped the next time (the .part file is kept); \
                files already there with the right checksum are not downloaded again. Each file is \
                tried on every mirror in turn.

                No network here? Copy the four .gz files into the folder by any other means and run \
                the same command: it checks them and downloads nothing.

                Examples:
                  convtutor data fetch mnist
                  convtutor data fetch fashion-mnist
                  convtutor data fetch mnist --to ~/mnist
                  convtutor data fetch mnist --mirror http://files.example.lan/mnist/

                Exit status: 0 when every file is in place and verified, 1 when a download or the \
                folder failed, 2 for a bad argument.
                """)

        @Argument(help: ArgumentHelp("Which dataset.", valueName: "dataset"))
        var dataset: KnownDataset

        @Option(help: ArgumentHelp("Download into this folder instead of the cache (created if needed).", valueName: "dir"),
                completion: .directory)
        var to: String?

        @Option(help: ArgumentHelp("Download from this http(s) folder instead of the usual mirrors (repeat for several, tried in order).",
                                   valueName: "url"))
        var mirror: [String] = []

        func validate() throws {
            if let to, to.isEmpty {
                throw ValidationError("--to is empty; give the folder to download into")
            }
            _ = try mirrorURLs()
        }

        /// The --mirror values as folder URLs (a missing trailing slash added).
        private func mirrorURLs() throws(ValidationError) -> [URL]? {
            guard !mirror.isEmpty else { return nil }
            return try mirror.map { text throws(ValidationError) in
                guard let url = URL(string: text.hasSuffix("/") ? text : text + "/"),
                      let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                      let host = url.host, !host.isEmpty else {
                    throw ValidationError("--mirror \(text) is not an http or https address; give a folder URL "
                        + "such as https://ossci-datasets.s3.amazonaws.com/mnist/")
                }
                return url
            }
        }

        func run() throws {
            let cacheFolder = DatasetCache.directory(for: dataset)
            let folder = to ?? cacheFolder
            let downloader = DatasetDownloader(mirrors: try mirrorURLs())
            let display = FetchProgressDisplay(onTerminal: isatty(STDERR_FILENO) == 1)
            let interruption = Self.reportInterruption(onTerminal: isatty(STDERR_FILENO) == 1)
            defer { interruption.cancel() }
            let summary: DatasetDownloader.Summary
            do {
                summary = try downloader.fetch(dataset, to: folder) { display.show($0) }
            } catch {
                display.finish()
                var message = "Error: \(error.message)"
                switch error.kind {
                case .folderUnusable:
                    message += to == nil
                        ? "\nDownload somewhere else with --to DIR (then train with --data DIR), or set XDG_CACHE_HOME."
                        : "\nGive --to a folder you can write to."
                case .allMirrorsFailed:
                    message += "\nRun the same command again to retry: verified files and partial downloads are kept. "
                        + "Or copy the files into \(folder) by other means; fetching then checks them and downloads nothing."
                case .folderBusy:
                    break
                }
                FileHandle.standardError.write(Data((message + "\n").utf8))
                throw ExitCode(ExitStatus.failure)
            }
            display.finish()

            let size = FetchProgressDisplay.bytesText(summary.totalBytes)
            var line = "\(dataset.displayName) is ready in \(folder) (\(summary.downloaded.count + summary.alreadyComplete.count) files, \(size)"
            line += summary.downloaded.isEmpty ? "; all were already there and verified)." : "; \(FetchProgressDisplay.bytesText(summary.bytesReceived)) downloaded)."
            print(line)
            if dataset == .mnist && standardized(folder) == standardized(cacheFolder) {
                print("'convtutor train' now uses it when run without --data.")
            } else {
                print("Train on it with: convtutor train --data \(shellQuoted(folder))")
            }
        }

        /// Ctrl-C: say that the download can be resumed, then exit with 130 as the shell would.
        private static func reportInterruption(onTerminal: Bool) -> DispatchSourceSignal {
            signal(SIGINT, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
            source.setEventHandler {
                let message = (onTerminal ? "\u{1B}[2K\r" : "")
                    + "Interrupted. Run the same command again to resume: what was received is kept in .part files.\n"
                FileHandle.standardError.write(Data(message.utf8))
                dieBySignal(SIGINT)
            }
            source.resume()
            return source
        }

        private func standardized(_ path: String) -> String {
            URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        }
    }

    /// `convtutor data list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the datasets that can be fetched and whether each is in the cache.",
            discussion: """
                Example:
                  convtutor data list
                """)

        func run() {
            let rows = KnownDataset.allCases.map { dataset -> (String, String, String) in
                let folder = DatasetCache.directory(for: dataset)
                return (dataset.rawValue, state(of: dataset, in: folder), folder)
            }
            let nameWidth = max(7, rows.map(\.0.count).max() ?? 0) + 2
            let stateWidth = max(6, rows.map(\.1.count).max() ?? 0) + 2
            print(pad("dataset", nameWidth) + pad("cached", stateWidth) + "folder")
            for row in rows { print(pad(row.0, nameWidth) + pad(row.1, stateWidth) + row.2) }
            print("")
            for dataset in KnownDataset.allCases { print("\(dataset.rawValue): \(dataset.displayName), \(dataset.summary)") }
            print("Fetch one with: convtutor data fetch <dataset>")
        }

        /// "yes", "no", or how far a fetch got.
        private func state(of dataset: KnownDataset, in folder: String) -> String {
            if DatasetCache.isComplete(folder, for: dataset) { return "yes" }
            let present = dataset.files.filter { FileManager.default.fileExists(atPath: folder + "/" + $0.name) }.count
            let partial = dataset.files.contains { FileManager.default.fileExists(atPath: folder + "/" + $0.name + ".part") }
            if present == 0 && !partial { return "no" }
            return "partly (\(present) of \(dataset.files.count) files\(partial ? ", resumable" : ""))"
        }

        private func pad(_ text: String, _ width: Int) -> String {
            text + String(repeating: " ", count: max(1, width - text.count))
        }
    }

    /// `convtutor data path`.
    struct Path: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the cache folder for a dataset (whether or not it has been fetched).",
            discussion: """
                Examples:
                  convtutor data path mnist
                  ls "$(convtutor data path mnist)"
                """)

        @Argument(help: ArgumentHelp("Which dataset.", valueName: "dataset"))
        var dataset: KnownDataset

        func run() {
            print(DatasetCache.directory(for: dataset))
        }
    }
}

/// `path` as a shell word: unchanged when it is safe to paste, else in single quotes.
private func shellQuoted(_ path: String) -> String {
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+=:,@%")
    if !path.isEmpty && path.allSatisfy({ safe.contains($0) }) { return path }
    return "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// What `convtutor data fetch` shows on standard error while it works: on a terminal, one line
/// per file rewritten in place (bytes, percent, rate); otherwise plain lines, one per event that
/// matters, for logs.
final class FetchProgressDisplay {
    private let onTerminal: Bool
    private var statusShown = false
    private var transferStart = Date()
    private var bytesAtStart: Int64 = 0
    private var partBytesAtConnect: Int64 = 0

    init(onTerminal: Bool) {
        self.onTerminal = onTerminal
    }

    func show(_ event: DownloadProgress) {
        let label = "[\(event.fileNumber)/\(event.fileCount)] \(event.file)"
        switch event.stage {
        case .alreadyComplete:
            line("\(label): already here, checksum matches")
        case .mismatchedFileSetAside(let md5, let movedTo):
            line("\(label): the file there has checksum \(md5), not the expected one; moved it to \(movedTo)")
        case .connecting:
            partBytesAtConnect = event.bytes
            let host = event.url?.host ?? "the mirror"
            if onTerminal {
                status("\(label): connecting to \(host)...")
            } else {
                line("\(label): downloading from \(event.url?.absoluteString ?? host)")
            }
        case .started(let resumingFrom):
            transferStart = Date()
            bytesAtStart = event.bytes
            if resumingFrom > 0 {
                line("\(label): resuming after the \(Self.bytesText(resumingFrom)) already downloaded")
            } else if partBytesAtConnect > 0 {
                line("\(label): the server cannot resume; downloading it from the start")
            }
            if onTerminal { status(bar(label, event)) }
        case .receiving:
            if onTerminal { status(bar(label, event)) }
        case .verified:
            line("\(label): \(Self.bytesText(event.bytes)), checksum verified")
        case .mirrorFailed(let reason):
            line("\(label): \(event.url?.absoluteString ?? "the mirror") failed: \(reason)")
        case .restarting(let reason):
            line("\(label): starting over (\(reason))")
        }
    }

    /// Clears the rewritten line, if one is shown.
    func finish() {
        if statusShown { write("\u{1B}[2K\r") }
        statusShown = false
    }

    private func bar(_ label: String, _ event: DownloadProgress) -> String {
        let elapsed = Date().timeIntervalSince(transferStart)
        let rate = elapsed > 0.2 ? " " + Self.bytesText(Int64(Double(event.bytes - bytesAtStart) / elapsed)) + "/s" : ""
        guard let total = event.totalBytes, total > 0 else {
            return "\(label)  \(Self.bytesText(event.bytes))\(rate)"
        }
        let fraction = min(1, Double(event.bytes) / Double(total))
        let width = 24, filled = Int((fraction * Double(width)).rounded(.down))
        return "\(label)  [" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
            + "\(Int((fraction * 100).rounded(.down)))%  \(Self.bytesText(event.bytes)) of \(Self.bytesText(total))\(rate)"
    }

    private func status(_ text: String) {
        write("\u{1B}[2K\r" + text)
        statusShown = true
    }

    private func line(_ text: String) {
        finish()
        write(text + "\n")
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// 9912422 -> "9.9 MB"; decimal units, as the mirrors' listings use.
    static func bytesText(_ bytes: Int64) -> String {
        switch bytes {
        case ..<1_000: "\(bytes) bytes"
        case ..<1_000_000: String(format: "%.1f kB", Double(bytes) / 1e3)
        case ..<1_000_000_000: String(format: "%.1f MB", Double(bytes) / 1e6)
        default: String(format: "%.2f GB", Double(bytes) / 1e9)
        }
    }
}
