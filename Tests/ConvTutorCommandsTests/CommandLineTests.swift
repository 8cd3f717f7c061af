import ArgumentParser
import Foundation
import Testing
@testable import ConvTutorCommands

/// What `convtutor ARGUMENTS` answers to a bad command line or to `--help`, in-process: the
/// status `ConvTutorCommand.run(arguments:)` returns, the message and the stream it goes to.
///
/// A command line that swift-argument-parser refuses (an unknown flag, a value `validate()` rejects,
/// `--help`, and errors the parser's own commands throw) is reported as `run(arguments:)` reports it: the status is
/// `ExitStatus.mapping(parserStatus: exitCode(for:))`, the text `fullMessage(for:)`, on standard
/// output when the status is 0 and on standard error otherwise. A value only the command's `run()`
/// rejects (a kernel error, an unknown lesson id) is thrown as a `ValidationError`, which
/// `run(arguments:)` prints on standard error with status 2. The end-to-end tests check, for one of
/// each kind, that the real process does exactly that.
struct CommandLineOutcome: CustomStringConvertible {
    let status: Int32
    let message: String
    let toStandardOutput: Bool

    static func of(_ arguments: [String]) throws -> CommandLineOutcome {
        let command: ParsableCommand
        do {
            command = try ConvTutorCommand.parseAsRoot(ConvTutorCommand.joiningNegativeValues(arguments))
        } catch {
            return parserOutcome(error)
        }
        do {
            var command = command
            try command.run()
        } catch let error as ValidationError {
            return CommandLineOutcome(status: ExitStatus.usage, message: error.message, toStandardOutput: false)
        } catch let failure as CommandFailure {
            return CommandLineOutcome(status: failure.status, message: failure.message, toStandardOutput: false)
        } catch {
            // `--help` on the root command parses as the help command, whose run() throws the request.
            return parserOutcome(error)
        }
        throw Refused(description: "convtutor \(arguments.joined(separator: " ")) ran to the end without an error")
    }

    /// What `run(arguments:)` makes of an error swift-argument-parser knows.
    private static func parserOutcome(_ error: Error) -> CommandLineOutcome {
        let status = ExitStatus.mapping(parserStatus: ConvTutorCommand.exitCode(for: error).rawValue)
        return CommandLineOutcome(status: status, message: ConvTutorCommand.fullMessage(for: error),
                                  toStandardOutput: status == ExitStatus.success)
    }

    struct Refused: Error, CustomStringConvertible {
        let description: String
    }

    var description: String {
        "status \(status), on standard \(toStandardOutput ? "output" : "error"):\n\(message)"
    }

    /// Status 2 with `words` in the message, on standard error.
    func expectUsageError(saying words: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(status == ExitStatus.usage, "\(self)", sourceLocation: sourceLocation)
        #expect(!toStandardOutput, "\(self)", sourceLocation: sourceLocation)
        #expect(message.contains(words), "the message does not say \"\(words)\": \(self)", sourceLocation: sourceLocation)
    }
}

@Suite("The command line, in-process: bad flags and values, help")
struct CommandLineTests {
    static let exampleInput = "0 1 2; 3 4 5; 6 7 8"
    static let exampleKernel = "0 1; 2 3"

