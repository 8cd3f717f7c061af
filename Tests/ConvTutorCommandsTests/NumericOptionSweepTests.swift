import ArgumentParser
import Foundation
import Testing
@testable import ConvTutorCommands

/// Every numeric option of `train` and `bench` at 0, -1, a huge value and `Int.max`, in-process:
/// each is either refused with a message that names the option (status 2, never "Missing value",
/// never a crash) or accepted. (`data` has no numeric options.)
///
/// An accepted value must not start a run, so each command line also carries a `--data` folder that
/// does not exist, which `validate()` checks after the numbers: reaching that message means the
/// number was accepted.
@Suite("Numeric options: 0, -1, huge and Int.max")
struct NumericOptionSweepTests {
    static let values = ["0", "-1", "1e300", "99999999999999", "9223372036854775807", "-9223372036854775808", "nan", "-inf"]
    static let missingFolder = "/nonexistent-convtutor-folder"

    struct Case: Sendable, CustomTestStringConvertible {
        let command: String
        let option: String
        let value: String
        var testDescription: String { "\(command) \(option) \(value)" }
    }

    static let trainOptions = ["--epochs", "--batch-size", "--lr", "--momentum", "--warmup", "--dropout", "--weight-decay",
                               "--l1", "--validation", "--patience", "--subset", "--seed", "--threads"]
    static let benchOptions = ["--seconds", "--network-seconds", "--warm-up", "--threads"]

    static let cases: [Case] =
        trainOptions.flatMap { option in values.map { Case(command: "train", option: option, value: $0) } }
        + benchOptions.flatMap { option in values.map { Case(command: "bench", option: option, value: $0) } }

    @Test("each value is refused naming its option, or accepted", arguments: cases)
    func sweep(_ sweepCase: Case) throws {
        let prefix = sweepCase.command == "train" ? ["train", "--no-tui"] : ["bench"]
        // Both spellings: the value as its own word (a negative one is joined to its option) and joined with =.
        for arguments in [[sweepCase.option, sweepCase.value], ["\(sweepCase.option)=\(sweepCase.value)"]] {
            let outcome = try CommandLineOutcome.of(prefix + arguments + ["--data", Self.missingFolder])
            #expect(outcome.status == ExitStatus.usage, "\(outcome)")
            #expect(!outcome.message.contains("Missing value"), "\(outcome)")
            let accepted = outcome.message.contains("--data \(Self.missingFolder): no such folder")
            if !accepted {
                #expect(outcome.message.contains(sweepCase.option), "the refusal does not name \(sweepCase.option): \(outcome)")
            }
        }
    }

    @Test("the issue's cases: each refusal states the rule and the value given", arguments: [
        (["train", "--no-tui", "--lr", "-0.1"], "--lr must be a finite number greater than 0 (for example 0.001); got -0.1"),
        (["train", "--no-tui", "--subset", "9223372036854775807"],
         "--subset must be from 1 to 10000000 images (more than the training set holds takes all of it); got 9223372036854775807"),
        (["train", "--no-tui", "--validation", "-5"], "--validation must be from 0 to 10000000 images; got -5"),
        (["train", "--no-tui", "--epochs", "-1"], "--epochs must be from 1 to 10000 epochs; got -1"),
        (["train", "--no-tui", "--momentum", "-0.5"], "--momentum must be from 0 to below 1; got -0.5"),
        (["bench", "--seconds", "-1"], "--seconds -1.0 is out of range; give a number of seconds above 0 and at most 60"),
        (["bench", "--threads", "-2"], "--threads -2 is invalid; give a number from 1 to 256"),
    ])
    func rules(arguments: [String], message: String) throws {
        try CommandLineOutcome.of(arguments).expectUsageError(saying: message)
    }

    @Test("a long option followed by a negative number is joined to it; anything else is left as it is")
    func joiningNegativeValues() {
        #expect(ConvTutorCommand.joiningNegativeValues(["train", "--lr", "-0.1", "--epochs", "-1e3", "--seed", "4"])
            == ["train", "--lr=-0.1", "--epochs=-1e3", "--seed", "4"])
        #expect(ConvTutorCommand.joiningNegativeValues(["activate", "--input", "-2 -0.5 0", "--fn", "relu"])
            == ["activate", "--input", "-2 -0.5 0", "--fn", "relu"])
        #expect(ConvTutorCommand.joiningNegativeValues(["conv", "--input", "-3", "--kernel", "-.5"])
            == ["conv", "--input=-3", "--kernel=-.5"])
        #expect(ConvTutorCommand.joiningNegativeValues(["train", "--no-tui", "--", "--lr", "-1"]) == ["train", "--no-tui", "--", "--lr", "-1"])
        #expect(ConvTutorCommand.joiningNegativeValues(["train", "--lr", "-x"]) == ["train", "--lr", "-x"])
        #expect(ConvTutorCommand.joiningNegativeValues(["train", "--lr=-1", "-h"]) == ["train", "--lr=-1", "-h"])
    }
}
