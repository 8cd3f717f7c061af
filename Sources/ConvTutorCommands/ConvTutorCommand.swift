import ArgumentParser
import ConvKernels
import Foundation
import Lessons

/// `convtutor`: the root command.
public struct ConvTutorCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "convtutor",
        abstract: "Learn convolutional neural networks by watching the real arithmetic.",
        discussion: """
            With no command, opens the interactive tutor (a terminal of 80x24 or more); 'lesson ID' \
            opens one lesson, 'lessons list' shows them with your progress, and 'lessons check' checks \
            lesson files (the built-in ones, or a teacher's folder given with --lessons). \
            Grid commands compute small examples and can show every window's arithmetic; \
            'compute' runs whole tensors through the same kernels as JSON Lines. 'train' trains \
            LeNet-5 (on MNIST from 'data fetch', or on built-in digits made in memory), 'model' prints \
            its layers, 'inspect' shows what every layer makes of an image (PNG, JPEG, PGM or PPM), \
            'samples' lists the sample images (and regenerates them), 'bench' measures speed.

            Examples:
              convtutor lesson convolution
              convtutor lessons list
              convtutor --lessons ~/my-lessons
              convtutor conv --input "0 1 2; 3 4 5; 6 7 8" --kernel "0 1; 2 3" --steps
              convtutor pool --input "1 3 2 4; 5 6 1 2; 7 2 9 0" --kind max --size 2
              convtutor activate --input "-2 -0.5 0 1.5" --fn relu
              echo '{"op": "relu", "input": {"shape": [3], "data": [-1, 0, 2]}}' |
                convtutor compute
              convtutor train --no-tui --epochs 1
              convtutor data fetch mnist
              convtutor inspect sample-images/digit-3-off-centre.pgm
              convtutor inspect my-digit.jpg --plain --ascii

            Exit status: 0 on success, 1 when a compute request failed, a lesson file has a problem \
            or an image or checkpoint cannot be read, 2 for a bad flag or value.
            """,
        version: "convtutor \(ConvTutorVersion.current)",
        subcommands: [LessonCommand.self, LessonsCommand.self, ConvCommand.self, PoolCommand.self, ActivateCommand.self, ComputeCommand.self, ModelCommand.self, ExportCommand.self, TrainCommand.self, DataCommand.self, InspectCommand.self, SamplesCommand.self, BenchCommand.self])

    @OptionGroup var display: DisplayOptions

    @OptionGroup var lessons: LessonSourceOptions

    public init() {}

    /// `convtutor` alone: the interactive tutor.
    public func run() throws {
        let (sources, missing) = lessons.sources()
        let status = TutorLauncher.run(noColor: display.noColor, ascii: display.ascii,
                                       library: LessonLibrary.load(sources: sources), warning: missing)
        if status != ExitStatus.success { throw ExitCode(status) }
    }

    /// Parses `arguments` (without the program's name) and runs the command they name, like
    /// `ParsableCommand.main()`, but returns the exit status instead of exiting, and uses 2 instead
    /// of swift-argument-parser's 64 for a usage error (see `ExitStatus`). Help goes to standard
    /// output, errors to standard error. `main.swift` is the only caller that exits with it.
    public static func run(arguments: [String]) -> Int32 {
        let command: ParsableCommand
        do {
            command = try parseAsRoot(joiningNegativeValues(arguments))
        } catch {
            return report(error)
        }
        do {
            var command = command
            try command.run()
            return ExitStatus.success
        } catch let failure as CommandFailure {
            writeError(failure.message)
            return failure.status
        } catch let error as ValidationError {
            // A value the kernel rejected (see `reportingKernelErrors` below). swift-argument-parser would
            // show the root command's usage for an error thrown by run(); show the subcommand's.
            let subcommand = type(of: command)
            let name = subcommand == Self.self ? "convtutor" : "convtutor \(subcommand._commandName)"
            writeError("Error: \(error.message)\nUsage: \(usageString(for: subcommand))\n"
                + "  See '\(name) --help' for more information.")
            return ExitStatus.usage
        } catch {
            return report(error)
        }
    }

    /// `--lr -0.1` as `--lr=-0.1`: swift-argument-parser reads a word that starts with `-` as a flag,
    /// so a negative value would be "missing" and never reach the check that says what the option
    /// accepts. Every long option followed by a negative number is joined to it, for every command,
    /// here; nothing after `--` is touched.
    public static func joiningNegativeValues(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            if word == "--" {
                result += arguments[index...]
                break
            }
            if word.hasPrefix("--"), word.count > 2, !word.contains("="), index + 1 < arguments.count,
               isNegativeNumber(arguments[index + 1]) {
                result.append(word + "=" + arguments[index + 1])
                index += 2
                continue
            }
            result.append(word)
            index += 1
        }
        return result
    }

    /// "-1", "-0.5", "-.5", "-1e3", "-inf", "-nan": a minus sign and what Double reads as a number.
    /// ("-5 -3" is not one: a grid with spaces is left to its own parser.)
    static func isNegativeNumber(_ word: String) -> Bool {
        guard word.count > 1, word.hasPrefix("-"), let second = word.dropFirst().first else { return false }
        guard second.isNumber || second == "." || second == "i" || second == "n" else { return false }
        return Double(word) != nil
    }

    /// Prints what swift-argument-parser would for `error` (help to standard output, errors to
    /// standard error) and returns convtutor's status for it.
    private static func report(_ error: Error) -> Int32 {
        let status = ExitStatus.mapping(parserStatus: exitCode(for: error).rawValue)
        let message = fullMessage(for: error)
        if status == ExitStatus.success {
            print(message)
        } else if !message.isEmpty {
            writeError(message)
        }
        return status
    }

    private static func writeError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}

/// Runs a grid command's computation; a value the kernel rejects is a usage error (exit status
/// 2), reported with the kernel's own message.
func reportingKernelErrors<T>(_ body: () throws(KernelError) -> T) throws(ValidationError) -> T {
    do {
        return try body()
    } catch {
        throw ValidationError(error.message)
    }
}