    /// A command line that is wrong, and the words of the message that must name the problem.
    struct UsageErrorCase: Sendable, CustomTestStringConvertible {
        let arguments: [String]
        let message: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let gridUsageErrors: [UsageErrorCase] = [
        UsageErrorCase(arguments: ["conv", "--input", "0 1 2; 3 4", "--kernel", exampleKernel],
                       message: "--input: row 2 has 2 values, row 1 has 3"),
        UsageErrorCase(arguments: ["conv", "--input", "0 1 x; 3 4 5", "--kernel", exampleKernel],
                       message: "--input: 'x' in row 1 is not a number"),
        UsageErrorCase(arguments: ["conv", "--input", "", "--kernel", exampleKernel],
                       message: "--input: the grid is empty"),
        UsageErrorCase(arguments: ["conv", "--input", "0 1; 2 3", "--kernel", "0 1 2; 3 4 5; 6 7 8"],
                       message: "kernel height 3 is larger than the padded input height 2"),
        UsageErrorCase(arguments: ["conv", "--input", exampleInput, "--kernel", exampleKernel, "--dilation", "3"],
                       message: "dilated kernel height 4 (kernel 2, dilation 3) is larger than the padded input height 3"),
        UsageErrorCase(arguments: ["conv", "--input", exampleInput, "--kernel", exampleKernel, "--stride", "0"],
                       message: "stride 0 along the height is invalid"),
        UsageErrorCase(arguments: ["conv", "--input", exampleInput, "--kernel", exampleKernel, "--padding", "-1"],
                       message: "padding -1 along the height is invalid"),
        UsageErrorCase(arguments: ["conv", "--input", exampleInput, "--kernel", exampleKernel, "--dilation", "0"],
                       message: "dilation 0 along the height is invalid"),
        UsageErrorCase(arguments: ["pool", "--input", exampleInput, "--kind", "max", "--size", "2", "--stride", "0"],
                       message: "stride 0 along the height is invalid"),
        UsageErrorCase(arguments: ["pool", "--input", exampleInput, "--kind", "median", "--size", "2"],
                       message: "'median' is invalid for '--kind"),
        UsageErrorCase(arguments: ["activate", "--input", "0 1 2", "--fn", "swish"],
                       message: "'swish' is invalid for '--fn"),
        UsageErrorCase(arguments: ["conv", "--input", exampleInput],
                       message: "Missing expected argument '--kernel"),
        UsageErrorCase(arguments: ["pool", "--input", exampleInput, "--kind", "max"],
                       message: "Missing expected argument '--size"),
        UsageErrorCase(arguments: ["conv", "--input", exampleInput, "--kernel", exampleKernel, "--frob"],
                       message: "Unknown option '--frob'"),
        UsageErrorCase(arguments: ["frobnicate"],
                       message: "Unexpected argument 'frobnicate'"),
    ]

    @Test("grid commands: a bad flag or value is a usage error (status 2) naming the problem", arguments: gridUsageErrors)
    func gridUsageError(_ usage: UsageErrorCase) throws {
        try CommandLineOutcome.of(usage.arguments).expectUsageError(saying: usage.message)
    }

    @Test("--help: status 0, on standard output, with examples", arguments: [
        [], ["conv"], ["pool"], ["activate"], ["compute"], ["bench"],
    ])
    func help(_ subcommand: [String]) throws {
        let outcome = try CommandLineOutcome.of(subcommand + ["--help"])
        #expect(outcome.status == ExitStatus.success && outcome.toStandardOutput, "\(outcome)")
        let examples = try #require(outcome.message.range(of: "Examples:"), "no examples in the help: \(outcome)")
        let command = (["convtutor"] + (subcommand.isEmpty ? ["conv"] : subcommand)).joined(separator: " ")
        #expect(outcome.message[examples.upperBound...].contains(command), "the examples do not show \(command): \(outcome)")
        #expect(outcome.message.contains("USAGE: convtutor"), "\(outcome)")
    }

    // MARK: train

