import ArgumentParser
import ConvKernels

/// `convtutor pool`: max, average or sum pooling of a small grid.
struct PoolCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pool",
        abstract: "Pool a grid: the max, average or sum of each window.",
        discussion: """
            A window of --size slides over the grid in steps of --stride (by default the size, so \
            windows tile the grid). Max pooling never picks a padding cell; average pooling counts \
            padding cells as zeros, in the divisor too (PyTorch's avg_pool2d). Padding may be at most \
            half the window size.

            Examples:
              convtutor pool --input "1 3 2 4; 5 6 1 2; 7 2 9 0; 1 1 3 4" --kind max \\
                --size 2
              convtutor pool --input "1 3 2 4; 5 6 1 2; 7 2 9 0; 1 1 3 4" --kind max \\
                --size 2 --steps
              convtutor pool --input "1 2 3; 4 5 6; 7 8 9" --kind avg --size 2 \\
                --stride 1 --steps
              convtutor pool --input "1 2 3; 4 5 6; 7 8 9" --kind sum --size 3,2 \\
                --padding 1 --json
            """)

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "The input grid: rows separated by ';' or newlines, values by spaces or commas.", valueName: "grid"))
    var input: CheckedArgument<Grid>

    @Option(help: "What each window computes.")
    var kind: GridPoolKind

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "The window size: one integer for a square, or height,width.", valueName: "n[,n]"))
    var size: CheckedArgument<Pair>

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "The step between windows: one integer, or height,width (default: the window size).", valueName: "n[,n]"))
    var stride: CheckedArgument<Pair>?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Cells of padding around the input: one integer, or height,width (at most half the size).", valueName: "n[,n]"))
    var padding = CheckedArgument<Pair>(argument: "0")

    @Flag(help: "Print every window's cells and result (the winner for max, the sum and divisor for avg); out[r,c] and in[r,c] are indices counting from 0, as in PyTorch.")
    var steps = false

    @Flag(help: #"Print JSON: {"output": [[...], ...]}, with "steps" (a list of lines) when --steps is given."#)
    var json = false

    func validate() throws {
        _ = try input.value(of: "--input")
        _ = try size.value(of: "--size")
        _ = try stride?.value(of: "--stride")
        _ = try padding.value(of: "--padding")
    }

    func run() throws {
        let options = Pool2dOptions(kernel: try size.value(of: "--size"), stride: try stride?.value(of: "--stride"),
                                    padding: try padding.value(of: "--padding"))
        let input = try input.value(of: "--input")
        let report = try reportingKernelErrors { () throws(KernelError) in
            try PoolGridCommand.run(input: input, kind: kind, options: options, steps: steps)
        }
        print(report.rendered(json: json))
    }
}
