import ArgumentParser
import ConvKernels
import Testing
@testable import ConvTutorCommands

/// Issue 13: grid commands and `compute` check every option's range and the budget before they
/// allocate or loop; a refusal names the estimate and the limit and ends the command with status 2
/// (1 for `compute`'s failed lines).
@Suite("Hostile grid commands")
struct HostileGridTests {
    static let hostileValues = ["0", "-1", "1000000000", "\(Int.max)", "1,\(Int.max)", "\(Int.max),1"]

    /// Runs `convtutor ARGUMENTS` in-process: status 0 when it ran to the end, else the status and
    /// message `run(arguments:)` would give.
    static func run(_ arguments: [String]) -> (status: Int32, message: String) {
        do {
            var command = try ConvTutorCommand.parseAsRoot(arguments)
            try command.run()
            return (0, "")
        } catch let error as ValidationError {
            return (ExitStatus.usage, error.message)
        } catch let failure as CommandFailure {
            return (failure.status, failure.message)
        } catch {
            return (ExitStatus.mapping(parserStatus: ConvTutorCommand.exitCode(for: error).rawValue),
                    ConvTutorCommand.fullMessage(for: error))
        }
    }

    @Test("conv: --stride, --padding and --dilation at 0, -1, 1e9 and Int.max in every padding mode never trap",
          arguments: ["--stride", "--padding", "--dilation"])
    func convOptionSweep(_ option: String) {
        for value in Self.hostileValues {
            for mode in ["zero", "reflect", "replicate", "circular"] {
                for steps in [[], ["--steps"]] {
                    let arguments = ["conv", "--input", "1 2 3; 4 5 6; 7 8 9", "--kernel", "1 0; 0 1", "\(option)=\(value)",
                                     "--padding-mode", mode] + steps
                    let outcome = Self.run(arguments)
                    if outcome.status != 0 {
                        #expect(outcome.status == ExitStatus.usage, "\(arguments): \(outcome.message)")
                        #expect(!outcome.message.isEmpty)
                    }
                }
            }
        }
    }

    @Test("pool: --size, --stride and --padding at 0, -1, 1e9 and Int.max never trap", arguments: ["--size", "--stride", "--padding"])
    func poolOptionSweep(_ option: String) {
        for value in Self.hostileValues {
            for kind in ["max", "avg", "sum"] {
                for steps in [[], ["--steps"]] {
                    var arguments = ["pool", "--input", "1 2 3; 4 5 6; 7 8 9", "--kind", kind, "\(option)=\(value)"] + steps
                    if option != "--size" { arguments += ["--size", "2"] }
                    let outcome = Self.run(arguments)
                    if outcome.status != 0 {
                        #expect(outcome.status == ExitStatus.usage, "\(arguments): \(outcome.message)")
                        #expect(!outcome.message.isEmpty)
                    }
                }
            }
        }
    }