    @Test("train: bad flags are usage errors naming the flag and what is accepted", arguments: [
        (["--lr", "0"], "--lr must be a finite number greater than 0 (for example 0.001); got 0.0"),
        (["--lr=-0.5"], "--lr must be a finite number greater than 0 (for example 0.001); got -0.5"),
        (["--lr", "-0.1"], "--lr must be a finite number greater than 0 (for example 0.001); got -0.1"),
        (["--batch-size", "0"], "--batch-size must be from 1 to 2048 images per step; got 0"),
        (["--epochs", "0"], "--epochs must be from 1 to 10000 epochs; got 0"),
        (["--subset", "9223372036854775807"], "--subset must be from 1 to 10000000 images (more than the training set holds takes all of it); got 9223372036854775807"),
        (["--schedule", "step:0:0.5"], "--schedule step:0:0.5: step schedule every 0 epochs is invalid"),
        (["--schedule", "sometimes"], "--schedule sometimes is not understood; give anneal, constant"),
        (["--optimizer", "rmsprop"], "rmsprop"),
        (["--save", "/nonexistent-folder/lenet.safetensors"], "--save /nonexistent-folder/lenet.safetensors: the folder /nonexistent-folder does not exist"),
        (["--data", "/nonexistent-folder"], "--data /nonexistent-folder: no such folder"),
        (["--resume", "/nonexistent-folder/x.safetensors"], "--resume /nonexistent-folder/x.safetensors: no such file"),
    ])
    func trainBadFlags(arguments: [String], message: String) throws {
        try CommandLineOutcome.of(["train", "--no-tui"] + arguments).expectUsageError(saying: message)
    }

    @Test("train: bad --compare values are usage errors naming what is accepted", arguments: [
        ("classic", "--compare classic: give two networks or option sets separated by a comma, such as resnet-mini,plain-mini, classic,modern"),
        ("classic,modern,plain", "give two networks or option sets separated by a comma"),
        ("classic,", "give two networks or option sets separated by a comma"),
        ("tanh,modern", "--compare tanh,modern: 'tanh' is not understood; each side is a network (a built-in such as resnet-mini, or a spec file), modern, classic, plain, dropout"),
        ("subset=0,full", "subset=0 is invalid; give a number of images, 1 or more"),
        ("subset,full", "'subset' is not understood"),
        ("dropout=1,plain", "dropout=1 is invalid; give a probability above 0 and below 1"),
        ("lr=-1,plain", "lr=-1 is invalid"),
        ("plain,plain", "both sides are the same run"),
    ])
    func trainBadCompare(value: String, message: String) throws {
        try CommandLineOutcome.of(["train", "--no-tui", "--compare", value]).expectUsageError(saying: message)
    }

    @Test("train: --save, --log and --resume take one run: with --compare they are usage errors")
    func trainCompareWithOneRunFlags() throws {
        try CommandLineOutcome.of(["train", "--no-tui", "--compare", "classic,modern", "--save", "/tmp/x.safetensors"])
            .expectUsageError(saying: "--save takes one run and --compare trains two")
    }

    @Test("train --help documents --compare with examples")
    func trainHelp() throws {
        let outcome = try CommandLineOutcome.of(["train", "--help"])
        #expect(outcome.status == ExitStatus.success && outcome.toStandardOutput, "\(outcome)")
        #expect(outcome.message.contains("--compare classic,modern"), "\(outcome)")
        #expect(outcome.message.contains("subset=N"), "\(outcome)")
    }

    // MARK: inspect

    @Test("inspect: bad flags are usage errors", arguments: [
        (["inspect"], "Missing expected argument '<image>'"),
        (["inspect", "x.png", "--plain", "--json"], "--plain and --json cannot be used together; give one"),
        (["inspect", "x.png", "--json", "--numbers"], "--numbers goes with --plain"),
        (["inspect", "x.png", "--colour"], "Unknown option '--colour'"),
    ])
    func inspectBadFlags(arguments: [String], message: String) throws {
        try CommandLineOutcome.of(arguments).expectUsageError(saying: message)
    }

    // MARK: lessons

    @Test("lessons: a missing folder, --no-builtin alone and an unknown lesson id are usage errors; the last lists the known ids")
    func lessonsBadInput() throws {
        try CommandLineOutcome.of(["lessons", "check", "--lessons", "/no/such/folder"]).expectUsageError(saying: "no such folder")
        try CommandLineOutcome.of(["lessons", "list", "--no-builtin"]).expectUsageError(saying: "--no-builtin needs --lessons")
        try CommandLineOutcome.of(["lesson", "no-such-lesson"]).expectUsageError(saying: "known lessons: images, convolution")
    }
}
