import Datasets
import ArgumentParser
import Foundation
import Imaging
import TutorApp

/// `convtutor samples`: the sample images, listed or made again.
struct SamplesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "samples",
        abstract: "List the sample images (digits and kernel test patterns), or make them again.",
        discussion: """
            The samples are drawn by ConvTutor's own code from fixed seeds: handwritten-style digits \
            0-9 in PNG and PGM in several styles, a photo-like digit (JPEG), and test patterns for \
            kernels. The folder is found in $CONVTUTOR_SAMPLE_IMAGES, in ../share/convtutor/sample-images \
            beside the executable, or in the repository the program was built in.

            Examples:
              convtutor samples
              convtutor inspect "$(convtutor samples path)/digit-3-off-centre.pgm"
              convtutor samples generate --output ~/convtutor-samples

            Exit status: 0 on success, 1 when the folder is missing or a file cannot be written, \
            2 for a bad argument.
            """,
        subcommands: [List.self, Generate.self, Path.self],
        defaultSubcommand: List.self)

    /// The sample folder; without one, says where it was looked for and fails.
    static func findFolder() throws(ExitCode) -> String {
        let executable = CommandLine.arguments.first.map { LessonSourceOptions.resolvedExecutable($0) } ?? ""
        guard let folder = SampleImageSet.folder(environment: ProcessInfo.processInfo.environment,
                                                 executablePath: executable) else {
            throw failure("no \(SampleImageSet.folderName) folder was found (looked in $CONVTUTOR_SAMPLE_IMAGES, "
                + "in ../share/convtutor/\(SampleImageSet.folderName) beside the executable, and in the repository "
                + "it was built in); make the samples with 'convtutor samples generate --output DIR'")
        }
        return folder
    }

    /// Writes `message` to standard error and gives the exit status for a run that failed.
    static func failure(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("convtutor samples: \(message)\n".utf8))
        return ExitCode(ExitStatus.failure)
    }

    /// `convtutor samples list` (also plain `convtutor samples`).
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the sample images with their size, format and what each shows.")

        func run() throws {
            let folder = try SamplesCommand.findFolder()
            let entries: [SampleImageSet.ListedFile]
            do {
                entries = try SampleImageSet.listing(folder: folder)
            } catch {
                throw SamplesCommand.failure(error.message)
            }
            print("Sample images in \(folder):")
            print("")
            let nameWidth = entries.map(\.fileName.count).max() ?? 0
            let sizeWidth = entries.map(\.sizeText.count).max() ?? 0
            let kindWidth = entries.map(\.kindText.count).max() ?? 0
            for entry in entries {
                let columns = [pad(entry.fileName, nameWidth), pad(entry.sizeText, sizeWidth),
                               pad(Self.bytesText(entry.bytes), 8, right: true), pad(entry.kindText, kindWidth)]
                print("  " + columns.joined(separator: "  ") + "  " + entry.description)
            }
            if entries.isEmpty {
                print("  (none: make them with 'convtutor samples generate --output \(folder)')")
            } else if let digit = entries.first(where: { $0.kindText.hasPrefix("digit") }) {
                print("")
                print("Look inside LeNet-5 with one: convtutor inspect \((folder as NSString).appendingPathComponent(digit.fileName))")
            }
        }

        private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, width - text.count))
            return right ? fill + text : text + fill
        }

        /// 812 -> "812 B", 20480 -> "20.0 KB".
        static func bytesText(_ bytes: Int) -> String {
            bytes < 1024 ? "\(bytes) B" : String(format: "%.1f KB", Double(bytes) / 1024)
        }
    }

    /// `convtutor samples generate`.
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draw the sample images and write them, with a README.md, to a folder.",
            discussion: """
                Each file is written to a temporary file and renamed, so an interrupted run leaves \
                whole files. Other files in the folder are left alone. The drawing is deterministic: \
                the repository's sample-images/ is exactly what 'convtutor samples generate' writes.

                Examples:
                  convtutor samples generate
                  convtutor samples generate --output /tmp/samples
                """)

        @Option(help: ArgumentHelp("The folder to write into (created if needed).", valueName: "dir"), completion: .directory)
        var output: String = SampleImageSet.folderName

        func validate() throws {
            if output.isEmpty {
                throw ValidationError("--output is empty; give the folder to write the samples into")
            }
        }

        func run() throws {
            do {
                for sample in try SampleImageSet.generate(into: output) {
                    let image = sample.image
                    print("wrote \((output as NSString).appendingPathComponent(sample.fileName)) "
                        + "(\(image.width)x\(image.height), \(sample.formatDescription))")
                }
                print("wrote \((output as NSString).appendingPathComponent("README.md"))")
            } catch {
                throw SamplesCommand.failure(error.message)
            }
        }
    }

    /// `convtutor samples path`.
    struct Path: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the sample folder's path (for scripts).")

        func run() throws {
            print(try SamplesCommand.findFolder())
        }
    }
}