    @Test("conv with dilation and padding of a billion answers its 3x3 output at once")
    func convHugeDilation() throws {
        let report = try ConvGridCommand.run(input: try Grid(parsing: "1 2 3; 4 5 6; 7 8 9"),
                                             kernel: try Grid(parsing: "1 0 1; 0 1 0; 1 0 1"),
                                             options: Conv2dOptions(padding: 1_000_000_000, dilation: 1_000_000_000))
        #expect(report.output == [[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    }

    @Test("conv --steps on a large output is refused with the estimate and the limit")
    func convStepsBudget() {
        let outcome = Self.run(["conv", "--input", "1 2 3; 4 5 6; 7 8 9", "--kernel", "1", "--padding", "3000", "--steps"])
        #expect(outcome.status == ExitStatus.usage)
        #expect(outcome.message == "a 1x1 convolution of a [1, 1, 3, 3] input into [1, 1, 6003, 6003], with every window's "
            + "arithmetic (--steps) would need 12 GB of memory; the limit is 512 MB")
        // A smaller budget refuses smaller requests: the estimate follows the shapes.
        let small = ResourceBudget(memoryBytes: 10_000, work: 1_000_000)
        #expect(throws: KernelError.self) {
            try ConvGridCommand.run(input: try Grid(parsing: "1 2 3; 4 5 6; 7 8 9"), kernel: try Grid(parsing: "1"),
                                    options: Conv2dOptions(padding: 30), steps: true, budget: small)
        }
    }

    @Test("padding modes other than zero are budgeted before the padded grid is made")
    func paddingModeBudget() {
        let outcome = Self.run(["conv", "--input", "1 2 3; 4 5 6; 7 8 9", "--kernel", "1", "--padding", "100000",
                                "--padding-mode", "replicate"])
        #expect(outcome.status == ExitStatus.usage)
        #expect(outcome.message == "replicate padding of 100000 rows and 100000 columns around a 3x3 input would need "
            + "160 GB of memory; the limit is 512 MB")
    }

    @Test("pooling with a huge window and padding is refused with the estimate instead of running for hours")
    func poolHugeWindow() {
        let outcome = Self.run(["pool", "--input", "1 2 3; 4 5 6; 7 8 9", "--kind", "max", "--size", "2000000000",
                                "--padding", "1000000000"])
        #expect(outcome.status == ExitStatus.usage)
        #expect(outcome.message == "a 2000000000x2000000000 pooling of a [1, 1, 3, 3] input into [1, 1, 1, 1] would take "
            + "4.0 quintillion window cell visits; the limit is 2.0 billion")
        let steps = Self.run(["pool", "--input", "1 2 3; 4 5 6; 7 8 9", "--kind", "avg", "--size", "20001", "--padding", "10000",
                              "--steps"])
        #expect(steps.message.hasSuffix("with every window's arithmetic (--steps) would need 19 GB of memory; the limit is 512 MB"))
    }

    @Test("compute: conv2d and pooling requests are budgeted; huge dilation with a small output is answered")
    func computeBudget() {
        let conv = ComputeFilter.answer(to: #"{"op": "conv2d", "input": {"shape": [1,1,3,3], "data": [1,2,3,4,5,6,7,8,9]}, "weight": {"shape": [1,1,3,3], "data": [1,0,1,0,1,0,1,0,1]}, "dilation": 1000000000, "padding": 1000000000}"#)
        #expect(!conv.failed)
        #expect(conv.json == #"{"output": {"shape": [1, 1, 3, 3], "data": [1, 2, 3, 4, 5, 6, 7, 8, 9]}}"#)
        let pool = ComputeFilter.answer(to: #"{"op": "maxpool2d", "input": {"shape": [1,1,3,3], "data": [1,2,3,4,5,6,7,8,9]}, "kernel": 2000000000, "padding": 1000000000}"#)
        #expect(pool.failed)
        #expect(pool.json == #"{"error": "maxpool2d of an input [1, 1, 3, 3] with a 2000000000x2000000000 window into [1, 1, 1, 1] would take 4.0 quintillion window cell visits; the limit is 2.0 billion"}"#)
        let big = ComputeFilter.answer(to: #"{"op": "conv2d", "input": {"shape": [1,1,2,2], "data": [1,2,3,4]}, "weight": {"shape": [1,1,2,2], "data": [1,1,1,1]}, "padding": 4000}"#,
                                       budget: ResourceBudget(memoryBytes: 1_000_000, work: 1_000_000_000))
        #expect(big.failed)
        #expect(big.json.contains("of memory; the limit is 1.0 MB"))
        for value in ["0", "-1", "1000000000", "\(Int.max)", "-\(Int.max)", "1e300", "[1, \(Int.max)]"] {
            for field in ["stride", "padding", "dilation", "groups"] {
                let answer = ComputeFilter.answer(to: #"{"op": "conv2d", "input": {"shape": [1,1,3,3], "data": [1,2,3,4,5,6,7,8,9]}, "weight": {"shape": [1,1,2,2], "data": [1,0,0,1]}, "\#(field)": \#(value)}"#)
                #expect(answer.json.hasPrefix("{"), "\(field) \(value)")
            }
            for field in ["kernel", "stride", "padding"] {
                let answer = ComputeFilter.answer(to: #"{"op": "avgpool2d", "input": {"shape": [1,1,3,3], "data": [1,2,3,4,5,6,7,8,9]}, "kernel": 2, "\#(field)": \#(value), "gradOutput": {"shape": [1,1,1,1], "data": [1]}}"#)
                #expect(answer.json.hasPrefix("{"), "\(field) \(value)")
            }
        }
    }
}

@Suite("Bounded compute lines")
struct BoundedComputeLineTests {
    @Test("a line longer than the limit is answered with an error and dropped unread; the next line is answered")
    func tooLongLine() {
        var bytes = [UInt8](repeating: UInt8(ascii: "0"), count: ComputeFilter.maximumLineBytes + 10) + [UInt8(ascii: "\n")]
        bytes += Array(#"{"op": "relu", "input": {"shape": [2], "data": [-1, 2]}}"#.utf8) + [UInt8(ascii: "\n")]
        var index = 0
        let next = { () -> UInt8? in
            defer { index += 1 }
            return index < bytes.count ? bytes[index] : nil
        }
        var answers: [String] = []
        let failures = ComputeFilter.run(readInputLine: { ComputeFilter.readBoundedLine(next) }, write: { answers.append($0) })
        #expect(failures == 1)
        #expect(answers == [
            #"{"error": "the line is longer than 4.0 MB; a request is one line of at most that (a tensor of about a million numbers)"}"#,
            #"{"output": {"shape": [2], "data": [0, 2]}}"#,
        ])
    }
}
