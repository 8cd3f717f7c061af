import ArgumentParser
import ConvKernels

extension Pad2d.Mode: ExpressibleByArgument {}

/// `convtutor conv`: a 2-D convolution of a small grid.
struct ConvCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conv",
        abstract: "Slide a kernel over a grid and print the output (a 2-D convolution).",
        discussion: """
            Each output cell is the sum of the input cells under the kernel, each times its kernel \
            weight (cross-correlation, as in PyTorch's conv2d), plus the bias. Grids are typed as rows \
            separated by ';' or newlines, values by spaces or commas. Several input channels are \
            separated by '|', with one kernel per channel, also separated by '|'; their sums add up \
            to one output grid. Start a grid with a minus sign as '--input "-1 2; 3 4"' or '--input=-1,2'.

            Examples:
              convtutor conv --input "0 1 2; 3 4 5; 6 7 8" --kernel "0 1; 2 3"
              convtutor conv --input "0 1 2; 3 4 5; 6 7 8" --kernel "0 1; 2 3" --steps
              convtutor conv --input "0 1 2; 3 4 5; 6 7 8" --kernel "0 1; 2 3" \\
                --padding 1 --bias 0.5 --steps
              convtutor conv --input "1 2 3 4 5; 6 7 8 9 10; 11 12 13 14 15" \\
                --kernel "1 0; 0 -1" --stride 1,2 --json
              convtutor conv --input "1 2; 3 4 | 5 6; 7 8" --kernel "1 0; 0 1 | 0 1; 1 0"
              convtutor conv --input "1 2 3; 4 5 6; 7 8 9" --kernel "0 1 0; 1 -4 1; 0 1 0" \\
                --padding 1 --padding-mode reflect
            """)

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "The input grid: rows separated by ';' or newlines, values by spaces or commas, channels by '|'.",
        valueName: "grid"))
    var input: CheckedArgument<Grid>

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "The kernel's weights, written like the input; one kernel per input channel, separated by '|'.",
        valueName: "grid"))
    var kernel: CheckedArgument<Grid>

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "The step between windows: one integer for both axes, or height,width (at least 1).",
        valueName: "n[,n]"))
    var stride = CheckedArgument<Pair>(argument: "1")

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Rows and columns of zeros added around the input: one integer, or height,width (0 or more).",
        valueName: "n[,n]"))
    var padding = CheckedArgument<Pair>(argument: "0")

    @Option(help: ArgumentHelp(
        "What the padding cells hold: zero, reflect (mirror without the edge), replicate (the nearest edge) or circular (wrap around).",
        valueName: "mode"))
    var paddingMode: Pad2d.Mode = .zero

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "The spacing between kernel cells on the input: one integer, or height,width (1 = no gaps).",
        valueName: "n[,n]"))
    var dilation = CheckedArgument<Pair>(argument: "1")

    @Option(parsing: .unconditional, help: ArgumentHelp("A number added to every output cell.", valueName: "number"))
    var bias: Float?

    @Flag(help: "Print every window's arithmetic before the output; out[r,c] and in[r,c] are indices counting from 0, as in PyTorch.")
    var steps = false

    @Flag(help: #"Print JSON: {"output": [[...], ...]}, with "steps" (a list of lines) when --steps is given."#)
    var json = false

    func validate() throws {
        _ = try input.value(of: "--input")
        _ = try kernel.value(of: "--kernel")
        _ = try stride.value(of: "--stride")
        _ = try padding.value(of: "--padding")
        _ = try dilation.value(of: "--dilation")
        if let bias, !bias.isFinite {
            throw ValidationError("--bias \(NumberText.format(bias)) is not a finite number")
        }
    }

    func run() throws {
        let options = Conv2dOptions(stride: try stride.value(of: "--stride"), padding: try padding.value(of: "--padding"),
                                    dilation: try dilation.value(of: "--dilation"))
        let input = try input.value(of: "--input"), kernel = try kernel.value(of: "--kernel")
        let report = try reportingKernelErrors { () throws(KernelError) in
            try ConvGridCommand.run(input: input, kernel: kernel, bias: bias, options: options, paddingMode: paddingMode,
                                   steps: steps)
        }
        print(report.rendered(json: json))
    }
}
