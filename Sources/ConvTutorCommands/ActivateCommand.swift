import ArgumentParser
import ConvKernels

/// `convtutor activate`: an activation function applied to a small grid.
struct ActivateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activate",
        abstract: "Apply an activation function to every value of a grid (softmax: to each row).",
        discussion: """
            relu, leaky-relu, sigmoid and tanh act on each value on its own. softmax turns each row \
            of the grid into probabilities that sum to 1 (softmax over the columns, PyTorch's \
            softmax(dim=1) on the grid as [rows, columns]).

            Examples:
              convtutor activate --input "-2 -0.5 0 1.5" --fn relu
              convtutor activate --input "-2 -0.5 0 1.5" --fn leaky-relu --slope 0.1
              convtutor activate --input "-1 0 1; 2 3 4" --fn sigmoid --json
              convtutor activate --input "1 2 3; 0 0 0" --fn softmax
            """)

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "The input grid: rows separated by ';' or newlines, values by spaces or commas.", valueName: "grid"))
    var input: CheckedArgument<Grid>

    @Option(help: "The function to apply.")
    var fn: ActivationFunction

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "leaky-relu only: the slope for negative values (default: 0.01).", valueName: "number"))
    var slope: Float?

    @Flag(help: #"Print JSON: {"output": [[...], ...]}."#)
    var json = false

    func validate() throws {
        _ = try input.value(of: "--input")
        if let slope {
            guard fn == .leakyRelu else {
                throw ValidationError("--slope applies to --fn leaky-relu only, not \(fn.rawValue)")
            }
            guard slope.isFinite else {
                throw ValidationError("--slope \(NumberText.format(slope)) is not a finite number")
            }
        }
    }

    func run() throws {
        let input = try input.value(of: "--input")
        let report = try reportingKernelErrors { () throws(KernelError) in
            try ActivateGridCommand.run(input: input, function: fn, slope: slope ?? ActivateGridCommand.defaultSlope)
        }
        print(report.rendered(json: json))
    }
}
